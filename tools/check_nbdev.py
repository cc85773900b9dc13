"""Fail when the notebooks are not clean (`nbdev_clean`) or `rats/` is out of sync (`nbdev_export`).

Runs both tools and compares every file under nbs/ and rats/ before and after: CI's
'notebooks not clean' and 'library out of sync' checks, independent of git state."""
import hashlib, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def snapshot(*dirs):
    return {p.relative_to(ROOT): hashlib.sha256(p.read_bytes()).hexdigest()
            for d in dirs for p in sorted((ROOT / d).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}

def changed(before, after):
    return sorted(str(k) for k in set(before) | set(after) if before.get(k) != after.get(k))

def run(tool):
    subprocess.run([str(BIN / tool)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)

b = snapshot("nbs"); run("nbdev_clean"); c = changed(b, snapshot("nbs"))
if c: sys.exit("notebooks not clean (nbdev_clean changed them; commit the cleaned files):\n  " + "\n  ".join(c))
b = snapshot("rats"); run("nbdev_export"); c = changed(b, snapshot("rats"))
if c: sys.exit("library out of sync with the notebooks (nbdev_export changed rats/; commit it):\n  " + "\n  ".join(c))
# modules left behind after a notebook was renamed or removed
import json
exported = set()
for nb in (ROOT / "nbs").rglob("*.ipynb"):
    for cell in json.loads(nb.read_text())["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if line.startswith("#| default_exp"):
                exported.add(line.split()[-1].replace(".", "/") + ".py")
stale = [str(p.relative_to(ROOT)) for p in (ROOT / "rats").rglob("*.py")
         if p.name not in ("__init__.py", "_modidx.py") and p.relative_to(ROOT / "rats").as_posix() not in exported]
if stale: sys.exit("modules in rats/ that no notebook exports (left behind by a rename?):\n  " + "\n  ".join(stale))
print("nbdev check: notebooks clean, rats/ in sync")
