"A real training run killed with SIGKILL and started again ends with exactly the weights and the per-step log (dvclive) of an uninterrupted run."
import os, signal, subprocess, sys, textwrap, time
from pathlib import Path
import pytest
import torch

SCRIPT = textwrap.dedent("""
    import sys, torch
    torch.manual_seed(0)
    from rats.toy.models import build_teacher
    from rats.toy.rewards import build_reward, RewardFn
    from rats.toy.train import train_toy_student
    from rats.toy.grammar import make_prompt_sets
    ckpt, out, steps, log_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    train, _ = make_prompt_sets(0, n_train=64, n_eval_two=8)
    models = build_teacher("tiny", seed=0).eval()
    torch.manual_seed(1); rf = RewardFn(build_reward("cnn", width=8))
    student, log = train_toy_student("rats", models, rf, train, Ks=(3, 5), N=10, steps=steps, batch=4, cache_size=16,
                                     progress=False, teacher_guidance=2.0, ckpt_path=ckpt if ckpt != "-" else None, ckpt_every=2,
                                     log_dir=log_dir)
    torch.save({"state": student.state_dict(), "log": log}, out)
""")

@pytest.mark.slow
def test_sigkill_then_resume_matches_uninterrupted(tmp_path):
    script = tmp_path / "train.py"; script.write_text(SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    steps = 60
    subprocess.run([sys.executable, script, "-", tmp_path / "full.pt", str(steps), tmp_path / "full_log"], check=True, env=env)
    ckpt = tmp_path / "ck.pt"
    p = subprocess.Popen([sys.executable, script, ckpt, tmp_path / "killed.pt", str(steps), tmp_path / "log"], env=env)
    deadline = time.time() + 300
    while not ckpt.exists() and time.time() < deadline and p.poll() is None: time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGKILL); p.wait()
    assert p.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not (tmp_path / "killed.pt").exists()
    done_at_kill = torch.load(ckpt, weights_only=False)["step"]
    assert 0 < done_at_kill < steps
    subprocess.run([sys.executable, script, ckpt, tmp_path / "resumed.pt", str(steps), tmp_path / "log"], check=True, env=env)
    full, resumed = torch.load(tmp_path / "full.pt", weights_only=False), torch.load(tmp_path / "resumed.pt", weights_only=False)
    untimed = lambda log: [{k: v for k, v in r.items() if k != "step_s"} for r in log]   # wall time is not a result
    assert untimed(full["log"]) == untimed(resumed["log"]) and all(r["step_s"] > 0 for r in resumed["log"])
    for k, v in full["state"].items(): assert torch.equal(v, resumed["state"][k]), k
    from rats.core.runs import read_log          # the dvclive log: each step once (the killed run's steps after its checkpoint dropped)
    a, b = read_log(tmp_path / "full_log"), read_log(tmp_path / "log")
    assert b.step.tolist() == list(range(steps))
    assert a.drop(columns="step_s").equals(b.drop(columns="step_s"))
