#!/usr/bin/env bash
# The committed generated bindings (bindings/fortran/solace_c.f90,
# bindings/julia/Solace/src/gen/libsolace.jl) are what scripts/gen-bindings.py makes of the
# headers now. And on a copy of the headers, the generator refuses (exit 2, naming the header
# and the declaration) what it cannot map instead of skipping it, and --check notices a changed
# header.
set -euo pipefail
gen="$SOLACE_SOURCE/scripts/gen-bindings.py"
"$SOLACE_PYTHON" "$gen" --check
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bindings/fortran" "$work/bindings/julia/Solace/src/gen"
cp -r "$SOLACE_SOURCE/include" "$work/"
cp "$SOLACE_SOURCE/bindings/fortran/solace_c.f90" "$work/bindings/fortran/"
cp "$SOLACE_SOURCE/bindings/julia/Solace/src/gen/libsolace.jl" "$work/bindings/julia/Solace/src/gen/"
"$SOLACE_PYTHON" "$gen" --root "$work" --check
# a new function: the committed files are now out of date
sed -i 's|^SOLACE_EXPORT int solace_skr_destroy|SOLACE_EXPORT int solace_skr_extra(solace_skr skr, double x);\n&|' \
  "$work/include/solace/skr.h"
if "$SOLACE_PYTHON" "$gen" --root "$work" --check 2>"$work/log"; then
  echo "FAIL: --check did not notice a new function" >&2; exit 1
fi
grep -q "solace_skr_extra" "$work/log"
# declarations it cannot map are refused, each with its header and text
refuse() {
  cp "$SOLACE_SOURCE/include/solace/skr.h" "$work/include/solace/skr.h"
  printf '%s\n' "$1" >>"$work/include/solace/skr.h"
  local rc=0
  "$SOLACE_PYTHON" "$gen" --root "$work" --list >/dev/null 2>"$work/log" || rc=$?
  if [ "$rc" != 2 ] || ! grep -q "skr.h" "$work/log"; then
    echo "FAIL: the generator accepted: $1 (exit $rc)" >&2; cat "$work/log" >&2; exit 1
  fi
  echo "refused as expected: $(cat "$work/log")"
}
refuse 'SOLACE_EXPORT int solace_bad_float(float x);'
refuse 'SOLACE_EXPORT int solace_bad_struct(struct foo *x);'
refuse 'SOLACE_EXPORT void solace_bad_void(int x);'
refuse '#define SOLACE_BAD_MACRO(x) ((x) + 1)'
refuse '#define SOLACE_BAD_TEXT "text"'
refuse 'typedef double (*solace_bad_fn)(double);'
refuse 'extern int solace_bad_global;'
echo "bindings-current: passed"
