#!/usr/bin/env python3
"""Run one pipeline stage's command (papermill) so that stopping the stage stops all of it, and print what a reader needs.

    python3 tools/run_stage.py papermill -k python3 nbs/pipeline/students.ipynb reports/notebooks/students.ipynb -p params_file params.yaml

dvc.yaml runs every stage this way. Standard library only, so any `python3` runs it.

Processes. DVC starts `sh -c "... && python3 tools/run_stage.py CMD"`; this runner starts a guard (this file with
`--guard`) in a process group of its own, and the guard starts CMD. papermill starts the kernel in a session of its own
(jupyter_client), and the kernel starts pool workers and their resource tracker (rats.core.runs.run_jobs), so no single
process group holds the stage. The guard is the subreaper of everything below it (PR_SET_CHILD_SUBREAPER: an orphan is
re-parented to the guard, not to init), so it always finds the whole tree, and it stops it with SIGKILL, all of it at
once: no process is left, and nothing is written after the stop (checkpoints are atomic; DVC reruns the stage, which
resumes from them). The stage stops when
  - this runner gets SIGINT (Ctrl-C: the terminal signals DVC, the shell and this runner, not the stage's own group),
    SIGTERM or SIGHUP; it exits 128 + the signal;
  - this runner dies, even by SIGKILL: the guard's parent-death signal (PR_SET_PDEATHSIG);
  - the shell or the DVC process that started this runner dies (polled every 0.2 s), e.g. `kill -9` of dvc;
  - the guard dies: CMD's parent-death signal is SIGKILL.
When CMD ends by itself, whatever it left running gets 2 s to exit, then SIGKILL.

Output. Everything CMD prints is forwarded (stdout to stdout, stderr to stderr), except known noise: the kernel's
`Kernel is running over TCP without encryption` and `KeyboardInterrupt caught in kernel` lines, and papermill's
`Executing: ...%|` progress bar unless stderr is a terminal. When a notebook cell fails, papermill prints a ~60-line
traceback; the executed notebook (CMD's output notebook) keeps it, so this prints where it is and, as the last line,
the exception's last line (e.g. `ParamsError: params.yaml: students.alpha.3: must be >= 0, got -1`). Any other
traceback (papermill's own, a dead kernel) is printed in full.

The environment. Under DVC, when the Python that runs DVC has papermill beside it, its bin folder goes first on PATH:
the stage runs in DVC's environment, also when that one is not activated (`.venv/bin/dvc repro`).
"""
from __future__ import annotations
import os, re, shutil, signal, subprocess, sys, threading, time
from pathlib import Path

NOISE = ("Kernel is running over TCP without encryption", "KeyboardInterrupt caught in kernel")
PROGRESS = re.compile(r"^\s*Executing:\s+\d+%\|")       # papermill's progress bar (tqdm)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
POLL_S, LINGER_S = 0.2, 2.0

# ---------------------------------------------------------------- processes (Linux: /proc and prctl; elsewhere: ps, no prctl)

def _prctl(option: int, value: int) -> bool:
    "prctl(2) on Linux; False elsewhere or on failure."
    if not sys.platform.startswith("linux"): return False
    import ctypes
    return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0

def _stat(pid: int):
    "(state, ppid, start time) of `pid` from /proc, or None when it is gone."
    try: s = Path(f"/proc/{pid}/stat").read_text()
    except OSError: return None
    f = s[s.rfind(")") + 2:].split()                     # the name, in parentheses, may hold spaces
    return f[0], int(f[1]), int(f[19])

def _parents() -> dict[int, int]:
    "{pid: ppid} of every live (not zombie) process."
    out = {}
    if Path("/proc/self/stat").exists():
        for d in os.listdir("/proc"):
            if d.isdigit() and (st := _stat(int(d))) and st[0] not in "ZX": out[int(d)] = st[1]
        return out
    ps = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,stat="], capture_output=True, text=True).stdout
    for line in ps.splitlines():
        pid, ppid, state = line.split()[:3]
        if not state.startswith("Z"): out[int(pid)] = int(ppid)
    return out

def descendants(root: int) -> list[int]:
    "Live processes below `root`."
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items(): children.setdefault(ppid, []).append(pid)
    out, todo = [], list(children.get(root, []))
    while todo:
        p = todo.pop(); out.append(p); todo += children.get(p, [])
    return out

def _reap() -> None:
    "Collect every exited child (the guard inherits orphans as subreaper)."
    while True:
        try: pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError: return
        if pid == 0: return

def kill_tree(root: int, timeout: float = 10.0) -> None:
    "SIGKILL every process below `root` until none is left (or `timeout`)."
    end = time.monotonic() + timeout
    while (pids := descendants(root)) and time.monotonic() < end:
        for p in pids:
            try: os.kill(p, signal.SIGKILL)
            except ProcessLookupError: pass
        time.sleep(0.01); _reap()
    _reap()

# ---------------------------------------------------------------- the guard: parent of CMD, subreaper of the stage

def guard(runner: int, cmd: list[str]) -> int:
    "Run `cmd` as a child; stop (SIGKILL) the whole tree below this process on a stop signal or the runner's death."
    me, stopped = os.getpid(), []
    def stop(sig, frame):
        stopped.append(sig); kill_tree(me)
    for s in STOP_SIGNALS: signal.signal(s, stop)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)              # the runner died (even by SIGKILL): stop
    if os.getppid() != runner: return 128 + signal.SIGTERM  # it died before the line above
    child = os.fork()
    if child == 0:                                         # CMD: default signals, killed with its guard
        try:
            for s in (*STOP_SIGNALS, signal.SIGPIPE): signal.signal(s, signal.SIG_DFL)
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() == me: os.execvp(cmd[0], cmd)
        except OSError as e: print(f"run_stage: cannot run {cmd[0]}: {e}", file=sys.stderr)
        os._exit(127)
    rc = None
    while rc is None:
        try: pid, status = os.waitpid(-1, 0)              # CMD, or an orphan re-parented to this guard
        except ChildProcessError: break
        if pid == child: rc = os.waitstatus_to_exitcode(status)
    if stopped: return 128 + stopped[0]
    end = time.monotonic() + LINGER_S                      # CMD is done: what it started gets a moment to exit by itself
    while descendants(me) and time.monotonic() < end: time.sleep(0.05); _reap()
    kill_tree(me)
    return 128 - rc if rc is not None and rc < 0 else (rc if rc is not None else 1)

# ---------------------------------------------------------------- the runner: signals, watch, output

def _environ(pid: int) -> dict[str, str] | None:
    try: raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError: return None
    return dict(kv.split("=", 1) for kv in raw.decode(errors="replace").split("\0") if "=" in kv)

def _cmdline(pid: int) -> list[str]:
    try: return [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0") if a]
    except OSError: return []

def watched() -> list[tuple[int, int]]:
    "(pid, start time) of this runner's parent and, under DVC, every ancestor up to the DVC process (the first without DVC_STAGE)."
    out, pid = [], os.getppid()
    while (st := _stat(pid)) is not None:
        out.append((pid, st[2]))
        env = _environ(pid)
        if "DVC_STAGE" not in os.environ or env is None or "DVC_STAGE" not in env or st[1] <= 1: break
        pid = st[1]
    return out

def dvc_bin() -> Path | None:
    "The bin folder of the Python that runs the DVC process above this one (`/x/.venv/bin/python /x/.venv/bin/dvc repro`)."
    for pid, _ in watched()[::-1]:
        argv = _cmdline(pid)
        for a in argv[:2]:
            if Path(a).name == "dvc":
                try: return (Path(os.readlink(f"/proc/{pid}/cwd")) / a).parent   # `a` may be relative to DVC's folder
                except OSError: return None
    return None

def resolve(cmd: list[str]) -> tuple[list[str], dict]:
    "`cmd` and its environment: under DVC, when the Python that runs DVC has papermill beside it, its bin folder goes first on PATH."
    env = dict(os.environ)
    b = dvc_bin() if "DVC_STAGE" in env else None
    if b is not None and (b / "papermill").exists() and (b / cmd[0]).exists() and "/" not in cmd[0]:
        found = shutil.which(cmd[0])
        if found is None or Path(found).parent != b: env["PATH"] = f"{b}{os.pathsep}{env.get('PATH', '')}"
        return cmd, env
    if "/" in cmd[0] or shutil.which(cmd[0]): return cmd, env
    sys.exit(f"run_stage: {cmd[0]} is not on PATH: run the pipeline through `make repro` (or `make smoke`), or activate "
             f"the project's environment first (`source .venv/bin/activate`)")

class Filter:
    "Forward one stream chunk by chunk, a line (ended by \\n or \\r) at a time: drop the noise; hold a papermill cell error for a one-line summary."
    def __init__(self, out, keep_progress: bool = False, errors: bool = False):
        self.out, self.keep_progress, self.errors = out, keep_progress, errors
        self.pending, self.tb, self.swallowed, self.at_line_start = b"", None, None, True

    def feed(self, data: bytes) -> None:
        self.pending += data
        while (m := re.search(rb"[\r\n]", self.pending)):
            seg, self.pending = self.pending[:m.end()], self.pending[m.end():]
            self._segment(seg)

    def close(self) -> None:
        if self.pending: self._segment(self.pending); self.pending = b""
        if self.tb is not None: self._write(b"".join(self.tb)); self.tb = None

    def _write(self, b: bytes) -> None:
        if b: self.at_line_start = b.endswith(b"\n")
        try: self.out.write(b); self.out.flush()
        except (BrokenPipeError, ValueError): pass

    def _segment(self, seg: bytes) -> None:
        text = seg.decode(errors="replace")
        if any(n in text for n in NOISE): return
        if not self.keep_progress and (PROGRESS.match(text) or text == "\r"): return
        if self.swallowed is not None: self.swallowed.append(text); return
        if not (self.errors and seg.endswith(b"\n")): self._write(seg); return
        line = ANSI.sub("", text).rstrip("\r\n")
        if self.tb is None:
            if line == "Traceback (most recent call last):": self.tb = [seg]
            else: self._write(seg)
            return
        self.tb.append(seg)
        if line and not line[0].isspace() and not line.startswith(("Traceback", "During handling", "The above exception")):
            if line.startswith("papermill.exceptions.PapermillExecutionError"): self.swallowed, self.tb = [], None
            else: self._write(b"".join(self.tb)); self.tb = None   # another error: shown in full

    def summary(self, notebook: str | None) -> list[str]:
        "The lines that stand for a swallowed papermill cell error: where the traceback is, then the exception's last line."
        if self.swallowed is None: return []
        text = ANSI.sub("", "".join(self.swallowed))
        cell = re.search(r'Exception encountered at "(In \[\d+\])"', text)
        last = next((l.strip() for l in reversed(text.splitlines()) if l.strip()), "the notebook failed")
        where = f" at {cell.group(1)}" if cell else ""
        nb = f" ({notebook})" if notebook else ""
        return [f"run_stage: a cell failed{where}; the executed notebook{nb} holds the full traceback", last]

def main(argv: list[str]) -> int:
    if argv[:1] == ["--guard"]: return guard(int(argv[1]), argv[3:])      # --guard RUNNER -- CMD...
    if argv[:1] == ["--"]: argv = argv[1:]
    if not argv or argv[0] in ("-h", "--help"): print(__doc__); return 0 if argv else 2
    cmd, env = resolve(argv)
    notebooks = [a for a in cmd if a.endswith(".ipynb")]
    g = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--guard", str(os.getpid()), "--", *cmd], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    got = []
    def stop(sig, frame=None, why=None):
        got.append((sig, why or signal.Signals(sig).name))
        try: g.send_signal(signal.SIGTERM)
        except ProcessLookupError: pass
    for s in STOP_SIGNALS: signal.signal(s, stop)
    watch = watched() if Path("/proc/self/stat").exists() else []
    names = {p: " ".join(Path(a).name if i == 0 else a for i, a in enumerate(_cmdline(p)[:3])) for p, _ in watch}
    def watcher():
        while g.poll() is None:
            for p, t in watch:
                if (st := _stat(p)) is None or st[2] != t or st[0] in "ZX":   # the shell or DVC is gone: nobody waits for this stage
                    return stop(signal.SIGHUP, why=f"`{names[p]}` (pid {p}) is gone")
            time.sleep(POLL_S)
    isatty = sys.stderr.isatty()
    f_out, f_err = Filter(sys.stdout.buffer, isatty), Filter(sys.stderr.buffer, isatty, errors=True)
    def pump(src, flt):
        for chunk in iter(lambda: os.read(src.fileno(), 65536), b""): flt.feed(chunk)
        flt.close()
    threads = [threading.Thread(target=pump, args=a, daemon=True) for a in ((g.stdout, f_out), (g.stderr, f_err))]
    threads.append(threading.Thread(target=watcher, daemon=True))
    for t in threads: t.start()
    rc = g.wait()
    for t in threads[:2]: t.join(timeout=5)
    lines = f_err.summary(notebooks[-1] if len(notebooks) >= 2 else None)
    if got: lines.append(f"run_stage: stopped ({got[0][1]}); every process of the stage is gone")
    if lines: f_err._write(("" if f_err.at_line_start else "\n").encode() + "".join(l + "\n" for l in lines).encode())
    if got: return 128 + got[0][0]
    return 128 - rc if rc < 0 else rc

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
