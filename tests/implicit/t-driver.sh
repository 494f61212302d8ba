#!/usr/bin/env bash
# solace-implicit: every example's max_rel_error under its tolerance, -help, bad input.
#   ridge     1e-12  closed form; dense LU on a condition ~1e2 matrix is backward stable
#   lasso     1e-6   central differences of ISTA solutions (x* is piecewise linear in lambda, so
#                    only the ISTA tolerance 1e-15 over the step 6e-6 remains, ~1e-8 measured)
#   hyperopt  1e-5   same for the validation loss; the loss must decrease (exit status)
#   md        1e-5   central differences of FIRE minima at max force 1e-12, step 1e-5 (contacts
#                    change beyond ~1e-4; ~7e-7 measured); also with rattlers and with dense LU
set -euo pipefail
bin="$SOLACE_BIN/solace-implicit"
fail=0
check() { # tolerance, then the arguments
  local tol=$1; shift
  local out err
  out=$("$bin" "$@" -implicit_ksp_converged_reason 2>&1) || { echo "FAIL: $* exited non-zero"; echo "$out"; fail=1; return; }
  err=$(echo "$out" | awk '/^max_rel_error/ {print $2}')
  if [ -z "$err" ] || ! awk -v e="$err" -v t="$tol" 'BEGIN {exit !(e < t)}'; then
    echo "FAIL: $*: max_rel_error '$err' not below $tol"; echo "$out"; fail=1
  else
    echo "ok: $*: max_rel_error $err < $tol"
  fi
}
check 1e-12 -example ridge
check 1e-12 -example ridge -solver gmres
check 1e-6 -example lasso
check 1e-6 -example lasso -solver bicgstab
check 1e-5 -example hyperopt -steps 10
check 1e-5 -example md -particles 128
check 1e-5 -example md -particles 64 -solver lu
check 1e-5 -example md -particles 128 -phi 0.86 -seed 3
"$bin" -help | grep -q -- "-example" || { echo "FAIL: -help lists no -example"; fail=1; }
if "$bin" -example nosuch > /dev/null 2>&1; then echo "FAIL: unknown example accepted"; fail=1; fi
if "$bin" -example ridge -solver nosuch > /dev/null 2>&1; then echo "FAIL: unknown solver accepted"; fail=1; fi
if "$bin" -example md -phi -1 > /dev/null 2>&1; then echo "FAIL: negative phi accepted"; fail=1; fi
exit $fail
