"Every notebook's tests (the cells under each exported function) run as one pytest test per notebook."
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
# the literate notebooks (rats.core, rats.toy, rats.real) and the index; nbs/pipeline/ holds the stage notebooks DVC runs
NBS = sorted(p for d in ("core", "toy", "real") for p in (ROOT / "nbs" / d).glob("*.ipynb")) + [ROOT / "nbs" / "index.ipynb"]

@pytest.mark.parametrize("nb", NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, monkeypatch):
    from nbdev.test import test_nb
    monkeypatch.chdir(nb.parent)
    ok, _ = test_nb(nb, skip_flags=["slow"], do_print=False)
    assert ok, f"{nb.name} failed (run `nbdev_test --path {nb}` to see the traceback)"

def test_notebook_numbers_unique():
    nums = [p.name.split("_")[0] for p in NBS if p.name[0].isdigit()]
    assert len(nums) == len(set(nums)), f"two notebooks share a number: {sorted(nums)}"

def test_notebooks_small():
    big = [(p.name, p.stat().st_size) for p in NBS if p.stat().st_size > 1_000_000]
    assert not big, f"notebooks over 1 MB (strip large outputs): {big}"

def test_index_lists_every_notebook():
    import json
    index = "".join("".join(c["source"]) for c in json.loads((ROOT / "nbs" / "index.ipynb").read_text())["cells"])
    every = [p for p in (ROOT / "nbs").rglob("*.ipynb") if p.name != "index.ipynb" and ".ipynb_checkpoints" not in p.parts]
    missing = [str(p.relative_to(ROOT / "nbs")) for p in every if f"({p.relative_to(ROOT / 'nbs').as_posix()})" not in index]
    assert not missing, f"nbs/index.ipynb does not list: {missing}"

def test_no_notebook_or_module_cites_unseen_documents():
    import re
    bad = re.compile(r"DESIGN\.md|[Tt]he issue\b|design document|\bissue \d")
    hits = [str(p.relative_to(ROOT)) for d in ("nbs", "rats") for p in (ROOT / d).rglob("*")
            if p.suffix in (".ipynb", ".py") and ".ipynb_checkpoints" not in p.parts and bad.search(p.read_text())]
    assert not hits, f"these cite documents a reader does not have: {hits}"

def test_notebooks_have_tests():
    "A notebook whose cells are all exports (or none at all: a botched rewrite) passes nbdev_test while testing nothing."
    import json
    def tests(p):
        srcs = ["".join(c["source"]).lstrip() for c in json.loads(p.read_text())["cells"] if c["cell_type"] == "code"]
        return [s for s in srcs if s and not s.startswith(("#| export", "#| default_exp", "#|export", "#|default_exp"))]
    bare = [p.name for p in NBS if p.name != "index.ipynb" and len(tests(p)) < 2]     # the nbdev_export cell, and at least one test
    assert not bare, f"notebooks without test cells: {bare}"
