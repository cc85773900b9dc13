"""Cost of sampling and of one training step on the toy models (issue: performance).

Prints markdown tables: sampling wall time per image at NFE 3/5/8/50 and the speed-up over 50 NFE
(the limit is the NFE ratio), where a sampling call's time goes at 3 and 50 NFE (text encoding,
denoiser steps, decoding, the rest), whether channels-last or `torch.compile` make the denoiser faster on
this CPU, and per-step time, FLOPs and peak memory of `distill`, `reward`, `mix`, `rats` at K=3 with and
without the teacher cache (each method in its own process, so its peak resident memory is its own), and the
same for a GRPO update (rats.core.grpo, the paper's RL reference) at 3 and 16 SDE steps.
Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/toy_costs.py`.
Ratios are only meaningful within one run (shared, noisy machines)."""
import argparse, time
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode
from rats.toy.models import build_teacher, sample
from rats.toy.rewards import build_reward, RewardFn, prompt_vectors
from rats.toy.train import make_losses, toy_conds, toy_decode, build_teacher_cache
from rats.core.step import train_step
from rats.toy.models import unpack
from rats.toy.grammar import make_prompt_sets

p = argparse.ArgumentParser(); p.add_argument("--config", default="toy"); p.add_argument("--batch", type=int, default=32)
p.add_argument("--n-images", type=int, default=256); p.add_argument("--reps", type=int, default=3)
p.add_argument("--only", choices=("sampling", "variants", "steps"), help="print one of the tables")
p.add_argument("--step", help=argparse.SUPPRESS); p.add_argument("--cached", type=int, default=1, help=argparse.SUPPRESS)
a = p.parse_args()
import json, subprocess, sys
from _mem import rss_mb, peak_during      # benchmarks/_mem.py
torch.manual_seed(0)
train, _ = make_prompt_sets(0, n_train=512)
models = build_teacher(a.config, 0).eval()
rf = RewardFn(build_reward("cnn"))
prompts = [r["prompt"] for r in train[: a.n_images]]

def step_cost(method, cached):
    losses = make_losses(method, (3,), 50, 2.0, tau=2.0, gate_normalize=True)
    lf = losses[3]
    cache = build_teacher_cache(losses, models, rf, train, a.batch, 2.0, 0, progress=False) if cached else None
    student = models.unet.__class__.from_config(models.unet.config); student.load_state_dict(models.unet.state_dict())
    opt = torch.optim.AdamW(student.parameters(), lr=1e-5)
    ps = [r["prompt"] for r in train[: a.batch]]
    c, tc = toy_conds(models, ps, 2.0)
    noise = cache["noise"] if cached else torch.randn(a.batch, 12, 16, 16)
    pv = cache["pv"] if cached else prompt_vectors(ps)
    if cached: c, tc = toy_conds(models, cache["prompts"], 2.0)
    kw = dict(reward_cond=pv, teacher_cond=tc, teacher_out=cache["teacher_out"][3].take(torch.arange(a.batch)) if cached else None)
    do = lambda: train_step(lf, student, models.unet, opt, noise, c, toy_decode, rf, **kw)
    do()                                   # warm-up (allocates the optimiser state)
    base_mb = rss_mb()                     # models, optimiser state and cache resident, between steps
    peak_mb = peak_during(do)
    times = []
    for _ in range(a.reps):
        t = time.perf_counter(); do(); times.append(time.perf_counter() - t)
    with FlopCounterMode(display=False) as fc: do()
    return dict(s=float(np.median(times)), gflop=fc.get_total_flops() / 1e9, base_mb=base_mb, step_mb=peak_mb - base_mb)

def grpo_cost(K):
    "One GRPO update (rats.core.grpo: SDE rollout of K steps, G = 4 samples per prompt, K backward passes) at the same batch size."
    from rats.core.grpo import GRPOConfig, grpo_step
    from rats.core.sampling import model_velocity
    cfg = GRPOConfig(K=K, group=4)
    student = models.unet.__class__.from_config(models.unet.config); student.load_state_dict(models.unet.state_dict())
    opt = torch.optim.AdamW(student.parameters(), lr=1e-5)
    ps = [r["prompt"] for r in train[: a.batch // cfg.group] for _ in range(cfg.group)]
    c, _ = toy_conds(models, ps, 1.0)
    noise, pv = torch.randn(len(ps), 12, 16, 16), prompt_vectors(ps)
    do = lambda: grpo_step(cfg, student, opt, noise, c, toy_decode, rf, pv, velocity_fn=model_velocity, generator=torch.Generator().manual_seed(0))
    do()
    base_mb = rss_mb(); peak_mb = peak_during(do)
    times = []
    for _ in range(a.reps):
        t = time.perf_counter(); do(); times.append(time.perf_counter() - t)
    with FlopCounterMode(display=False) as fc: do()
    return dict(s=float(np.median(times)), gflop=fc.get_total_flops() / 1e9, base_mb=base_mb, step_mb=peak_mb - base_mb)

def sampling_tables():
    rows = []
    for K in (3, 5, 8, 50):
        sample(models, prompts[:16], K, 1.0, 0)                       # warm-up
        t = time.perf_counter(); sample(models, prompts, K, 1.0, 0); dt = (time.perf_counter() - t) / len(prompts)
        rows.append((K, dt))
    t50 = rows[-1][1]
    print("| NFE | ms / image | speed-up vs 50 NFE | limit (50/NFE) |\n|---|---|---|---|")
    for K, dt in rows: print(f"| {K} | {dt * 1e3:.2f} | {t50 / dt:.1f}x | {50 / K:.1f}x |")

    # where the time of one sampling call goes (guidance 1, the students' setting; one batch of n_images)
    from rats.toy.models import guided_velocity
    from rats.core.sampling import flow_sigmas, euler_sample
    from rats.toy.world import from_model

    @torch.inference_mode()
    def breakdown(K):
        models.eval()
        noise = torch.randn(len(prompts), 12, 16, 16, generator=torch.Generator().manual_seed(0))
        t0 = time.perf_counter(); v = guided_velocity(models, prompts, 1.0)              # text encoding
        t1 = time.perf_counter(); x = euler_sample(v, noise, flow_sigmas(K, 1.0)).x       # K denoiser evaluations + Euler updates
        t2 = time.perf_counter(); from_model(unpack(x))                                     # decode (pixel shuffle) + to numpy
        t3 = time.perf_counter(); sample(models, prompts, K, 1.0, 0)
        t4 = time.perf_counter()
        return dict(text=t1 - t0, denoise=t2 - t1, decode=t3 - t2, total=t4 - t3)

    print("\n| NFE | text encoding (ms) | denoiser steps (ms) | decode (ms) | whole `sample` call (ms) | rest (ms) |\n|---|---|---|---|---|---|")
    for K in (3, 50):
        b = min((breakdown(K) for _ in range(a.reps)), key=lambda d: d["total"])
        rest = b["total"] - b["text"] - b["denoise"] - b["decode"]
        print(f"| {K} | {b['text'] * 1e3:.1f} | {b['denoise'] * 1e3:.1f} | {b['decode'] * 1e3:.1f} | {b['total'] * 1e3:.1f} | {rest * 1e3:.1f} |")
    print(f"(one batch of {len(prompts)} images; best of {a.reps})")


def variants_table():
    "Sampling at 3 NFE with the denoiser as is, in channels-last memory format, and compiled (inductor)."
    import copy
    def timed(m):
        view = type(models)(m, models.text_encoder, models.tokenizer)
        sample(view, prompts, 3, 1.0, 0)                           # warm-up at the timed batch size (compile specialises on shapes)
        t = time.perf_counter(); sample(view, prompts, 3, 1.0, 0); return (time.perf_counter() - t) / len(prompts)
    rows = [("eager (default)", timed(models.unet))]
    rows.append(("channels-last", timed(copy.deepcopy(models.unet).to(memory_format=torch.channels_last))))
    try:
        t0 = time.perf_counter(); cm = torch.compile(copy.deepcopy(models.unet)); tc = timed(cm)
        rows.append((f"torch.compile (first call {time.perf_counter() - t0:.0f} s incl. compiling)", tc))
    except Exception as e:                                          # no compiler on the machine, or an unsupported op
        rows.append((f"torch.compile: failed ({type(e).__name__})", float("nan")))
    print("\n| denoiser at 3 NFE | ms / image | vs eager |\n|---|---|---|")
    for n, dt in rows: print(f"| {n} | {dt * 1e3:.2f} | {rows[0][1] / dt:.2f}x |")

if a.step:        # a child process: one method's step costs as JSON
    print(json.dumps(grpo_cost(int(a.step[4:])) if a.step.startswith("grpo") else step_cost(a.step, bool(a.cached)))); sys.exit()

if a.only in (None, "sampling"): sampling_tables()
if a.only in (None, "variants"): variants_table()
if a.only not in (None, "steps"): sys.exit()
print(f"\n| method (K=3, N=50, batch {a.batch}) | teacher | s / step | GFLOP / step | resident between steps (MB) | a step's peak above that (MB) | vs distill (same teacher mode) |\n|---|---|---|---|---|---|---|")
rats_s = {}
for cached in (False, True):
    base = None
    for m in ("distill", "reward", "mix", "rats"):
        out = subprocess.run([sys.executable, __file__, "--step", m, "--cached", str(int(cached)), "--config", a.config,
                              "--batch", str(a.batch), "--reps", str(a.reps)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        base = base or r["s"]
        if m == "rats": rats_s[cached] = r["s"]
        print(f"| {m} | {'cached' if cached else 'on the fly'} | {r['s']:.3f} | {r['gflop']:.1f} | {r['base_mb']:.0f} | {r['step_mb']:.0f} | {r['s'] / base:.2f}x |")
print("(memory: resident set of the step's own process, sampled every ms; one process per row.)")
# the paper's RL reference (DanceGRPO-style, rats.core.grpo) at the same batch: 8 prompts x 4 samples, K SDE steps
print(f"\n| GRPO reference (batch {a.batch} = {a.batch // 4} prompts x 4 samples) | s / step | GFLOP / step | resident between steps (MB) | a step's peak above that (MB) | vs rats cached | vs rats on the fly |\n|---|---|---|---|---|---|---|")
for K in (3, 16):
    out = subprocess.run([sys.executable, __file__, "--step", f"grpo{K}", "--config", a.config, "--batch", str(a.batch), "--reps", str(a.reps)],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"| GRPO, {K} SDE steps | {r['s']:.3f} | {r['gflop']:.1f} | {r['base_mb']:.0f} | {r['step_mb']:.0f} | {r['s'] / rats_s[True]:.2f}x | {r['s'] / rats_s[False]:.2f}x |")
