"""Cost of sampling and of one training step on tiny real-class models (issue: performance).

The same classes the paper trains, with random weights from the tiny configs the tests use
(`rats.real.testing.get_dummy_flux_components`, `rats.real.testing.get_dummy_wan_components`): FLUX
(FluxTransformer2DModel, AutoencoderKL, CLIP + T5 text encoders) and Wan 2.1
(WanTransformer3DModel, AutoencoderKLWan, UMT5), through the `rats` adapters; a LoRA student
(peft) whose teacher is the same weights with the adapter off (one copy of the base model);
a tiny transformers CLIPModel as the reward (PickScore's class), per frame for video.

Prints markdown tables per model:
- sampling wall time per sample at NFE 3/5/8/50 and the speed-up over 50 NFE, with where a
  call's time goes (text encoding, denoiser steps, VAE decoding);
- one LoRA training step of `distill`, `reward`, `mix`, `rats` at K=3, N=50: wall time, GFLOP
  (torch's FLOP counter) and, on CUDA, peak memory; the teacher on the fly and cached.

At these sizes the denoiser is tiny, so fixed costs (text encoders, VAE, per-step Python)
weigh far more than on the real 1.3B/12B models: the speed-ups here are lower bounds, and
the step ratios say what the method adds (a reward call on K-step samples, the gate),
not what a GPU would measure. Ratios are only meaningful within one run.

Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/real_costs.py [--model flux|wan|both] [--device cpu|cuda]`
"""
import argparse, time, warnings
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

warnings.filterwarnings("ignore", message=".*torchvision.*")
from rats.real.lora import add_lora, lora_parameters, LoraTeacher
from rats.real.rewards import CLIPReward, VideoFrameReward
from rats.real.testing import get_dummy_clip, get_dummy_flux_components, get_dummy_wan_components
from rats.core.step import train_step
from _mem import rss_mb, peak_during      # benchmarks/_mem.py

p = argparse.ArgumentParser()
p.add_argument("--model", choices=("flux", "wan", "both"), default="both")
p.add_argument("--device", default="cpu")
p.add_argument("--batch", type=int, default=4, help="samples per sampling call and per training step")
p.add_argument("--reps", type=int, default=3)
a = p.parse_args()
dev = torch.device(a.device)
PROMPTS = ["a red circle", "a blue square on the left", "a green triangle", "a yellow circle at the top"]
prompts = (PROMPTS * (a.batch // len(PROMPTS) + 1))[: a.batch]

def sync():
    if dev.type == "cuda": torch.cuda.synchronize()

def best(fn, reps):
    "Best wall time of `reps` calls of fn (after one warm-up)."
    fn(); ts = []
    for _ in range(reps):
        sync(); t = time.perf_counter(); fn(); sync(); ts.append(time.perf_counter() - t)
    return min(ts)

def build(model):
    torch.manual_seed(0)
    if model == "flux":
        from diffusers import FluxPipeline
        from rats.real.flux import FluxAdapter
        comps = get_dummy_flux_components()
        pipe = FluxPipeline(**comps).to(dev); pipe.set_progress_bar_config(disable=True)
        ad = FluxAdapter(pipe, height=32, width=32, max_sequence_length=16)
        student = add_lora(get_dummy_flux_components()["transformer"], rank=4).to(dev)
        clip, tok = get_dummy_clip()
        reward = CLIPReward(clip.to(dev), tok)
        desc = "FLUX (1 double + 1 single block, 32x32 px)"
    else:
        from diffusers import WanPipeline
        from rats.real.wan import WanAdapter
        comps = get_dummy_wan_components()
        pipe = WanPipeline(**comps).to(dev); pipe.set_progress_bar_config(disable=True)
        ad = WanAdapter(pipe, height=16, width=32, num_frames=5, max_sequence_length=16)
        student = add_lora(get_dummy_wan_components()["transformer"], rank=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"]).to(dev)
        clip, tok = get_dummy_clip()
        reward = VideoFrameReward(CLIPReward(clip.to(dev), tok))
        desc = "Wan 2.1 (1 block, 5 frames of 16x32 px)"
    return pipe, ad, student, reward, desc

def sampling(model):
    pipe, ad, student, reward, desc = build(model)
    print(f"\n## {desc}\n")
    noise = ad.noise(len(prompts), torch.Generator(device=dev).manual_seed(0))
    rows = {}
    with torch.inference_mode():
        cond = ad.encode_prompt(prompts)
        t_text = best(lambda: ad.encode_prompt(prompts), a.reps)
        for K in (3, 5, 8, 50):
            t_den = best(lambda: ad.sample(pipe.transformer, noise, cond, K), a.reps)
            lat = ad.sample(pipe.transformer, noise, cond, K)
            t_dec = best(lambda: ad.decode(lat, clamp=True), a.reps)
            rows[K] = (t_text, t_den, t_dec)
    tot = {K: sum(v) for K, v in rows.items()}
    print(f"| NFE | ms / sample | speed-up vs 50 NFE | limit (50/NFE) | text encoding (ms) | denoiser steps (ms) | VAE decode (ms) |")
    print("|---|---|---|---|---|---|---|")
    n = len(prompts)
    for K, (t, d, v) in rows.items():
        print(f"| {K} | {tot[K] / n * 1e3:.2f} | {tot[50] / tot[K]:.1f}x | {50 / K:.1f}x | {t * 1e3:.1f} | {d * 1e3:.1f} | {v * 1e3:.1f} |")
    print(f"(one call of {n} samples: encode, sample, decode; best of {a.reps}; denoiser-only speed-up at 3 NFE "
          f"{rows[50][1] / rows[3][1]:.1f}x)")
    return pipe, ad, student, reward

def step_costs(pipe, ad, student, reward):
    noise = ad.noise(len(prompts), torch.Generator(device=dev).manual_seed(1))
    cond = ad.encode_prompt(prompts)
    teacher = LoraTeacher(student)            # the base weights: the adapter switched off inside the call
    opt = torch.optim.AdamW(lora_parameters(student), lr=1e-4)
    print(f"\n| method (K=3, N=50, batch {len(prompts)}, LoRA r4) | teacher | s / step | GFLOP / step | step's peak memory (MB) | vs distill (same teacher mode) |")
    print("|---|---|---|---|---|---|")
    for cached in (False, True):
        base = None
        for m in ("distill", "reward", "mix", "rats"):
            lf = ad.rats_loss(ad.rats_config(m, K=3, N=50))
            tout = None
            if cached:
                with torch.no_grad(): tout = lf.teacher_out(teacher, noise, cond, ad.decode, reward if lf.cfg.use_reward else None, prompts)
            do = lambda: train_step(lf, student, teacher, opt, noise, cond, ad.decode, reward, prompts, teacher_out=tout)
            s = best(do, a.reps)
            if dev.type == "cuda":
                torch.cuda.reset_peak_memory_stats(); do(); sync(); mem = f"{torch.cuda.max_memory_allocated() / 2**20:.0f} (CUDA)"
            else: base_mb = rss_mb(); mem = f"{peak_during(do) - base_mb:.0f} above {base_mb:.0f} resident"
            with FlopCounterMode(display=False) as fc: do()
            base = base or s
            print(f"| {m} | {'cached' if cached else 'on the fly'} | {s:.3f} | {fc.get_total_flops() / 1e9:.2f} | {mem} | {s / base:.2f}x |")
    with torch.no_grad():
        t_teacher = best(lambda: ad.rats_loss(ad.rats_config("rats", K=3, N=50)).teacher_out(teacher, noise, cond, ad.decode, reward, prompts), a.reps)
    print(f"(the teacher's share: its 50-step rollout + reward, {t_teacher:.3f} s per batch, paid once per cached pair)")
    if hasattr(ad, "decode_latent_frames"):
        # video: the reward path (decode every frame with gradients, score every frame) is what RATS adds over distill;
        # decoding a causal prefix of the latent frames for the reward (WanAdapter(decode_latent_frames=n)) is the lever
        n_lat = ad.latent_shape[1]
        print(f"\nThe reward on a prefix of the video (`decode_latent_frames`; {n_lat} latent frames in all), teacher cached:\n")
        print("| method (K=3, N=50, cached) | latent frames decoded for the reward | video frames scored | s / step | vs distill |")
        print("|---|---|---|---|---|")
        for n in (None, 1):
            ad.decode_latent_frames = n
            base = None
            for m in ("distill", "rats"):
                lf = ad.rats_loss(ad.rats_config(m, K=3, N=50))
                with torch.no_grad(): tout = lf.teacher_out(teacher, noise, cond, ad.decode, reward if lf.cfg.use_reward else None, prompts)
                s = best(lambda: train_step(lf, student, teacher, opt, noise, cond, ad.decode, reward, prompts, teacher_out=tout), a.reps)
                base = base or s
                with torch.no_grad(): frames = ad.decode(noise[:1]).shape[2]
                print(f"| {m} | {n or n_lat} | {frames if m != 'distill' else '-'} | {s:.3f} | {s / base:.2f}x |")
        ad.decode_latent_frames = None

for model in (("flux", "wan") if a.model == "both" else (a.model,)):
    step_costs(*sampling(model))
