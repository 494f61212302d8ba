#!/usr/bin/env bash
# Bad command lines and files: a non-zero exit, a message naming the problem, no file damaged.
set -uo pipefail
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
gen="$SOLACE_BIN/solace-generate"
failures=0

# expect_failure "<message pattern>" args...: the run must fail and print the pattern.
expect_failure() {
  local pattern=$1; shift
  if "$gen" "$@" > "$work/out" 2> "$work/err"; then
    echo "FAIL: succeeded: $*"; failures=$((failures + 1)); return
  fi
  grep -q -- "$pattern" "$work/err" || { echo "FAIL: '$pattern' not in: $(cat "$work/err")"; failures=$((failures + 1)); }
}

# expect_unchanged FILE args...: the run must fail and leave FILE byte for byte as it was.
expect_unchanged() {
  local file=$1; shift
  local before; before=$(md5sum < "$file")
  expect_failure "error" "$@"
  [ "$before" = "$(md5sum < "$file")" ] || { echo "FAIL: $file changed by: $*"; failures=$((failures + 1)); }
}

expect_failure "-n '0' is not an integer" -n 0 -o "$work/a.h5"
expect_failure "-n '-3' is not an integer" -n -3 -o "$work/a.h5"
expect_failure "-n 'abc' is not an integer" -n abc -o "$work/a.h5"
expect_failure "-count '0' is not an integer" -count 0 -o "$work/a.h5"
expect_failure "-count '-5'" -count -5 -o "$work/a.h5"
expect_failure "needs a value" -o
expect_failure "unknown family 'stokes'" -family stokes -o "$work/a.h5"
expect_failure "-resume and -force" -resume -force -o "$work/a.h5"
expect_failure "is not a number" -alpha abc -o "$work/a.h5"
expect_failure "-solver 'fast' is not family or skr" -solver fast -o "$work/a.h5"
expect_failure "recycled dimension k = 40 must be smaller than the restart m = 40" -solver skr -ksp_gcrodr_recycle 40 -count 2 -n 8 -o "$work/a.h5"
expect_failure "not finite" -alpha nan -o "$work/a.h5"
expect_failure "coefficient 'lognormal'" -coefficient lognormal -o "$work/a.h5"
expect_failure "-progress 'loud'" -progress loud -o "$work/a.h5"
expect_failure "-sort 'zigzag'" -sort zigzag -o "$work/a.h5"
expect_failure "/nonexistent-dir/" -o /nonexistent-dir/x.h5 -count 2 -n 8
[ ! -e "$work/a.h5" ] || { echo "FAIL: a failed run left a file"; failures=$((failures + 1)); }

"$gen" -n 12 -count 4 -seed 1 -o "$work/good.h5" -quiet
expect_unchanged "$work/good.h5" -n 12 -count 4 -o "$work/good.h5"           # exists
expect_unchanged "$work/good.h5" -n 16 -count 4 -o "$work/good.h5" -resume   # other grid
expect_unchanged "$work/good.h5" -n 12 -count 5 -o "$work/good.h5" -resume   # other count
expect_unchanged "$work/good.h5" -n 12 -count 4 -seed 2 -o "$work/good.h5" -resume  # other seed
expect_unchanged "$work/good.h5" -n 12 -count 4 -tau 3 -o "$work/good.h5" -resume   # other field

head -c 4096 /dev/urandom > "$work/corrupt.h5"
expect_unchanged "$work/corrupt.h5" -n 12 -count 4 -o "$work/corrupt.h5" -resume
printf 'not a dataset\n' > "$work/text.h5"
expect_unchanged "$work/text.h5" -n 12 -count 4 -o "$work/text.h5" -resume
"$SOLACE_PYTHON" -c "import h5py, numpy; h5py.File('$work/foreign.h5', 'w')['x'] = numpy.arange(5)"
expect_unchanged "$work/foreign.h5" -n 12 -count 4 -o "$work/foreign.h5" -resume
# a truncated dataset file (a copy cut in the middle) is refused too
head -c 3000 "$work/good.h5" > "$work/cut.h5"
expect_unchanged "$work/cut.h5" -n 12 -count 4 -o "$work/cut.h5" -resume

[ "$failures" -eq 0 ] || { echo "generate-bad-input: $failures failure(s)"; exit 1; }
echo "generate-bad-input: passed"
