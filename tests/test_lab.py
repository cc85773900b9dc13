"""`make lab`'s server: JupyterLab from .venv answers on the notebooks folder and runs a project notebook.

Starts `jupyter lab` headless on a free port with a random token, checks that JupyterLab serves /lab and
/api/status, then opens a session on the gate notebook (its kernel: the venv's python3, cwd the notebook's
folder) and runs the notebook's code cells over the kernel's websocket (Jupyter messaging protocol).
The server and its kernel are always stopped, even when the test fails."""
import json, os, re, secrets, signal, socket, subprocess, sys, time, urllib.error, urllib.request, uuid
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
BIN = Path(sys.executable).parent
START_S, CELL_S = 45, 30              # bounds: server start-up, one cell (torch's import included)

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def _alive(pid) -> bool:
    try: os.kill(pid, 0)
    except (ProcessLookupError, PermissionError): return False
    return True

def _gate_notebook() -> Path:
    "The notebook that defines the reward-aware gate: nbs/core/03_gate.ipynb (nbs/03_gate.ipynb before the move)."
    found = sorted(NBS.glob("**/03_gate.ipynb"), key=lambda p: -len(p.parts))   # the moved copy first
    assert found, f"no 03_gate.ipynb under {NBS}"
    return found[0]

def _code_cells(nb: Path) -> list[str]:
    "The cells a test run executes: code cells, less nbdev's export/test calls and `#| eval: false` cells (as nbdev_test)."
    cells = json.loads(nb.read_text())["cells"]
    srcs = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [s for s in srcs if s.strip() and not re.search(r"nbdev_(export|test)\(", s)
            and not re.search(r"^#\|\s*eval:\s*false", s, re.M)]

class Lab:
    "A running `jupyter lab` server: REST calls with its token, its kernel's pid for the teardown."
    def __init__(self, proc, port, token, log):
        self.proc, self.port, self.token, self.log, self.kernel_pid = proc, port, token, log, None
        self.url = f"http://127.0.0.1:{port}"

    def request(self, method, path, body=None, token=True, timeout=15):
        "(status, content type, body text) of one HTTP request to the server."
        url = self.url + path + (("&" if "?" in path else "?") + f"token={self.token}" if token else "")
        req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

@pytest.fixture
def lab(tmp_path):
    port, token, log = _free_port(), secrets.token_hex(16), tmp_path / "lab.log"
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"), JUPYTER_PREFER_ENV_PATH="1",
               # nothing read from or written to the user's Jupyter/IPython folders
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), IPYTHONDIR=str(tmp_path / "ipython"),
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.token={token}", f"--ServerApp.root_dir={NBS}"] + ["--allow-root"] * (os.geteuid() == 0)
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Lab(proc, port, token, log)
    try:
        deadline = time.monotonic() + START_S
        while True:
            assert proc.poll() is None, f"jupyter lab exited with {proc.returncode}:\n{server.log_tail()}"
            try:
                if server.request("GET", "/api/status", timeout=2)[0] == 200: break
            except OSError: pass
            assert time.monotonic() < deadline, f"jupyter lab did not answer within {START_S} s:\n{server.log_tail()}"
            time.sleep(0.25)
        yield server
    finally:
        try: server.request("POST", "/api/shutdown", timeout=10)   # shuts the kernels down, then stops
        except OSError: pass
        try: proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            try: proc.wait(timeout=5)
            except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait(timeout=5)
        pid = server.kernel_pid                                    # the kernel runs in a session of its own
        if pid and _alive(pid):
            t = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < t: time.sleep(0.1)
            if _alive(pid): os.killpg(pid, signal.SIGKILL)

class Kernel:
    "One kernel's websocket (/api/kernels/<id>/channels): execute code, collect its replies and outputs."
    def __init__(self, lab: Lab, kernel_id: str):
        import websocket                                           # websocket-client: a dependency of jupyter_server
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels"
                                              f"?session_id={self.session}&token={lab.token}", timeout=15)

    def _send(self, msg_type, content) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({"channel": "shell", "content": content, "metadata": {}, "parent_header": {},
                                 "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                                            "username": "test", "date": "", "version": "5.3"}}))
        return msg_id

    def _until(self, msg_id, timeout, what):
        "The reply to `msg_id` and its iopub messages, once both the reply and the kernel's 'idle' arrived."
        import websocket
        deadline, reply, iopub, idle = time.monotonic() + timeout, None, [], False
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0: raise TimeoutError(f"no reply within {timeout} s to {what}")
            self.ws.settimeout(left)
            try: msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException: continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id: continue
            if msg["channel"] == "shell": reply = msg
            elif msg["channel"] == "iopub":
                if msg["msg_type"] == "status": idle = idle or msg["content"]["execution_state"] == "idle"
                else: iopub.append(msg)
        return reply, iopub

    def ready(self, timeout=CELL_S):
        "Wait for the kernel to answer (kernel_info_request, retried while it starts)."
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply, _ = self._until(self._send("kernel_info_request", {}), min(5, deadline - time.monotonic()), "kernel_info")
                return reply["content"]
            except TimeoutError:
                if time.monotonic() >= deadline: raise

    def execute(self, code, timeout=CELL_S):
        "(reply content, outputs): outputs are the iopub stream/result/display/error messages of this cell."
        reply, iopub = self._until(self._send("execute_request", {"code": code, "silent": False, "store_history": True,
                                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}), timeout, code[:60])
        return reply["content"], iopub

    def close(self): self.ws.close()

def _text(outputs) -> str:
    "The text a reader sees: streams, text/plain results and tracebacks."
    parts = []
    for m in outputs:
        c = m["content"]
        if m["msg_type"] == "stream": parts.append(c["text"])
        elif m["msg_type"] in ("execute_result", "display_data"): parts.append(c["data"].get("text/plain", ""))
        elif m["msg_type"] == "error": parts.append("\n".join(c["traceback"]))
    return "".join(parts)

@pytest.mark.slow
def test_lab_serves_and_runs_gate_notebook(lab):
    # JupyterLab (not just a Jupyter server) answers, behind the token
    status, ctype, body = lab.request("GET", "/lab")
    assert status == 200 and "text/html" in ctype and "JupyterLab" in body, (status, ctype, body[:500])
    status, _, body = lab.request("GET", "/api/status")
    assert status == 200 and "started" in json.loads(body), body
    assert lab.request("GET", "/api/kernels", token=False)[0] == 403            # no token, no kernels
    specs = json.loads(lab.request("GET", "/api/kernelspecs")[2])
    assert "python3" in specs["kernelspecs"], specs

    # a session on the notebook: its kernel (python3) starts in the notebook's folder
    nb = _gate_notebook()
    rel = nb.relative_to(NBS).as_posix()
    status, _, body = lab.request("POST", "/api/sessions", {"path": rel, "name": nb.name, "type": "notebook",
                                                            "kernel": {"name": "python3"}}, timeout=CELL_S)
    assert status == 201, (status, body)
    session = json.loads(body)
    kernel_id = session["kernel"]["id"]
    assert any(k["id"] == kernel_id for k in json.loads(lab.request("GET", "/api/kernels")[2]))

    kernel = Kernel(lab, kernel_id)
    try:
        assert kernel.ready()["language_info"]["name"] == "python"
        reply, out = kernel.execute("import os, sys, json; print(json.dumps({'pid': os.getpid(), 'cwd': os.getcwd(), "
                                    "'prefix': sys.prefix, 'omp': os.environ.get('OMP_NUM_THREADS')}))")
        assert reply["status"] == "ok", _text(out)
        info = json.loads(_text(out).strip().splitlines()[-1])
        lab.kernel_pid = info["pid"]
        assert Path(info["cwd"]).resolve() == nb.parent.resolve(), info                  # the notebook's folder
        assert Path(info["prefix"]).resolve() == Path(sys.prefix).resolve(), info        # the project's venv kernel
        assert info["omp"] == os.environ.get("OMP_NUM_THREADS", "1"), info

        cells = _code_cells(nb)
        assert len(cells) >= 5, f"{rel}: only {len(cells)} code cells"
        for i, code in enumerate(cells):
            reply, out = kernel.execute(code)
            assert reply["status"] == "ok", f"{rel} cell {i} failed:\n{code[:400]}\n---\n{_text(out)[-3000:]}"

        # what the notebook defined is there and computes the gate; the kernel imports the working tree's rats
        m = re.search(r"^#\|\s*default_exp\s+(\S+)", cells[0], re.M)
        assert m, f"{rel}: no default_exp in its first cell"
        reply, out = kernel.execute(
            "import importlib, rats, torch\n"
            f"lib = importlib.import_module('rats.{m.group(1)}')\n"
            "print('rats from', rats.__file__)\n"
            "print('gate', round(float(soft_gate(torch.tensor([1.]), torch.tensor([0.]))[0]), 4),"
            " round(float(lib.soft_gate(torch.tensor([1.]), torch.tensor([0.]))[0]), 4))\n"
            "RewardGate('hard', margin=5)(torch.tensor([10., 30.]), torch.tensor([0., 40.]))[0].tolist()")
        text = _text(out)
        assert reply["status"] == "ok", text
        assert f"rats from {ROOT / 'rats'}" in text, text
        assert "gate 0.7311 0.7311" in text, text                                          # sigmoid(1), both copies
        results = [o for o in out if o["msg_type"] == "execute_result"]
        assert results and results[-1]["content"]["data"]["text/plain"] == "[1.0, 0.0]", text
    finally:
        kernel.close()
        try: lab.request("DELETE", f"/api/sessions/{session['id']}", timeout=CELL_S)      # stops the kernel
        except OSError: pass                                                              # the fixture's shutdown does
