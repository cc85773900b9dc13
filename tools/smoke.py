"""The smoke profile (profiles/smoke.yaml: the whole pipeline with tiny sizes, a few minutes) in a workspace of its own.

    python tools/smoke.py [--fresh] [DVC REPRO ARGS...]      # what `make smoke` runs

The workspace is `.smoke/repo`: a copy of the tracked (and not ignored) files less the committed results, with the smoke
profile as its params.yaml, its own git repository, DVC cache and dvc.lock. The working copy's files are never written
(`.smoke/.gitignore` hides the folder from git; DVC skips it as a nested repository). Each call brings the copy up to
date with the working copy and runs `dvc pull data.dvc` and `dvc repro` there, so only what changed reruns; `--fresh`
starts from an empty workspace. The Python that runs this script is the one the pipeline runs in: its bin folder goes
first on PATH (papermill, dvc). Results: `.smoke/repo/metrics`, `.smoke/repo/reports/tables.md`.
"""
from __future__ import annotations
import filecmp, os, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKSPACE = ROOT / ".smoke"
# the pipeline's outputs and the committed results: the smoke run makes its own
SKIP_DIRS = ("metrics/", "plots/", "reports/", "samples/", "logs/", "models/", "checkpoints/", "data/", "teacher_samples/")
SKIP_FILES = ("dvc.lock", "params.yaml")

def tracked_files(root: Path = ROOT) -> list[str]:
    "The files a fresh clone of `root` has (tracked, and untracked but not ignored), as `git ls-files` names them."
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, capture_output=True, text=True, check=True)
    return sorted(f for f in out.stdout.split("\0") if f and (root / f).is_file())

def sync(dst: Path, root: Path = ROOT) -> int:
    "Bring `dst` up to date with `root`'s files (less the outputs); remove what an earlier sync copied and `root` no longer has. Returns the number of files written."
    dst.mkdir(parents=True, exist_ok=True)
    files = [f for f in tracked_files(root) if not f.startswith(SKIP_DIRS) and f not in SKIP_FILES]
    manifest = dst / ".dvc" / "tmp" / "smoke-files.txt"
    before = set(manifest.read_text().splitlines()) if manifest.exists() else set()
    for f in sorted(before - set(files)):
        (dst / f).unlink(missing_ok=True)
    n = 0
    for f in files:
        src, out = root / f, dst / f
        if out.is_file() and filecmp.cmp(src, out, shallow=False): continue
        out.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(src, out); n += 1
    profile = (root / "profiles" / "smoke.yaml").read_bytes()
    if not (dst / "params.yaml").is_file() or (dst / "params.yaml").read_bytes() != profile:
        (dst / "params.yaml").write_bytes(profile); n += 1
    manifest.parent.mkdir(parents=True, exist_ok=True); manifest.write_text("\n".join(files) + "\n")
    return n

def main(argv: list[str]) -> int:
    fresh = "--fresh" in argv
    args = [a for a in argv if a != "--fresh"]
    repo = WORKSPACE / "repo"
    WORKSPACE.mkdir(exist_ok=True)
    (WORKSPACE / ".gitignore").write_text("# tools/smoke.py's workspace (the smoke profile's run): not part of the repository\n*\n")
    if fresh and repo.exists(): shutil.rmtree(repo)
    n = sync(repo)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "DVC_NO_ANALYTICS": "1"}
    env.setdefault("OMP_NUM_THREADS", "1"); env.setdefault("PYTHONHASHSEED", "0")
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    dvc = str(bin_dir / "dvc") if (bin_dir / "dvc").exists() else "dvc"
    print(f"smoke: {repo.relative_to(ROOT)} ({n} files brought up to date), profiles/smoke.yaml as params.yaml", flush=True)
    for cmd in ([dvc, "pull", "-q", "data.dvc"], [dvc, "repro", *args]):
        rc = subprocess.run(cmd, cwd=repo, env=env).returncode
        if rc: return rc
    print(f"smoke: done; results in {repo.relative_to(ROOT)}/metrics and {repo.relative_to(ROOT)}/reports/tables.md", flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
