"""Copy sections of the pipeline-generated `reports/tables.md` into README.md's marked blocks.

A block in README.md

    <!-- BEGIN: tables.md "Does the paper's claim hold here?" -->
    ...
    <!-- END -->

holds, verbatim, the body of the `## ` section of reports/tables.md whose title is the quoted text (or
starts with it followed by ":", so "Table 1" names "## Table 1: base (teacher) vs RATS ..."): every
line up to the next `#` or `##` heading, without the heading itself. Numbers in the README are thus
the pipeline's, never typed by hand.

    python tools/readme_table.py            # rewrite the blocks of README.md in place
    python tools/readme_table.py --check    # exit 1 with one line if a block differs from reports/tables.md
"""
from __future__ import annotations
import argparse, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r'(<!-- BEGIN: tables\.md "(?P<title>[^"\n]+)" -->\n)(?P<body>.*?)(<!-- END -->)', re.S)
HEADING = re.compile(r"^#{1,2} ")


class SyncError(Exception):
    "A block that cannot be filled (no such section, no blocks at all)."


def section(tables: str, title: str) -> str:
    "The body of the `## title` section of `tables` (title matched exactly or as the part before ':')."
    out, inside, found = [], False, False
    for line in tables.splitlines():
        if HEADING.match(line):
            if inside: break
            name = line.lstrip("#").strip()
            inside = found = line.startswith("## ") and (name == title or name.startswith(title + ":"))
            continue
        if inside: out.append(line)
    if not found:
        raise SyncError(f'reports/tables.md has no section "## {title}"')
    return "\n".join(out).strip("\n")


def render(readme: str, tables: str) -> str:
    "README text with every marked block refilled from `tables`."
    if not BLOCK.search(readme): raise SyncError('README.md has no <!-- BEGIN: tables.md "..." --> block')
    return BLOCK.sub(lambda m: f"{m.group(1)}\n{section(tables, m.group('title'))}\n\n{m.group(4)}", readme)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="only compare; exit 1 if README.md is out of date")
    p.add_argument("--readme", type=Path, default=ROOT / "README.md")
    p.add_argument("--tables", type=Path, default=ROOT / "reports" / "tables.md")
    a = p.parse_args(argv)
    try:
        old = a.readme.read_text(encoding="utf-8")
        new = render(old, a.tables.read_text(encoding="utf-8"))
    except (OSError, SyncError) as e:
        print(f"readme_table: {e}", file=sys.stderr); return 1
    if a.check:
        if new != old:
            stale = [m.group("title") for m, n in zip(BLOCK.finditer(old), BLOCK.finditer(new)) if m.group(0) != n.group(0)]
            print(f"readme_table: README.md differs from reports/tables.md in block(s) {stale}; run `python tools/readme_table.py`",
                  file=sys.stderr)
            return 1
        return 0
    if new != old: a.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
