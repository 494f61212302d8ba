#!/usr/bin/env bash
# examples/fortran/skr_darcy runs small (12 x 12, 8 samples) and writes a dataset that passes
# check_dataset.py's independent checks (every solution against scipy's direct solver).
set -euo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
"$SOLACE_BIN/skr_darcy" 12 8 "$work/example.h5" | tee "$work/log"
grep -q "^skr_darcy: 8 Darcy systems on a 12x12 grid solved with SKR" "$work/log"
"$SOLACE_PYTHON" "$SOLACE_SOURCE/tests/generate/check_dataset.py" "$work/example.h5"
echo "bindings-fortran-example: passed"
