#!/usr/bin/env bash
# solace-koopman end to end: the Duffing spectrum file read back with h5py (shapes, residuals finite
# and non-negative, the verified set below its tolerance with the bound attribute, the grid), a
# trajectory file of a linear map through -i (eigenvalues exact to 1e-10), and bad command lines
# (exit 1, a message naming the problem, no output file written or damaged); -method mpedmd on the
# pendulum (eigenvalues on the unit circle to 1e-12).
set -uo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
drv="$SOLACE_BIN/solace-koopman"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$drv" -help > "$work/help" || fail "-help exited non-zero"
for opt in system dt ntraj steps seed box i dict degree truncation method rcond residual_tol pseudospectra \
           grid grid_box o quiet help; do
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
expect_failure "-truncation 'full' is not total or tensor" -truncation full -o "$work/a.h5"
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
