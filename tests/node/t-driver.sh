#!/usr/bin/env bash
# solace-node end to end: a tiny spiral training writes weights, history and trajectories that
# h5py reads with the documented shapes; eval prints "nfe", "seconds" and "error"/"accuracy";
# a missing dataset directory and bad options fail with a clear message. The time mode is
# recorded in /node/time (spiral default 0, t at the input); a file without the attribute (as
# written before it existed) loads as input-only; a time-layers file relabelled input-only is
# refused with SOLACE_ERR_FORMAT (the first layer's shapes differ).
set -euo pipefail
bin="$SOLACE_BIN/solace-node"
dir=$(mktemp -d "$SOLACE_TESTS/node-driver.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$bin" train -task spiral -reg biased -steps 5 -ntraj 3 -ntimes 6 -seed 2 -o w.h5 \
  -history h.h5 -trajectories traj.h5 2> train.err > train.out
grep -q "weights in w.h5" train.out
"$bin" eval -task spiral -weights w.h5 -ntraj 3 -ntimes 6 -trajectories pred.h5 > eval.out
grep -Eq '^nfe [0-9]+$' eval.out
grep -Eq '^error [0-9.e+-]+$' eval.out
"$SOLACE_PYTHON" - <<'PY'
import h5py
with h5py.File("traj.h5", "r") as f:
    assert f["trajectories/t"].shape == (6,), f["trajectories/t"].shape
    assert f["trajectories/x"].shape == (3, 6, 2), f["trajectories/x"].shape
    x = f["trajectories/x"][:]
    assert abs(x[0, 0, 0] - 2.0) < 1e-15 and x[0, 0, 1] == 0.0  # trajectory 0 starts at (2, 0)
with h5py.File("pred.h5", "r") as f:
    p = f["trajectories/x"][:]
    assert p.shape == (3, 6, 2), p.shape
    # the test set uses seed + 7919: predictions start from its initial states, not the training ones
    assert abs(p[0, 0, 0] - 2.0) < 1e-15 and (p[1:, 0, :] != x[1:, 0, :]).all()
with h5py.File("h.h5", "r") as f:
    for name in ("loss", "regularizer", "nfe", "seconds", "accuracy"):
        assert f["history/" + name].shape == (5,), name
    assert f["history"].attrs["regularizer"] == "biased"
    assert (f["history/nfe"][:] > 0).all()
with h5py.File("w.h5", "r") as f:
    assert f["node"].attrs["d"] == 2 and list(f["node"].attrs["hidden"]) == [50]
    assert f["node"].attrs["time"] == 0
print("h5py checks passed")
PY
# A weight file without /node/time (older files) evaluates exactly like the original.
cp w.h5 old.h5
"$SOLACE_PYTHON" -c 'import h5py; f = h5py.File("old.h5", "r+"); del f["node"].attrs["time"]'
"$bin" eval -task spiral -weights old.h5 -ntraj 3 -ntimes 6 > old.out
grep '^error' eval.out > e1; grep '^error' old.out > e2; cmp e1 e2
# t at every layer: recorded as 1, reloads; flipped to 0 the shapes no longer match.
"$bin" train -task spiral -time layers -reg none -steps 2 -ntraj 3 -ntimes 6 -o wl.h5 \
  2> /dev/null > /dev/null
"$bin" eval -task spiral -weights wl.h5 -ntraj 3 -ntimes 6 > wl.out
grep -Eq '^error [0-9.e+-]+$' wl.out
"$SOLACE_PYTHON" - <<'PY'
import h5py
with h5py.File("wl.h5", "r+") as f:
    assert f["node"].attrs["time"] == 1
    assert f["layers/000_dense/weight"].shape == (50, 3)  # [u, t] -> 50
    assert f["layers/001_dense/weight"].shape == (2, 51)  # [h, t] -> 2
    f["node"].attrs["time"] = 0
PY
if "$bin" eval -task spiral -weights wl.h5 -ntraj 3 -ntimes 6 2> flip.err; then
  echo "a relabelled time-layers file loaded" >&2; exit 1
fi
grep -q "SOLACE_ERR_FORMAT" flip.err
if "$bin" train -task spiral -time everywhere -steps 1 -o x.h5 2> badtime.err; then
  echo "bad -time accepted" >&2; exit 1
fi
grep -q "time everywhere" badtime.err
if "$bin" train -task spiral -reg unbiased -reg_samples 0 -steps 1 -o x.h5 2> badk.err; then
  echo "-reg_samples 0 accepted" >&2; exit 1
fi
grep -q "samples = 0" badk.err
if "$bin" train -task spiral -reg unbiased -regstep bogus -steps 1 -o x.h5 2> badstep.err; then
  echo "-regstep bogus accepted" >&2; exit 1
fi
grep -q "not initial or solver" badstep.err
# Fashion-MNIST: a missing directory is a clear error, a tiny run works when the data exist.
if "$bin" train -task fmnist -data "$dir/nowhere" -steps 1 -o f.h5 2> missing.err; then
  echo "train with a missing dataset succeeded" >&2; exit 1
fi
grep -q "SOLACE_ERR_IO" missing.err
grep -q "dataset-fashion-mnist" missing.err
if [ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
  "$bin" train -task fmnist -steps 1 -ntrain 16 -batch 16 -o f.h5 2> /dev/null > /dev/null
  "$SOLACE_PYTHON" -c 'import h5py; assert h5py.File("f.h5", "r")["node"].attrs["time"] == 1'
  "$bin" eval -task fmnist -weights f.h5 -ntest 16 > f.out
  grep -Eq '^accuracy (0|1)\.[0-9]+$' f.out
  if "$bin" eval -task spiral -weights f.h5 2> wrong.err; then
    echo "eval of an fmnist model as spiral succeeded" >&2; exit 1
  fi
fi
if "$bin" train -task nothing 2> bad.err; then echo "bad task accepted" >&2; exit 1; fi
grep -q "not spiral or fmnist" bad.err
if "$bin" eval -weights "$dir/none.h5" 2> none.err; then echo "missing weights accepted" >&2; exit 1; fi
grep -q "SOLACE_ERR_IO" none.err
"$bin" -help > help.out || true
grep -q -- "-lambda0" help.out
echo "node-driver: passed"
