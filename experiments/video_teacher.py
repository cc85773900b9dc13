"""Does the tiny Wan teacher learn the toy video world on this CPU, and is there a few-step gap? (issue 20, first look)

Usage: OMP_NUM_THREADS=1 python experiments/video_teacher.py NAME STEPS [--config toy] [--batch 32] [--lr 1e-3]
                                   [--t-shift 0.7] [--workers 2] [--guidance 1 4] [--transformer JSON]

Trains a `rats.toy.video_models` teacher from scratch on `make_video_prompt_sets(0)` (4,096 training prompts) with
`workers` processes, then samples the 200 evaluation prompts once each at 3 and 50 NFE for each guidance and
judges them with the video checker (`rats.toy.video_checker`): every dimension, total and ok, overall and by prompt
kind (open / specified). Writes experiments/results/video_teacher_NAME.json (rows, training time, loss curve in
blocks of 100 steps). One seed, 200 clips per cell: a binomial standard error near 0.5 is 0.035; no intervals.
"""
import argparse, json, time
from pathlib import Path
import numpy as np
import torch
from rats.toy.video_world import make_video_prompt_sets
from rats.toy.video_models import train_video_teacher, sample_video, save_video_teacher
from rats.toy.video_checker import check_clips, summarize_clips

def main():
    p = argparse.ArgumentParser()
    p.add_argument("name"); p.add_argument("steps", type=int)
    p.add_argument("--config", default="toy"); p.add_argument("--batch", type=int, default=32); p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--t-shift", type=float, default=0.7); p.add_argument("--workers", type=int, default=2)
    p.add_argument("--guidance", type=float, nargs="+", default=[1.0, 4.0])
    p.add_argument("--transformer", default="{}", help="JSON overrides of the config's WanTransformer3DModel kwargs (saved as config NAME)")
    a = p.parse_args()
    over = json.loads(a.transformer)
    config = a.config
    if over:        # a variant of the named config, handed to the training workers as a dict
        import rats.toy.video_models as vm
        base = vm.VIDEO_TEACHER_CONFIGS[a.config]
        config = dict(base, transformer={**base["transformer"], **{k: tuple(v) if isinstance(v, list) else v for k, v in over.items()}})
    torch.set_num_threads(1)
    train, evals = make_video_prompt_sets(0)
    out = Path("experiments/results"); out.mkdir(parents=True, exist_ok=True)
    ckpt = Path(f"checkpoints/experiments/video_teacher_{a.name}.pt"); ckpt.parent.mkdir(parents=True, exist_ok=True)
    t0, log = time.perf_counter(), []
    pipe = train_video_teacher(config, train, a.steps, batch=a.batch, lr=a.lr, t_shift=a.t_shift, workers=a.workers, ckpt_path=ckpt, log=log)
    train_s = time.perf_counter() - t0
    save_video_teacher(pipe, f"checkpoints/experiments/video_teacher_{a.name}")
    prompts, specs = [r["prompt"] for r in evals], [r["scene"] for r in evals]
    spec = np.array([r["specified"] for r in evals])
    rows = []
    for g in a.guidance:
        for K in (3, 50):
            t = time.perf_counter()
            res = check_clips(sample_video(pipe, prompts, K, g, seed=1), specs)
            row = dict(nfe=K, guidance=g, sample_s=time.perf_counter() - t, n=len(res), **summarize_clips(res))
            for kind, m in (("open", ~spec), ("specified", spec)):
                row.update({f"{k}_{kind}": v for k, v in summarize_clips([r for r, keep in zip(res, m) if keep]).items() if k in ("ok", "total")})
            rows.append(row); print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
    blocks = [float(np.mean(log[i:i + 100])) for i in range(0, len(log), 100)]
    Path(out / f"video_teacher_{a.name}.json").write_text(json.dumps(dict(args=vars(a), train_s=train_s, s_per_step=train_s / max(1, a.steps),
                                                                         loss_blocks=blocks, rows=rows), indent=1))
    print(f"trained {a.steps} steps in {train_s:.0f} s; loss per 100 steps: {[round(b, 3) for b in blocks]}")

if __name__ == "__main__":     # the training workers are spawned: they import this file
    main()
