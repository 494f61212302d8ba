#!/usr/bin/env bash
# solace-generate for the heat family end to end: /params holds g's 10 coefficients, /inputs is
# the slot mask (|x - 0.5| <= 0.1, 0.3 <= y <= 0.7 recomputed here), and every /outputs is 0 on
# the slot, g on the boundary, and matches a scipy solve of the 5-point system with the faces to
# slot nodes omitted (built here independently).
set -euo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
"$SOLACE_BIN/solace-generate" -family heat -n 33 -count 4 -seed 3 -o "$work/h.h5" -force -quiet
"$SOLACE_PYTHON" - "$work/h.h5" <<'PY'
import sys, h5py, numpy as np
import scipy.sparse as sp, scipy.sparse.linalg as spla

def poly(c, x, y):
    terms = [(i, d - i) for d in range(4) for i in range(d + 1)]
    return sum(ck * x**i * y**j for ck, (i, j) in zip(c, terms))

with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["family"] in ("heat", b"heat"), f.attrs["family"]
    params, inputs, outputs = f["params"][:], f["inputs"][:], f["outputs"][:]
count, n = inputs.shape[0], inputs.shape[1]
assert params.shape == (4, 10) and inputs.shape == outputs.shape == (4, 33, 33), params.shape
assert (np.abs(params) < 1).all() and len(np.unique(params)) == params.size
y, x = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n), indexing="ij")  # [j, i]
slot = (np.abs(x - 0.5) <= 0.1 + 1e-9) & (y >= 0.3 - 1e-9) & (y <= 0.7 + 1e-9)
assert slot.sum() == 91
edge = np.ones((n, n), bool)
edge[1:-1, 1:-1] = False
h2 = 1.0 / (n - 1) ** 2
unknown = ~edge & ~slot
index = -np.ones((n, n), int)
index[unknown] = np.arange(unknown.sum())
worst = 0.0
for s in range(count):
    assert (inputs[s] == np.where(slot, 0.0, 1.0)).all()
    assert (outputs[s][slot] == 0).all()
    g = poly(params[s], x, y)
    assert np.abs(outputs[s][edge] - g[edge]).max() <= 1e-13
    rows, cols, vals, b = [], [], [], np.zeros(unknown.sum())
    for j, i in zip(*np.nonzero(unknown)):
        k = index[j, i]
        for dj, di in ((0, -1), (0, 1), (-1, 0), (1, 0)):
            nj, ni = j + dj, i + di
            if slot[nj, ni]:
                continue
            rows.append(k), cols.append(k), vals.append(1 / h2)
            if edge[nj, ni]:
                b[k] += g[nj, ni] / h2
            else:
                rows.append(k), cols.append(index[nj, ni]), vals.append(-1 / h2)
    A = sp.csc_matrix((vals, (rows, cols)), shape=(b.size, b.size))
    u = spla.spsolve(A, b)
    err = np.abs(outputs[s][unknown] - u).max() / np.abs(u).max()
    worst = max(worst, err)
    assert err <= 1e-6, (s, err)
print(f"heat dataset: {count} samples, worst relative max-norm difference to scipy {worst:.2e}")
PY
