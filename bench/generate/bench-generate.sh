#!/usr/bin/env bash
# Darcy dataset generation with Solace's default solver (CG + ICC) against what a PETSc user gets
# by default (GMRES(30) + ILU(0)) and against CG + GAMG, on the same samples (same seed), runs
# alternated A B C A B C ... Prints per-solve medians over the repetitions, the ratio to the
# PETSc default, and the worst true relative residual each reached (a speedup at a worse answer
# is not a speedup). usage: bench-generate.sh BIN_DIR [-quick]
set -euo pipefail
bin=$1
quick=${2:-}
python=/usr/bin/python3
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
reps=3; sizes="64 128 256"
[ "$quick" = "-quick" ] && { reps=1; sizes="32"; }
export OPENBLAS_NUM_THREADS=1

configs=("solace default (cg + icc)|" "petsc default (gmres + ilu)|-ksp_type gmres -pc_type ilu" "cg + gamg|-ksp_type cg -pc_type gamg")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf "%-6s %-30s %12s %10s %8s %12s\n" grid solver "ms/solve" iterations ratio "max resid"
for n in $sizes; do
  count=$((1310720 / (n * n)))            # 200 samples at 64x64, 80 at 128x128, 20 at 256x256
  [ "$count" -gt 200 ] && count=200
  [ "$quick" = "-quick" ] && count=4
  for rep in $(seq 1 "$reps"); do
    for c in "${!configs[@]}"; do
      opts=${configs[$c]#*|}
      # shellcheck disable=SC2086
      "$bin/solace-generate" -n "$n" -count "$count" -seed 1 -quiet -force -o "$work/c$c-r$rep.h5" -ksp_rtol 1e-8 $opts
    done
  done
  "$python" - "$work" "$n" "$reps" "${configs[@]}" <<'PY'
import sys, h5py, numpy as np
work, n, reps, configs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
rows = []
for c, config in enumerate(configs):
    times, its, res = [], [], []
    for r in range(1, reps + 1):
        with h5py.File(f"{work}/c{c}-r{r}.h5") as f:
            times.append(np.median(f["stats/seconds"][:]))
            its.append(f["stats/iterations"][:].mean())
            res.append(f["stats/residual"][:].max())
    rows.append((config.split("|")[0], np.median(times), np.mean(its), max(res)))
base = rows[1][1]
for name, t, it, r in rows:
    print(f"{n + 'x' + n:<6} {name:<30} {1e3 * t:12.3f} {it:10.1f} {t / base:8.2f} {r:12.1e}")
PY
done
