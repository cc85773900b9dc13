#!/usr/bin/env bash
# Does `make repro` reproduce the committed tables on a CPU whose kernels round differently (as another machine's would)?
# Usage: bash experiments/other_arithmetic.sh [WORKDIR]   (from the repository root; ~46 min on 2 cores)
# A fresh clone of HEAD runs `make repro` with torch's CPU kernels capped at AVX2 (ATen's vectorised kernels and oneDNN's
# convolutions: on an AVX-512 machine these round differently, as another CPU's would; the teacher, its samples and the
# rewards are pulled, so only the students and their evaluation can move), then tools/compare_reports.py compares its
# reports/tables.md with the committed one. Writes experiments/results/other_arithmetic/{tables.md,comparison.md,stage_times.md}.
set -euo pipefail
ROOT=$(pwd); WORK=${1:-$ROOT/../other_arithmetic}; OUT=$ROOT/experiments/results/other_arithmetic
rm -rf "$WORK" && git clone -q "$ROOT" "$WORK"
(cd "$WORK" && ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 /usr/bin/time -v make repro)
mkdir -p "$OUT" && cp "$WORK/reports/tables.md" "$OUT/tables.md"
(cd "$WORK" && .venv/bin/python tools/stage_times.py) > "$OUT/stage_times.md"
"$WORK/.venv/bin/python" tools/compare_reports.py reports/tables.md "$OUT/tables.md" --out "$OUT/comparison.md" || true
