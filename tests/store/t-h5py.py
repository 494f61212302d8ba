"""h5py reads what Solace's store wrote: store-roundtrip writes a 7-sample 2-D dataset
(nx = 5, ny = 3, two parameters, six samples done in the order (3k + 1) mod 7) and this script
checks, for the closed file and for one whose writer was killed (SIGKILL) before closing it (read
with swmr=True, as store.h says), shapes, dtypes, chunking (one sample per chunk, all allocated at creation, unfiltered: the
store's crash safety needs that), attributes and values against the same formulas (exact in
binary, so the tolerance is 0)."""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

COUNT, NX, NY, NPARAMS, NWRITTEN = 7, 5, 3, 2, 6
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("check failed:", message, file=sys.stderr)


def reference(i):
    """Input, output and params of sample i, as t-roundtrip.c computes them."""
    iy, ix = np.meshgrid(np.arange(NY), np.arange(NX), indexing="ij")  # C order [ny, nx]
    return (i + ix / 8.0 + iy / 64.0, 100.0 * i - ix * 0.25 + iy * 0.5,
            np.array([i / 4.0, -float(i)]))


def check_layout(f):
    expected = {"/inputs": ((COUNT, NY, NX), np.float64), "/outputs": ((COUNT, NY, NX), np.float64),
                "/params": ((COUNT, NPARAMS), np.float64), "/order": ((COUNT,), np.int64),
                "/stats/iterations": ((COUNT,), np.int64), "/stats/seconds": ((COUNT,), np.float64),
                "/stats/residual": ((COUNT,), np.float64), "/stats/done": ((COUNT,), np.uint8)}
    for name, (shape, dtype) in expected.items():
        check(f[name].shape == shape, f"{name} shape {f[name].shape}, expected {shape}")
        check(f[name].dtype == dtype, f"{name} dtype {f[name].dtype}, expected {dtype}")
    for name in ("/inputs", "/outputs"):
        d = f[name]
        check(d.chunks == (1, NY, NX), f"{name} chunks {d.chunks}: not one sample per chunk")
        check(d.compression is None and not d.shuffle, f"{name} is filtered ({d.compression})")
        check(d.id.get_num_chunks() == COUNT,
              f"{name} has {d.id.get_num_chunks()} chunks allocated, expected all {COUNT}")


def check_attributes(f):
    a = f.attrs
    expected = {"solace_format": "solace-dataset", "family": "darcy", "solace_version": "0.1.0",
                "ksp_type": "cg"}
    for name, value in expected.items():
        check(isinstance(a[name], str) and a[name] == value, f"attribute {name} = {a[name]!r}")
    for name, value in {"format_version": 1, "count": COUNT, "nparams": NPARAMS, "seed": 42}.items():
        check(a[name] == value and a[name].dtype == np.int64, f"attribute {name} = {a[name]!r}")
    check(a["rtol"] == 1e-8 and a["rtol"].dtype == np.float64, f"rtol = {a['rtol']!r}")
    check(np.array_equal(a["grid"], [NX, NY]) and a["grid"].dtype == np.int64,
          f"grid = {a['grid']!r}, expected [nx, ny] = [{NX}, {NY}]")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["created"]) is not None,
          f"created = {a['created']!r} is not ISO-8601 UTC")


def check_values(f):
    order = [(3 * k + 1) % COUNT for k in range(COUNT)]
    check(np.array_equal(f["/order"][:], order), f"order {f['/order'][:]}, expected {order}")
    done = f["/stats/done"][:]
    for k, i in enumerate(order):
        check(done[i] == (k < NWRITTEN), f"done[{i}] = {done[i]}")
        if k >= NWRITTEN:
            continue
        x, y, p = reference(i)
        check(np.array_equal(f["/inputs"][i], x), f"inputs[{i}] differs (tolerance 0)")
        check(np.array_equal(f["/outputs"][i], y), f"outputs[{i}] differs (tolerance 0)")
        check(np.array_equal(f["/params"][i], p), f"params[{i}] differs (tolerance 0)")
        check(f["/stats/iterations"][i] == 10 + i, f"iterations[{i}]")
        check(f["/stats/seconds"][i] == 0.125 * i, f"seconds[{i}]")
        check(f["/stats/residual"][i] == 2.0 ** -(20 + i), f"residual[{i}]")


def check_file(f):
    check_layout(f)
    check_attributes(f)
    check_values(f)


def main():
    writer = os.path.join(os.environ["SOLACE_TESTS"], "store-roundtrip")
    with tempfile.TemporaryDirectory(dir=".", prefix="store-h5py-") as tmp:
        path = os.path.join(tmp, "roundtrip.h5")
        subprocess.run([writer, path], check=True)
        with h5py.File(path, "r") as f:  # a closed store opens without swmr=True
            check_file(f)
        killed = os.path.join(tmp, "killed.h5")
        run = subprocess.run([writer, killed, "--kill"])
        check(run.returncode == -9, f"the writer was to kill itself, returned {run.returncode}")
        try:
            h5py.File(killed, "r").close()
            check(False, "a killed writer's file opened without swmr=True")
        except OSError:
            pass  # its status flags say it is open for writing
        with h5py.File(killed, "r", swmr=True) as f:
            check_file(f)
    if failures:
        print(f"store-h5py: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("store-h5py: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
