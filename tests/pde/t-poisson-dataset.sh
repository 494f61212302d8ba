#!/usr/bin/env bash
# solace-generate for the Poisson family end to end: /params holds the 42 coefficients, /inputs is
# the source polynomial of params[0..20] at the nodes, and every /outputs solves the 5-point
# system built here with scipy (boundary g = polynomial of params[21..41] moved to the RHS).
set -euo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
"$SOLACE_BIN/solace-generate" -family poisson -n 33 -count 5 -seed 3 -o "$work/p.h5" -force -quiet
"$SOLACE_PYTHON" - "$work/p.h5" <<'PY'
import sys, h5py, numpy as np
import scipy.sparse as sp, scipy.sparse.linalg as spla

def poly(c, x, y):
    """sum c_k x^i y^j over i + j <= 5, k by increasing i + j, then increasing i."""
    terms = [(i, d - i) for d in range(6) for i in range(d + 1)]
    return sum(ck * x**i * y**j for ck, (i, j) in zip(c, terms))

with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["family"] in ("poisson", b"poisson"), f.attrs["family"]
    params, inputs, outputs = f["params"][:], f["inputs"][:], f["outputs"][:]
    residuals = f["stats/residual"][:]
count, n = inputs.shape[0], inputs.shape[1]
assert params.shape == (5, 42) and inputs.shape == outputs.shape == (5, 33, 33), params.shape
assert (np.abs(params) < 1).all() and len(np.unique(params)) == params.size
y, x = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n), indexing="ij")  # [j, i]
m, h2 = n - 2, 1.0 / (n - 1) ** 2
lap1 = sp.diags([-np.ones(m - 1), 2 * np.ones(m), -np.ones(m - 1)], [-1, 0, 1])
A = (sp.kron(sp.eye(m), lap1) + sp.kron(lap1, sp.eye(m))).tocsc() / h2  # x fastest
worst = 0.0
for s in range(count):
    assert np.abs(inputs[s] - poly(params[s, :21], x, y)).max() <= 1e-13
    g = poly(params[s, 21:], x, y)
    edge = np.ones((n, n), bool)
    edge[1:-1, 1:-1] = False
    assert np.abs(outputs[s][edge] - g[edge]).max() <= 1e-13
    b = inputs[s][1:-1, 1:-1].copy()
    b[:, 0] += g[1:-1, 0] / h2
    b[:, -1] += g[1:-1, -1] / h2
    b[0, :] += g[0, 1:-1] / h2
    b[-1, :] += g[-1, 1:-1] / h2
    u = spla.spsolve(A, b.ravel()).reshape(m, m)
    err = np.abs(outputs[s][1:-1, 1:-1] - u).max() / np.abs(u).max()
    worst = max(worst, err)
    assert err <= 1e-6, (s, err)
    # the stored residual is the true one, and bounds the error: ||e|| / ||u|| <= cond(A) ||r|| / ||b||
    r = np.linalg.norm(b.ravel() - A @ outputs[s][1:-1, 1:-1].ravel()) / np.linalg.norm(b)
    assert abs(r - residuals[s]) <= 1e-3 * residuals[s] + 1e-12, (r, residuals[s])
    cond = 1 / np.tan(np.pi / (2 * (n - 1))) ** 2
    err2 = np.linalg.norm(outputs[s][1:-1, 1:-1] - u) / np.linalg.norm(u)
    assert err2 <= 1.01 * cond * r + 1e-12, (err2, cond, r)
print(f"poisson dataset: {count} samples, worst relative max-norm difference to scipy {worst:.2e}")
PY
# a finished file resumes as a no-op (the recipe attributes of a family without options match)
"$SOLACE_BIN/solace-generate" -family poisson -n 33 -count 5 -seed 3 -o "$work/p.h5" -resume -quiet
