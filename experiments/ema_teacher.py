"""An EMA teacher: what refreshing its cached trajectories on a schedule saves, and whether it changes results (issue: performance)

RATS's teacher is the frozen 50-step model, so the pipeline caches its trajectories once. With an EMA teacher
(theta_T <- lambda theta_T + (1 - lambda) theta_S, starting from the frozen teacher) the cached targets go stale as
the teacher moves; `train_toy_student(teacher_ema=..., refresh_every=R)` rebuilds the whole pool's targets every R
steps. Arms, all `rats` at K = 3 with the full profile's teacher, training reward, steps, batch, lr, alpha, tau
(params.yaml), one seed:
  frozen/cached       the pipeline's setting (cache built once)
  ema/refresh R       EMA teacher, pool rebuilt every R steps (R = 100, 50)
  ema/on the fly      EMA teacher run inside every step on fresh pairs (always current: the exact, most expensive arm)
  frozen/on the fly   the frozen teacher inside every step on fresh pairs (separates the pool's effect from the EMA's)
(An EMA teacher never refreshed has exactly the frozen arm's targets: nbs/14_toy_train tests that bit for bit.)
Each student is evaluated at 3 NFE as the `evaluate` stage does (experiments/cache_vs_fresh.py's run_one).

Run after `dvc repro` (it needs models/teacher, models/rewards, models/feature_net):
  OMP_NUM_THREADS=1 .venv/bin/python experiments/ema_teacher.py [--decay 0.995] [--workers 2]
Writes experiments/results/ema_teacher.json and prints a markdown table.
"""
import argparse, json, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cache_vs_fresh import run_all

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--decay", type=float, default=0.995)
    ap.add_argument("--refresh", type=int, nargs="+", default=[100, 50])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="experiments/results/ema_teacher.json")
    a = ap.parse_args()
    d = a.decay
    jobs = ([dict(arm="ema/on the fly", mode="fresh", teacher_ema=d), dict(arm="frozen/on the fly", mode="fresh")]   # the slow arms first
            + [dict(arm=f"ema/refresh {R}", mode="cached", teacher_ema=d, refresh_every=R) for R in a.refresh]
            + [dict(arm="frozen/cached", mode="cached")])
    for j in jobs: j.update(name=j["arm"], seed=a.seed)
    rows, wall = run_all(jobs, a.workers)           # each arm is cache_vs_fresh.py's run_one, in a pool of spawned processes
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(decay=d, rows=rows, wall_s=wall), indent=1))
    print(render(rows, d))

def render(rows, decay):
    cols = [("arm", "arm"), ("acc", "verifier acc"), ("reward_r_train", "r_train"), ("reward_r_dual", "r_dual"),
            ("reward_r_lowpass", "r_lowpass"), ("fd", "FD"), ("gate_mean_last", "gate (last 10%)"), ("train_wall_s", "training wall (s)"),
            ("refresh_s", "of which rebuilds (s)"), ("n_refresh", "rebuilds"), ("drift_x0", "target drift per rebuild")]
    out = [f"EMA decay {decay}; K = 3, one seed.", "", "| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    fmt = lambda v: "" if v is None else (f"{v:.3g}" if isinstance(v, float) and abs(v) < 0.01 else f"{v:.3f}" if isinstance(v, float) else str(v))
    for r in rows: out.append("| " + " | ".join(fmt(r.get(c)) for c, _ in cols) + " |")
    return "\n".join(out)

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--render":
        res = json.loads(Path(sys.argv[2]).read_text()); print(render(res["rows"], res["decay"]))
    else: main()
