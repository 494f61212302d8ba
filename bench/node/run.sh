#!/usr/bin/env bash
# Neural-ODE benchmark at its default size (`make bench`): spiral and a Fashion-MNIST subset.
# Argument: the build directory. Extra arguments go to bench-node (e.g. -task spiral).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift || true
cd "$build" && OPENBLAS_NUM_THREADS=1 ./bench-node "$@"
