"""Turns the output of bench-skr into the Markdown tables of docs/skr.md.

usage: bench-skr-table.py OUTPUT.txt   (prints the tables to stdout)
"""
import sys
from collections import OrderedDict

CONFIGS = ("gmres", "skr-unsorted", "skr", "skr-warm")


def parse(path):
    rows, standard, summary = OrderedDict(), [], []
    for line in open(path):
        f = line.split()
        if line.startswith("summary"):
            summary.append(line.rstrip())
        if len(f) != 12 or f[0] not in ("darcy", "poisson", "helmholtz", "heat"):
            continue
        family, unknowns, rtol, pc, config, sec, its, res, conv, tratio, itratio, paper = f
        if config in CONFIGS:
            rows.setdefault((family, rtol, pc), {})[config] = (sec, its, res, conv, tratio, paper)
        else:
            standard.append((family, rtol, f"{config} + {pc}", sec, its, res, conv, tratio))
    return rows, standard, summary


def main(path):
    rows, standard, summary = parse(path)
    print("| family | rtol | pc | gmres s / its | skr-unsorted s / its | skr s / its "
          "| skr-warm s / its | gmres/skr time (paper) | gmres/skr its | gmres/skr-warm time |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (family, rtol, pc), r in rows.items():
        cells = []
        for c in CONFIGS:
            sec, its, res, conv, _, _ = r[c]
            mark = "" if conv.split("/")[0] == conv.split("/")[1] else f" ({conv} conv.)"
            cells.append(f"{float(sec):.4f} / {float(its):.1f}{mark}")
        g, s, w = r["gmres"], r["skr"], r["skr-warm"]
        paper = s[5] if s[5] != "-" else "-"
        print(f"| {family} | {rtol} | {pc} | " + " | ".join(cells) +
              f" | {float(g[0]) / float(s[0]):.2f} ({paper}) | {float(g[1]) / float(s[1]):.2f}"
              f" | {float(g[0]) / float(w[0]):.2f} |")
    print()
    print("| family | rtol | standard solver | s / its | max true residual | converged "
          "| gmres (first pc) / it |")
    print("|---|---|---|---|---|---|---|")
    for family, rtol, name, sec, its, res, conv, tratio in standard:
        print(f"| {family} | {rtol} | {name} | {float(sec):.4f} / {float(its):.1f} | {res} "
              f"| {conv} | {tratio} |")
    print()
    for line in summary:
        print(f"    {line}")


if __name__ == "__main__":
    main(sys.argv[1])
