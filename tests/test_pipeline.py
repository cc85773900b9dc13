"The DVC pipeline end to end on the smoke profile, in a copy of the repository (as a fresh clone would run it)."
import json, os, shutil, subprocess, sys
import pytest
import yaml
from _repo import BIN, run_ok as _run, copy_worktree

@pytest.fixture(scope="module")
def smoke_repo(tmp_path_factory):
    "A copy of the working tree (tracked and unignored files, no outputs), with the smoke profile as params.yaml, after `dvc pull && dvc repro`."
    repo = copy_worktree(tmp_path_factory.mktemp("smoke") / "repo",
                         skip=[f"{out}/" for out in ("metrics", "plots", "reports", "data", "samples", "logs", "models", "checkpoints")])
    shutil.copy(repo / "profiles" / "smoke.yaml", repo / "params.yaml")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1", "OMP_NUM_THREADS": "1"}
    _run(["git", "init", "-q"], repo, env)
    _run([BIN / "dvc", "pull", "-q", "data.dvc"], repo, env)
    log = _run([BIN / "dvc", "repro"], repo, env)
    return repo, env, log

@pytest.mark.slow
def test_smoke_outputs(smoke_repo):
    repo, env, log = smoke_repo
    world = json.loads((repo / "metrics" / "world.json").read_text())
    smoke = yaml.safe_load((repo / "params.yaml").read_text())
    # papermill really injected the params (the notebook's default n_per_prompt is 4, the smoke profile's is 1)
    assert world["n_per_prompt"] == smoke["world"]["n_per_prompt"] == 1
    assert world["verifier_accuracy"]["clean"]["all"] >= 0.98
    assert (repo / "plots" / "world_samples.png").stat().st_size > 1000
    executed = json.loads((repo / "reports" / "notebooks" / "world.ipynb").read_text())
    assert any("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in executed["cells"])

@pytest.mark.slow
def test_smoke_tables_and_samples(smoke_repo):
    repo, env, log = smoke_repo
    rows = json.loads((repo / "metrics" / "eval.json").read_text())
    have = {(r["model"], r["nfe"]) for r in rows}
    for m in ("teacher", "distill", "reward", "mix", "rats"):
        for K in (3, 5, 8, 50):
            assert (m, K) in have, (m, K)
            d = repo / "samples" / m / f"nfe{K}"
            lines = [json.loads(l) for l in (d / "prompts.jsonl").read_text().splitlines()]
            assert lines and all((d / l["file"]).exists() and l["prompt"] and "seed" in l for l in lines)
    tables = (repo / "reports" / "tables.md").read_text()
    for heading in ("Table 0", "Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "paper's claim"):
        assert heading in tables, heading
    assert (repo / "plots" / "reward_dynamics.png").stat().st_size > 1000
    from rats.core.runs import read_log
    logs = read_log(repo / "logs" / "students" / "rats")     # dvclive's per-step files
    assert {"reward_student", "gate_mean"} <= set(logs.columns) and len(logs) > 1

@pytest.mark.slow
def test_second_repro_is_noop(smoke_repo):
    repo, env, _ = smoke_repo
    log = _run([BIN / "dvc", "repro"], repo, env)
    assert "Running stage" not in log, log
    assert "up to date" in log

def _metrics(repo):
    out = {p.name: json.loads(p.read_text()) for p in sorted((repo / "metrics").glob("*.json"))}
    for run in out.get("students.json", {}).get("runs", {}).values():   # wall time and memory are not results
        for k in ("train_s", "job_s", "peak_rss_mb"): run.pop(k, None)
    out.get("teacher.json", {}).pop("train_s", None)
    for k in ("teacher_cache_s", "wall_s"): out.get("students.json", {}).pop(k, None)
    return out

@pytest.mark.slow
def test_smoke_is_deterministic(smoke_repo):
    "Two runs of the smoke profile with the same seed give identical metrics (CPU)."
    repo, env, _ = smoke_repo
    before = _metrics(repo)
    _run([BIN / "dvc", "repro", "-f"], repo, env)
    assert _metrics(repo) == before

@pytest.mark.slow
def test_bad_params_stop_before_work(smoke_repo):
    repo, env, _ = smoke_repo
    bad = (repo / "params.yaml").read_text().replace("alpha: {3: 2.0,", "alpha: {3: -2.0,")
    (repo / "params.bad.yaml").write_text(bad)
    out = subprocess.run([sys.executable, "-m", "rats.toy.params", "params.bad.yaml"], cwd=repo, env=env, capture_output=True, text=True)
    assert out.returncode == 1 and out.stderr.strip() == "params.bad.yaml: students.alpha.3: must be >= 0, got -2.0"
