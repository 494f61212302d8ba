#!/usr/bin/env bash
# The Koopman benchmark at its default sizes (argument: the build directory): Solace on one
# process (default path and Householder QR), then its pseudospectrum split over two MPI ranks (M = 1e4, N = 100 and 500).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
export OPENBLAS_NUM_THREADS=1
mpiexec=(mpiexec -n 2 --oversubscribe)
[ "$(id -u)" = 0 ] && mpiexec+=(--allow-run-as-root)
(cd "$build" && ./bench-koopman -qr)
echo
(cd "$build" && "${mpiexec[@]}" ./bench-koopman -m 10000 -n 100,500 -points 10000,100 -reps 1)
