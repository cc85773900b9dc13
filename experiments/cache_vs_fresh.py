"""Does the teacher cache change results? (issue: performance)

The pipeline trains every student on a fixed pool of `students.cache_size` (noise, prompt) pairs whose
teacher trajectories are computed once (the teacher is frozen). Without the cache, each step draws
fresh pairs from the training prompts and runs the teacher (N steps with guidance) inside the step.
Both arms: the pipeline's teacher and training reward, method `rats` at K = 3, and the full profile's
steps, batch, lr, alpha, tau, horizons (read from params.yaml); one run per seed and arm. Each student
is evaluated at 3 NFE on the evaluation prompts, as the `evaluate` stage does (verifier accuracy, the
three rewards, FD against real renderings).

Run after `dvc repro` (it needs models/teacher, models/rewards, models/feature_net):
  OMP_NUM_THREADS=1 .venv/bin/python experiments/cache_vs_fresh.py [--seeds 0 1] [--workers 2]
Writes experiments/results/cache_vs_fresh.json and prints a markdown table. Each run is a job of
rats.core.runs.run_jobs (a spawned process, one thread), `--workers` at a time.
"""
import argparse, json, sys, time
from pathlib import Path

def evaluate_student(P: dict, models, student, K: int) -> dict:
    "The `evaluate` stage's row for one student at K NFE: verifier accuracy, the three rewards, FD against real renderings."
    from rats.toy.world import render_batch, Scene
    from rats.toy.grammar import load_jsonl, eval_subset
    from rats.toy.rewards import load_reward
    from rats.toy.metrics import load_feature_net, image_features
    from rats.toy.train import evaluate_model
    evals = eval_subset(load_jsonl("data/prompts/eval.jsonl"), P["evaluate"]["prompts"])
    rewards = {n: load_reward(Path("models/rewards") / n) for n in ("r_train", "r_dual", "r_lowpass")}
    net = load_feature_net("models/feature_net")
    reps = P["evaluate"]["repeats"]
    recs = [r for r in evals for _ in range(reps)]
    real = render_batch([Scene.from_dict(r["scene"]).spec() for r in recs], P["seed"] + 999)
    ref = dict(feats=image_features(net, real), specs=[r["scene"] for r in recs])
    row, _ = evaluate_model(models, student, evals, K, rewards, net, ref, reps, 1.0, P["seed"])
    return row

def run_one(job: dict) -> dict:
    import numpy as np
    import torch, yaml
    from rats.toy.grammar import load_jsonl
    from rats.toy.models import load_teacher
    from rats.toy.rewards import load_reward
    from rats.core.params import parse_horizons
    from rats.toy.train import train_toy_student
    torch.set_num_threads(1)
    P = yaml.safe_load(Path("params.yaml").read_text())
    S, seed = P["students"], job["seed"]
    train = load_jsonl("data/prompts/train.jsonl")
    models = load_teacher("models/teacher")
    reward = load_reward("models/rewards/r_train", bound=S["reward_bound"])      # as the students stage loads it
    t0 = time.perf_counter()
    student, log = train_toy_student("rats", models, reward, train, Ks=(3,), N=S["N"], steps=S["steps"], batch=S["batch"], lr=S["lr"],
                                     seed=seed, alpha={3: S["alpha"][3]}, teacher_guidance=P["teacher"]["guidance"],
                                     cache_size=S["cache_size"] if job["mode"] == "cached" else 0, progress=False,
                                     tau=S["tau"], gate_normalize=S["gate_normalize"], horizons=parse_horizons(S["horizons"]),
                                     teacher_ema=job.get("teacher_ema", 1.0), refresh_every=job.get("refresh_every", 0))
    wall = time.perf_counter() - t0          # cached: includes building its cache
    student.eval()
    row = evaluate_student(P, models, student, 3)
    last = log[-max(1, len(log) // 10):]
    refreshes = [r for r in log if "refresh_s" in r]          # EMA teacher: the cache rebuilds (experiments/ema_teacher.py)
    return dict(job, **row, train_wall_s=wall, steps_s=sum(r["step_s"] for r in log), refresh_s=sum(r["refresh_s"] for r in refreshes),
                n_refresh=len(refreshes), drift_x0=float(np.mean([r["drift_x0"] for r in refreshes])) if refreshes else None,
                drift_reward=float(np.mean([r["drift_reward"] for r in refreshes])) if refreshes else None,
                gate_mean_last=float(np.mean([r["gate_mean"] for r in last])),
                reward_student_last=float(np.mean([r["reward_student"] for r in last])))

def run_all(jobs: list, workers: int = 2) -> tuple[list, float]:
    "`run_one` over `jobs` (dicts with a unique 'name') in `workers` spawned processes (rats.core.runs.run_jobs): (rows in job order, wall seconds)."
    from rats.core.runs import run_jobs
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import cache_vs_fresh          # the workers import run_one from this module by name (a script's `__main__` is not importable)
    t0 = time.perf_counter()
    rows = list(run_jobs(cache_vs_fresh.run_one, jobs, workers).values())
    return rows, time.perf_counter() - t0

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="experiments/results/cache_vs_fresh.json")
    a = ap.parse_args()
    jobs = [dict(name=f"{m}/seed{s}", mode=m, seed=s) for s in a.seeds for m in ("fresh", "cached")]   # the slow arm first
    rows, wall = run_all(jobs, a.workers)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(rows=rows, wall_s=wall), indent=1))
    cols = ["mode", "seed", "acc", "acc_specified", "acc_open", "reward_r_train", "reward_r_dual", "reward_r_lowpass", "fd",
            "gate_mean_last", "train_wall_s", "steps_s"]
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for r in sorted(rows, key=lambda r: (r["mode"], r["seed"])):
        print("| " + " | ".join(f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols) + " |")

if __name__ == "__main__":
    main()
