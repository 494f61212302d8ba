#!/usr/bin/env python3
"""Kernelized ResDMD against an independent numpy implementation, through the C ABI (ctypes).

numpy: Gram matrices by broadcasting, numpy.linalg.eigh of G, the r x r kernel EDMD matrix and
numpy.linalg.eig, the n dominant eigenvectors (conjugate pairs whole, real and imaginary parts),
numpy.linalg.qr, the learned dictionary on fresh verification pairs, EDMD by numpy.linalg.lstsq
and residuals ||PsiY g - lambda PsiX g|| / ||PsiX g||. Solace: solace_koopman_set_dictionary_kernel,
set_data, compute (QR formulation). Cases: the Laplacian kernel (rcond 1e-6) and the Gaussian
kernel (widths 1 and 2, rcond 1e-3) on the quadratic map x -> (0.9 x1 - 0.2 x2 + 0.1 x2^2,
0.1 x1 + 0.7 x2 - 0.2 x1 x2) (non-normal, no kernel span invariant), 150 learning pairs, 600
verification pairs. Tolerances: 1e-8 on eigenvalues and residuals for the Gaussian kernel at
rcond 1e-3, 1e-6 for the Laplacian kernel at rcond 1e-6. The learned span is sensitive to
rounding by about eps / rcond^2 (B = Q_r S_r^-1 amplifies the errors of Q_r by 1 / (rcond S_1)):
2e-4 at rcond 1e-6, a bound the two codes stay far inside (measured 4e-10 to 5e-8, depending on
the BLAS build and the CPU its kernels are chosen for), and 2e-10 at rcond 1e-3 (measured 1e-10
and better). The Gaussian Gram eigenvalues decay fast, so at rcond 1e-6 the two codes learn spans
1e-7 apart (measured), hence rcond 1e-3 there. Also solace_koopman_kernel_edmd with the
Laplacian kernel (rank 150 at rcond 1e-6) against numpy.linalg.eigvals of the same r x r matrix,
to 1e-6 for the same reason (its eigenvalues cluster near 0, where they are sensitive; measured
3.6e-10 to 1.7e-8)."""
import ctypes as C
import os
import subprocess
import sys

import numpy as np

LAPLACIAN_TOL = 1e-6  # rcond 1e-6: see the module docstring
LIBRARY = os.path.join(os.environ.get("SOLACE_BUILD", "build"), "libsolace.so")


def preload_sanitizers():
    """A sanitizer build's libsolace.so needs its runtime loaded first: run again with LD_PRELOAD
    (leak checking off: it would report the interpreter's own allocations)."""
    if os.environ.get("SOLACE_SANITIZER_PRELOADED"):
        return
    deps = subprocess.run(["ldd", LIBRARY], capture_output=True, text=True).stdout.splitlines()
    runtimes = [line.split("=>")[1].split()[0] for line in deps
                if "=>" in line and ("libasan" in line or "libubsan" in line)]
    if runtimes:
        env = dict(os.environ, SOLACE_SANITIZER_PRELOADED="1", LD_PRELOAD=":".join(runtimes),
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


preload_sanitizers()
lib = C.CDLL(LIBRARY)
DP, I64 = C.POINTER(C.c_double), C.c_int64
lib.solace_error_message.restype = C.c_char_p


def ptr(a):
    return a.ctypes.data_as(DP)


def solace(kernel, param, xl, yl, xv, yv, rcond, n):
    """Eigenvalues and residuals from the library."""
    h = C.c_void_p()
    nf = I64()
    d, ml, mv = xl.shape[1], xl.shape[0], xv.shape[0]
    calls = [lambda: lib.solace_koopman_create(C.byref(h)),
             lambda: lib.solace_koopman_set_dictionary_kernel(
                 h, C.c_int(kernel), C.c_double(param), I64(d), I64(ml), ptr(xl), I64(d), ptr(yl),
                 I64(d), None, C.c_double(rcond), I64(n), C.byref(nf)),
             lambda: lib.solace_koopman_set_data(h, I64(d), I64(mv), ptr(xv), I64(d), I64(mv),
                                                 ptr(yv), I64(d), None),
             lambda: lib.solace_koopman_compute(h)]
    for call in calls:
        if call() != 0:
            sys.exit("FAIL: " + lib.solace_error_message().decode())
    r = I64()
    lib.solace_koopman_get_size(h, None, C.byref(r))
    lam, res = np.zeros(2 * r.value), np.zeros(r.value)
    lib.solace_koopman_get_eigenvalues(h, ptr(lam))
    lib.solace_koopman_get_residuals(h, ptr(res))
    lib.solace_koopman_destroy(C.byref(h))
    return nf.value, lam[0::2] + 1j * lam[1::2], res


def kernel_matrix(kernel, param, u, x):
    """k(u_i, x_j)."""
    if kernel == 1:
        return (1 + u @ x.T) ** param
    r = np.sqrt(np.maximum(((u[:, None, :] - x[None, :, :]) ** 2).sum(-1), 0))
    return np.exp(-r / param) if kernel == 2 else np.exp(-(r / param) ** 2)


def reference(kernel, param, xl, yl, xv, yv, rcond, n):
    """The same method written with numpy."""
    m = xl.shape[0]
    g = kernel_matrix(kernel, param, xl, xl) / m
    a = kernel_matrix(kernel, param, yl, xl) / m
    e, q = np.linalg.eigh(g)
    keep = (e > 0) & (np.sqrt(np.maximum(e, 0)) > rcond * np.sqrt(e.max()))
    b = q[:, keep] / np.sqrt(e[keep])
    w, v = np.linalg.eig(b.T @ a @ b)
    cols, taken = [], []
    for j in np.argsort(-abs(w), kind="stable"):
        if len(cols) >= n or any(abs(w[j] - np.conj(w[t])) < 1e-12 for t in taken):
            continue
        taken.append(j)
        cols += [v[:, j].real] if abs(w[j].imag) == 0 else [v[:, j].real, v[:, j].imag]
    vq, _ = np.linalg.qr(np.array(cols).T)
    coef = b @ vq / np.sqrt(m)
    px = kernel_matrix(kernel, param, xv, xl) @ coef
    py = kernel_matrix(kernel, param, yv, xl) @ coef
    kk = np.linalg.lstsq(px, py, rcond=None)[0]
    lam, vec = np.linalg.eig(kk)
    res = np.linalg.norm(py @ vec - px @ vec * lam, axis=0) / np.linalg.norm(px @ vec, axis=0)
    return coef.shape[1], lam, res


def kernel_edmd_check(xl, yl):
    """solace_koopman_kernel_edmd with the Laplacian kernel against numpy's eigenvalues of
    S_r^-1 Q_r^T A Q_r S_r^-1 (rcond 1e-6, width 1); returns the largest difference."""
    m = xl.shape[0]
    rank, lam = I64(), np.zeros(2 * m)
    if lib.solace_koopman_kernel_edmd(C.c_int(2), C.c_double(1.0), I64(2), I64(m), ptr(xl),
                                      I64(2), ptr(yl), I64(2), None, C.c_double(1e-6),
                                      C.byref(rank), ptr(lam)) != 0:
        sys.exit("FAIL: " + lib.solace_error_message().decode())
    e, q = np.linalg.eigh(kernel_matrix(2, 1.0, xl, xl) / m)
    keep = np.sqrt(np.maximum(e, 0)) > 1e-6 * np.sqrt(e.max())
    b = q[:, keep] / np.sqrt(e[keep])
    ref = np.linalg.eigvals(b.T @ (kernel_matrix(2, 1.0, yl, xl) / m) @ b)
    got = lam[0:2 * rank.value:2] + 1j * lam[1:2 * rank.value:2]
    err = max(np.min(abs(got - z)) for z in ref) if rank.value == len(ref) else np.inf
    print(f"kernel EDMD, Laplacian kernel: rank {rank.value} (numpy {len(ref)}), eigenvalues "
          f"differ by {err:.3g}")
    return err


def quadratic(rng, m):
    x = rng.uniform(-1, 1, (m, 2))
    y = np.c_[0.9 * x[:, 0] - 0.2 * x[:, 1] + 0.1 * x[:, 1] ** 2,
              0.1 * x[:, 0] + 0.7 * x[:, 1] - 0.2 * x[:, 0] * x[:, 1]]
    return x, y


def main():
    rng = np.random.default_rng(7)
    xl, yl = quadratic(rng, 150)
    xv, yv = quadratic(rng, 600)
    failures = 0 if kernel_edmd_check(xl, yl) <= LAPLACIAN_TOL else 1
    for kernel, name, param, n, rcond, tol in [(2, "Laplacian", 1.0, 12, 1e-6, LAPLACIAN_TOL),
                                              (0, "Gaussian", 1.0, 6, 1e-3, 1e-8),
                                              (0, "Gaussian", 2.0, 10, 1e-3, 1e-8)]:
        ns, ls, rs = solace(kernel, param, xl, yl, xv, yv, rcond, n)
        nr, lr, rr = reference(kernel, param, xl, yl, xv, yv, rcond, n)
        el = er = 0.0
        for j in range(len(lr)):  # match each reference eigenvalue to the nearest of Solace's
            k = np.argmin(abs(ls - lr[j]))
            el, er = max(el, abs(ls[k] - lr[j])), max(er, abs(rs[k] - rr[j]))
        print(f"{name} kernel, width {param}, rcond {rcond:g}, n = {n}: {ns} functions (numpy {nr}); eigenvalues differ by "
              f"{el:.3g}, residuals by {er:.3g} (residuals {rr.min():.3g} .. {rr.max():.3g})")
        if ns != nr or len(ls) != len(lr) or el > tol or er > tol:
            print(f"FAIL: {name}: sizes {ns}/{nr}, {len(ls)}/{len(lr)}, errors {el}, {er}")
            failures += 1
    sys.exit(1 if failures else 0)


main()
