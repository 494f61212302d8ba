#!/usr/bin/env bash
# Two ranks write the same file as one rank: samples dealt over ranks (bitwise identical values:
# each system is solved whole by the same CG + ICC), and systems split over ranks (-distributed,
# CG + block Jacobi at rtol 1e-12: outputs within cond(A) * rtol < 1e-7).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
args=(-family darcy -n 40 -count 13 -seed 9 -quiet)
"$SOLACE_BIN/solace-generate" "${args[@]}" -o "$work/one.h5"
$SOLACE_MPIEXEC -n 2 "$SOLACE_BIN/solace-generate" "${args[@]}" -o "$work/two.h5"
"$SOLACE_PYTHON" "$here/check_dataset.py" same "$work/one.h5" "$work/two.h5" --rtol 0
"$SOLACE_PYTHON" "$here/check_dataset.py" "$work/two.h5"
"$SOLACE_BIN/solace-generate" "${args[@]}" -ksp_rtol 1e-12 -o "$work/one-tight.h5"
$SOLACE_MPIEXEC -n 2 "$SOLACE_BIN/solace-generate" "${args[@]}" -ksp_rtol 1e-12 -distributed -o "$work/split.h5"
"$SOLACE_PYTHON" "$here/check_dataset.py" same "$work/one-tight.h5" "$work/split.h5" --rtol 1e-7
echo "generate-mpi: passed"
