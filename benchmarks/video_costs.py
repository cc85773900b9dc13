"""Cost of the toy video teacher (issue 20): a `WanTransformer3DModel` on 8-frame 32x32 clips, by config.

Prints a markdown table: parameters, tokens per clip, one flow-matching training step (forward, backward, AdamW) at
batch 16, and one denoiser call per clip at inference (batch 64), for the `toy` and `tiny` configs of
`rats.toy.video_models.VIDEO_TEACHER_CONFIGS` and variants of `toy` (patch size, depth, width). The toy image
teacher's numbers for the same operations (its `UNet2DConditionModel`) come first, as the yardstick.
Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/video_costs.py`. Ratios are only meaningful within one run."""
import copy, time
import numpy as np
import torch
import rats.toy.video_models as VM
from rats.toy.video_world import sample_video_scene, render_clips, video_prompt_for
from rats.toy.models import build_teacher, encode_prompts, pack
from rats.toy.world import render_batch, sample_scene, to_model
from rats.toy.grammar import prompt_for

torch.set_num_threads(1)
B, BI, REPS = 16, 64, 5

def timed(fn, reps=REPS):
    fn()
    t = time.perf_counter()
    for _ in range(reps): fn()
    return (time.perf_counter() - t) / reps

def video_row(name, cfg):
    VM.VIDEO_TEACHER_CONFIGS["_bench"] = cfg
    pipe = VM.build_video_pipeline("_bench"); ad = VM.video_adapter(pipe)
    tr = pipe.transformer.train().requires_grad_(True)
    rng = np.random.default_rng(0)
    sc = [sample_video_scene(rng) for _ in range(B)]
    z0 = pipe.vae.encode(torch.from_numpy(render_clips(sc, 0)).permute(0, 4, 1, 2, 3) * 2 - 1)
    h = ad.encode_prompt([video_prompt_for(s, rng) for s in sc])["encoder_hidden_states"]
    opt = torch.optim.AdamW(tr.parameters(), 1e-3)
    def step():
        t, eps = torch.rand(B), torch.randn_like(z0)
        zt = (1 - t.view(-1, 1, 1, 1, 1)) * z0 + t.view(-1, 1, 1, 1, 1) * eps
        v = tr(hidden_states=zt, timestep=t * 1000, encoder_hidden_states=h, return_dict=False)[0]
        loss = ((v - (eps - z0)) ** 2).mean(); opt.zero_grad(); loss.backward(); opt.step()
    train_s = timed(step)
    tr.eval(); zi, hi = torch.randn(BI, *z0.shape[1:]), h.repeat(BI // B, 1, 1)
    with torch.no_grad(): infer = timed(lambda: tr(hidden_states=zi, timestep=torch.full((BI,), 500.0), encoder_hidden_states=hi, return_dict=False), 3)
    p = cfg["transformer"]["patch_size"]
    tokens = z0.shape[2] // p[0] * (z0.shape[3] // p[1]) * (z0.shape[4] // p[2])
    return f"| {name} | {sum(q.numel() for q in tr.parameters()) / 1e6:.3f} | {tokens} | {train_s:.3f} | {infer / BI * 1000:.2f} |"

def image_row():
    m = build_teacher("toy", seed=0).train()
    rng = np.random.default_rng(0)
    sc = [sample_scene(rng) for _ in range(B)]
    x0 = pack(to_model(render_batch(sc, 0)))
    c = encode_prompts(m, [prompt_for(s, rng) for s in sc])
    c = {k: v.detach() for k, v in c.items()}
    opt = torch.optim.AdamW(m.unet.parameters(), 1e-3)
    def step():
        t, eps = torch.rand(B), torch.randn_like(x0)
        v = m.unet((1 - t.view(-1, 1, 1, 1)) * x0 + t.view(-1, 1, 1, 1) * eps, t * 1000, **c, return_dict=False)[0]
        loss = ((v - (eps - x0)) ** 2).mean(); opt.zero_grad(); loss.backward(); opt.step()
    train_s = timed(step)
    m.eval(); xi = torch.randn(BI, *x0.shape[1:]); ci = {k: v.repeat(BI // B, *([1] * (v.ndim - 1))) for k, v in c.items()}
    with torch.no_grad(): infer = timed(lambda: m.unet(xi, torch.full((BI,), 500.0), **ci, return_dict=False), 3)
    return f"| image teacher (toy UNet, one 32x32 image) | {sum(q.numel() for q in m.unet.parameters()) / 1e6:.3f} | - | {train_s:.3f} | {infer / BI * 1000:.2f} |"

toy = VM.VIDEO_TEACHER_CONFIGS["toy"]
def variant(**kw):
    c = copy.deepcopy(toy); c["transformer"].update(kw); return c
rows = [("video `toy`", toy), ("video `tiny`", VM.VIDEO_TEACHER_CONFIGS["tiny"]),
        ("`toy`, patches 1x2x2", variant(patch_size=(1, 2, 2))),
        ("`toy` at width 64 (4x16), 4 layers, ffn 256", variant(attention_head_dim=16, ffn_dim=256, num_layers=4)),
        ("`toy`, 4 layers", variant(num_layers=4))]
print(f"| model | params (M) | tokens per clip | train step, batch {B} (s) | inference, ms per clip and call |")
print("|---|---|---|---|---|")
print(image_row())
for name, cfg in rows: print(video_row(name, cfg))
