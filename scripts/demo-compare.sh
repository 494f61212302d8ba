#!/usr/bin/env bash
# The last step of `make demo`: solves the same systems with plain GMRES(40) and with SKR
# (sorted GCRO-DR(40, 20)), alternating A B A B, and prints the measured speedup. Time per
# system is the solve time recorded in /stats/seconds (assembly included), plus SKR's sort
# time; the better of the two rounds counts for each.
# usage: demo-compare.sh BIN_DIR COUNT [solace-generate options of the demo]
set -euo pipefail
bin=$1 count=$2
shift 2
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
gmres=(-ksp_type gmres -ksp_gmres_restart 40 -ksp_pc_side right -ksp_max_it 10000)
for round in 1 2; do
  "$bin/solace-generate" "$@" -count "$count" -sort auto "${gmres[@]}" -quiet -compress 0 \
    -o "$work/gmres-$round.h5" 2> /dev/null || true
  "$bin/solace-generate" "$@" -count "$count" -solver skr -quiet -compress 0 \
    -o "$work/skr-$round.h5"
done
/usr/bin/python3 - "$work" "$count" <<'PY'
import sys, h5py, numpy as np
work, count = sys.argv[1], int(sys.argv[2])
def load(name, r):
    with h5py.File(f"{work}/{name}-{r}.h5") as f:
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        return (f["stats/done"][:].astype(bool), f["stats/seconds"][:], f["stats/iterations"][:],
                a.get("sort_seconds", 0.0) if name == "skr" else 0.0, a)
runs = {name: [load(name, r) for r in (1, 2)] for name in ("gmres", "skr")}
# GMRES(40) stops the run at the first system it cannot solve: compare on what both solved.
common = runs["gmres"][0][0] & runs["skr"][0][0]
n = int(common.sum())
def per_system(name):
    best = min(run[1][common].sum() + run[3] * n / count for run in runs[name])
    return best / n, runs[name][0][2][common].mean()
(gs, gi), (ss, si) = per_system("gmres"), per_system("skr")
a = runs["skr"][0][4]
print(f"\nSide by side on the same systems ({a['family']} {a['grid'][0]}x{a['grid'][1]}, "
      f"PC {a['pc_type']}, rtol {a['rtol']:.0e}), better of 2 alternated rounds:")
if n < count:
    print(f"  GMRES(40) did not converge in 10000 iterations on system {n + 1} of the sorted order"
          f" and stopped there;\n  SKR solved all {count}. Figures over the {n} systems both"
          " solved:")
print(f"  GMRES(40)                    {gi:8.1f} iterations {1e3 * gs:8.2f} ms per system")
print(f"  SKR: sorted GCRO-DR(40, 20)  {si:8.1f} iterations {1e3 * ss:8.2f} ms per system"
      " (sort included)")
print(f"SKR speedup over GMRES(40): {gs / ss:.1f}x in time, {gi / si:.1f}x fewer iterations")
PY
