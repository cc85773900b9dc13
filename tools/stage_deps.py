"""The rats modules a stage notebook runs: those it imports and, transitively, those they import.

`python tools/stage_deps.py nbs/pipeline/students.ipynb` prints them; `python tools/stage_deps.py --write` writes them into dvc.yaml, real/dvc.yaml and video/dvc.yaml; tests/test_pipeline_deps.py checks that
every stage of dvc.yaml lists exactly these, so that a change to code a stage runs reruns it, and no other change does."""
import ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _imports(src: str, pkg: str = "") -> set[str]:
    "The rats modules `src` imports (absolute or relative to `pkg`), at any depth of the code."
    out = set()
    try: tree = ast.parse(src)
    except SyntaxError: return out
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            mod = n.module or ""
            if n.level: mod = ".".join(pkg.split(".")[:len(pkg.split(".")) - n.level + 1] + ([mod] if mod else []))
            if mod == "rats" or mod.startswith("rats."):
                for a in n.names:
                    sub = f"{mod}.{a.name}"
                    out.add(sub if (ROOT / (sub.replace(".", "/") + ".py")).exists() else mod)
        elif isinstance(n, ast.Import):
            out |= {a.name for a in n.names if a.name.startswith("rats.")}
    return {m for m in out if (ROOT / (m.replace(".", "/") + ".py")).exists()}

def closure(mods: set[str]) -> set[str]:
    seen, todo = set(), list(mods)
    while todo:
        m = todo.pop()
        if m in seen: continue
        seen.add(m)
        todo += _imports((ROOT / (m.replace(".", "/") + ".py")).read_text(), m.rsplit(".", 1)[0])
    return seen

def notebook_deps(nb: str | Path) -> list[str]:
    "rats/ files a stage notebook runs, as dvc.yaml deps (rats.toy.params and rats.toy.video_params, the schemas every stage checks first, are left out: a new check reruns nothing)."
    cells = json.loads(Path(nb).read_text())["cells"]
    src = "\n".join(re.sub(r"^[!%].*$", "", "".join(c["source"]), flags=re.M) for c in cells if c["cell_type"] == "code")
    skip = {"rats.toy.params", "rats.toy.video_params"}
    mods = closure(_imports(src) - skip) - skip
    return sorted(m.replace(".", "/") + ".py" for m in mods)


def write(dvc_yaml: str | Path, prefix: str = "") -> None:
    "Rewrite the rats/ entries of every stage's `deps: [...]` in `dvc_yaml` (flow style) to what its notebook runs."
    import textwrap, yaml
    path = ROOT / dvc_yaml; text = path.read_text()
    stages = yaml.safe_load(text)["stages"]
    for name, st in stages.items():
        nb = next((d for d in st.get("deps", []) if d.endswith(".ipynb")), None)
        if nb is None: continue                        # a stage that runs no notebook (the params check)
        deps = [d for d in st["deps"] if not d.startswith(prefix + "rats/")]
        deps += [prefix + d for d in notebook_deps(ROOT / "nbs" / "pipeline" / Path(nb).name)]
        m = re.search(rf"(?ms)^  {name}:\n.*?^(    deps: )\[.*?\]\n", text)
        body = textwrap.fill(", ".join(deps), width=130, initial_indent=" " * 11, subsequent_indent=" " * 11).lstrip()
        text = text[:m.start(1)] + f"    deps: [{body}]\n" + text[m.end():]
    path.write_text(text)

if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]: write("dvc.yaml"); write("real/dvc.yaml", "../"); write("video/dvc.yaml", "../")
    else:
        for nb in sys.argv[1:]: print(nb, notebook_deps(nb))
