"""Wall time of each pipeline stage, read from papermill's metadata in the executed notebooks.

Usage: python tools/stage_times.py [reports/notebooks]   (prints a markdown table)
"""
import json, sys
from pathlib import Path

STAGES = ("world", "teacher", "teacher_samples", "instruments", "students", "evaluate", "report")

def stage_times(folder="reports/notebooks") -> dict:
    out = {}
    for s in STAGES:
        p = Path(folder) / f"{s}.ipynb"
        d = json.loads(p.read_text())["metadata"]["papermill"].get("duration") if p.exists() else None
        if d is not None: out[s] = d      # None: not run yet, or still running
    return out

if __name__ == "__main__":
    t = stage_times(*sys.argv[1:])
    print("| stage | wall time (min) |\n|---|---|")
    for s, d in t.items(): print(f"| {s} | {d / 60:.1f} |")
    print(f"| **total** | **{sum(t.values()) / 60:.1f}** |")
