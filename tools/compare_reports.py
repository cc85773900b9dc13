"""Does a second run reproduce the committed tables? Compare two `tables.md` written by the report stage.

Usage: python tools/compare_reports.py REFERENCE OTHER [--out FILE]
  e.g. after `make repro` in a fresh clone on another machine:
       python tools/compare_reports.py reports/tables.md /path/to/clone/reports/tables.md
  (also works on video/reports/tables.md). Exit status 0 when OTHER reproduces REFERENCE, 1 when not, 2 on bad input.

The rule is the one the project states for a rerun elsewhere: every table cell that carries a 95% interval in REFERENCE
("x [lo, hi]") must have its estimate in OTHER inside that interval, and every verdict must be the same: the words of a
cell ("no difference", "worse", "beats", ...) and the sentences of the report with their numbers masked ("Precondition
holds.", "bar 0.80: holds", "hacked at NFE 3, 5, 8"); an interval inside a sentence is judged like a cell. The reverse
direction (REFERENCE's estimate inside OTHER's interval) is printed beside it, and so is the two-sample view: two runs
that differ only by training noise put the other's estimate outside a 95% interval far more often than 5% of the time
(about 17% when their noise is equal), while their difference should lie within 1.96 joint standard errors (each read
off its interval) 95% of the time. Cells with a number and no interval (timings, FD, per-column accuracies) cannot be
judged by an interval: their largest differences are listed for information. Rows are matched by their leading text
cells (model, metric, comparison), so the same row in another order still matches.
"""
import argparse, re, sys
from pathlib import Path
from rats.core.stats import fmt_ci

NUM = r"[+\-\u2212]?\d+(?:\.\d+)?(?:e[+\-]?\d+)?"
INTERVAL = re.compile(rf"^\s*({NUM})\s*\[({NUM}),\s*({NUM})\]\s*(.*?)\s*$")
INTERVAL_IN_TEXT = re.compile(rf"({NUM})\s*\[({NUM}),\s*({NUM})\]")
NUMBER = re.compile(rf"^\s*({NUM})\s*$")
ANY_NUM = re.compile(NUM)

def _num(s: str) -> float: return float(s.replace("\u2212", "-"))

def _mask(s: str) -> str:
    "A line with its numbers replaced by '#': what must read the same in both reports."
    return ANY_NUM.sub("#", s).strip()

def parse_cell(s: str):
    "('interval', (x, lo, hi, words)) | ('number', x) | ('text', s) for one table cell."
    if m := INTERVAL.match(s): return "interval", (_num(m[1]), _num(m[2]), _num(m[3]), m[4])
    if m := NUMBER.match(s): return "number", _num(m[1])
    return "text", s.strip()

def _cells(line: str) -> list:
    return [c.strip() for c in line.strip().strip("|").split("|")]

def parse_report(text: str) -> tuple:
    """`(cells, lines)`: cells maps (section, table header, row key, column) to a parsed cell; lines maps a section to
    its prose lines, numbers masked. A section is the nearest heading (and a '(a)'-style label under it); a row's key
    is its first cell and the text cells after it, up to the first number or interval."""
    cells, lines, heading, section, header = {}, {}, "", "", None
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("#"): heading = section = line.lstrip("#").strip(); header = None; continue
        if not line.strip(): header = None; continue
        if line.lstrip().startswith("|"):
            row = _cells(line)
            if header is None: header = tuple(row); continue
            if all(set(c) <= set("-:") for c in row): continue
            n = 1                                        # the first cell is always part of the key (NFE 3, ...)
            while n < len(row) and parse_cell(row[n])[0] == "text": n += 1
            for col, c in list(zip(header, row))[n:]: cells[(section, header[0], tuple(row[:n]), col)] = parse_cell(c)
            continue
        header = None
        if m := re.match(r"^\(([a-z])\)\s", line.strip()): section = f"{heading} ({m[1]})"
        lines.setdefault(section, []).append(_mask(line))
        for i, m in enumerate(INTERVAL_IN_TEXT.finditer(line)):   # intervals in a sentence are judged too (by position)
            cells[(section, "text", (str(len(lines[section])),), str(i + 1))] = ("interval", (*map(_num, m.groups()), ""))
    return cells, lines

def compare(ref_text: str, other_text: str) -> dict:
    "Cell-by-cell comparison of two reports; see the module's docstring for the rule."
    ref, ref_lines = parse_report(ref_text)
    oth, oth_lines = parse_report(other_text)
    out = dict(intervals=0, inside=0, inside_reverse=0, joint=0, outside=[], verdicts=[], missing=[], numbers=[], prose=[])
    for k, (kind, v) in ref.items():
        if k not in oth: out["missing"].append(k); continue
        okind, ov = oth[k]
        if kind == "interval":
            out["intervals"] += 1
            if okind != "interval": out["outside"].append((k, v, ov)); continue
            (x, lo, hi, words), (ox, olo, ohi, owords) = v, ov
            if lo <= ox <= hi: out["inside"] += 1
            else: out["outside"].append((k, v, ov))
            if olo <= x <= ohi: out["inside_reverse"] += 1
            se, ose = (hi - lo) / (2 * 1.96), (ohi - olo) / (2 * 1.96)      # each run's standard error, from its interval
            if abs(ox - x) <= 1.96 * (se * se + ose * ose) ** 0.5: out["joint"] += 1
            if words != owords: out["verdicts"].append((k, words, owords))
        elif kind == "number":
            if okind == "number": out["numbers"].append((k, v, ov))
            else: out["verdicts"].append((k, v, ov))
        elif _mask(v) != (_mask(ov) if okind == "text" else None):
            out["verdicts"].append((k, v, ov))
    for sec, ls in ref_lines.items():
        ols = oth_lines.get(sec, [])
        for a, b in zip(ls, ols):
            if a != b: out["prose"].append((sec, a, b))
        if len(ls) != len(ols): out["prose"].append((sec, f"{len(ls)} lines", f"{len(ols)} lines"))
    out["reproduced"] = not (out["outside"] or out["verdicts"] or out["missing"] or out["prose"])
    return out

def _fmt(v) -> str:
    if isinstance(v, tuple) and len(v) == 4: return f"{fmt_ci(*v[:3], sign=True)} {v[3]}".strip()
    return str(v)

def _where(k) -> str:
    if k[1] == "text": return f"{k[0]} / line {k[2][0]} / interval {k[3]}"
    return f"{k[0]} / {' '.join(k[2])} / {k[3]}"

def report_md(r: dict, top: int = 10) -> str:
    "The comparison as markdown: the verdict first, then what differs."
    n = r["intervals"]
    out = [f"**{'Reproduced' if r['reproduced'] else 'Not reproduced'}**: {r['inside']} of {n} interval cells have the "
           f"other run's estimate inside the reference's 95% interval ({n - r['inside']} outside); the other way round "
           f"{r['inside_reverse']} of {n}; the two estimates within 1.96 joint standard errors of each other (both runs' "
           f"noise, the two-sample test): {r['joint']} of {n}. Verdicts that differ: {len(r['verdicts'])} cells, "
           f"{len(r['prose'])} report lines; cells missing from the other run: {len(r['missing'])}.", ""]
    if r["outside"]:
        out += ["Estimates outside the reference's interval:", "", "| where | reference | other |", "|---|---|---|"]
        out += [f"| {_where(k)} | {_fmt(a)} | {_fmt(b)} |" for k, a, b in r["outside"]] + [""]
    if r["verdicts"]:
        out += ["Verdicts that differ:", "", "| where | reference | other |", "|---|---|---|"]
        out += [f"| {_where(k)} | {_fmt(a)} | {_fmt(b)} |" for k, a, b in r["verdicts"]] + [""]
    if r["prose"]:
        out += ["Report lines that differ (numbers masked as #):", ""]
        out += [f"- {s}: `{a}` vs `{b}`" for s, a, b in r["prose"]] + [""]
    if r["missing"]: out += ["Missing from the other run: " + "; ".join(_where(k) for k in r["missing"][:top]), ""]
    diffs = sorted((t for t in r["numbers"] if t[1] != t[2]), key=lambda t: -abs(t[2] - t[1]) / max(abs(t[1]), 1e-9))
    out += [f"Cells with a number and no interval: {len(r['numbers'])} (not judged), {len(diffs)} of them differ."]
    if diffs:
        out += [f"The {min(top, len(diffs))} largest relative differences:", "", "| where | reference | other |",
                "|---|---|---|"]
        out += [f"| {_where(k)} | {a:g} | {b:g} |" for k, a, b in diffs[:top]] + [""]
    return "\n".join(out)

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference"); ap.add_argument("other"); ap.add_argument("--out", help="also write the comparison here")
    a = ap.parse_args(argv)
    for p in (a.reference, a.other):
        if not Path(p).is_file(): print(f"compare_reports: no such report: {p}", file=sys.stderr); return 2
    r = compare(Path(a.reference).read_text(), Path(a.other).read_text())
    if not r["intervals"]:
        print(f"compare_reports: {a.reference} has no interval cells: is it a tables.md?", file=sys.stderr); return 2
    md = report_md(r)
    print(md)
    if a.out: Path(a.out).write_text(md + "\n")
    return 0 if r["reproduced"] else 1

if __name__ == "__main__":
    sys.exit(main())
