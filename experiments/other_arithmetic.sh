#!/usr/bin/env bash
# Does the pipeline reproduce the committed tables on a CPU whose kernels round differently (as another machine's would)?
# Usage: bash experiments/other_arithmetic.sh [repro|video] [WORKDIR]   (from the repository root; `repro`, the image
#        pipeline, ~46 min on 2 cores; `video`, the video pipeline, ~35 min)
# A fresh clone of HEAD runs `make repro` (or `make video`) with torch's CPU kernels capped at AVX2 (ATen's vectorised
# kernels and oneDNN's: on an AVX-512 machine these round differently, as another CPU's would; the teacher, its samples and
# the rewards are pulled, so only the students and their evaluation can move), then tools/compare_reports.py compares its
# tables.md with the committed one. Writes experiments/results/other_arithmetic/{,video_}{tables,comparison,stage_times}.md.
set -euo pipefail
TARGET=${1:-repro}; ROOT=$(pwd); WORK=${2:-$ROOT/../other_arithmetic_$TARGET}; OUT=$ROOT/experiments/results/other_arithmetic
case $TARGET in repro) REPORT=reports; PRE="";; video) REPORT=video/reports; PRE=video_;; *) echo "usage: $0 [repro|video] [WORKDIR]" >&2; exit 2;; esac
rm -rf "$WORK" && git clone -q "$ROOT" "$WORK"
(cd "$WORK" && ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 /usr/bin/time -v make "$TARGET")
mkdir -p "$OUT" && cp "$WORK/$REPORT/tables.md" "$OUT/${PRE}tables.md"
(cd "$WORK" && .venv/bin/python tools/stage_times.py "$REPORT/notebooks") > "$OUT/${PRE}stage_times.md"
"$WORK/.venv/bin/python" tools/compare_reports.py "$REPORT/tables.md" "$OUT/${PRE}tables.md" --out "$OUT/${PRE}comparison.md" || [ $? -eq 1 ]   # 1: not reproduced (written); 2: bad input
