#!/usr/bin/env python3
"""Draws a solace-koopman spectrum file to PNG: the EDMD eigenvalues coloured by their ResDMD
residual (log scale), the verified ones ringed, over contours of the pseudospectrum
tau(z) (when the file has one, i.e. solace-koopman ran with -pseudospectra), and the unit circle.

    python3 plot_spectrum.py spectrum.h5 [-o spectrum.png] [--levels 1e-3,1e-2,1e-1,0.3]

Needs h5py, numpy and matplotlib (Debian: python3-h5py python3-numpy python3-matplotlib).
"""
import argparse
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spectrum", help="HDF5 file written by solace-koopman -o")
    parser.add_argument("-o", "--output", help="PNG file (default: the input name with .png)")
    parser.add_argument("--levels", default="1e-3,1e-2,1e-1,0.3",
                        help="pseudospectrum contour levels, comma separated (default %(default)s)")
    parser.add_argument("--dpi", type=int, default=150, help="resolution (default %(default)s)")
    args = parser.parse_args()
    try:
        import h5py
        import numpy as np
    except ImportError as err:
        sys.exit("plot_spectrum.py: error: %s; install python3-h5py and python3-numpy" % err)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
    except ImportError:
        sys.exit("plot_spectrum.py: error: matplotlib is not installed; install python3-matplotlib "
                 "(apt-get install python3-matplotlib) or pip install matplotlib")
    try:
        levels = sorted(float(v) for v in args.levels.split(","))
    except ValueError:
        sys.exit("plot_spectrum.py: error: --levels '%s' is not a list of numbers" % args.levels)
    output = args.output or (args.spectrum.rsplit(".", 1)[0] + ".png")
    try:
        with h5py.File(args.spectrum, "r") as f:
            ev, res, verified = f["eigenvalues"][...], f["residuals"][...], f["verified"][...]
            bound = float(f["verified"].attrs["bound"])
            tol = float(f["verified"].attrs["residual_tol"])
            tau = f["pseudospectrum"][...] if "pseudospectrum" in f else None
            re = f["grid/re"][...] if tau is not None else None
            im = f["grid/im"][...] if tau is not None else None
            source = f.attrs.get("source", b"")
            source = source.decode() if isinstance(source, bytes) else str(source)
    except (OSError, KeyError) as err:
        sys.exit("plot_spectrum.py: error: %s is not a solace-koopman spectrum file (%s)"
                 % (args.spectrum, err))

    fig, ax = plt.subplots(figsize=(6.4, 6))
    if tau is not None:  # tau[a, b] is at re[b] + i im[a]
        cs = ax.contour(re, im, tau, levels=levels, cmap="Greys_r", linewidths=0.8)
        ax.clabel(cs, fmt="%.0e", fontsize=7)
    t = np.linspace(0, 2 * np.pi, 400)
    ax.plot(np.cos(t), np.sin(t), "k--", linewidth=0.6, label="unit circle")
    floor = max(res[res > 0].min() if np.any(res > 0) else 1e-16, 1e-16)
    sc = ax.scatter(ev[:, 0], ev[:, 1], c=np.maximum(res, floor), cmap="viridis",
                    norm=LogNorm(vmin=floor, vmax=max(res.max(), floor * 10)), s=18, zorder=3)
    if len(verified):
        ax.scatter(ev[verified, 0], ev[verified, 1], facecolors="none", edgecolors="red", s=70,
                   linewidths=1.0, zorder=4,
                   label="verified: residual <= %g (bound %.2g)" % (tol, bound))
    fig.colorbar(sc, ax=ax, label="ResDMD residual")
    ax.set_aspect("equal")
    ax.set_xlabel("Re $\\lambda$")
    ax.set_ylabel("Im $\\lambda$")
    ax.set_title("Koopman spectrum of %s: %d eigenvalues, %d verified" % (source, len(res),
                                                                       len(verified)))
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(output, dpi=args.dpi)
    print("plot_spectrum.py: wrote %s" % output)


if __name__ == "__main__":
    main()
