#!/usr/bin/env bash
# The README's C example (examples/hello-darcy.c) runs, writes a valid dataset, resumes to a
# no-op, and the README shows the same code as the file that is built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
cd "$work"
"$SOLACE_BIN/hello-darcy" 2> err
"$SOLACE_PYTHON" "$here/check_dataset.py" darcy.h5
"$SOLACE_BIN/hello-darcy" 2> err      # all samples done: resume writes nothing
"$SOLACE_PYTHON" - "$SOLACE_SOURCE" <<'PY'
import re, sys
root = sys.argv[1]
readme = open(f"{root}/README.md").read()
snippet = re.search(r"```c\n(.*?)```", readme, re.S).group(1)
source = open(f"{root}/examples/hello-darcy.c").read().split("\n", 1)[1]
assert snippet == source, "README's C example differs from examples/hello-darcy.c"
PY
echo "generate-hello: passed"
