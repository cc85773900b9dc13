"""Stopping a stage stops all of it (tools/run_stage.py, which runs every stage of dvc.yaml), and its output says what a
reader needs. The slow test does it the way it was found: SIGKILL of the students stage while its pool workers train."""
import json, os, shlex, signal, subprocess, sys, textwrap, time
from pathlib import Path
import pytest, yaml
from _repo import BIN, ROOT, run_ok, copy_worktree

RUNNER = ROOT / "tools" / "run_stage.py"
sys.path.insert(0, str(ROOT / "tools"))
import run_stage

# ------------------------------------------------------------------ processes

def _alive(pid: int) -> bool:
    st = run_stage._stat(pid)
    return st is not None and st[0] not in "ZX"

def _procs(inside: Path) -> dict[int, str]:
    "{pid: command line} of the live processes working in `inside` (their cwd) or naming it, less this one."
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid(): continue
        try:
            cmd = Path(f"/proc/{d}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(f"/proc/{d}/cwd")
        except OSError: continue
        if (cwd == str(inside) or cwd.startswith(f"{inside}/") or str(inside) in cmd) and _alive(int(d)): out[int(d)] = cmd
    return out

def _wait_gone(pids, timeout: float) -> set[int]:
    end = time.monotonic() + timeout
    while (left := {p for p in pids if _alive(p)}) and time.monotonic() < end: time.sleep(0.05)
    return left

# a stage in miniature: a child in a session of its own (as jupyter starts the kernel) that starts a grandchild (a pool worker)
TREE = textwrap.dedent("""
    import subprocess, sys, time
    kernel = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; w = subprocess.Popen(['sleep', '300']); "
                               "print('pids', w.pid, flush=True); time.sleep(300)"], start_new_session=True)
    print('kernel', kernel.pid, flush=True); time.sleep(300)
""")

def _start_tree(tmp_path, parent=None):
    "The runner running TREE (under `parent`, a command that starts it through `sh -c` with DVC_STAGE set, when given); its pids once all run."
    cmd = [sys.executable, str(RUNNER), sys.executable, "-c", TREE]
    if parent: cmd = [sys.executable, "-c", parent, shlex.join(cmd)]
    p = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    got, end = {}, time.monotonic() + 30
    while len(got) < 2 and time.monotonic() < end:
        line = p.stdout.readline()
        if line.startswith(("kernel", "pids")): got[line.split()[0]] = int(line.split()[1])
    assert len(got) == 2, p.stderr.read()
    return p, set(got.values())

def test_sigkill_of_the_runner_stops_every_process(tmp_path):
    p, pids = _start_tree(tmp_path)
    tree = set(_procs(tmp_path)) | pids
    os.kill(p.pid, signal.SIGKILL)
    assert p.wait(5) == -signal.SIGKILL
    assert not _wait_gone(tree, 5), _procs(tmp_path)

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_stops_every_process_and_says_so(tmp_path, sig):
    p, pids = _start_tree(tmp_path)
    tree = set(_procs(tmp_path)) | pids
    p.send_signal(sig)
    assert p.wait(10) == 128 + sig
    assert not _wait_gone(tree, 5), _procs(tmp_path)
    assert p.stderr.read().strip() == f"run_stage: stopped ({sig.name}); every process of the stage is gone"

# DVC's part: `sh -c CMD` with DVC_STAGE set, as dvc/stage/run.py starts a stage
FAKE_DVC = "import os, subprocess, sys; subprocess.run(['sh', '-c', sys.argv[1]], env={**os.environ, 'DVC_STAGE': 'x'})"

def test_the_death_of_dvc_stops_the_stage(tmp_path):
    p, pids = _start_tree(tmp_path, parent=FAKE_DVC)
    tree = set(_procs(tmp_path)) | pids
    os.kill(p.pid, signal.SIGKILL)                           # `kill -9` of dvc: the shell and the runner live on, the runner sees it
    p.wait(5)
    assert not _wait_gone(tree, 5), _procs(tmp_path)

def test_a_finished_command_leaves_nothing_running(tmp_path):
    "What CMD started and left behind (an orphan, re-parented to the guard) is stopped when CMD ends; CMD's exit code is kept."
    script = "import subprocess, sys; w = subprocess.Popen(['sleep', '300'], start_new_session=True); print(w.pid); sys.exit(3)"
    out = subprocess.run([sys.executable, str(RUNNER), sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert out.returncode == 3
    assert not _wait_gone({int(out.stdout.split()[0])}, 5)

def test_a_missing_program_is_one_line(tmp_path):
    out = subprocess.run([sys.executable, str(RUNNER), "no-such-program-here", "x"], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert out.returncode != 0 and out.stderr.strip().splitlines() == [
        "run_stage: no-such-program-here is not on PATH: run the pipeline through `make repro` (or `make smoke`), "
        "or activate the project's environment first (`source .venv/bin/activate`)"]

# ------------------------------------------------------------------ output

class _Out:
    def __init__(self): self.data = b""
    def write(self, b): self.data += b
    def flush(self): pass

def _filter(chunks, **kw):
    out = _Out(); f = run_stage.Filter(out, **kw)
    for c in chunks: f.feed(c)
    f.close()
    return f, out.data.decode()

def test_noise_is_dropped_and_the_rest_kept():
    bar = "\rExecuting:   0%|          | 0/10 [00:00<?, ?cell/s]"
    tcp = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication (including code and "
           "outputs) is sent in plain text and is susceptible to eavesdropping.\n")
    chunks = [bar.encode(), tcp.encode(), b"\rExecuting:  10%|# | 1/10 [00:00<00:06,  1.45cell/s]",
              b"\rreward:  25%|##5 | 1/4 [00:04<00:13,  4.38s/it]", b"\n[IPKernelApp] ERROR | KeyboardInterrupt caught in ",
              b"kernel.\nreal output\n", b"\rExecuting: 100%|##| 10/10 [00:12<00:00,  1.21s/cell]\n"]
    assert _filter(chunks)[1] == "reward:  25%|##5 | 1/4 [00:04<00:13,  4.38s/it]\nreal output\n"
    assert "Executing:  10%" in _filter(chunks, keep_progress=True)[1]           # on a terminal papermill's bar stays

PAPERMILL_ERROR = """Traceback (most recent call last):
  File "/x/.venv/bin/papermill", line 8, in <module>
    sys.exit(papermill())
             ^^^^^^^^^^^
  File "/x/.venv/lib/python3.11/site-packages/papermill/execute.py", line 251, in raise_for_execution_errors
    raise error
papermill.exceptions.PapermillExecutionError: 
---------------------------------------------------------------------------
Exception encountered at "In [3]":
---------------------------------------------------------------------------
ParamsError                               Traceback (most recent call last)
Cell In[3], line 2
----> 2 p = stage_params(params_file, "students")

File /x/rats/core/params.py:46, in check_schema.<locals>.fail(key, msg)
---> 46     def fail(key, msg): raise ParamsError(f"{name}: {key}: {msg}")

\x1b[0;31mParamsError\x1b[0m: params.yaml: students.alpha.3: must be >= 0, got -1
"""

def test_a_failing_cell_is_one_line():
    f, text = _filter([b"before\n", PAPERMILL_ERROR.encode()], errors=True)
    assert text == "before\n"
    assert f.summary("reports/notebooks/students.ipynb") == [
        "run_stage: a cell failed at In [3]; the executed notebook (reports/notebooks/students.ipynb) holds the full traceback",
        "ParamsError: params.yaml: students.alpha.3: must be >= 0, got -1"]

def test_other_tracebacks_are_shown_in_full():
    tb = ('Traceback (most recent call last):\n  File "/x/nbclient/client.py", line 1, in f\n    raise DeadKernelError("Kernel died")\n'
          'nbclient.exceptions.DeadKernelError: Kernel died\n')
    f, text = _filter([tb.encode(), b"after\n"], errors=True)
    assert text == tb + "after\n" and f.summary("x.ipynb") == []

# ------------------------------------------------------------------ the students stage, killed while its pool trains

# the smoke profile, smaller where only the students stage matters here, and with a checkpoint at every step
FAULTS = {"teacher": dict(steps=4), "instruments": dict(reward_steps=1, pool_prompts=4, feature_steps=1, feature_batch=8),
          "students": dict(steps=6, reward_long_steps=0, ckpt_every=1, ablations=False, cache_size=8, workers=2)}

def _files(repo):
    return {f: (f.stat().st_mtime_ns, f.stat().st_size) for d in ("models", "checkpoints") for f in (repo / d).rglob("*") if f.is_file()}

@pytest.mark.slow
def test_sigkill_of_the_students_stage(tmp_path):
    repo = copy_worktree(tmp_path / "repo", skip=[f"{o}/" for o in ("metrics", "plots", "reports", "data", "samples", "logs", "models", "checkpoints")])
    params = yaml.safe_load((repo / "profiles" / "smoke.yaml").read_text())
    for group, knobs in FAULTS.items(): params[group].update(knobs)
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1", "OMP_NUM_THREADS": "1"}
    run_ok(["git", "init", "-q"], repo, env)
    run_ok([BIN / "dvc", "pull", "-q", "data.dvc"], repo, env)
    run_ok([BIN / "dvc", "repro", "instruments"], repo, env)

    log = open(tmp_path / "students.log", "w")
    dvc = subprocess.Popen([BIN / "dvc", "repro", "students"], cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT)
    ckpts = repo / "checkpoints" / "students"
    end = time.monotonic() + 240
    while time.monotonic() < end:                            # the pool trains: two spawned workers, a student's checkpoint written
        workers = [p for p, c in _procs(repo).items() if "multiprocessing.spawn" in c]
        if len(workers) == 2 and any(f.name != "teacher_cache.pt" for f in ckpts.glob("*.pt")): break
        assert dvc.poll() is None, (tmp_path / "students.log").read_text()[-3000:]
        time.sleep(0.1)
    else: pytest.fail("the students' pool never trained: " + (tmp_path / "students.log").read_text()[-3000:])
    tree = _procs(repo)                                      # dvc, sh, the runner, its guard, papermill, the kernel, 2 workers, their resource tracker
    runner = next(p for p, c in tree.items() if "run_stage.py papermill" in c and "--guard" not in c)
    before, t_kill = _files(repo), time.time_ns()
    os.kill(runner, signal.SIGKILL)
    assert dvc.wait(30) != 0
    left = _wait_gone(tree, 10)
    assert not left, {p: tree[p] for p in left}
    late = {str(f.relative_to(repo)): round((m - t_kill) / 1e6) for f, (m, s) in _files(repo).items()
            if before.get(f) != (m, s) and m > t_kill + 100_000_000}            # the signal takes a few ms to reach the workers
    assert not late, f"written after the kill (ms): {late}"

    out = run_ok([BIN / "dvc", "repro", "students"], repo, env)  # the rerun resumes from the checkpoints and finishes
    summary = json.loads((repo / "metrics" / "students.json").read_text())
    from rats.core.runs import read_log
    for name, run in summary["runs"].items():
        assert run["steps"] == FAULTS["students"]["steps"], (name, run)
        assert read_log(repo / "logs" / "students" / name)["step"].tolist() == list(range(FAULTS["students"]["steps"])), name
    assert "Traceback" not in out and "Kernel is running over TCP" not in out
