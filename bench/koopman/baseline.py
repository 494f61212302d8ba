"""Straightforward numpy/scipy EDMD + ResDMD residuals + pseudospectrum: the baseline of
bench-koopman (bench/koopman/bench-koopman.c), which writes the data and reads the results.

usage: baseline.py DATA POINTS OUT
  DATA   float64: M, degree, then x[M], y[M] (snapshot pairs of a circle map, angles)
  POINTS float64: P, then P (re, im) pairs (the pseudospectrum points)
  OUT    float64: t_edmd, t_residuals, t_pseudospectrum (seconds), N, N (re, im) eigenvalues,
         N residuals, P values of tau

The formulas are those of docs/koopman.md: Fourier dictionary 1, cos(k x), sin(k x)
(k = 1..degree), weights 1/M, G = PsiX^T W PsiX, A = PsiX^T W PsiY, L = PsiY^T W PsiY,
K = G^-1 A, eigenpairs by numpy.linalg.eig, residual^2 = g^*(L - lambda A^* - conj(lambda) A
+ |lambda|^2 G) g / (g^* G g), and tau(z) = sigma_min([R12 R11^-1 - z I; R22 R11^-1]) from one
QR of sqrt(W)[PsiX PsiY] (the QR form of the reference), one numpy SVD per point. The QR is
not part of the timed pseudospectrum (it is a one-time setup).
"""
import sys
import time

import numpy as np
import scipy.linalg


def dictionary(u, degree):
    ku = np.outer(u, np.arange(1, degree + 1))
    return np.hstack([np.ones((len(u), 1)), np.cos(ku), np.sin(ku)])


def edmd(x, y, degree):
    m = len(x)
    psi_x, psi_y = dictionary(x, degree), dictionary(y, degree)
    g = psi_x.T @ psi_x / m
    a = psi_x.T @ psi_y / m
    l = psi_y.T @ psi_y / m
    lam, v = np.linalg.eig(np.linalg.solve(g, a))
    return psi_x, psi_y, g, a, l, lam, v


def residuals(g, a, l, lam, v):
    quad = lambda mat: np.real(np.sum(v.conj() * (mat @ v), axis=0))
    v_l, v_g = quad(l), quad(g)
    v_a = np.sum(v.conj() * (a @ v), axis=0)
    res2 = v_l - 2 * np.real(np.conj(lam) * v_a) + np.abs(lam) ** 2 * v_g
    return np.sqrt(np.maximum(res2, 0) / v_g)


def pseudospectrum_setup(psi_x, psi_y):
    m, n = psi_x.shape
    r = np.linalg.qr(np.hstack([psi_x, psi_y]) / np.sqrt(m), mode="r")
    r11, r12, r22 = r[:n, :n], r[:n, n:], r[n:, n:]
    top = scipy.linalg.solve_triangular(r11, r12.T, trans="T").T  # R12 R11^-1
    bottom = scipy.linalg.solve_triangular(r11, r22.T, trans="T").T  # R22 R11^-1
    return top, bottom


def pseudospectrum(top, bottom, z):
    n = top.shape[0]
    eye = np.eye(n)
    return np.array([np.linalg.svd(np.vstack([top - zz * eye, bottom]), compute_uv=False)[-1]
                     for zz in z])


def main():
    data = np.fromfile(sys.argv[1])
    m, degree = int(data[0]), int(data[1])
    x, y = data[2:2 + m], data[2 + m:2 + 2 * m]
    pts = np.fromfile(sys.argv[2])
    z = pts[1::2] + 1j * pts[2::2]
    t0 = time.perf_counter()
    psi_x, psi_y, g, a, l, lam, v = edmd(x, y, degree)
    t1 = time.perf_counter()
    res = residuals(g, a, l, lam, v)
    t2 = time.perf_counter()
    top, bottom = pseudospectrum_setup(psi_x, psi_y)
    t3 = time.perf_counter()
    tau = pseudospectrum(top, bottom, z) if len(z) else np.zeros(0)
    t4 = time.perf_counter()
    n = len(lam)
    out = np.concatenate([[t1 - t0, t2 - t1, t4 - t3, n],
                          np.column_stack([lam.real, lam.imag]).ravel(), res, tau])
    out.tofile(sys.argv[3])


if __name__ == "__main__":
    main()
