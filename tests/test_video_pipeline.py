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
    inst = json.loads((v / "metrics" / "instruments.json").read_text())
    assert set(inst) == {"r_train", "r_heldout"} and inst["r_train"]["train_seed"] != inst["r_heldout"]["train_seed"]
    assert "r_heldout" in rows[0] and "Held-out reward" in table
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

def test_smoke_profile_gives_the_video_table(video_repo):
    repo, env = video_repo
    v = repo / "video"
    p = yaml.safe_load((v / "params.yaml").read_text())
    st, n_runs = p["students"], len(p["students"]["methods"]) * len(p["students"]["nfes"]) * p["students"]["seeds"]
    info = json.loads((v / "metrics" / "students.json").read_text())
    assert len(info["runs"]) == n_runs and all(r["steps"] == st["steps"] for r in info["runs"].values())
    logs = sorted((v / "logs" / "students").glob("*.jsonl"))
    assert len(logs) == n_runs
    rats_log = [json.loads(l) for l in (v / "logs" / "students" / "rats_k3_s1.jsonl").read_text().splitlines()]
    assert len(rats_log) == st["steps"] and {"gate_mean", "gate_std", "reward_student", "reward_teacher"} <= set(rats_log[0])
    ts = json.loads((v / "metrics" / "teacher_samples.json").read_text())
    for name in info["runs"]:                                          # every student sampled on the teacher's records
        rows = [json.loads(l) for l in (v / "samples" / "students" / name / "prompts.jsonl").read_text().splitlines()]
        assert len(rows) == ts["n"] and {"total", "ok", "r_train", "r_heldout"} <= set(rows[0])
    ev = json.loads((v / "metrics" / "eval.json").read_text())
    K = str(st["nfes"][0])
    assert set(ev["nfe"][K]) == {"teacher@N", "teacher@K", *st["methods"]}
    assert ev["nfe"][K]["rats"]["seeds"] == st["seeds"] and ev["nfe"][K]["rats"]["n"] == st["seeds"] * ts["n"]
    for c in ev["claims"]:                                             # each claim decided by its interval
        assert c["lo"] <= c["diff"] <= c["hi"]
        assert c["verdict"] == ("beats" if c["lo"] > 0 else "worse" if c["hi"] < 0 else "no difference")
    table = (v / "reports" / "tables.md").read_text()
    assert f"### {K} NFE" in table and "Claim check" in table and "teacher, 50 NFE" not in table and f"teacher, {p['evaluate']['N']} NFE" in table
    assert (v / "plots" / "clips" / f"k{K}.png").stat().st_size > 1000 and (v / "plots" / "training.png").stat().st_size > 1000
    from diffusers import WanPipeline
    from rats.toy.video_models import load_video_teacher
    from rats.toy.video_students import load_video_student
    assert isinstance(load_video_student(load_video_teacher(v / "models" / "teacher"), v / "models" / "students" / "rats_k3_s0"), WanPipeline)
