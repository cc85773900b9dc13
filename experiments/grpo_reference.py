"""GRPO as a cost and quality reference for RATS on the toy world (issue: performance)

The paper compares RATS with DanceGRPO. `rats.core.grpo` is a small GRPO on the same machinery (Flow-GRPO's SDE
sampler, group-normalised advantages, the clipped ratio objective back-propagated one step at a time). This trains
a 3-step GRPO student from the pipeline's teacher with the pipeline's training reward (r_train, the same bounded
reward the students stage uses), the full profile's steps, lr and batch (batch = prompts x G samples), and
evaluates it at 3 NFE as the `evaluate` stage does (experiments/cache_vs_fresh.py's evaluation), next to the
`rats` row trained by experiments/ema_teacher.py's frozen/cached arm (same teacher, reward, steps, batch, lr, seed).

Run after `dvc repro` and experiments/ema_teacher.py:
  OMP_NUM_THREADS=1 .venv/bin/python experiments/grpo_reference.py [--group 4] [--eta 0.7] [--lr 2e-5] [--out F]
  OMP_NUM_THREADS=1 .venv/bin/python experiments/grpo_reference.py --base --out experiments/results/grpo_base.json   (the start)
Writes experiments/results/grpo_reference.json (or --out) and prints a markdown table;
`python experiments/grpo_reference.py --render F [F ...]` prints the table of several runs.
"""
import argparse, json, sys, time
from pathlib import Path
import numpy as np
import torch, yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cache_vs_fresh import evaluate_student

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--group", type=int, default=4)
    ap.add_argument("--eta", type=float, default=0.7)
    ap.add_argument("--K", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=None, help="default: the students stage's lr (params.yaml)")
    ap.add_argument("--out", default="experiments/results/grpo_reference.json")
    ap.add_argument("--base", action="store_true", help="only evaluate the untrained policy (the teacher's weights, no CFG)")
    a = ap.parse_args()
    from rats.toy.grammar import load_jsonl
    from rats.toy.models import load_teacher
    from rats.toy.rewards import load_reward, prompt_vectors
    from rats.toy.train import toy_conds, toy_decode
    from rats.core.grpo import GRPOConfig, grpo_step
    from rats.core.sampling import model_velocity
    from tqdm.auto import tqdm
    torch.set_num_threads(1)
    P = yaml.safe_load(Path("params.yaml").read_text())
    S = P["students"]
    train = load_jsonl("data/prompts/train.jsonl")
    models = load_teacher("models/teacher")
    reward = load_reward("models/rewards/r_train", bound=S["reward_bound"])
    if a.base:
        res = dict(arm=f"base: the teacher's weights, {a.K} NFE, no CFG (GRPO's start)", **evaluate_student(P, models, models.unet, a.K),
                   train_wall_s=0.0, steps_s=0.0)
        Path(a.out).write_text(json.dumps(res, indent=1)); print(render(res)); return
    cfg = GRPOConfig(K=a.K, eta=a.eta, group=a.group)
    n_prompts = S["batch"] // cfg.group
    torch.manual_seed(a.seed)
    student = models.unet.__class__.from_config(models.unet.config); student.load_state_dict(models.unet.state_dict())
    student.requires_grad_(True)
    lr = a.lr if a.lr is not None else S["lr"]
    opt = torch.optim.AdamW(student.parameters(), lr=lr, weight_decay=0.0)
    log, t0 = [], time.perf_counter()
    for step in tqdm(range(S["steps"]), desc="grpo"):
        rng = np.random.default_rng([a.seed, step])
        ps = [train[i]["prompt"] for i in rng.integers(len(train), size=n_prompts) for _ in range(cfg.group)]
        c, _ = toy_conds(models, ps, 1.0)
        noise = torch.randn(len(ps), 12, 16, 16, generator=torch.Generator().manual_seed(int(rng.integers(2**31))))
        ts = time.perf_counter()
        st = grpo_step(cfg, student, opt, noise, c, toy_decode, reward, prompt_vectors(ps), velocity_fn=model_velocity,
                       generator=torch.Generator().manual_seed(int(rng.integers(2**31))))
        log.append(dict(step=step, **st, step_s=time.perf_counter() - ts))
    wall = time.perf_counter() - t0
    student.eval()
    row = evaluate_student(P, models, student, a.K)
    last = log[-max(1, len(log) // 10):]
    res = dict(arm=f"grpo (K={a.K}, G={cfg.group}, eta={cfg.eta}, lr={lr:g})", lr=lr, **row, train_wall_s=wall, steps_s=sum(r["step_s"] for r in log),
               reward_mean_first=float(np.mean([r["reward_mean"] for r in log[:max(1, len(log) // 10)]])),
               reward_mean_last=float(np.mean([r["reward_mean"] for r in last])), log=log)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(render(res))

def render(res, rats_row=None, more=()):
    ema = Path("experiments/results/ema_teacher.json")
    rats = rats_row or (next((r for r in json.loads(ema.read_text())["rows"] if r["arm"] == "frozen/cached"), None) if ema.exists() else None)
    cols = [("acc", "verifier acc"), ("acc_open", "open prompts"), ("reward_r_train", "r_train"), ("reward_r_dual", "r_dual"),
            ("reward_r_lowpass", "r_lowpass"), ("fd", "FD"), ("train_wall_s", "training wall (s)"), ("steps_s", "of which steps (s)")]
    out = ["| student (3 NFE) | " + " | ".join(h for _, h in cols) + " |", "|---|" + "---|" * len(cols)]
    for name, r in [(res["arm"], res)] + [(m["arm"], m) for m in more] + [("rats (frozen teacher, cached; ema_teacher.json)", rats)]:
        if r: out.append(f"| {name} | " + " | ".join(f"{r[c]:.3f}" for c, _ in cols) + " |")
    return "\n".join(out)

if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--render":
        rs = [json.loads(Path(f).read_text()) for f in sys.argv[2:]]
        print(render(rs[0], more=rs[1:]))
    else: main()
