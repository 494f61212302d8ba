#!/usr/bin/env bash
# -keep_unconverged: samples whose solve stops short of rtol (GMRES capped at 20 iterations on an
# indefinite Helmholtz problem) are written with their true residuals and counted, on 1 and 2
# ranks alike; without it the run stops at the first such sample with an error and keeps (for
# -resume) only what was written before it.
set -euo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
args=(-family helmholtz -kmax 30 -n 16 -count 6 -seed 3 -ksp_max_it 20 -progress silent)
gen="$SOLACE_BIN/solace-generate"
"$gen" "${args[@]}" -keep_unconverged -o "$work/one.h5" > "$work/one.log"
$SOLACE_MPIEXEC -n 2 "$gen" "${args[@]}" -keep_unconverged -o "$work/two.h5" > "$work/two.log"
if "$gen" "${args[@]}" -o "$work/stop.h5" 2> "$work/stop.err"; then
  echo "FAIL: a run without -keep_unconverged succeeded"; exit 1
fi
grep -q "DIVERGED_ITS" "$work/stop.err"
"$SOLACE_PYTHON" - "$work" <<'PY'
import re, sys, h5py, numpy as np
work = sys.argv[1]
for name in ("one", "two"):
    with h5py.File(f"{work}/{name}.h5") as f:
        done, res, rtol = f["stats/done"][:], f["stats/residual"][:], f.attrs["rtol"]
    assert done.all(), f"{name}: not every sample was written"
    missed = int((res > rtol).sum())
    text = open(f"{work}/{name}.log").read()
    m = re.search(r"(\d+) sample\(s\) missed rtol and were kept", text)
    assert missed > 0 and m and int(m.group(1)) == missed, (name, missed, text)
    assert np.isfinite(res).all()
    print(f"{name}: {missed} of {len(res)} samples kept above rtol, max residual {res.max():.2e}")
PY
echo "generate-unconverged: passed"
