"""Which classifier-free guidance gives the pipeline's video teacher a few-step gap clear of the precondition's bar?

The checker's total on open evaluation prompts at 3 and 50 NFE, paired (the same prompt and initial noise at both NFEs),
for each guidance scale, with the pipeline's own `precondition` (paired bootstrap over prompts, 95% interval).
Usage (after `make video`, which pulls the teacher): `OMP_NUM_THREADS=2 .venv/bin/python experiments/video_guidance_gap.py [REPEATS] [G,G,...]`.
Writes experiments/results/video_guidance_gap_r<REPEATS>.json and prints a markdown table.
"""
import json, sys, time
from pathlib import Path
import numpy as np
import torch
from rats.core.stats import fmt_ci
from rats.toy.video_world import load_video_jsonl
from rats.toy.video_models import load_video_teacher, sample_video
from rats.toy.video_checker import check_clips
from rats.toy.video_pipeline import precondition, paired_records, paired_noise

torch.set_num_threads(2)
R = int(sys.argv[1]) if len(sys.argv) > 1 else 2
gs = [float(g) for g in (sys.argv[2] if len(sys.argv) > 2 else "4,6,8").split(",")]
opens = [r for r in load_video_jsonl("video/data/prompts/eval.jsonl") if not r["specified"]]
recs, pid = paired_records(opens, R)
pipe = load_video_teacher("video/models/teacher")
noise = paired_noise(pipe, len(recs), seed=4321)     # one noise per clip, shared by every NFE and guidance
out, lines = dict(repeats=R, n_prompts=len(opens), n=len(recs), rows={}), []
for g in gs:
    tot, t = {}, time.perf_counter()
    for K in (3, 50):
        clips = sample_video(pipe, [r["prompt"] for r in recs], K, g, noise=noise)
        tot[K] = [dict(total=c["total"], ok=float(c["ok"])) for c in check_clips(clips, [r["scene"] for r in recs])]
    pc = precondition(tot[50], tot[3], pid, np.ones(len(recs), bool))
    m = {K: float(np.mean([r["total"] for r in tot[K]])) for K in (3, 50)}
    out["rows"][str(g)] = dict(total3=m[3], total50=m[50], **pc, seconds=time.perf_counter() - t)
    lines.append(f"| {g:g} | {len(recs)} | {m[3]:.3f} | {m[50]:.3f} | {fmt_ci(pc['gap'], pc['lo'], pc['hi'], sign=True)} | {'yes' if pc['holds'] else 'no'} |")
    print(lines[-1], f"({time.perf_counter() - t:.0f} s)", flush=True)
Path("experiments/results").mkdir(parents=True, exist_ok=True)
Path(f"experiments/results/video_guidance_gap_r{R}.json").write_text(json.dumps(out, indent=1, default=float))
print("| guidance | clips | open total @3 | open total @50 | gap 50 - 3 [95% CI] | clears 0.15 |\n|---|---|---|---|---|---|")
print("\n".join(lines))
