#!/usr/bin/env bash
# Darcy dataset written from Fortran (t-darcy.f90: solace_generate, SKR solver, 16 x 16, 6
# samples, seed 7) against the same dataset written by the C driver solace-generate with the
# same options: the same samples (inputs, order and done mask exactly; outputs within 1e-12
# relative: same library, same solver, same order), and the Fortran file passes
# check_dataset.py's independent checks (every solution against scipy's direct solver).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
"$SOLACE_TESTS/bindings-fortran-darcy" "$work/fortran.h5"
"$SOLACE_BIN/solace-generate" -family darcy -n 16 -count 6 -seed 7 -solver skr -quiet \
  -o "$work/c.h5"
check="$SOLACE_SOURCE/tests/generate/check_dataset.py"
"$SOLACE_PYTHON" "$check" "$work/fortran.h5"
"$SOLACE_PYTHON" "$check" same "$work/c.h5" "$work/fortran.h5" --rtol 1e-12
echo "bindings-fortran-darcy: passed"
