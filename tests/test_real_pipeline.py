"The paper's-setting pipeline (`real/dvc.yaml`) end to end on tiny random-weight FLUX, Wan and SD3, in a copy of the repository."
import json, os, shutil, subprocess
import pytest
import yaml
from _repo import BIN, run_ok as _run, copy_worktree

@pytest.fixture(scope="module")
def real_repo(tmp_path_factory):
    repo = copy_worktree(tmp_path_factory.mktemp("real") / "repo",
                         skip=("samples/", "reports/", "models/", "logs/", "plots/", "metrics/", "real/checkpoints/"))
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1", "OMP_NUM_THREADS": "1"}
    _run(["git", "init", "-q"], repo, env)
    return repo, env

def _repro(repo, env, profile):
    shutil.copy(repo / "real" / "profiles" / profile, repo / "real" / "params.yaml")
    return _run([BIN / "dvc", "repro", "real/dvc.yaml"], repo, env)

def _table1_rows(real):
    "The profile in `real/params.yaml`, the rows of its `metrics/eval.json`, and the (model, NFE) pairs its Table 1 must have."
    p = yaml.safe_load((real / "params.yaml").read_text())
    rows = json.loads((real / "metrics" / "eval.json").read_text())
    want = {("teacher", K) for K in p["evaluate"]["teacher_nfes"]} | {(m, K) for m in p["train"]["methods"] for K in p["train"]["nfes"]}
    return p, rows, want

@pytest.mark.slow
def test_flux_profile_gives_table1(real_repo):
    repo, env = real_repo
    _repro(repo, env, "flux-tiny.yaml")
    real = repo / "real"
    p, rows, want = _table1_rows(real)
    assert {(r["model"], r["nfe"]) for r in rows} == want
    assert all(r["n"] == 6 * p["evaluate"]["repeats"] and all(r[w] == r[w] for w in p["rewards"]) for r in rows)   # finite scores
    table = (real / "reports" / "tables.md").read_text()
    assert "| model | NFE | pickscore | clipscore |" in table and "plumbing check" in table
    assert len([l for l in table.splitlines() if l.startswith("| ") and not l.startswith("| model")]) == len(want)
    tr = json.loads((real / "metrics" / "train.json").read_text())
    assert set(tr) == {f"{m}_k{K}" for m in p["train"]["methods"] for K in p["train"]["nfes"]}
    assert all(v["steps"] == p["train"]["steps"] for v in tr.values())
    for K in p["train"]["nfes"]:
        assert (real / "models" / "students" / f"rats_k{K}" / "pytorch_lora_weights.safetensors").exists()
        assert len(list((real / "samples" / "rats" / f"nfe{K}").glob("*.png"))) == p["evaluate"]["samples_saved"]
    assert (real / "plots" / "sample_grid.png").stat().st_size > 1000 and (real / "plots" / "reward_dynamics.png").stat().st_size > 1000
    assert "up to date" in _run([BIN / "dvc", "status", "real/dvc.yaml"], repo, env)

@pytest.mark.slow
def test_trained_lora_changes_the_stock_pipeline(real_repo):
    "The saved student loads into a stock FluxPipeline (load_lora_weights) and changes its samples."
    repo, env = real_repo
    from diffusers import FluxPipeline
    from rats.real.pipeline import build_pipeline, build_adapter, sample
    p = yaml.safe_load((repo / "real" / "profiles" / "flux-tiny.yaml").read_text())
    pipe = build_pipeline(p["model"]); ad = build_adapter(pipe, p["model"])
    assert isinstance(pipe, FluxPipeline)
    base = sample(pipe, ad, p["model"], ["a red circle"], [0], 3)
    pipe.load_lora_weights(str(repo / "real" / "models" / "students" / "rats_k3"))
    student = sample(pipe, ad, p["model"], ["a red circle"], [0], 3, student=True)
    assert (student - base).abs().max() > 1e-4

@pytest.mark.slow
def test_killed_stage_resumes(real_repo):
    "`dvc repro` killed mid-training (SIGKILL to its process group) and run again resumes the run from its checkpoint: each step logged once."
    import signal, time
    repo, env = real_repo
    real = repo / "real"
    p = yaml.safe_load((real / "profiles" / "flux-tiny.yaml").read_text())
    p["train"].update(methods=["rats"], nfes=[3], steps=30, save_every=2)
    (real / "params.yaml").write_text(yaml.safe_dump(p))
    shutil.rmtree(real / "checkpoints", ignore_errors=True)      # the earlier tests' runs: not this one's
    ck = real / "checkpoints" / "rats_k3" / "checkpoints"
    proc = subprocess.Popen([BIN / "dvc", "repro", "real/dvc.yaml"], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    t0 = time.time()
    while not any((d / "complete").exists() and int(d.name[5:]) >= 4 for d in ck.glob("step_*")) if ck.exists() else True:
        assert proc.poll() is None and time.time() - t0 < 240, "training ended or stalled before a checkpoint"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    done = max(int(d.name[5:]) for d in ck.glob("step_*") if (d / "complete").exists())
    assert done < 30, "the run finished before it was killed"
    _run([BIN / "dvc", "repro", "real/dvc.yaml"], repo, env)
    steps = [json.loads(l)["step"] for l in (real / "checkpoints" / "rats_k3" / "log.jsonl").read_text().splitlines()]
    assert steps == list(range(30))
    nb = (real / "reports" / "notebooks" / "train.ipynb").read_text()
    assert "from its checkpoint at step" in nb and "of 30" in nb
    assert json.loads((real / "metrics" / "train.json").read_text())["rats_k3"]["steps"] == 30

@pytest.mark.slow
def test_wan_profile_with_two_processes(real_repo):
    "The video profile, each run trained by two processes (torchrun, gloo) sharding the transformer (FSDP): Wan's Table 1 rows and LoRAs in WanPipeline's format."
    repo, env = real_repo
    _repro(repo, env, "wan-tiny.yaml")
    real = repo / "real"
    p = yaml.safe_load((real / "params.yaml").read_text())
    assert p["train"]["launcher"].startswith("torchrun") and p["train"]["fsdp"]
    ck = real / "checkpoints" / "rats_k5" / "checkpoints" / f"step_{p['train']['steps']}"
    assert {f.name for f in ck.iterdir()} == {"complete", "adapters.safetensors", "optimizer.pt"}   # the sharded run's checkpoint
    rows = json.loads((real / "metrics" / "eval.json").read_text())
    assert {(r["model"], r["nfe"]) for r in rows} == {("teacher", 5), ("teacher", 8), ("teacher", 50), ("rats", 5), ("rats", 8)}
    logs = [json.loads(l) for l in (real / "checkpoints" / "rats_k5" / "log.jsonl").read_text().splitlines()]
    assert [r["world"] for r in logs] == [2] * p["train"]["steps"]
    from diffusers import WanPipeline
    from rats.real.testing import get_dummy_wan_components
    pipe = WanPipeline(**get_dummy_wan_components())
    pipe.load_lora_weights(str(real / "models" / "students" / "rats_k5"))
    assert any("lora" in n for n, _ in pipe.transformer.named_parameters())

@pytest.mark.slow
def test_sd3_profile(real_repo):
    "The third family (Stable Diffusion 3, guided teacher, guidance-free students) through the same pipeline: its Table 1 rows and a LoRA that loads into a stock StableDiffusion3Pipeline and changes its samples."
    repo, env = real_repo
    _repro(repo, env, "sd3-tiny.yaml")
    real = repo / "real"
    p, rows, want = _table1_rows(real)
    assert {(r["model"], r["nfe"]) for r in rows} == want and all(r["pickscore"] == r["pickscore"] for r in rows)
    from diffusers import StableDiffusion3Pipeline
    from rats.real.pipeline import build_pipeline, build_adapter, sample
    pipe = build_pipeline(p["model"]); ad = build_adapter(pipe, p["model"])
    assert isinstance(pipe, StableDiffusion3Pipeline)
    base = sample(pipe, ad, p["model"], ["a red circle"], [0], 3, student=True)      # guidance 1, as a student samples
    pipe.load_lora_weights(str(real / "models" / "students" / "rats_k3"))
    student = sample(pipe, ad, p["model"], ["a red circle"], [0], 3, student=True)
    assert (student - base).abs().max() > 1e-4
