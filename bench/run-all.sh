#!/usr/bin/env bash
# Runs every benchmark at its default size: `make bench` (argument: the build directory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
echo "== bench-store ($(date -u +%Y-%m-%d))"
(cd "$build" && ./bench-store)
echo
echo "== bench-generate ($(date -u +%Y-%m-%d))"
bash "$here/generate/bench-generate.sh" "$build/bin"
echo
echo "== bench-sort ($(date -u +%Y-%m-%d))"
(cd "$build" && ./bench-sort)
echo
echo "== bench-skr ($(date -u +%Y-%m-%d))"
(cd "$build" && ./bench-skr)
echo
echo "== bench-skr, indefinite Helmholtz k ~ U(0, 10) ($(date -u +%Y-%m-%d))"
(cd "$build" && ./bench-skr -families helmholtz -kmax 10 -pcs none,asm)

# Each kernel's own benchmark script (bench/<kernel>/run.sh), when present.
for kernel in dcdm node koopman bcd implicit; do
  if [ -f "$here/$kernel/run.sh" ]; then
    echo
    echo "== $kernel ($(date -u +%Y-%m-%d))"
    bash "$here/$kernel/run.sh" "$build"
  fi
done
