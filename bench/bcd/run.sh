#!/bin/bash
# The BCD benchmarks at full size: the paper's figures, then Solace against scikit-learn.
# usage: bench/bcd/run.sh <builddir>
set -euo pipefail
build=${1:?usage: run.sh <builddir>}
here=$(cd "$(dirname "$0")" && pwd)
export OPENBLAS_NUM_THREADS=1
"$build/bench-bcd"
/usr/bin/python3 "$here/bench-sklearn.py" "$build"
