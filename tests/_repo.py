"Helpers of the pipeline tests: run a command that must succeed, copy the working tree as a fresh clone would have it."
import shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tools"))
from smoke import tracked_files   # what a fresh clone has: one definition for the tests and `make smoke`

def run_ok(args, cwd, env) -> str:
    "Run `args`; fail the test with the tail of its output unless it exits 0. Returns stdout + stderr."
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, f"{' '.join(map(str, args))} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout + out.stderr

def copy_worktree(dst: Path, skip=()) -> Path:
    "Copy the tracked and unignored files to `dst`, leaving out paths that start with any prefix in `skip`."
    for f in tracked_files(ROOT):
        if not f.startswith(tuple(skip)):
            (dst / f).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(ROOT / f, dst / f)
    return dst
