"The toy video pipeline (`video/dvc.yaml`) end to end on its smoke profile (`video/profiles/smoke.yaml`), in a copy of the repository."
import json, os, shutil
import pytest
import yaml
from _repo import BIN, run_ok as _run, copy_worktree

OUTS = tuple(f"video/{d}/" for d in ("data", "models", "samples", "checkpoints", "reports", "metrics", "plots"))

@pytest.fixture(scope="module")
def video_repo(tmp_path_factory):
    repo = copy_worktree(tmp_path_factory.mktemp("video") / "repo", skip=OUTS)
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1", "OMP_NUM_THREADS": "1"}
    _run(["git", "init", "-q"], repo, env)
    shutil.copy(repo / "video" / "profiles" / "smoke.yaml", repo / "video" / "params.yaml")
    _run([BIN / "dvc", "repro", "video/dvc.yaml"], repo, env)
    return repo, env

def test_smoke_profile_gives_table0(video_repo):
    repo, env = video_repo
    v = repo / "video"
    p = yaml.safe_load((v / "params.yaml").read_text())
    world = json.loads((v / "metrics" / "world.json").read_text())
    assert world["checker_on_real"]["all"]["ok"] == 1.0                   # the world's own clips pass the checker
    ts = json.loads((v / "metrics" / "teacher_samples.json").read_text())
    assert sorted(ts["nfe"]) == sorted(str(k) for k in {*p["evaluate"]["nfes"], p["evaluate"]["N"]})
    pc = ts["precondition"]
    assert pc["lo"] <= pc["gap"] <= pc["hi"] and pc["holds"] == (pc["lo"] >= p["evaluate"]["bar"])
    table = (v / "reports" / "table0.md").read_text()
    assert "Precondition" in table and ("**holds**" in table) == pc["holds"] and "within-prompt AUC" in table
    for K in ts["nfe"]:
        rows = [json.loads(l) for l in (v / "samples" / "teacher" / f"nfe{K}" / "prompts.jsonl").read_text().splitlines()]
        assert len(rows) == ts["n"]
        assert {"file", "prompt", "seed", "noise_index", "ok", "total", "r_train"} <= set(rows[0])
        assert all((v / "samples" / "teacher" / f"nfe{K}" / r["file"]).exists() for r in rows)
    assert (v / "models" / "teacher" / "transformer" / "config.json").exists()
    assert (v / "plots" / "teacher_clips.png").stat().st_size > 1000
    status = _run([BIN / "dvc", "status", "video/dvc.yaml"], repo, env)      # only the params check, which always runs
    assert [l for l in status.splitlines() if l.startswith("video/dvc.yaml:")] == ["video/dvc.yaml:params:"], status

def test_bad_param_is_one_line_before_any_stage(video_repo):
    repo, env = video_repo
    path = repo / "video" / "params.yaml"
    good = path.read_text()
    try:
        p = yaml.safe_load(good); p["teacher"]["lr"] = -1.0
        path.write_text(yaml.safe_dump(p))
        import subprocess
        out = subprocess.run([BIN / "dvc", "repro", "video/dvc.yaml"], cwd=repo, env=env, capture_output=True, text=True)
        assert out.returncode != 0
        assert "teacher.lr: must be > 0, got -1.0" in out.stdout + out.stderr
        assert "Traceback" not in out.stdout + out.stderr
        assert (repo / "video" / "models" / "teacher").exists()             # no stage's outputs were touched
    finally: path.write_text(good)
