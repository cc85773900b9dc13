"""Which classifier-free guidance gives the toy teacher a few-step gap that clears the precondition with a margin?

The teacher's open-prompt accuracy at 3 and 50 NFE, paired (the same prompt and initial noise at both NFEs), for each
guidance scale. Usage (after `make repro`, which pulls the teacher): `.venv/bin/python experiments/guidance_gap.py [REPEATS] [G,G,...]`.
Writes experiments/results/guidance_gap.json and prints a markdown table.
"""
import json, sys, time
from pathlib import Path
import numpy as np
import torch
from rats.toy.grammar import load_jsonl
from rats.toy.models import load_teacher, sample
from rats.toy.verifier import verify_batch

torch.set_num_threads(2)
R = int(sys.argv[1]) if len(sys.argv) > 1 else 8
gs = [float(g) for g in (sys.argv[2] if len(sys.argv) > 2 else "2,3,4").split(",")]
recs = [r for r in load_jsonl("data/prompts/eval.jsonl") if not r["specified"] for _ in range(R)]
models = load_teacher("models/teacher")
rows = []
for g in gs:
    ok = {}
    for K in (3, 50):
        t = time.perf_counter()
        imgs = sample(models, [r["prompt"] for r in recs], K, g, seed=1234, batch_size=512)    # one seed: the same noise at 3 and 50 NFE
        ok[K] = np.array([v["ok"] for v in verify_batch(imgs, [r["scene"] for r in recs])], float)
    d = ok[50] - ok[3]
    rng = np.random.default_rng(0)           # bootstrap over prompts (the R samples of a prompt stay together)
    per = d.reshape(-1, R).mean(1)
    boot = [per[rng.integers(len(per), size=len(per))].mean() for _ in range(2000)]
    rows.append(dict(guidance=g, n=len(d), acc_open_3=ok[3].mean(), acc_open_50=ok[50].mean(), gap=d.mean(),
                     lo=float(np.percentile(boot, 2.5)), hi=float(np.percentile(boot, 97.5))))
Path("experiments/results").mkdir(parents=True, exist_ok=True)
Path("experiments/results/guidance_gap.json").write_text(json.dumps(rows, indent=1))
print("| guidance | n | open acc @3 | open acc @50 | gap 50 - 3 [95% CI] |\n|---|---|---|---|---|")
for r in rows: print(f"| {r['guidance']:g} | {r['n']} | {r['acc_open_3']:.3f} | {r['acc_open_50']:.3f} | {r['gap']:.3f} [{r['lo']:.3f}, {r['hi']:.3f}] |")
