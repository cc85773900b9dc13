"""Teacher calibration: which training knob makes the toy teacher follow layout words?

Usage: OMP_NUM_THREADS=1 python experiments/teacher_calibration.py NAME STEPS BATCH EMBED_STD [LR] [T_SHIFT]

Trains the 'toy' teacher on the versioned training prompts with the given token-embedding
scale (`embed_std`; CLIP's own init is 0.02), learning rate and logit-normal shift, then prints
verifier accuracy on the evaluation prompts at 3 and 50 NFE for guidance 1, 2 and 3, and
writes them to experiments/results/teacher_NAME.json.

Runs of 2026-11-27 (one worker each, two runs side by side on the 2-core machine, ~12 min each),
recorded in nbs/11_toy_models.ipynb: A = 2400 32 1.0; B = 1200 64 1.0; C = 2400 32 1.0 2e-3;
D = 2400 32 1.0 1e-3 0.7 (the one that learned layout).
"""
import json, sys, time
from pathlib import Path
import torch
from rats.toy_models import teacher_config, train_teacher, evaluate_teacher
from rats.world import load_jsonl

if __name__ == "__main__":
    torch.set_num_threads(1)
    name, steps, batch, std = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    lr = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-3
    t_shift = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    root = Path(__file__).resolve().parents[1]
    train, evals = load_jsonl(root / "data/prompts/train.jsonl"), load_jsonl(root / "data/prompts/eval.jsonl")
    cfg = {**teacher_config("toy"), "embed_std": std}
    t0 = time.perf_counter()
    models = train_teacher(cfg, train, steps, batch=batch, lr=lr, seed=0, t_shift=t_shift)
    train_s = time.perf_counter() - t0
    rows = evaluate_teacher(models, evals, nfes=(3, 50), guidances=(1.0, 2.0, 3.0))
    for r in rows: print(name, r)
    out = root / "experiments" / "results" / f"teacher_{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(steps=steps, batch=batch, embed_std=std, lr=lr, t_shift=t_shift, train_s=train_s, rows=rows), indent=1))
