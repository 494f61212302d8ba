#!/usr/bin/env bash
# -sort: /order is the greedy nearest-neighbour order of the inputs, recomputed here with numpy
# by brute force (exact distances), and the samples themselves are those of an unsorted run
# (bitwise: each is solved from a zero initial guess whatever the order). A resumed sorted file
# keeps its order.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
args=(-family darcy -n 16 -count 60 -seed 2 -quiet)
"$SOLACE_BIN/solace-generate" "${args[@]}" -sort greedy -o "$work/sorted.h5"
"$SOLACE_BIN/solace-generate" "${args[@]}" -o "$work/plain.h5"
"$SOLACE_BIN/solace-generate" "${args[@]}" -sort hilbert -o "$work/sorted.h5" -resume > /dev/null
"$SOLACE_PYTHON" - "$work/sorted.h5" "$work/plain.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as s, h5py.File(sys.argv[2]) as p:
    order = s["order"][:]
    a = s["inputs"][:].reshape(len(order), -1)
    left, greedy = set(range(1, len(order))), [0]
    while left:
        last = a[greedy[-1]]
        nxt = min(left, key=lambda j: np.sum((a[j] - last) ** 2))
        greedy.append(nxt), left.remove(nxt)
    assert list(order) == greedy, "order is not the greedy nearest-neighbour order"
    assert s.attrs["sort"] == "greedy" and s.attrs["sort_seconds"] >= 0
    assert list(p["order"][:]) == list(range(len(order)))
    for name in ("inputs", "outputs", "stats/iterations"):
        assert np.array_equal(s[name][:], p[name][:]), f"{name} differs from the unsorted run"
path = lambda o: sum(np.linalg.norm(a[o[k + 1]] - a[o[k]]) for k in range(len(o) - 1))
print(f"path length: index order {path(range(len(order))):.1f}, sorted {path(order):.1f}")
PY
echo "generate-sort: passed"
