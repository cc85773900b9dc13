"The DVC pipeline end to end on the smoke profile, as `make smoke` runs it on a fresh clone (tools/smoke.py: a workspace of its own)."
import hashlib, json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest
import yaml
from _repo import BIN, ROOT, run_ok as _run, copy_worktree

STAGES = ("world", "teacher", "teacher_samples", "instruments", "students", "evaluate", "report")

@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    "A fresh clone (the working tree's tracked and unignored files, committed results included, as one commit), after `python tools/smoke.py` (what `make smoke` runs) with the venv's bin not on PATH."
    clone = copy_worktree(tmp_path_factory.mktemp("smoke") / "clone")
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "OMP_NUM_THREADS": "1"}
    git = lambda *a: _run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *a], clone, env)
    git("init", "-q"); git("add", "-A"); git("commit", "-q", "-m", "clone")
    bare = {**env, "PATH": os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != BIN)}
    bare.pop("VIRTUAL_ENV", None)
    log = _run([BIN / "python", "tools/smoke.py"], clone, bare)
    return clone, log

@pytest.fixture(scope="module")
def smoke_repo(smoke_run):
    "The smoke workspace (.smoke/repo: the copy with the smoke profile as params.yaml, after `dvc pull && dvc repro`) and an env with the venv on PATH."
    clone, log = smoke_run
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1", "OMP_NUM_THREADS": "1"}
    return clone / ".smoke" / "repo", env, log

def test_every_stage_waits_for_the_params_check():
    "dvc.yaml's first stage checks the whole params file and always runs; every other stage depends on its output, through tools/run_stage.py."
    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    stages, pm = dvc["stages"], dvc["vars"][0]["pm"]
    assert list(stages)[0] == "params" and stages["params"]["always_changed"] is True
    assert stages["params"]["cmd"].startswith("python3 tools/run_stage.py python -m rats.toy.params params.yaml")
    out = next(iter(stages["params"]["outs"][0]))
    assert stages["params"]["outs"][0][out] == {"cache": False, "persist": True}
    assert pm.startswith("python3 tools/run_stage.py papermill ")
    for name in STAGES:
        assert stages[name]["deps"][0] == out and "${pm}" in stages[name]["cmd"], name

@pytest.mark.slow
def test_smoke_leaves_the_working_copy_alone(smoke_run):
    clone, log = smoke_run
    assert subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True).stdout == ""
    assert "results in .smoke/repo/metrics" in log
    for noise in ("Kernel is running over TCP", "KeyboardInterrupt caught in kernel", "Executing:", "Traceback"):
        assert noise not in log, noise

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
    smoke = yaml.safe_load((repo / "params.yaml").read_text())
    n = smoke["evaluate"]["prompts"] * smoke["evaluate"]["repeats"]
    wanted = [("teacher", K) for K in (3, 5, 8, 50)] + [(m, K) for m in ("distill", "reward", "reward_long", "mix", "mix_matched", "rats") for K in (3, 5, 8)]
    wanted += [(m, 3) for m in ("rats_hard_gate", "rats_sign_figure", "rats_final_horizon", "rats_alpha_half", "rats_oracle_gate")]
    noises = set()
    for m, K in wanted:
        assert (m, K) in have, (m, K)
        d = repo / "samples" / m / f"nfe{K}"
        lines = [json.loads(l) for l in (d / "prompts.jsonl").read_text().splitlines()]
        assert len(lines) == n and all((d / l["file"]).exists() and l["prompt"] and isinstance(l["ok"], bool) and "reward_r_train" in l
                                       for l in lines), (m, K)
        noises.add(tuple(l["noise_index"] for l in lines))
    assert len(noises) == 1, "every model and NFE is sampled on the same noises (paired)"
    seeds = {json.loads(l)["train_seed"] for l in (repo / "samples" / "rats" / "nfe3" / "prompts.jsonl").read_text().splitlines()}
    assert seeds == set(range(smoke["seed"], smoke["seed"] + smoke["students"]["seeds"])), seeds
    agreement = json.loads((repo / "metrics" / "agreement.json").read_text())
    assert {"r_train", "r_dual", "r_lowpass", "verifier_paired_effect"} <= set(agreement)
    tables = (repo / "reports" / "tables.md").read_text()
    for heading in ("Table 0", "Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "paper's claim"):
        assert heading in tables, heading
    assert re.search(r"\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\]", tables), "intervals are printed"
    assert "dvc exp run -n rats_oracle_gate" in tables and "dvc exp run -n mix_matched_s0" in tables
    assert (repo / "plots" / "reward_dynamics.png").stat().st_size > 1000
    from rats.core.runs import read_log
    logs = read_log(repo / "logs" / "students" / "rats_s0")     # dvclive's per-step files
    assert {"reward_student", "gate_mean", "gate_std", "verifier_student", "verifier_teacher"} <= set(logs.columns) and len(logs) > 1
    gates = [json.loads(l) for l in (repo / "logs" / "students" / "rats_s0" / "gates.jsonl").read_text().splitlines()]
    assert len(gates) == len(logs) and all(len(g["g"]) == len(g["ok_S"]) == smoke["students"]["batch"] for g in gates)

@pytest.mark.slow
def test_second_repro_reruns_only_the_check(smoke_repo):
    repo, env, _ = smoke_repo
    log = _run([BIN / "dvc", "repro"], repo, env)
    assert re.findall(r"Running stage '([^']+)'", log) == ["params"], log
    for name in STAGES: assert f"Stage '{name}' didn't change, skipping" in log, (name, log)
    status = _run([BIN / "dvc", "status", "dvc.yaml"], repo, env)
    assert status.split() == ["params:", "always", "changed"], status

def _metrics(repo):
    out = {p.name: json.loads(p.read_text()) for p in sorted((repo / "metrics").glob("*.json"))}
    for run in out.get("students.json", {}).get("runs", {}).values():   # wall time and memory are not results
        for k in ("train_s", "job_s", "peak_rss_mb", "s_per_step"): run.pop(k, None)
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

def _outputs(repo) -> dict[str, str]:
    "sha256 of every file of every stage's outputs (outs, metrics, plots of dvc.yaml), by path."
    files = {}
    for name, st in yaml.safe_load((repo / "dvc.yaml").read_text())["stages"].items():
        for o in (o for kind in ("outs", "metrics", "plots") for o in st.get(kind, [])):
            p = repo / (next(iter(o)) if isinstance(o, dict) else o)
            for f in [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file()):
                files[str(f.relative_to(repo))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return files

BAD = {   # what a user types, and the start of the one line that must stop `dvc repro` before any stage's outputs are deleted
    "value": (lambda y: y.replace("alpha: {3: 2.0, 5: 1.0, 8: 1.0}", "alpha: {3: -1, 5: 1.0, 8: 1.0}"), "params.yaml: students.alpha.3: "),
    "section": (lambda y: y + "studnets:\n  alpha: {3: 2.0, 5: 1.0, 8: 1.0}\n", "params.yaml: studnets"),
}

@pytest.mark.slow
@pytest.mark.parametrize("kind", list(BAD))
def test_bad_params_under_dvc_repro_touch_no_output(smoke_repo, kind):
    repo, env, _ = smoke_repo
    good = (repo / "params.yaml").read_text()
    edit, start = BAD[kind]
    assert edit(good) != good
    before = _outputs(repo)
    assert any(f.startswith("models/students/") for f in before) and any(f.startswith("models/teacher/") for f in before)
    try:
        (repo / "params.yaml").write_text(edit(good))
        want = subprocess.run([sys.executable, "-m", "rats.toy.params", "params.yaml"], cwd=repo, env=env, capture_output=True, text=True)
        want = want.stderr.strip()                          # the check's own line, e.g. params.yaml: students.alpha.3: must be >= 0, got -1
        assert want.startswith(start) and "\n" not in want, want
        out = subprocess.run([BIN / "dvc", "repro"], cwd=repo, env=env, capture_output=True, text=True)
        log = out.stdout + out.stderr
        assert out.returncode != 0, log
        assert log.splitlines().count(want) == 1 and "Traceback" not in log, log
        assert re.findall(r"Running stage '([^']+)'", log) == ["params"], log
        assert _outputs(repo) == before
    finally:
        (repo / "params.yaml").write_text(good)
