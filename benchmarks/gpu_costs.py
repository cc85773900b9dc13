"""GPU time and memory of RATS at the paper's sizes: FLUX.1-dev (12B) at 1024x1024, Wan2.1-T2V-1.3B at 480x832.

The real architectures with random weights: the configs below are those of the released
checkpoints (transformer, VAE, text encoders, and PickScore's CLIP ViT-H-14 as the reward),
built directly on the GPU in bf16, so no download is needed and time and memory are those
of the real models (their outputs are noise, which costs the same). Tokenizers are the
in-memory ones of the tests, padded to the real sequence lengths (77 CLIP, 512 T5).

Measured, batch 1, one process, one GPU:
- sampling per NFE (3, 5, 8, 50): denoiser steps, text encoding, VAE decoding;
- one LoRA training step (rank `--rank`, adapters on the attention projections, gradient
  checkpointing in the transformer blocks and in the decoder, AdamW) for `distill`,
  `reward`, `mix`, `rats` at K=3, N=50: wall time and peak GPU memory, the teacher cached
  and on the fly; the teacher's share (its 50-step rollout, decode and reward); FLOPs of one
  cached `rats` step (torch's FLOP counter).

Every figure is written to `--out` (JSON) as soon as it is measured, so a run cut short keeps
what it got; an out-of-memory is recorded as such. `--render FILE` prints the markdown
tables of a results file (the README quotes them).

Run (GPU): `python benchmarks/gpu_costs.py --out gpu_costs.json`
Dry run of the same code on tiny configs (CPU): `python benchmarks/gpu_costs.py --size tiny --device cpu --out /tmp/g.json`
"""
import argparse, contextlib, gc, json, os, platform, sys, time, warnings
import torch

warnings.filterwarnings("ignore", message=".*torchvision.*")

# ---------------------------------------------------------------- configs (released checkpoints' config.json)
FLUX_DEV = dict(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38, attention_head_dim=128,
                num_attention_heads=24, joint_attention_dim=4096, pooled_projection_dim=768, guidance_embeds=True,
                axes_dims_rope=(16, 56, 56))
FLUX_VAE = dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
                up_block_types=("UpDecoderBlock2D",) * 4, block_out_channels=(128, 256, 512, 512), layers_per_block=2,
                latent_channels=16, norm_num_groups=32, sample_size=1024, scaling_factor=0.3611, shift_factor=0.1159,
                use_quant_conv=False, use_post_quant_conv=False, mid_block_add_attention=True)
CLIP_L_TEXT = dict(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                   max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=768)
T5_XXL = dict(vocab_size=32128, d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64,
              relative_attention_num_buckets=32, feed_forward_proj="gated-gelu")
UMT5_XXL = dict(T5_XXL, vocab_size=256384)
WAN_1_3B = dict(patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16, out_channels=16,
                text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30, cross_attn_norm=True,
                qk_norm="rms_norm_across_heads", eps=1e-6, rope_max_seq_len=1024)
WAN_VAE = dict(base_dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, temperal_downsample=[False, True, True])
PICKSCORE = dict(text_config=dict(vocab_size=49408, hidden_size=1024, intermediate_size=4096, num_hidden_layers=24,
                                  num_attention_heads=16, max_position_embeddings=77, hidden_act="gelu"),
                 vision_config=dict(image_size=224, patch_size=14, hidden_size=1280, intermediate_size=5120,
                                    num_hidden_layers=32, num_attention_heads=16, hidden_act="gelu"),
                 projection_dim=1024)
# the same code path on configs small enough for a CPU dry run
TINY = dict(flux=dict(FLUX_DEV, in_channels=16, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
                      joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=(4, 4, 8)),
            flux_vae=dict(FLUX_VAE, down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                          block_out_channels=(8, 8), layers_per_block=1, latent_channels=4, norm_num_groups=4),
            clip_l=dict(CLIP_L_TEXT, hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4, projection_dim=32),
            t5=dict(T5_XXL, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4, relative_attention_num_buckets=8),
            wan=dict(WAN_1_3B, num_attention_heads=2, attention_head_dim=12, text_dim=32, ffn_dim=32, num_layers=2, rope_max_seq_len=32),
            wan_vae=dict(WAN_VAE, base_dim=3, dim_mult=[1, 1, 1, 1], num_res_blocks=1),
            pickscore=dict(text_config=dict(PICKSCORE["text_config"], hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                                            num_attention_heads=4),
                           vision_config=dict(PICKSCORE["vision_config"], image_size=32, patch_size=8, hidden_size=32,
                                              intermediate_size=37, num_hidden_layers=2, num_attention_heads=4),
                           projection_dim=16))


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="flux,wan", help="comma-separated: flux, wan")
    p.add_argument("--size", choices=("paper", "tiny"), default="paper")
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", choices=("bf16", "fp32"), default="bf16")
    p.add_argument("--rank", type=int, default=64, help="LoRA rank")
    p.add_argument("--flux-size", default="1024x1024", help="HxW in pixels")
    p.add_argument("--wan-size", default="480x832", help="HxW in pixels")
    p.add_argument("--wan-frames", type=int, default=81, help="frames for the sampling figures")
    p.add_argument("--wan-train-frames", default="33,17", help="frames for the training step; the next is tried after an out-of-memory")
    p.add_argument("--wan-guidance", type=float, default=5.0, help="CFG scale of the Wan teacher (2 forward passes per step)")
    p.add_argument("--reward-stride", type=int, default=4, help="Wan: the frame reward on every n-th frame")
    p.add_argument("--skip-sampling", action="store_true", help="training-step figures only")
    p.add_argument("--budget", type=float, default=float("inf"), help="seconds: skip what would start after this")
    p.add_argument("--cudnn-sdp", action="store_true", help="allow cuDNN attention (off by default: its backward hit an illegal memory access on an H200)")
    p.add_argument("--out", default="gpu_costs.json")
    p.add_argument("--render", metavar="FILE", help="print the markdown tables of a results file and exit")
    a = p.parse_args()
    a.model = [m.strip() for m in a.model.split(",") if m.strip()]
    bad = [m for m in a.model if m not in ("flux", "wan")]
    if bad: p.error(f"unknown model(s) {bad}; choose from flux, wan")
    try:
        a.flux_hw = tuple(int(v) for v in a.flux_size.lower().split("x")); a.wan_hw = tuple(int(v) for v in a.wan_size.lower().split("x"))
        a.wan_train_frames = [int(f) for f in a.wan_train_frames.split(",")]
    except ValueError: p.error("sizes are HxW in pixels (e.g. 1024x1024), train frames a comma-separated list of ints")
    if a.size == "paper" and not a.device.startswith("cuda") and not a.render:
        p.error("--size paper needs a GPU (--device cuda); use --size tiny for a CPU dry run")
    return a


class Bench:
    "Timing, peak memory and incremental JSON output."
    def __init__(self, a):
        self.a, self.dev, self.t0 = a, torch.device(a.device), time.perf_counter()
        self.dtype = torch.bfloat16 if a.dtype == "bf16" else torch.float32
        self.R = dict(args={k: v for k, v in vars(a).items() if k != "render"}, env=self.env())
        self.save()

    def env(self):
        import diffusers, transformers, peft
        e = dict(torch=torch.__version__, diffusers=diffusers.__version__, transformers=transformers.__version__,
                 peft=peft.__version__, python=platform.python_version())
        if self.dev.type == "cuda": e["gpu"] = torch.cuda.get_device_name(self.dev)
        return e

    def left(self): return self.a.budget - (time.perf_counter() - self.t0)

    def sync(self):
        if self.dev.type == "cuda": torch.cuda.synchronize(self.dev)

    def save(self):
        tmp = self.a.out + ".tmp"
        with open(tmp, "w") as f: json.dump(self.R, f, indent=1)
        os.replace(tmp, self.a.out)

    def put(self, path, value):
        d = self.R
        for k in path[:-1]: d = d.setdefault(k, {})
        d[path[-1]] = value
        self.save()
        print(f"{'/'.join(map(str, path))}: {value}", flush=True)

    def measure(self, fn, reps=1, warm=True):
        "min wall time of `reps` calls (after a warm-up call unless warm=False) and the peak GPU memory of a call (GiB)."
        if self.dev.type == "cuda": torch.cuda.reset_peak_memory_stats(self.dev)
        ts = []
        if warm: fn(); self.sync()
        for _ in range(reps):
            self.sync(); t = time.perf_counter(); fn(); self.sync(); ts.append(time.perf_counter() - t)
        peak = torch.cuda.max_memory_allocated(self.dev) / 2**30 if self.dev.type == "cuda" else None
        return dict(s=min(ts), peak_gib=peak)

    def guarded(self, path, fn, need=0.0):
        "Run a measurement unless the budget is spent; record an out-of-memory or error instead of dying."
        if self.left() < need:
            self.put(path, "skipped (time budget)"); return None
        try:
            v = fn()
        except getattr(torch, "AcceleratorError", ()) as e:   # a sticky CUDA error: the context is gone, stop here
            self.put(path, f"error: {type(e).__name__}: {str(e).splitlines()[0]}"); raise
        except torch.cuda.OutOfMemoryError as e:
            v = "out of memory"; print(str(e).splitlines()[0], file=sys.stderr)
        except Exception as e:   # noqa: BLE001 -- a benchmark records what failed and goes on
            v = f"error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            import traceback; traceback.print_exc()
        gc.collect()           # a failed backward's traceback keeps its graph alive until collected
        if self.dev.type == "cuda": torch.cuda.empty_cache()
        self.put(path, v)
        return v

    @contextlib.contextmanager
    def building(self):
        "Construct modules directly on the device in the benchmark dtype (random init, no CPU copy)."
        old = torch.get_default_dtype()
        torch.set_default_dtype(self.dtype)
        try:
            with torch.device(self.dev): yield
        finally: torch.set_default_dtype(old)


def n_params(m): return sum(p.numel() for p in m.parameters())


def reward_model(b):
    from transformers import CLIPConfig, CLIPModel
    from rats.real.testing import tiny_clip_tokenizer
    from rats.real.rewards import CLIPReward
    cfg = PICKSCORE if b.a.size == "paper" else TINY["pickscore"]
    tok = tiny_clip_tokenizer(model_max_length=77)
    ids = dict(bos_token_id=0, eos_token_id=1, pad_token_id=1)
    with b.building():
        clip = CLIPModel(CLIPConfig(text_config=dict(cfg["text_config"], **ids), vision_config=cfg["vision_config"],
                                    projection_dim=cfg["projection_dim"]))
    return CLIPReward(clip.eval(), tok)


def build_flux(b):
    from diffusers import FluxPipeline, FluxTransformer2DModel, AutoencoderKL, FlowMatchEulerDiscreteScheduler
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel
    from rats.real.flux import FluxAdapter
    from rats.real.testing import tiny_clip_tokenizer, tiny_t5_tokenizer
    paper = b.a.size == "paper"
    ids = dict(bos_token_id=0, eos_token_id=1, pad_token_id=1)
    with b.building():
        tr = FluxTransformer2DModel(**(FLUX_DEV if paper else TINY["flux"]))
        vae = AutoencoderKL(**(FLUX_VAE if paper else TINY["flux_vae"]))
        te = CLIPTextModel(CLIPTextConfig(**(CLIP_L_TEXT if paper else TINY["clip_l"]), **ids))
        te2 = T5EncoderModel(T5Config(**(T5_XXL if paper else TINY["t5"]), decoder_start_token_id=0, pad_token_id=0, eos_token_id=1))
    sch = FlowMatchEulerDiscreteScheduler(shift=3.0, use_dynamic_shifting=True, base_image_seq_len=256, max_image_seq_len=4096,
                                          base_shift=0.5, max_shift=1.15)
    pipe = FluxPipeline(scheduler=sch, vae=vae.eval(), text_encoder=te.eval(), tokenizer=tiny_clip_tokenizer(model_max_length=77),
                        text_encoder_2=te2.eval(), tokenizer_2=tiny_t5_tokenizer(model_max_length=512), transformer=tr.eval())
    h, w = b.a.flux_hw if paper else (32, 32)
    ad = FluxAdapter(pipe, height=h, width=w, guidance_scale=3.5, max_sequence_length=512 if paper else 16,
                     decode_chunk=1, decode_checkpoint=True)
    info = dict(transformer_params=n_params(tr), text_encoders_params=n_params(te) + n_params(te2), vae_params=n_params(vae),
                size=f"{h}x{w}", image_tokens=ad.seq_len)
    return pipe, ad, info, None


def build_wan(b, frames):
    from diffusers import WanPipeline, WanTransformer3DModel, AutoencoderKLWan, FlowMatchEulerDiscreteScheduler
    from transformers import UMT5Config, UMT5EncoderModel
    from rats.real.testing import tiny_t5_tokenizer
    from rats.real.wan import WanAdapter
    paper = b.a.size == "paper"
    with b.building():
        tr = WanTransformer3DModel(**(WAN_1_3B if paper else TINY["wan"]))
        vae = AutoencoderKLWan(**(WAN_VAE if paper else TINY["wan_vae"]))
        te = UMT5EncoderModel(UMT5Config(**(UMT5_XXL if paper else TINY["t5"]), pad_token_id=0, eos_token_id=1, decoder_start_token_id=0))
    pipe = WanPipeline(tokenizer=tiny_t5_tokenizer(model_max_length=512), text_encoder=te.eval(), transformer=tr.eval(), vae=vae.eval(),
                       scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0))
    h, w = b.a.wan_hw if paper else (16, 32)
    ad = WanAdapter(pipe, height=h, width=w, num_frames=frames, max_sequence_length=512 if paper else 16,
                    decode_chunk=1, decode_checkpoint=True)
    c, f, lh, lw = ad.latent_shape
    info = dict(transformer_params=n_params(tr), text_encoders_params=n_params(te), vae_params=n_params(vae),
                size=f"{h}x{w}x{frames}", video_tokens=f * (lh // 2) * (lw // 2))
    return pipe, ad, info, ad.guided_velocity_fn(b.a.wan_guidance)


def sampling(b, name, pipe, ad, teacher_vfn):
    "Sampling figures: text encoding, denoiser steps per NFE, decoding; the 50-step teacher with its guidance."
    prompts = ["a red circle to the left of a blue square"]
    neg = "blurry" if name == "wan" else None
    g = torch.Generator(device=b.dev).manual_seed(0)
    with torch.inference_mode():
        enc = (lambda: ad.encode_prompt(prompts, negative=neg)) if neg else (lambda: ad.encode_prompt(prompts))
        b.guarded((name, "sampling", "text_encoding_s"), lambda: b.measure(enc)["s"])
        cond = enc()
        noise = ad.noise(1, g)
        den = {}
        for K in (3, 5, 8, 50):
            r = b.guarded((name, "sampling", f"denoiser_nfe{K}"), lambda: b.measure(lambda: ad.sample(pipe.transformer, noise, cond, K), warm=(K == 3)),
                          need=30 if K == 50 else 5)
            if isinstance(r, dict): den[K] = r["s"]
        lat = ad.sample(pipe.transformer, noise, cond, 3)
        b.guarded((name, "sampling", "decode"), lambda: b.measure(lambda: ad.decode(lat, clamp=True)))
    return prompts, cond, noise


def teacher_cfg_sampling(b, name, pipe, ad, cond, noise, teacher_vfn):
    "Wan's teacher samples with CFG (two passes per step); measured last, through the LoRA model with its adapters off."
    from rats.real.lora import LoraTeacher
    with torch.inference_mode():
        b.guarded((name, "sampling", "teacher_cfg_nfe50"),
                  lambda: b.measure(lambda: ad.sample(LoraTeacher(pipe.transformer), noise, cond, 50, velocity_fn=teacher_vfn), warm=False),
                  need=100)


def step_costs(b, name, pipe, ad, prompts, cond, teacher_vfn, reward):
    from rats.real.lora import add_lora, lora_parameters, LoraTeacher
    from rats.core.step import train_step
    tr = pipe.transformer
    targets = ["to_q", "to_k", "to_v", "to_out.0"]
    add_lora(tr, rank=b.a.rank, target_modules=targets, gradient_checkpointing=True)
    params = lora_parameters(tr)
    b.put((name, "lora"), dict(rank=b.a.rank, params=sum(p.numel() for p in params), dtype=str(params[0].dtype)))
    teacher = LoraTeacher(tr)                 # the base weights: adapters off inside the call (one copy on the GPU)
    opt = torch.optim.AdamW(params, lr=1e-5)
    noise = ad.noise(1, torch.Generator(device=b.dev).manual_seed(1))
    kw = {} if teacher_vfn is None else dict(teacher_velocity_fn=teacher_vfn)
    loss = lambda m: ad.rats_loss(ad.rats_config(m, K=3, N=50), **kw)
    step = lambda lf, tout: train_step(lf, tr, teacher, opt, noise, cond, ad.decode, reward, prompts, teacher_out=tout)
    mem0 = torch.cuda.memory_allocated(b.dev) / 2**30 if b.dev.type == "cuda" else None
    b.put((name, "resident_gib"), mem0)
    tcache = {}
    def tout(m):
        lf = loss(m)
        if m not in tcache:
            with torch.no_grad(): tcache[m] = lf.teacher_out(teacher, noise, cond, ad.decode, reward if lf.cfg.use_reward else None, prompts)
        return lf, tcache[m]
    for m in ("distill", "reward", "mix", "rats"):
        b.guarded((name, "step", "cached", m), lambda: b.measure(lambda: step(*tout(m)), reps=2), need=40)
    with torch.no_grad():
        lf = loss("rats")
        b.guarded((name, "teacher_rollout"), lambda: b.measure(lambda: lf.teacher_out(teacher, noise, cond, ad.decode, reward, prompts), warm=False), need=60)
    for m in ("distill", "rats"):
        b.guarded((name, "step", "on_the_fly", m), lambda: b.measure(lambda: step(loss(m), None), warm=False), need=90)
    def flops():
        from torch.utils.flop_counter import FlopCounterMode
        out = {}
        for m in ("distill", "rats"):
            with FlopCounterMode(display=False) as fc: step(*tout(m))
            out[m] = fc.get_total_flops() / 1e12
        return out
    b.guarded((name, "step", "cached_tflop"), flops, need=60)


def run(b):
    reward = None
    for name in b.a.model:
        t = time.perf_counter()
        pipe, ad, info, tvfn = build_flux(b) if name == "flux" else build_wan(b, b.a.wan_frames)
        if reward is None: reward = reward_model(b)
        if name == "wan":
            from rats.real.rewards import VideoFrameReward
            rw = VideoFrameReward(reward, stride=b.a.reward_stride)
        else: rw = reward
        b.put((name, "build"), dict(info, s=time.perf_counter() - t, reward_params=n_params(reward.model)))
        if b.a.skip_sampling:
            prompts = ["a red circle to the left of a blue square"]
            with torch.inference_mode():
                cond = ad.encode_prompt(prompts, negative="blurry") if name == "wan" else ad.encode_prompt(prompts)
            noise = ad.noise(1, torch.Generator(device=b.dev).manual_seed(0))
        else: prompts, cond, noise = sampling(b, name, pipe, ad, tvfn if name == "wan" else None)
        if name == "flux":
            step_costs(b, name, pipe, ad, prompts, cond, None, rw)
        else:
            from rats.real.wan import WanAdapter
            for f in b.a.wan_train_frames:
                ad_t = WanAdapter(pipe, height=ad.height, width=ad.width, num_frames=f, max_sequence_length=ad.max_sequence_length,
                                  decode_chunk=1, decode_checkpoint=True)
                b.put((name, "train_size"), f"{ad.height}x{ad.width}x{f}")
                try:
                    step_costs(b, name, pipe, ad_t, prompts, cond, tvfn, rw)
                except torch.cuda.OutOfMemoryError as e:
                    b.put((name, "step_oom", str(f)), str(e).splitlines()[0]); pipe.transformer.delete_adapters("default") if hasattr(pipe.transformer, "delete_adapters") else None
                    continue
                cached = b.R[name]["step"]["cached"]
                if any(isinstance(v, str) and "memory" in v for v in cached.values()) and f != b.a.wan_train_frames[-1]:
                    b.put((name, "step_oom", str(f)), "out of memory in a cached step: retrying smaller")
                    b.R[name][f"step_{f}_frames"] = b.R[name].pop("step"); b.save()      # kept, out of the way of the next size
                    pipe.transformer.delete_adapters("default")
                    continue
                break
            if not b.a.skip_sampling: teacher_cfg_sampling(b, name, pipe, ad, cond, noise, tvfn)
        del pipe, ad
        if b.dev.type == "cuda": torch.cuda.empty_cache()
    b.put(("total_s",), time.perf_counter() - b.t0)


def render(path):
    R = json.load(open(path))
    f = lambda v, d=2: (f"{v:.{d}f}" if isinstance(v, (int, float)) else str(v))
    sec = lambda v: f(v["s"]) if isinstance(v, dict) else str(v)
    print(f"Measured on {R['env'].get('gpu', 'CPU')} (torch {R['env']['torch']}, diffusers {R['env']['diffusers']}), "
          f"{R['args']['dtype']}, batch 1, random weights of the released architectures; LoRA rank {R['args']['rank']}.\n")
    for name in ("flux", "wan"):
        if name not in R: continue
        S, B = R[name].get("sampling", {}), R[name]["build"]
        title = "FLUX.1-dev" if name == "flux" else "Wan2.1-T2V-1.3B"
        print(f"**{title}**, {B['size']} ({B.get('image_tokens', B.get('video_tokens'))} tokens), transformer "
              f"{B['transformer_params'] / 1e9:.2f}B, text encoders {B['text_encoders_params'] / 1e9:.2f}B parameters.\n")
        if S:
            d50 = S.get("denoiser_nfe50")
            fixed = sum(v for v in (S.get("text_encoding_s"), S.get("decode", {}).get("s") if isinstance(S.get("decode"), dict) else None)
                        if isinstance(v, float))
            print("| NFE | denoiser (s) | speed-up vs 50 | + text encoding + decode (s) | speed-up per call | peak GPU memory, all models resident (GiB) |")
            print("|---|---|---|---|---|---|")
            for K in (3, 5, 8, 50):
                d = S.get(f"denoiser_nfe{K}")
                if not isinstance(d, dict): print(f"| {K} | {d} | | | | |"); continue
                ok50 = isinstance(d50, dict)
                print(f"| {K} | {f(d['s'])} | {(format(d50['s'] / d['s'], '.1f') + 'x') if ok50 else ''} | {f(d['s'] + fixed)} | "
                      f"{(format((d50['s'] + fixed) / (d['s'] + fixed), '.1f') + 'x') if ok50 else ''} | {f(d['peak_gib'], 1)} |")
            t = S.get("teacher_cfg_nfe50")
            if t is not None:
                print(f"| 50 with CFG {R['args']['wan_guidance']} (the teacher) | {sec(t)} | | | | {f(t['peak_gib'], 1) if isinstance(t, dict) else ''} |")
            print(f"\n(text encoding {f(S.get('text_encoding_s'))} s, VAE decode {sec(S.get('decode'))} s)\n")
        st = R[name].get("step", {})
        if not st: continue
        print(f"| LoRA step, K=3, N=50, {R[name].get('train_size', B['size'])} | teacher | s / step | peak GPU memory (GiB) | vs distill |")
        print("|---|---|---|---|---|")
        for mode in ("cached", "on_the_fly"):
            base = st.get(mode, {}).get("distill")
            for m, v in st.get(mode, {}).items():
                ratio = f"{v['s'] / base['s']:.2f}x" if isinstance(v, dict) and isinstance(base, dict) else ""
                print(f"| {m} | {mode.replace('_', ' ')} | {sec(v)} | {f(v['peak_gib'], 1) if isinstance(v, dict) else ''} | {ratio} |")
        fl = st.get("cached_tflop")
        print(f"\n(teacher rollout, 50 steps + decode + reward: {sec(R[name].get('teacher_rollout'))} s; resident before training "
              f"{f(R[name].get('resident_gib'), 1)} GiB; TFLOP per cached step: "
              + (f"distill {f(fl['distill'], 1)}, rats {f(fl['rats'], 1)})\n" if isinstance(fl, dict) else f"{fl})\n"))


if __name__ == "__main__":
    a = parse()
    if a.render: render(a.render); sys.exit()
    torch.manual_seed(0)
    if a.device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cuda.enable_cudnn_sdp(a.cudnn_sdp)
    b = Bench(a)
    try: run(b)
    finally: render(a.out)
