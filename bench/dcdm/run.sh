#!/bin/bash
# Runs the DCDM benchmark at its default sizes: bench/dcdm/run.sh <builddir> [bench-dcdm options]
set -euo pipefail
build=${1:?usage: run.sh <builddir> [options]}
shift
export OPENBLAS_NUM_THREADS=1
exec "$build/bench-dcdm" "$@"
