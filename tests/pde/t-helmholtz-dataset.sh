#!/usr/bin/env bash
# solace-generate for the Helmholtz family end to end: /params holds k in [0, kmax = 1], /inputs
# the coefficient a > 0, and every /outputs solves the system built here independently with scipy
# (5-point harmonic-mean operator of a minus k^2 I, f = 1, u = 0 on the boundary). Tolerance: the
# default solver (GMRES + right ILU) stops on the true residual ||r|| <= 1e-8 ||b||, so the
# relative 2-norm error to spsolve is at most cond(A) * ||r|| / ||b|| (cond computed densely here).
set -euo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
"$SOLACE_BIN/solace-generate" -family helmholtz -n 33 -count 5 -seed 3 -o "$work/h.h5" -force -quiet
"$SOLACE_PYTHON" - "$work/h.h5" "$SOLACE_SOURCE/tests/generate" <<'PY'
import sys, h5py, numpy as np
import scipy.sparse as sp, scipy.sparse.linalg as spla
sys.path.insert(0, sys.argv[2])
from check_dataset import darcy_matrix  # the independent scipy operator of the Darcy tests


with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["family"] in ("helmholtz", b"helmholtz"), f.attrs["family"]
    ksp = f.attrs["ksp_type"]
    assert ksp in ("gmres", b"gmres"), ksp
    params, inputs, outputs = f["params"][:], f["inputs"][:], f["outputs"][:]
    residuals = f["stats/residual"][:]
count, n = inputs.shape[0], inputs.shape[1]
assert params.shape == (5, 1) and inputs.shape == outputs.shape == (5, 33, 33), params.shape
assert ((params >= 0) & (params <= 1)).all() and len(np.unique(params)) == params.size, params
assert (inputs > 0).all() and np.isfinite(inputs).all()
worst = 0.0
for s in range(count):
    k = params[s, 0]
    A = (darcy_matrix(inputs[s]) - k * k * sp.eye((n - 2) ** 2)).tocsc()
    b = np.ones(A.shape[0])
    ref = spla.spsolve(A, b)
    u = outputs[s]
    edge = np.ones((n, n), bool)
    edge[1:-1, 1:-1] = False
    assert (u[edge] == 0).all()
    x = u[1:-1, 1:-1].ravel()
    r = np.linalg.norm(b - A @ x) / np.linalg.norm(b)
    assert abs(r - residuals[s]) <= 1e-3 * residuals[s] + 1e-15, (r, residuals[s])
    assert r <= 1e-8 * (1 + 1e-6), r
    cond = np.linalg.cond(A.toarray())
    err2 = np.linalg.norm(x - ref) / np.linalg.norm(ref)
    assert err2 <= 1.01 * cond * r + 1e-12, (err2, cond, r)
    err = np.abs(x - ref).max() / np.abs(ref).max()
    worst = max(worst, err)
    assert err <= 1e-5, (s, err)
print(f"helmholtz dataset: {count} samples, k in [{params.min():.3f}, {params.max():.3f}], "
      f"worst relative max-norm difference to scipy {worst:.2e}")
PY
