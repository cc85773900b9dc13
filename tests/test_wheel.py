"`pip install` of the built wheel into a fresh virtual environment outside the repo runs a training step, with no nbs/ in sight; every module imports, or says which extra it needs."
import json, os, subprocess, sys, textwrap
from pathlib import Path
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import os, sys, torch, rats
    assert "site-packages" in rats.__file__, rats.__file__
    from rats.core.step import RATSLoss, method_config, train_step
    from rats.core.teacher import EMATeacher
    from rats.core.tiny import tiny_unet, tiny_batch, TinyColourReward
    student = tiny_unet(0); teacher = EMATeacher(student)
    noise, cond, labels = tiny_batch(4)
    opt = torch.optim.AdamW(student.parameters(), 1e-4)
    stats = train_step(RATSLoss(method_config("rats", K=3, N=6)), student, teacher, opt, noise, cond, lambda x: x, TinyColourReward(), labels)
    import importlib.util
    for dev_tool in ("nbdev", "fastcore", "execnb", "papermill"):
        assert importlib.util.find_spec(dev_tool) is None, dev_tool + " leaked into the runtime install"
    print("OK", round(stats["loss"], 4))
""")

# every module of the installed wheel, imported with the base dependencies only: {module: None, or the ImportError's message}
IMPORT_ALL = textwrap.dedent("""
    import importlib, json, pkgutil, rats
    out = {}
    for m in pkgutil.walk_packages(rats.__path__, "rats."):
        try: importlib.import_module(m.name); out[m.name] = None
        except ImportError as e: out[m.name] = str(e)
    print(json.dumps(out))
""")
EXTRAS = ("lora", "train", "pipeline", "hpsv2", "imagereward")
NEEDS_EXTRA = {"rats.toy.report": "rats.toy.report needs pandas: pip install 'rats[pipeline]'"}   # the exact messages

@pytest.mark.slow
def test_wheel_installs_and_trains(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)], check=True)
    wheel = next(dist.glob("rats-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    torch_spec = "torch==" + torch.__version__.split("+")[0]     # the installed build (CPU here), so pip does not fetch another
    subprocess.run([str(py), "-m", "pip", "install", "-q", torch_spec], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True)
    out = subprocess.run([str(py), "-c", SCRIPT], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.startswith("OK"), out.stdout
    out = subprocess.run([str(py), "-c", IMPORT_ALL], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    failed = {m: e for m, e in json.loads(out.stdout.splitlines()[-1]).items() if e is not None}
    assert "rats.core.step" not in failed and len(failed) < 5, failed      # the modules were found and most import
    for m, e in failed.items():                                           # the rest say what to install, in one line
        assert any(f"pip install 'rats[{x}]'" in e for x in EXTRAS) and e.startswith(m + " needs "), (m, e)
    assert {m: failed.get(m) for m in NEEDS_EXTRA} == NEEDS_EXTRA
