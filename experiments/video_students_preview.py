"""A first look at video students (issue 20), on the experiment teacher T (`experiments/video_teacher.py`, see README).

Trains one K-step student per method (100 steps, batch 8, lr 2e-4, alpha 1, tau 1 on the normalised gap, a pool of 64
(prompt, noise) pairs of T's guided 50-step targets shared by the methods: `rats.toy.video_eval.train_students`, the
pipeline's own code), then samples T at K and at 50 steps and every student at K from the same noises on about 100
evaluation prompts, and prints the video table with paired 95% intervals (`rats.toy.video_eval.video_tables`) and each
run's training log at the start, middle and end (shaping loss, student and teacher reward, gate mean and spread).
One training seed, one pass over the prompts: a preview of the pipeline's `students` / `evaluate` / `report` stages, not
their result. Needs `checkpoints/experiments/video_teacher_T` (the saved pipeline of run T) and the feature network
`checkpoints/experiments/video_feature_net` (`experiments/video_precondition.py` trains it), and the video prompt sets
(`dvc repro video/dvc.yaml:world`).
Run: `OMP_NUM_THREADS=1 .venv/bin/python experiments/video_students_preview.py distill,reward,mix,rats 5 100`."""
import json, sys, time
from pathlib import Path
import numpy as np, torch
torch.set_num_threads(1)
from rats.toy.video_eval import student_runs, train_students, sample_student, video_tables
from rats.toy.video_pipeline import paired_records, paired_noise, judge_clips
from rats.toy.video_models import load_video_teacher, sample_video
from rats.toy.video_rewards import VideoSpecReward, load_video_feature_net
from rats.toy.video_world import load_video_jsonl
from rats.toy.grammar import eval_subset
ROOT = Path(__file__).resolve().parents[1]; OUT = ROOT / "checkpoints/experiments/video_students_preview"
T, F = ROOT / "checkpoints/experiments/video_teacher_T", ROOT / "checkpoints/experiments/video_feature_net"
methods = sys.argv[1].split(",") if len(sys.argv) > 1 else ["distill", "rats"]
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 100
st = dict(steps=steps, batch=8, lr=2e-4, alpha={K: 1.0}, tau=1.0, gate_normalize=True, cache_size=64, ckpt_every=25)
runs = student_runs(methods, [K], 1)
t0 = time.perf_counter()
info = train_students(runs, st, T, F, ROOT / "video/data/prompts/train.jsonl", OUT / "students", OUT / "logs", OUT / "ckpt", N=50, guidance=4.0, seed=0, workers=1, progress=False)
print("train", json.dumps(info), f"{time.perf_counter() - t0:.0f} s", flush=True)
pipe = load_video_teacher(T); R = {"r_train": VideoSpecReward(load_video_feature_net(F))}
recs, pid = paired_records(eval_subset(load_video_jsonl(ROOT / "video/data/prompts/eval.jsonl"), 100), 1)
noise = paired_noise(pipe, len(recs), 1)
trows = {}
for n in (K, 50):
    trows[n] = judge_clips(sample_video(pipe, [r["prompt"] for r in recs], n, 4.0, noise=noise), recs, R)
srows = {r["name"]: sample_student(pipe, OUT / "students" / r["name"], recs, noise, K, R)[1] for r in runs}
md, res = video_tables(trows, srows, runs, pid, recs, 50)
print(md)
for r in runs:
    rows = [json.loads(l) for l in (OUT / "logs" / f"{r['name']}.jsonl").read_text().splitlines()]
    keys = [k for k in ("loss_shape", "reward_student", "reward_teacher", "gate_mean", "gate_std", "step_s") if k in rows[0]]
    for a, b in ((0, 10), (45, 55), (90, 100)):
        print(r["name"], a, {k: round(float(np.mean([x[k] for x in rows[a:b]])), 4) for k in keys})
print(f"total {time.perf_counter() - t0:.0f} s")
