"tools/compare_reports.py: when does a second run's tables.md count as reproducing the committed one?"
import re, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from compare_reports import compare, main, parse_cell, parse_report, report_md

REF = """# Tables

## Table 0: precondition

| NFE | all | n |
|---|---|---|
| 3 | 0.661 [0.619, 0.704] | 2000 |
| 50 | 0.773 [0.731, 0.813] | 2000 |

Open-prompt gap: +0.269 [0.221, 0.321] (its lower bound must exceed 0.15: yes). Precondition holds.

## Claim

| comparison | NFE 3 | NFE 5 |
|---|---|---|
| rats − teacher@50, verifier | -0.047 [-0.072, -0.023] worse | -0.033 [-0.063, 0.008] no difference |
| rats − mix, verifier | +0.006 [-0.033, 0.045] no difference | +0.002 [-0.035, 0.036] no difference |

| run | model | train_s |
|---|---|---|
| rats_s0 | rats | 187.3 |
"""

def test_parse_cell():
    assert parse_cell("-0.047 [-0.072, -0.023] worse") == ("interval", (-0.047, -0.072, -0.023, "worse"))
    assert parse_cell("+0.006 [−0.033, 0.045]") == ("interval", (0.006, -0.033, 0.045, ""))
    assert parse_cell(" 187.3 ") == ("number", 187.3)
    assert parse_cell("rats − teacher@50, verifier") == ("text", "rats − teacher@50, verifier")

def test_same_report_reproduces():
    r = compare(REF, REF)
    assert r["reproduced"] and r["intervals"] == 7 and r["inside"] == r["inside_reverse"] == r["joint"] == 7  # 6 cells, 1 sentence

def test_numbers_move_inside_intervals_and_rows_reorder():
    other = (REF.replace("0.661 [0.619, 0.704]", "0.650 [0.600, 0.690]").replace("187.3", "240.0")
             .replace("| rats − mix, verifier | +0.006 [-0.033, 0.045] no difference | +0.002 [-0.035, 0.036] no difference |\n", "")
             .replace("| rats − teacher@50", "| rats − mix, verifier | +0.006 [-0.033, 0.045] no difference | +0.002 [-0.035, 0.036] no difference |\n| rats − teacher@50"))
    r = compare(REF, other)
    assert r["reproduced"], report_md(r)
    assert [(k[3], a, b) for k, a, b in r["numbers"] if a != b] == [("train_s", 187.3, 240.0)]   # listed, not judged

def test_estimate_outside_the_interval_fails():
    r = compare(REF, REF.replace("0.773 [0.731, 0.813]", "0.720 [0.680, 0.760]"))
    assert not r["reproduced"] and r["inside"] == 6 and r["inside_reverse"] == 6
    assert [k[2] for k, _, _ in r["outside"]] == [("50",)] and r["joint"] == 7   # 0.053 apart: inside the joint noise
    assert compare(REF, REF.replace("0.773 [0.731, 0.813]", "0.650 [0.610, 0.690]"))["joint"] == 6
    assert "Not reproduced" in report_md(r) and "0.720" in report_md(r)

def test_verdicts_must_match():
    r = compare(REF, REF.replace("-0.033 [-0.063, 0.008] no difference", "-0.040 [-0.063, -0.008] worse"))
    assert not r["reproduced"] and r["inside"] == 7 and len(r["verdicts"]) == 1
    r = compare(REF, REF.replace("0.15: yes). Precondition holds.", "0.15: no). Precondition fails."))
    assert not r["reproduced"] and len(r["prose"]) == 1 and r["inside"] == 7
    r = compare(REF, REF.replace("+0.269 [0.221, 0.321]", "+0.150 [0.100, 0.200]"))     # an interval in a sentence
    assert not r["reproduced"] and [k[1] for k, _, _ in r["outside"]] == ["text"]

def test_missing_rows_fail():
    r = compare(REF, REF.replace("| 50 | 0.773 [0.731, 0.813] | 2000 |\n", ""))
    assert not r["reproduced"] and len(r["missing"]) == 2

def test_main_exit_codes(tmp_path, capsys):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(REF); b.write_text(REF.replace("0.773 [0.731, 0.813]", "0.700 [0.650, 0.750]"))
    assert main([str(a), str(a)]) == 0
    assert main([str(a), str(b), "--out", str(tmp_path / "c.md")]) == 1
    assert "Not reproduced" in (tmp_path / "c.md").read_text()
    assert main([str(a), str(tmp_path / "none.md")]) == 2
    (tmp_path / "e.md").write_text("# nothing\n")
    assert main([str(tmp_path / "e.md"), str(a)]) == 2
    assert "no such report" in capsys.readouterr().err

@pytest.mark.parametrize("report", ["reports/tables.md", "video/reports/tables.md"])
def test_committed_reports(report):
    "The pipeline's own reports parse: every interval cell found, each under a heading; a moved claim cell is caught."
    text = (ROOT / report).read_text()
    cells, _ = parse_report(text)
    claim = next(l for l in text.splitlines() if re.search(r"\]:? \**(worse|beats)", l))     # the first claim decided
    same = compare(text, text)
    assert all(k[0] for k in cells) and same["reproduced"] and same["intervals"] > 100
    x, lo, hi = re.search(r"([+-]\d+\.\d+) \[([-\d.]+), ([-\d.]+)\]", claim).groups()
    moved = text.replace(claim, claim.replace(f"{x} [", f"{float(hi) + 1:+.3f} [", 1))
    r = compare(text, moved)
    assert not r["reproduced"] and len(r["outside"]) == 1
