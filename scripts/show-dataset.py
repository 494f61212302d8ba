"""Prints what a Solace dataset file holds: shapes, attributes and solve statistics (h5py)."""
import sys

import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    print(f"{path}: family {attrs['family']}, grid {list(attrs['grid'])}, {attrs['count']} samples")
    for name in ("inputs", "outputs", "params", "order"):
        if name in f:
            print(f"  /{name:<8} {str(f[name].shape):<18} {f[name].dtype}")
    its, secs = f["stats/iterations"][:], f["stats/seconds"][:]
    done = f["stats/done"][:].astype(bool)
    print(f"  solver {attrs['ksp_type']} + {attrs['pc_type']}, rtol {attrs['rtol']:.0e}: "
          f"iterations mean {its[done].mean():.1f} (min {its[done].min()}, max {its[done].max()}), "
          f"{1e3 * secs[done].mean():.2f} ms per solve, max residual {f['stats/residual'][:][done].max():.1e}")
    u = f["outputs"][0]
    print(f"  sample 0: input range [{f['inputs'][0].min():.3f}, {f['inputs'][0].max():.3f}], "
          f"solution max {u.max():.5f}")
    print("  read it with: h5py.File(path)['inputs'][i]  ->  numpy array [ny, nx]")
