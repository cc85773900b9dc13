"The README is an entrance: short, its results block copied from reports/tables.md, its usage snippet runs as written."
import math, os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
HEADING = "## Use it on your own diffusers model"
MAX_LINES = 160


def readme_snippet() -> str:
    "The first ```python block under the usage heading of README.md."
    text = README.read_text(encoding="utf-8")
    assert HEADING in text, f"README.md has no '{HEADING}' section"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m, f"no ```python block under '{HEADING}'"
    return m.group(1)


def test_readme_is_short():
    n = len(README.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"README.md has {n} lines (at most {MAX_LINES}): move details next to what they describe"


def test_readme_results_block_matches_tables():
    out = subprocess.run([sys.executable, "tools/readme_table.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_readme_table_tool_refreshes_and_checks(tmp_path):
    "The tool copies a section verbatim, stops at the next `##` heading, and --check reports drift in one line."
    tables = tmp_path / "tables.md"
    tables.write_text("# T\n\n## Table 1: a\n\n| x |\n|---|\n| 1 |\n\n### sub\n\nkept\n\n## Table 10: b\n\nnot this\n")
    readme = tmp_path / "README.md"
    readme.write_text('intro\n<!-- BEGIN: tables.md "Table 1" -->\nstale\n<!-- END -->\nafter\n')
    run = lambda *a: subprocess.run([sys.executable, str(ROOT / "tools/readme_table.py"), "--readme", str(readme),
                                     "--tables", str(tables), *a], capture_output=True, text=True)
    bad = run("--check")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "Table 1" in bad.stderr
    assert run().returncode == 0
    assert readme.read_text() == ('intro\n<!-- BEGIN: tables.md "Table 1" -->\n\n| x |\n|---|\n| 1 |\n\n### sub\n\nkept\n\n'
                                  '<!-- END -->\nafter\n')
    assert run("--check").returncode == 0
    readme.write_text('<!-- BEGIN: tables.md "Table 2" -->\n<!-- END -->\n')
    missing = run("--check")
    assert missing.returncode == 1 and "Table 2" in missing.stderr


def test_readme_snippet_runs():
    "The usage snippet runs as written, in a fresh process from the repository root, and trains to a finite loss."
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    out = subprocess.run([sys.executable, "-c", readme_snippet()], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, f"the README snippet failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    losses = [float(x) for x in re.findall(r"loss (\S+?),", out.stdout)]
    assert losses and all(math.isfinite(x) for x in losses), out.stdout
    assert "sample (4, 3, 8, 8)" in out.stdout, out.stdout
