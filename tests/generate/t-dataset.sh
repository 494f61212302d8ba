#!/usr/bin/env bash
# solace-generate end to end: a small Darcy dataset, read back with h5py and checked against
# scipy's sparse direct solver (check_dataset.py states the tolerance).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
"$SOLACE_BIN/solace-generate" -family darcy -n 24 -count 12 -seed 5 -o "$work/d.h5" -progress lines > "$work/out" 2> "$work/err"
cat "$work/out"
grep -q "holds 12 darcy samples on a 24x24 grid (12 solved now, 0 already on disk)" "$work/out"
grep -q "generate: 12/12 (100.0%)" "$work/err"
"$SOLACE_PYTHON" "$here/check_dataset.py" "$work/d.h5"
# a tighter tolerance through a PETSc option reaches the solver and the file
"$SOLACE_BIN/solace-generate" -n 24 -count 3 -o "$work/t.h5" -ksp_rtol 1e-11 -pc_type jacobi -quiet
"$SOLACE_PYTHON" - "$work/t.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1]) as f:
    assert f.attrs["rtol"] == 1e-11 and f.attrs["pc_type"] == "jacobi", dict(f.attrs)
    assert (f["stats/residual"][:] < 1e-9).all()
PY
"$SOLACE_PYTHON" "$here/check_dataset.py" "$work/t.h5"
# the thresholded FNO coefficient takes only its two values
"$SOLACE_BIN/solace-generate" -n 20 -count 2 -o "$work/th.h5" -coefficient threshold -alpha 2 -tau 3 -quiet
"$SOLACE_PYTHON" - "$work/th.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as f:
    assert set(np.unique(f["inputs"][:])) == {3.0, 12.0}
    assert f.attrs["coefficient"] == "threshold" and f.attrs["alpha"] == 2.0
PY
# a misspelt option is reported, not silently ignored; Solace's own options are not reported
"$SOLACE_BIN/solace-generate" -n 12 -count 2 -o "$work/w.h5" -quiet -cuont 3 -seed 4 -sort greedy 2> "$work/warn"
grep -q "warning: 1 option(s) were not used: -cuont" "$work/warn"
# -help lists every option with its default
"$SOLACE_BIN/solace-generate" -help | grep -q -- "-count N .*(default 100)"
echo "generate-dataset: passed"
