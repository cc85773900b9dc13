"""What sharding the transformer buys and costs: `rats.real.train.train` with DDP and with `fsdp=True`.

W processes (gloo on the CPU, NCCL with `--device cuda`) train the same LoRA student of a FLUX
transformer (FluxTransformer2DModel, larger than the tests' tiny one so that its weights dominate:
`--layers` double-stream and `2 * layers` single-stream blocks, width `--width`) for `--steps` RATS
steps (K = 3, N = 8, the teacher on the fly), once replicated (DDP) and once sharded (FSDP2 via
`rats.real.train.shard_model`). Prints a markdown table per mode:

- the transformer's weights held by one process (MB; its local shard under FSDP);
- the peak memory of a training run on one process: on CUDA `torch.cuda.max_memory_allocated`,
  on the CPU the peak resident set of the whole process (text encoders, VAE and Python included,
  so the difference between the modes is what to read, not the level);
- the wall time per step (median of the steps after the first), and FSDP's over DDP's;
- whether the two modes' trained adapters agree (max abs difference).

On the CPU the all-gathers go through gloo on one machine, so FSDP's time overhead here is not
what NVLink would show; the memory saving is the transformer's weights times (1 - 1/W) on both.
A last line times gloo alone (no FSDP): repeated all-gathers into fresh tensors, whose memory
piles up on the CPU the same way FSDP's gathers do in the table.
Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/fsdp_costs.py [--world 2] [--device cpu|cuda]`
"""
import argparse, ctypes, gc, os, socket, statistics, sys, tempfile, warnings
import torch
import torch.multiprocessing as mp

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def _worker(rank, a, mode, port, q, tmp):
    warnings.filterwarnings("ignore")
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE=str(a.world), LOCAL_WORLD_SIZE=str(a.world))
    torch.set_num_threads(1)
    import torch.distributed as dist
    from accelerate import Accelerator
    from diffusers import FluxPipeline, FluxTransformer2DModel
    from rats.real.flux import FluxAdapter
    from rats.real.testing import get_dummy_flux_components
    from rats.real.lora import add_lora
    from rats.real.train import train
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _mem import peak_during, rss_mb
    cpu = a.device == "cpu"
    def transformer():
        torch.manual_seed(0)
        dim = a.width // 4
        return FluxTransformer2DModel(patch_size=1, in_channels=4, num_layers=a.layers, num_single_layers=2 * a.layers,
                                      attention_head_dim=dim, num_attention_heads=4, joint_attention_dim=32,
                                      pooled_projection_dim=32, axes_dims_rope=[dim // 4, dim // 4, dim // 2], guidance_embeds=True).eval()
    red = lambda img, c: img[:, 0].mean((1, 2)) - img[:, 1:].mean((1, 2, 3))
    prompts = ["a red circle", "a blue square on the left", "a green triangle", "a yellow dot at the top"]
    # one mode per set of fresh processes, so the peak RSS is this mode's own
    acc = Accelerator(cpu=cpu)
    comps = get_dummy_flux_components(); comps["transformer"] = transformer()
    pipe = FluxPipeline(**comps).to(acc.device); pipe.set_progress_bar_config(disable=True)
    ad = FluxAdapter(pipe, 16, 16, max_sequence_length=16)
    cfg = ad.rats_config("rats", K=3, N=8)
    torch.manual_seed(1)
    st = add_lora(pipe.transformer, rank=8)
    full = sum(p.numel() * p.element_size() for p in st.parameters()) / 2**20
    if not cpu: torch.cuda.reset_peak_memory_stats()
    log = []
    peak = peak_during(lambda: log.extend(train(ad, st, red, prompts, cfg, a.steps, f"{tmp}/{mode}", batch=1, lr=1e-3,
                                                accelerator=acc, progress=False, fsdp=mode == "fsdp")))
    if not cpu: peak = torch.cuda.max_memory_allocated() / 2**20
    gc.collect()
    if cpu: ctypes.CDLL("libc.so.6").malloc_trim(0)     # hand freed heap pages back, so the RSS counts live memory
    after = rss_mb() if cpu else torch.cuda.memory_allocated() / 2**20       # what stays: weights, adapter, optimiser state
    held = sum((p.to_local() if hasattr(p, "to_local") else p).numel() * p.element_size() for p in st.parameters()) / 2**20
    if rank == 0: q.put(dict(full=full, held=held, peak=peak, after=after, step=statistics.median(r["step_s"] for r in log[1:])))  # the log: main process
    dist.barrier(); dist.destroy_process_group()

def _gloo_worker(rank, world, port, q, n=36, mb=16):
    "gloo alone: `n` all-gathers of `mb` MB into fresh tensors that are dropped at once; peak RSS over the loop's start."
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    import torch.distributed as dist
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _mem import peak_during, rss_mb
    dist.init_process_group("gloo", rank=rank, world_size=world)
    shard = torch.randn(mb * 2**18 // world)
    def loop():
        for _ in range(n):
            out = torch.empty(world * shard.numel()); dist.all_gather_single(out, shard); del out
    ctypes.CDLL("libc.so.6").malloc_trim(0); base = rss_mb()
    peak = peak_during(loop)
    if rank == 0: q.put((n, mb, peak - base))
    dist.barrier(); dist.destroy_process_group()

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--world", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--width", type=int, default=512)
    p.add_argument("--steps", type=int, default=5)
    a = p.parse_args()
    q = mp.get_context("spawn").SimpleQueue()
    with tempfile.TemporaryDirectory() as tmp:
        r = {}
        for mode in ("ddp", "fsdp"):
            mp.start_processes(_worker, args=(a, mode, _free_port(), q, tmp), nprocs=a.world, join=True, start_method="spawn")
            r[mode] = q.get()
        from safetensors.torch import load_file
        a_, b_ = (load_file(f"{tmp}/{m}/lora/pytorch_lora_weights.safetensors") for m in ("ddp", "fsdp"))
        r["diff"] = max((a_[k] - b_[k]).abs().max().item() for k in a_)
    mem = ("CUDA memory allocated", "peak CUDA memory") if a.device != "cpu" else ("RSS of the process", "peak RSS")
    print(f"FLUX transformer {r['ddp']['full']:.1f} MB ({a.layers} + {2 * a.layers} blocks, width {a.width}), LoRA rank 8, "
          f"{a.world} processes on {a.device}, {a.steps} RATS steps (K = 3, N = 8)\n")
    print(f"| mode | transformer weights per process (MB) | {mem[0]} after training (MB) | {mem[1]}, load included (MB) | step (s, median) | step / DDP's |")
    print("|---|---|---|---|---|---|")
    for m in ("ddp", "fsdp"):
        x = r[m]
        print(f"| {m.upper()} | {x['held']:.1f} | {x['after']:.0f} | {x['peak']:.0f} | {x['step']:.3f} | {x['step'] / r['ddp']['step']:.2f}x |")
    print(f"\nFSDP's trained adapter vs DDP's: max abs difference {r['diff']:.2e}")
    if a.device == "cpu":
        mp.start_processes(_gloo_worker, args=(a.world, _free_port(), q), nprocs=a.world, join=True, start_method="spawn")
        n, mb, grow = q.get()
        print(f"gloo alone, {n} all-gathers of {mb} MB each into a fresh tensor dropped at once: peak RSS +{grow:.0f} MB over the start "
              f"(a gather whose memory was reused would stay near +{mb} MB)")
