#!/usr/bin/env bash
# The implicit-differentiation benchmark at its default size (argument: the build directory).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
cd "$build" && OPENBLAS_NUM_THREADS=1 ./bench-implicit
