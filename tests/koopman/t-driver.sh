#!/usr/bin/env bash
# solace-koopman end to end: the Duffing spectrum file read back with h5py (shapes, residuals finite
# and non-negative, the verified set below its tolerance with the bound attribute, the grid), a
# trajectory file of a linear map through -i (eigenvalues exact to 1e-10), and bad command lines
# (exit 1, a message naming the problem, no output file written or damaged); -method mpedmd on the
# pendulum (eigenvalues on the unit circle to 1e-12); -delays 1 on the linear map (the same three
# eigenvalues); -verify_grid, -isometry and -measure on the pendulum, checked against the file's
# own pseudospectrum and the measure's moments (numpy).
set -uo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
drv="$SOLACE_BIN/solace-koopman"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$drv" -help > "$work/help" || fail "-help exited non-zero"
for opt in system dt ntraj steps seed box i dict degree truncation method rcond residual_tol pseudospectra \
           grid grid_box o quiet help delays verify_grid isometry measure observable moments filter \
           epsilon angles kernel kernel_param kernel_n kernel_learn kernel_rcond; do
  grep -q -- "^  -$opt\b" "$work/help" || fail "-help does not list -$opt"
done

# Duffing (delta 0.5) from the bundled simulator.
"$drv" -system duffing -dt 0.25 -ntraj 40 -steps 30 -seed 2 -dict hermite -degree 6 \
  -residual_tol 1e-2 -pseudospectra -grid 24 -o "$work/duffing.h5" > "$work/out" 2> "$work/err" \
  || fail "duffing run failed: $(cat "$work/err")"
grep -q "duffing.h5 holds the EDMD spectrum of duffing: 28 eigenvalues" "$work/out" \
  || fail "summary: $(cat "$work/out")"
grep -q "Verified: .* residual <= 0.01, error bound" "$work/out" || fail "summary lacks the bound"
"$SOLACE_PYTHON" - "$work/duffing.h5" <<'PY' || fail "duffing.h5 checks"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    ev, res, ver = f["eigenvalues"][...], f["residuals"][...], f["verified"][...]
    ps, re, im = f["pseudospectrum"][...], f["grid/re"][...], f["grid/im"][...]
    assert ev.shape == (28, 2) and res.shape == (28,) and f["ct_eigenvalues"].shape == (28, 2), ev.shape
    assert np.all(np.isfinite(res)) and np.all(res >= 0), res
    tol, bound = f["verified"].attrs["residual_tol"], f["verified"].attrs["bound"]
    assert tol == 1e-2, tol
    assert ver.ndim == 1 and len(ver) >= 1, ver
    assert np.all(res[ver] <= tol), res[ver]
    assert bound == res[ver].max(), (bound, res[ver])
    assert sorted(ver) == [j for j in range(28) if res[j] <= tol], ver
    lam = ev[:, 0] + 1j * ev[:, 1]
    assert np.min(np.abs(lam[ver] - 1)) < 1e-3, lam[ver]          # the constant: lambda = 1
    assert np.all(np.diff(np.abs(lam)) <= 1e-12), "not sorted by modulus"
    assert ps.shape == (24, 24) and re.shape == (24,) and im.shape == (24,), ps.shape
    assert np.all(np.isfinite(ps)) and np.all(ps >= 0)
    assert re[0] == -1.5 and re[-1] == 1.5 and im[0] == -1.5 and im[-1] == 1.5, (re, im)
    for key, value in [("source", "duffing"), ("dict", "hermite"), ("truncation", "total")]:
        got = f.attrs[key]
        got = got.decode() if isinstance(got, bytes) else got
        assert got == value, (key, got)
    assert f.attrs["degree"] == 6 and f.attrs["ntraj"] == 40 and f.attrs["steps"] == 30
    assert f.attrs["dt"] == 0.25 and f.attrs["seed"] == 2 and f.attrs["pairs"] == 40 * 29
    assert f.attrs["n_functions"] == 28 and f.attrs["residual_tol"] == 1e-2
print("duffing.h5: %d eigenvalues, %d verified, bound %.3g, min tau %.3g"
      % (len(res), len(ver), bound, ps.min()))
PY

# A linear map x -> A x written as a trajectory file: monomials of degree 1 span an invariant
# space, so the eigenvalues are exactly {1, 0.9 exp(+-0.5i)} (1e-10) with zero residuals.
"$SOLACE_PYTHON" - "$work/traj.h5" <<'PY' || fail "writing traj.h5"
import sys, h5py, numpy as np
a = 0.9 * np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
x = np.zeros((5, 12, 2))
x[:, 0, :] = np.random.default_rng(1).normal(size=(5, 2))
for t in range(1, 12):
    x[:, t, :] = x[:, t - 1, :] @ a.T
with h5py.File(sys.argv[1], "w") as f:
    f["trajectories/t"] = 0.1 * np.arange(12)
    f["trajectories/x"] = x
PY
"$drv" -i "$work/traj.h5" -dict monomial -degree 1 -residual_tol 1e-8 -pseudospectra -grid 5 \
  -grid_box -1,1,-0.5,0.5 -o "$work/linear.h5" -quiet > "$work/out" 2> "$work/err" \
  || fail "-i run failed: $(cat "$work/err")"
[ -s "$work/out" ] && fail "-quiet printed: $(cat "$work/out")"
"$SOLACE_PYTHON" - "$work/linear.h5" <<'PY' || fail "linear.h5 checks"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    lam = f["eigenvalues"][:, 0] + 1j * f["eigenvalues"][:, 1]
    exact = np.array([1, 0.9 * np.exp(0.5j), 0.9 * np.exp(-0.5j)])
    err = max(np.min(np.abs(lam - e)) for e in exact)
    assert len(lam) == 3 and err < 1e-10, (lam, err)
    assert len(f["verified"]) == 3 and f["residuals"][...].max() < 1e-8
    mu = f["ct_eigenvalues"][1]
    assert abs(mu[0] - np.log(0.9) / 0.1) < 1e-8 and abs(abs(mu[1]) - 5) < 1e-8, mu
    assert f["grid/re"][0] == -1 and f["grid/re"][-1] == 1 and f["grid/im"][0] == -0.5
    assert f["pseudospectrum"].shape == (5, 5) and f.attrs["ntraj"] == 5 and f.attrs["steps"] == 12
print("linear.h5: eigenvalue error %.2g" % err)
PY

# -method mpedmd on the pendulum: every eigenvalue on the unit circle (1e-12), the method recorded.
"$drv" -system pendulum -dt 0.5 -ntraj 60 -steps 20 -dict hermite -degree 4 -method mpedmd \
  -o "$work/mp.h5" > "$work/out" 2> "$work/err" || fail "mpedmd run failed: $(cat "$work/err")"
grep -q "mp.h5 holds the mpEDMD spectrum of pendulum" "$work/out" || fail "summary: $(cat "$work/out")"
"$SOLACE_PYTHON" - "$work/mp.h5" <<'PY' || fail "mp.h5 checks"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    ev = f["eigenvalues"][...]
    off = np.abs(np.hypot(ev[:, 0], ev[:, 1]) - 1).max()
    assert off < 1e-12, off
    m = f.attrs["method"]
    assert (m.decode() if isinstance(m, bytes) else m) == "mpedmd", m
print("mp.h5: %d eigenvalues, max ||lambda| - 1| = %.2g" % (len(ev), off))
PY

# -delays 1 on the linear map: the state (x_t, x_{t-1}) has x_{t-1} = A^-1 x_t, so the four linear
# coordinates span the same 3-dimensional space with the constant (rcond truncates the rest):
# eigenvalues {1, 0.9 exp(+-0.5i)} again (1e-10), 5 x 10 pairs.
"$drv" -i "$work/traj.h5" -dict monomial -degree 1 -delays 1 -rcond 1e-10 -residual_tol 1e-8 \
  -o "$work/delay.h5" > "$work/out" 2> "$work/err" || fail "-delays run failed: $(cat "$work/err")"
grep -q "State: 1 delays" "$work/out" || fail "summary: $(cat "$work/out")"
"$SOLACE_PYTHON" - "$work/delay.h5" <<'PY' || fail "delay.h5 checks"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    lam = f["eigenvalues"][:, 0] + 1j * f["eigenvalues"][:, 1]
    exact = np.array([1, 0.9 * np.exp(0.5j), 0.9 * np.exp(-0.5j)])
    err = max(np.min(np.abs(lam - e)) for e in exact)
    assert len(lam) == 3 and err < 1e-10, (lam, err)
    assert f.attrs["delays"] == 1 and f.attrs["pairs"] == 5 * 10 and f.attrs["n_functions"] == 5
print("delay.h5: eigenvalue error %.2g" % err)
PY

# -kernel polynomial of degree 1 on the linear-map file: the learned span is that of 1, x1, x2 (3
# eigenvectors), learned on 27 of the 55 pairs (evenly spread) and verified on the other 28:
# eigenvalues {1, 0.9 exp(+-0.5i)} (1e-10) with residuals below 1e-8.
"$drv" -i "$work/traj.h5" -kernel polynomial -kernel_param 1 -kernel_n 3 -residual_tol 1e-8 \
  -o "$work/kernel.h5" > "$work/out" 2> "$work/err" || fail "-kernel run failed: $(cat "$work/err")"
grep -q "3 functions learned on 27 pairs; EDMD and residuals on the other 28" "$work/out" \
  || fail "summary: $(cat "$work/out")"
"$SOLACE_PYTHON" - "$work/kernel.h5" <<'PY' || fail "kernel.h5 checks"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    lam = f["eigenvalues"][:, 0] + 1j * f["eigenvalues"][:, 1]
    exact = np.array([1, 0.9 * np.exp(0.5j), 0.9 * np.exp(-0.5j)])
    err = max(np.min(np.abs(lam - e)) for e in exact)
    assert len(lam) == 3 and err < 1e-10 and f["residuals"][...].max() < 1e-8, (lam, err)
    k = f.attrs["kernel"]
    assert (k.decode() if isinstance(k, bytes) else k) == "polynomial"
    assert f.attrs["learn_pairs"] == 27 and f.attrs["pairs"] == 28 and f.attrs["kernel_n"] == 3
print("kernel.h5: eigenvalue error %.2g" % err)
PY

# The pendulum with the grid verified spectrum (measure preserving) and the moment-form measure of
# the angular velocity. Checks: /verified_grid/points are grid points whose gamma = max(tau,
# |1 - |z||), read from /pseudospectrum, is <= bound = max gamma <= eps, each a local minimiser of
# gamma within 5 gamma; the density integrates (trapezoid on 256 angles, exact for its degree-20
# trigonometric polynomial) to the atoms' total weight, and its cosine coefficients divided by the
# Vandeven filter equal the atoms' moments sum w_j cos(n theta_j), n < 20 (1e-9 relative).
"$drv" -system pendulum -dt 0.5 -ntraj 60 -steps 20 -dict hermite -degree 4 -method mpedmd \
  -pseudospectra -grid 30 -verify_grid 0.3 -isometry -measure moments -observable 1 \
  -o "$work/pv.h5" > "$work/out" 2> "$work/err" || fail "-verify_grid run failed: $(cat "$work/err")"
grep -q "Grid verified spectrum: .* point(s) with gamma <= 0.3" "$work/out" \
  || fail "summary: $(cat "$work/out")"
grep -q "Spectral measure (moments) of coordinate 1 on 256 angles" "$work/out" \
  || fail "summary: $(cat "$work/out")"
"$SOLACE_PYTHON" - "$work/pv.h5" <<'PY' || fail "pv.h5 checks"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    pts, at = f["verified_grid/points"][...], dict(f["verified_grid/points"].attrs)
    ps, re, im = f["pseudospectrum"][...], f["grid/re"][...], f["grid/im"][...]
    theta, rho = f["measure/theta"][...], f["measure/density"][...]
    wt, ww = f["measure/atoms_theta"][...], f["measure/atoms_weight"][...]
    form = f["measure"].attrs["form"]
    assert (form.decode() if isinstance(form, bytes) else form) == "moments"
    assert at["eps"] == 0.3 and at["measure_preserving"] == 1 and pts.shape[1] == 2
zz = re[None, :] + 1j * im[:, None]
gamma = np.maximum(ps, np.abs(1 - np.abs(zz)))
assert len(pts) >= 1, pts
g = []
for p in pts:
    a, b = np.argmin(np.abs(im - p[1])), np.argmin(np.abs(re - p[0]))
    assert re[b] == p[0] and im[a] == p[1], p
    near = np.abs(zz - zz[a, b]) <= 5 * gamma[a, b]
    assert not np.any(gamma[near] < gamma[a, b]), p
    g.append(gamma[a, b])
assert max(g) == at["bound"] and at["bound"] <= 0.3, (g, at["bound"])
mass = 2 * np.pi * rho.mean()
assert abs(mass - ww.sum()) <= 1e-10 * ww.sum() and np.all(ww >= 0), (mass, ww.sum())
vandeven = lambda x: 1 - 140 * (x**4 / 4 - 3 * x**5 / 5 + x**6 / 2 - x**7 / 7)
err = 0
for n in range(1, 20):
    cn = 2 * np.pi * np.mean(rho * np.cos(n * theta)) / vandeven(n / 20)
    err = max(err, abs(cn - np.sum(ww * np.cos(n * wt))))
assert err <= 1e-9 * ww.sum(), err
print("pv.h5: %d grid points verified, bound %.3g; measure mass %.6g, moments agree to %.2g"
      % (len(pts), at["bound"], ww.sum(), err))
PY

# Bad command lines: exit 1 with a message; nothing written.
expect_failure() {
  local pattern=$1; shift
  if "$drv" "$@" > "$work/out" 2> "$work/err"; then fail "succeeded: $*"; return; fi
  grep -q -- "$pattern" "$work/err" || fail "'$pattern' not in: $(cat "$work/err")"
  grep -qi "segmentation\|abort\|core dumped" "$work/err" && fail "crashed: $*"
}
expect_failure "unknown option or stray argument '-frobnicate'" -frobnicate -o "$work/a.h5"
expect_failure "unknown option or stray argument 'stray'" stray -o "$work/a.h5"
expect_failure "option -degree needs a value" -o "$work/a.h5" -degree
expect_failure "-dict 'chebyshev' is not monomial" -dict chebyshev -o "$work/a.h5"
expect_failure "-degree '-1' is not an integer" -degree -1 -o "$work/a.h5"
expect_failure "-grid '1' is not an integer" -grid 1 -o "$work/a.h5"
expect_failure "-ntraj 'x' is not an integer" -ntraj x -o "$work/a.h5"
expect_failure "-steps '1' is not an integer" -steps 1 -o "$work/a.h5"
expect_failure "-dt '0' is not a number" -dt 0 -o "$work/a.h5"
expect_failure "-dt 'nan' is not a number" -dt nan -o "$work/a.h5"
expect_failure "-rcond '1' is not a number in \[0, 1)" -rcond 1 -o "$work/a.h5"
expect_failure "-residual_tol '-1'" -residual_tol -1 -o "$work/a.h5"
expect_failure "-truncation 'full' is not total, tensor or hyperbolic" -truncation full -o "$work/a.h5"
expect_failure "-verify_grid needs -pseudospectra" -verify_grid 0.1 -o "$work/a.h5"
expect_failure "-measure 'atoms' is not moments or resolvent" -measure atoms -o "$work/a.h5"
expect_failure "-filter 'hann' is not fejer" -measure moments -filter hann -o "$work/a.h5"
expect_failure "-epsilon '0' is not a number" -measure resolvent -epsilon 0 -o "$work/a.h5"
expect_failure "-observable 2: the state has 2 coordinates" -ntraj 10 -steps 10 -degree 2 \
  -measure resolvent -observable 2 -o "$work/a.h5"
expect_failure "n_steps >= n_delays + 2" -i "$work/traj.h5" -delays 11 -o "$work/a.h5"
expect_failure "-delays '-1' is not an integer" -delays -1 -o "$work/a.h5"
expect_failure "-kernel 'rbf' is not gaussian, laplacian or polynomial" -kernel rbf -o "$work/a.h5"
expect_failure "polynomial degree 1.5 is not an integer" -i "$work/traj.h5" -kernel polynomial \
  -kernel_param 1.5 -o "$work/a.h5"
expect_failure "learning pairs in \[1, M - 1\]: 55 of M = 55" -i "$work/traj.h5" -kernel gaussian \
  -kernel_learn 55 -o "$work/a.h5"
expect_failure "-method 'dmd' is not edmd or mpedmd" -method dmd -o "$work/a.h5"
expect_failure "-grid_box '1,2,3' is not four numbers" -grid_box 1,2,3 -o "$work/a.h5"
expect_failure "needs xmin < xmax" -grid_box 1,0,-1,1 -o "$work/a.h5"
expect_failure "unknown system \"stokes\"" -system stokes -o "$work/a.h5"
expect_failure "exclude each other" -system duffing -i "$work/traj.h5" -o "$work/a.h5"
expect_failure "cannot open $work/missing.h5" -i "$work/missing.h5" -o "$work/a.h5"
expect_failure "has no /trajectories/t and x" -i "$work/duffing.h5" -o "$work/a.h5"
expect_failure "4 snapshot pairs but 496 dictionary functions" -ntraj 2 -steps 3 -degree 30 -o "$work/a.h5"
expect_failure "cannot create /nonexistent-dir/x.h5" -ntraj 10 -steps 10 -degree 2 -o /nonexistent-dir/x.h5
[ ! -e "$work/a.h5" ] || fail "a failed run left a file"
before=$(md5sum < "$work/linear.h5")
expect_failure "snapshot pairs but" -ntraj 2 -steps 3 -degree 30 -o "$work/linear.h5"
[ "$before" = "$(md5sum < "$work/linear.h5")" ] || fail "a failed run changed linear.h5"

[ "$failures" -eq 0 ] && echo "koopman-driver: passed" || echo "koopman-driver: $failures failure(s)"
exit $((failures > 0))
