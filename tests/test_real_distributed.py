"Two CPU processes (gloo) train one tiny FLUX student, with DDP on different batches (the replicas stay identical) and with FSDP (the transformer sharded; the same adapter as DDP)."
import os, socket, warnings
import pytest
import torch
import torch.multiprocessing as mp

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def _worker(rank, world, port, out):
    warnings.filterwarnings("ignore")
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP
    from diffusers import FluxPipeline
    from rats.real.flux import FluxAdapter
    from rats.real.testing import get_dummy_flux_components
    from rats.core.step import train_step
    from rats.core.teacher import EMATeacher
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        pipe = FluxPipeline(**get_dummy_flux_components())
        ad = FluxAdapter(pipe, 16, 16, max_sequence_length=16)
        torch.manual_seed(100 + rank)                       # different init per rank: DDP must broadcast rank 0's
        student = get_dummy_flux_components(seed=rank)["transformer"]
        ddp = DDP(student)
        teacher = EMATeacher(pipe.transformer, 1.0)
        prompts = [["a red circle", "a blue square"], ["a green dot", "a yellow box on the left"]][rank]
        noise, cond = ad.noise(2, torch.Generator().manual_seed(rank)), ad.encode_prompt(prompts)
        lf = ad.rats_loss(ad.rats_config("rats", K=2, N=4))
        opt = torch.optim.AdamW(ddp.parameters(), lr=1e-2)
        red = lambda img, c: img[:, 0].mean((1, 2)) - img[:, 1:].mean((1, 2, 3))
        for _ in range(2): train_step(lf, ddp, teacher, opt, noise, cond, ad.decode, red, prompts)
        flat = torch.cat([p.detach().flatten() for p in student.parameters()])
        gathered = [torch.zeros_like(flat) for _ in range(world)]
        dist.all_gather(gathered, flat)
        init0 = torch.cat([p.flatten() for p in get_dummy_flux_components(seed=0)["transformer"].parameters()])
        if rank == 0: out.put(((gathered[0] - gathered[1]).abs().max().item(), (gathered[0] - init0).abs().max().item()))
    finally:
        dist.destroy_process_group()

@pytest.mark.slow
def test_ddp_replicas_stay_in_sync():
    diff, moved = _spawn(_worker)
    assert diff == 0.0, f"replicas differ by {diff}"
    assert moved > 0, "training did not change the weights"


def _tiny_flux_run(rank, world, port):
    "A spawned process's environment for `rats.real.train` under accelerate (gloo), and a tiny FLUX run: (adapter, reward, prompts, RATSConfig)."
    warnings.filterwarnings("ignore")
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE=str(world), LOCAL_WORLD_SIZE=str(world))
    torch.set_num_threads(1)
    from diffusers import FluxPipeline
    from rats.real.flux import FluxAdapter
    from rats.real.testing import get_dummy_flux_components
    pipe = FluxPipeline(**get_dummy_flux_components()); pipe.set_progress_bar_config(disable=True)
    ad = FluxAdapter(pipe, 16, 16, max_sequence_length=16)
    red = lambda img, c: img[:, 0].mean((1, 2)) - img[:, 1:].mean((1, 2, 3))
    prompts = ["a red circle", "a blue square on the left", "a green triangle", "a yellow dot at the top"]
    return ad, red, prompts, ad.rats_config("rats", K=2, N=4)

def _spawn(worker, *args, world=2):
    "Run `worker(rank, world, port, queue, *args)` in `world` spawned processes; returns what rank 0 put on the queue."
    q = mp.get_context("spawn").SimpleQueue()
    mp.start_processes(worker, args=(world, _free_port(), q, *args), nprocs=world, join=True, start_method="spawn")
    return q.get()

def _accelerate_worker(rank, world, port, out, tmp, cache_size=0):
    "One process of `rats.real.train.train` under accelerate (CPU, gloo): 2 steps, then the same run resumed to 3."
    ad, red, prompts, cfg = _tiny_flux_run(rank, world, port)
    import torch.distributed as dist
    from accelerate import Accelerator
    from rats.real.testing import get_dummy_flux_components
    from rats.real.lora import add_lora
    from rats.real.train import train
    def student():
        torch.manual_seed(100 + rank)                 # a different adapter init per process: DDP must broadcast rank 0's
        return add_lora(get_dummy_flux_components()["transformer"], rank=4)
    kw = dict(batch=1, lr=1e-2, save_every=1, progress=False, cache_size=cache_size)
    acc = Accelerator(cpu=True)
    assert acc.num_processes == world, acc.num_processes
    train(ad, student(), red, prompts, cfg, 2, tmp, accelerator=acc, **kw)
    st = student()
    rows = train(ad, st, red, prompts, cfg, 3, tmp, accelerator=Accelerator(cpu=True), **kw)
    flat = torch.cat([p.detach().flatten() for n, p in st.named_parameters() if "lora" in n])
    gathered = [torch.zeros_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    moved = max(p.abs().max().item() for n, p in st.named_parameters() if "lora_B" in n)   # lora_B starts at zero
    if rank == 0: out.put(((gathered[0] - gathered[1]).abs().max().item(), [r["step"] for r in rows], rows[-1]["world"], moved))
    dist.barrier()
    dist.destroy_process_group()

@pytest.mark.slow
@pytest.mark.parametrize("cache_size", [0, 4], ids=["on_the_fly", "cached_teacher"])
def test_accelerate_two_processes_stay_in_sync_and_resume(tmp_path, cache_size):
    diff, steps, world, moved = _spawn(_accelerate_worker, str(tmp_path), cache_size)
    assert diff == 0.0, f"replicas differ by {diff}"
    assert moved > 0, "the adapter did not train"
    assert steps == [0, 1, 2] and world == 2
    assert (tmp_path / "checkpoints" / "step_3" / "complete").exists()
    assert (tmp_path / "lora" / "pytorch_lora_weights.safetensors").exists()
    if cache_size:      # each process built and saved its own share of the pool
        assert {p.name for p in tmp_path.glob("teacher_pool_rank*.pt")} == {"teacher_pool_rank0.pt", "teacher_pool_rank1.pt"}


def _fsdp_worker(rank, world, port, out, tmp, cache_size=0, ema=0.0):
    "DDP for 3 steps straight, then FSDP (the transformer sharded) for 2 steps and the same run resumed to 3: the adapters must agree."
    ad, red, prompts, cfg = _tiny_flux_run(rank, world, port)
    import torch.distributed as dist
    from accelerate import Accelerator
    from safetensors.torch import load_file
    from rats.real.testing import get_dummy_flux_components
    from rats.real.lora import add_lora, EMALoraTeacher
    from rats.real.train import train
    def run(steps, d, **kw):
        torch.manual_seed(100 + rank)                 # a different adapter init per process: rank 0's must win in both modes
        st = add_lora(get_dummy_flux_components(seed=rank)["transformer"], rank=4)
        teacher = EMALoraTeacher(st, ema) if ema else None       # with an EMA teacher: its adapter is sharded and updated too
        rows = train(ad, st, red, prompts, cfg, steps, f"{tmp}/{d}", accelerator=Accelerator(cpu=True), batch=1, lr=1e-2,
                     progress=False, cache_size=cache_size, teacher=teacher, **kw)
        return st, rows
    run(3, "ddp")
    run(2, "fsdp", save_every=1, fsdp=True)
    st, rows = run(3, "fsdp", save_every=1, fsdp=True)
    ps = list(st.parameters())
    local = sum(p.to_local().numel() for p in ps) / sum(p.numel() for p in ps)       # this process's share of the weights
    dist.barrier()
    if rank == 0:
        a, b = (load_file(f"{tmp}/{m}/lora/pytorch_lora_weights.safetensors") for m in ("ddp", "fsdp"))
        diff = max((a[k] - b[k]).abs().max().item() for k in a) if sorted(a) == sorted(b) else float("inf")
        moved = max(v.abs().max().item() for k, v in a.items() if "lora_B" in k)
        out.put((all(type(p).__name__ == "DTensor" for p in ps), local, diff, moved, [r["step"] for r in rows]))
    dist.barrier()
    dist.destroy_process_group()

@pytest.mark.slow
@pytest.mark.parametrize("cache_size,ema", [(0, 0.0), (4, 0.0), (0, 0.5)], ids=["on_the_fly", "cached_teacher", "ema_teacher"])
def test_fsdp_shards_and_trains_what_ddp_trains(tmp_path, cache_size, ema):
    dtensors, local, diff, moved, steps = _spawn(_fsdp_worker, str(tmp_path), cache_size, ema)
    assert dtensors and 0.45 < local < 0.55, f"not sharded: this process holds {local:.2f} of the weights"
    assert moved > 0, "the adapter did not train"
    assert diff < 1e-6, f"FSDP's adapter differs from DDP's by {diff}"
    assert steps == [0, 1, 2]
    files = {p.name for p in (tmp_path / "fsdp" / "checkpoints" / "step_3").iterdir()}
    assert files == {"complete", "adapters.safetensors", "optimizer.pt"}, files      # the adapters and optimiser only
