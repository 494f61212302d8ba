/**
 * @file koopman.h
 * @brief Koopman: EDMD spectra of dynamical systems from snapshot data, with
 * ResDMD residuals, pseudospectra and the verified (residual-filtered)
 * spectrum.
 *
 * Given snapshot pairs x_m -> y_m = F(x_m) (m = 1..M) with quadrature weights
 * w_m and a dictionary psi_1..psi_N, EDMD approximates the Koopman operator (K
 * g)(x) = g(F(x)) on span{psi_j} by K = G^+ A with G = PsiX^* W PsiX and A =
 * PsiX^* W PsiY. Residual DMD gives each eigenpair (lambda, g) its residual
 *   res(lambda, g)^2 = g^*(L - lambda A^* - conj(lambda) A + |lambda|^2 G) g /
 * (g^* G g), L = PsiY^* W PsiY: the relative L2 error of K g = lambda g on the
 * data. For a normal Koopman operator (a measure-preserving system sampled from
 * its invariant measure), an eigenvalue with residual eps lies within eps of
 * the true spectrum, so a small residual certifies it.
 *
 * Numerics: a Householder QR of sqrt(W)[PsiX PsiY] (or, for tall well-conditioned
 * data, the Gram path of solace_koopman_set_qr(): G, A, L by one dsyrk, R11 =
 * chol(G), R12 = R11^-T A, R22 replaced by any F with F^T F = L - R12^T R12)
 * gives R11, R12, R22; the SVD R11 = U S V^T gives an orthonormal basis of the
 * dictionary span (in the data's inner product), truncated to the singular
 * values s_i > rcond * s_1 (default rcond 1e-12): this truncated pseudo-inverse
 * is the documented regularisation of G^+. In that basis K_r = U_r^T R12 V_r
 * S_r^-1 (r x r), the part of K g outside the span is E c with E = [U_perp^T
 * R12; R22] V_r S_r^-1, and res(lambda, c) = ||[(K_r - lambda) c; E c]|| /
 * ||c||, tau(z) = sigma_min([K_r - z I; E])  (the pseudospectrum function).
 *
 * Usage: solace_koopman_create(), optionally solace_koopman_set_dictionary()
 * (default: monomials of total degree 1), solace_koopman_set_data() or
 * solace_koopman_set_trajectories(), solace_koopman_compute(), then the
 * getters. All arrays are column-major with an explicit leading dimension
 * (counted in elements; for complex arrays, in complex elements). Complex
 * numbers are interleaved (re, im) double pairs: complex entry (i, j) of a
 * matrix with leading dimension ld is at [2 (i + j ld)] (real part) and [2 (i +
 * j ld) + 1] (imaginary part).
 *
 * The bundled systems (solace_koopman_simulate()) produce trajectories in the
 * HDF5 layout of DESIGN.md: /trajectories/t [T], /trajectories/x [n_traj, T, d]
 * (C order), i.e. the column-major d x T x n_traj array of this header.
 */
#ifndef SOLACE_KOOPMAN_H
#define SOLACE_KOOPMAN_H

#include "solace/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque Koopman estimator: dictionary, data and the results of the last
 * compute. */
typedef struct solace_koopman_s *solace_koopman;

/** One-dimensional families of the product dictionaries, and RBFs. */
enum solace_koopman_dict {
  SOLACE_KOOPMAN_DICT_MONOMIAL = 0, /**< u^n */
  SOLACE_KOOPMAN_DICT_LEGENDRE = 1, /**< Legendre polynomials sqrt(n + 1/2) P_n(u) */
  SOLACE_KOOPMAN_DICT_HERMITE =
      2, /**< Hermite functions H_n(u) exp(-u^2/2) / sqrt(2^n n! sqrt(pi)) */
  SOLACE_KOOPMAN_DICT_FOURIER = 3, /**< 1, cos(k u), sin(k u), k = 1..degree (u an angle) */
  SOLACE_KOOPMAN_DICT_RBF = 4      /**< Gaussian RBFs exp(-|x - c|^2 / s^2), k-means centres */
};

/** How the products of one-dimensional functions are truncated (degrees n_i per
 * coordinate). */
enum solace_koopman_truncation {
  SOLACE_KOOPMAN_TOTAL_DEGREE = 0, /**< sum_i n_i <= degree */
  SOLACE_KOOPMAN_TENSOR = 1,       /**< max_i n_i <= degree */
  SOLACE_KOOPMAN_HYPERBOLIC = 2    /**< hyperbolic cross: prod_i (1 + n_i) <= degree + 1 (a Fourier
                                      degree n_i is the frequency of cos, sin) */
};

/** Filters of the moment form of the spectral measure (phi on [0, 1], phi(0) = 1,
 * phi(1) = 0). */
enum solace_koopman_filter {
  SOLACE_KOOPMAN_FILTER_FEJER = 0,    /**< 1 - x (first order) */
  SOLACE_KOOPMAN_FILTER_COSINE = 1,   /**< (1 + cos(pi x)) / 2 (second order) */
  SOLACE_KOOPMAN_FILTER_VANDEVEN = 2, /**< 1 - 140 int_0^x t^3 (1 - t)^3 dt (fourth order) */
  SOLACE_KOOPMAN_FILTER_BUMP = 3      /**< exp(1 - 1 / (1 - x^2)) (smooth) */
};

/** How solace_koopman_compute() forms the Koopman matrix from the data. */
enum solace_koopman_method {
  SOLACE_KOOPMAN_EDMD = 0,  /**< EDMD: the least-squares K = G^+ A (default) */
  SOLACE_KOOPMAN_MPEDMD = 1 /**< mpEDMD: the unitary polar factor of the whitened A */
};

/** Kernels of solace_koopman_kernel_edmd(). */
enum solace_koopman_kernel {
  SOLACE_KOOPMAN_KERNEL_GAUSSIAN = 0,   /**< exp(-|x - y|^2 / s^2), s = param > 0 */
  SOLACE_KOOPMAN_KERNEL_POLYNOMIAL = 1, /**< (1 + x . y)^p, p = param, an integer >= 1 */
  SOLACE_KOOPMAN_KERNEL_LAPLACIAN = 2   /**< exp(-|x - y| / s), s = param > 0 */
};

/** How solace_koopman_compute() factors sqrt(W) [PsiX PsiY] = Q R. */
enum solace_koopman_qr {
  SOLACE_KOOPMAN_QR_AUTO = 0,        /**< Gram for tall well-conditioned data, else as before */
  SOLACE_KOOPMAN_QR_HOUSEHOLDER = 1, /**< always Householder (TSQR for tall data) */
  SOLACE_KOOPMAN_QR_CHOLESKY = 2,    /**< Cholesky QR whenever safe, else Householder */
  SOLACE_KOOPMAN_QR_GRAM = 3         /**< Gram matrices + Cholesky of G when cond(G) <= 1e8 */
};

/**
 * Creates an estimator with the defaults: monomials of total degree 1 (1, x_1,
 * ..., x_d), rcond 1e-12, no data.
 */
SOLACE_EXPORT int solace_koopman_create(solace_koopman *koopman);

/** Releases the estimator and sets *koopman to NULL; accepts NULL and a NULL
 * handle. */
SOLACE_EXPORT int solace_koopman_destroy(solace_koopman *koopman);

/**
 * Chooses the dictionary.
 * @param kind       a ::solace_koopman_dict; a product family is used for every
 * coordinate (see solace_koopman_set_dictionary_kinds() to mix families)
 * @param degree     product families: the largest degree, >= 0 (for Fourier,
 * degree k is the pair cos(k u), sin(k u)); RBF: the number of centres, >= 1
 * @param truncation a ::solace_koopman_truncation (ignored for RBF)
 *
 * Product families act on u = (x - shift) / scale per coordinate
 * (solace_koopman_set_scaling()); without an explicit scaling, Legendre maps
 * the bounding box of all snapshots (X and Y) to
 * [-1, 1] and every other family uses u = x. The functions are ordered by total
 * degree, then lexicographically in the 1-D indices with the last coordinate
 * varying fastest. RBF: the centres are k-means centres of the columns of X
 * (k-means++ seeding from a fixed seed, then 50 Lloyd iterations) and s is the
 * mean distance from a snapshot to its nearest centre.
 */
SOLACE_EXPORT int solace_koopman_set_dictionary(solace_koopman koopman, int kind, int64_t degree,
                                                int truncation);

/**
 * Mixes product families: coordinate i uses kinds[i] (a product
 * ::solace_koopman_dict, not RBF), e.g. Fourier in an angle and Hermite in a
 * momentum; degree and truncation stay those of
 * solace_koopman_set_dictionary(). d must equal the data's dimension at compute
 * time; d = 0 returns to one family for all coordinates.
 */
SOLACE_EXPORT int solace_koopman_set_dictionary_kinds(solace_koopman koopman, int64_t d,
                                                      const int64_t *kinds);

/**
 * Sets the coordinate map u_i = (x_i - shift[i]) / scale[i] of the product
 * families (d entries each, finite, scale[i] > 0); shift = scale = NULL
 * restores the default (see solace_koopman_set_dictionary()).
 */
SOLACE_EXPORT int solace_koopman_set_scaling(solace_koopman koopman, int64_t d, const double *shift,
                                             const double *scale);

/**
 * Sets the truncation of the pseudo-inverse: singular values of sqrt(W) PsiX
 * below rcond * (the largest) are discarded, rcond in [0, 1). The number kept,
 * r, is the number of eigenvalues (solace_koopman_get_size()).
 */
SOLACE_EXPORT int solace_koopman_set_rcond(solace_koopman koopman, double rcond);

/**
 * Chooses how the Koopman matrix is formed (a ::solace_koopman_method).
 * SOLACE_KOOPMAN_EDMD (default): K_r = U_r^T R12 V_r S_r^-1 (see the file
 * comment). SOLACE_KOOPMAN_MPEDMD, measure-preserving EDMD (Colbrook 2023): in
 * the same orthonormal basis (where G = I), K_r is the whitened cross matrix
 * G^-1/2 A G^-1/2, and mpEDMD replaces it by its unitary polar factor: with the
 * SVD K_r = X S Y^T (LAPACK dgesvd), K_mp = X Y^T, the orthogonal matrix
 * nearest to K_r in the Frobenius norm (orthogonal Procrustes). K_mp is
 * orthogonal, so every eigenvalue lies on the unit circle (to rounding) and
 * the eigenvectors of distinct eigenvalues are orthogonal in the data's inner
 * product. Meant for measure-preserving systems sampled from the invariant
 * measure. The eigenpairs (eigenvalues, eigenvectors, eigenfunctions, modes)
 * are those of K_mp; their residuals are the ResDMD residuals of the same
 * data, so they measure how far each mpEDMD eigenpair is from a true one; the
 * pseudospectrum does not depend on the method.
 * @param method ::SOLACE_KOOPMAN_EDMD or ::SOLACE_KOOPMAN_MPEDMD, else
 * ::SOLACE_ERR_ARG (the setting is then unchanged). Forgets the results of the
 * last compute.
 */
SOLACE_EXPORT int solace_koopman_set_method(solace_koopman koopman, int method);

/**
 * A user dictionary: fills psi (m x n, column-major, leading dimension ldpsi >= m)
 * with psi(j, k) = psi_k(x_j), the n dictionary functions at the m points x_j
 * (the columns of x: d x m, leading dimension ldx >= d). Returns 0 on success;
 * a nonzero value stops the computation with ::SOLACE_ERR_ARG and a message
 * naming the value. ctx is the pointer given to
 * solace_koopman_set_dictionary_fn().
 */
typedef int (*solace_koopman_dictionary_fn)(int64_t m, int64_t d, const double *x, int64_t ldx,
                                            int64_t n, double *psi, int64_t ldpsi, void *ctx);

/**
 * Uses the callback fn as the dictionary of n functions, in place of the
 * built-in kinds (solace_koopman_set_dictionary() switches back). The values
 * are taken as they are (no scaling); non-finite values stop the computation
 * with ::SOLACE_ERR_ARG naming the entry. fn and ctx must stay valid while
 * the estimator computes or evaluates eigenfunctions.
 * @return ::SOLACE_ERR_ARG for NULL koopman or fn, or n < 1. Forgets the
 * results of the last compute.
 */
SOLACE_EXPORT int solace_koopman_set_dictionary_fn(solace_koopman koopman, int64_t n,
                                                   solace_koopman_dictionary_fn fn, void *ctx);

/**
 * Chooses the QR factorization of B = sqrt(W) [PsiX PsiY] (M x 2N) behind
 * every result (a ::solace_koopman_qr). Householder (LAPACK dgeqrf, by blocks
 * of rows and the stacked R factors for tall data) is backward stable for any
 * data. The Cholesky path: R11 from CholQR2 of X = sqrt(W) PsiX (dsyrk,
 * dpotrf, dtrsm, twice: Q1 orthonormal to rounding when cond(X) < ~1e7), then
 * one block Gram-Schmidt step of Y = sqrt(W) PsiY against Q1 (R12 = Q1^T Y,
 * Z = Y - Q1 R12) and the Householder R factor of Z gives R22. PsiY is not
 * Cholesky-factored because [PsiX PsiY] is rank deficient for every dictionary
 * holding the constant function. Criterion: the Cholesky path is taken only
 * when the first dpotrf of X^T X succeeds and the LAPACK dtrcon estimate of
 * the 1-norm condition number of its factor (an estimate of cond(X)) is at
 * most 1e6; otherwise Householder is used. SOLACE_KOOPMAN_QR_CHOLESKY tries it
 * whenever M >= 2N.
 *
 * The Gram path (SOLACE_KOOPMAN_QR_GRAM) forms no Q: B^T B = [G A; A^T L] by one
 * dsyrk over blocks of rows (about 4 M N^2 flops; the dictionary is evaluated
 * block by block and never stored, so memory is O(N^2 + block)), R11 = chol(G)
 * (dpotrf), R12 = R11^-T A, and in place of R22 a factor F of the Schur
 * complement S = L - R12^T R12 = F^T F (pivoted Cholesky dpstrf; S is PSD in
 * exact arithmetic, its rounding-level negative part is dropped). K_r, E, the
 * residuals, the pseudospectrum, mpEDMD and the measures are then computed as
 * for a QR. Accuracy: S is a difference of matrices of size ||L||, so the
 * residuals and tau are accurate to about sqrt(eps ||L||) (~1e-8 for an
 * orthonormal dictionary) instead of eps, as for the textbook G, A, L
 * formulas, and the eigenvalues to about eps cond(G). Taken when dpotrf
 * succeeds, the dpocon estimate of cond_1(G) is at most 1e8 and the rcond
 * truncation would keep every direction; otherwise the data are evaluated
 * again and the QR path runs (as for AUTO). SOLACE_KOOPMAN_QR_AUTO (default)
 * takes the Gram path for tall data (M >= 10 N) with cond_1(G) <= 1e4
 * (eigenvalues within about 1e4 eps of the QR path's); otherwise Householder,
 * or Cholesky QR for M >= 150 N. Ask for SOLACE_KOOPMAN_QR_HOUSEHOLDER when
 * residuals or tau below ~1e-7 matter. solace_koopman_get_qr() tells which
 * path was used.
 * @return ::SOLACE_ERR_ARG for another value. Forgets the results of the last
 * compute.
 */
SOLACE_EXPORT int solace_koopman_set_qr(solace_koopman koopman, int qr);

/**
 * Kernel EDMD (Williams, Rowley, Kevrekidis 2015): the eigenvalues of the
 * Koopman matrix in the feature space of a kernel, from the M x M Gram
 * matrices G_ij = w_i^1/2 w_j^1/2 k(x_i, x_j) and A_ij = w_i^1/2 w_j^1/2
 * k(y_i, x_j) only. With the eigen-decomposition G = Q S^2 Q^T (dsyevd), the
 * rank r keeps the S_i > rcond S_1, and K = (S_r^-1 Q_r^T) A (Q_r S_r^-1) (r x
 * r, dgeev). Its eigenvalues are those of EDMD with the kernel's (possibly
 * infinite) feature map as dictionary, restricted to the span of the data:
 * the polynomial kernel of degree p spans the monomials of total degree <= p.
 * Costs O(M^2 d + M^3): meant for M up to a few thousand with many features.
 * Eigenvalues only: solace_koopman_set_dictionary_kernel() gives the same
 * method with residuals, eigenfunctions and pseudospectra.
 * @param kernel  a ::solace_koopman_kernel
 * @param param   the Gaussian or Laplacian width s (> 0) or the polynomial
 *                degree p (an integer in [1, 64])
 * @param d, m    state dimension and number of snapshot pairs (>= 1 each)
 * @param x, y    d x m column-major (leading dimensions ldx, ldy >= d), finite
 * @param weights m quadrature weights (finite, >= 0, positive sum), or NULL
 *                for 1/M
 * @param rcond   relative truncation of the singular values S, in [0, 1); S_i
 *                are square roots of the eigenvalues of G, so rcond below ~1e-7
 *                keeps rounding-level directions (noise eigenvalues)
 * @param rank    out: r
 * @param lambda  out: the r eigenvalues (re, im), room for 2m doubles,
 *                sorted by modulus (largest first), then by argument
 * @return ::SOLACE_ERR_ARG for a bad kernel or parameter, NULL pointers, bad
 * sizes, non-finite data or bad weights; ::SOLACE_ERR_MEM.
 */
SOLACE_EXPORT int solace_koopman_kernel_edmd(int kernel, double param, int64_t d, int64_t m,
                                             const double *x, int64_t ldx, const double *y,
                                             int64_t ldy, const double *weights, double rcond,
                                             int64_t *rank, double *lambda);

/**
 * Kernelized ResDMD (Colbrook and Townsend): a dictionary learned by kernel
 * EDMD, then used like any other, so that solace_koopman_compute() gives the
 * eigenvalues with their ResDMD residuals, eigenfunctions, modes and
 * pseudospectra. Kernel EDMD on the pairs (x, y) (see
 * solace_koopman_kernel_edmd(): G = Q S^2 Q^T, rank r, K = S_r^-1 Q_r^T A Q_r
 * S_r^-1) gives r eigenvectors v_j of K; the n of largest eigenvalue modulus
 * (a complex-conjugate pair is never split, so n + 1 may be taken; at most r)
 * are made real (Re v, Im v of each pair) and orthonormalised (QR), V (r x N).
 * The dictionary is then psi_k(x) = sum_i w_i^1/2 k(x, x_i) C_ik with C = Q_r
 * S_r^-1 V: functions orthonormal in the kernel's feature space whose span
 * holds the n dominant kernel EDMD eigenfunctions. Give data with
 * solace_koopman_set_data() (ideally snapshot pairs other than x, y: on the
 * learning pairs themselves, n = r gives zero residuals by construction) and
 * call solace_koopman_compute(). The learning pairs are copied; the
 * dictionary applies to data of dimension d only.
 * @param kernel, param, d, m, x, ldx, y, ldy, weights, rcond as for
 * solace_koopman_kernel_edmd()
 * @param n       the number of eigenvectors kept, >= 1 (min(n, r), or n + 1
 *                to complete a conjugate pair)
 * @param[out] n_functions the number N of dictionary functions; may be NULL
 * @return ::SOLACE_ERR_ARG for bad arguments (as solace_koopman_kernel_edmd(),
 * n < 1); ::SOLACE_ERR_MEM; ::SOLACE_ERR_BACKEND if LAPACK fails. Forgets the
 * results of the last compute; solace_koopman_set_dictionary() or
 * solace_koopman_set_dictionary_fn() replace the learned dictionary.
 */
SOLACE_EXPORT int solace_koopman_set_dictionary_kernel(solace_koopman koopman, int kernel,
                                                       double param, int64_t d, int64_t m,
                                                       const double *x, int64_t ldx,
                                                       const double *y, int64_t ldy,
                                                       const double *weights, double rcond,
                                                       int64_t n, int64_t *n_functions);

/**
 * The factorization used by the last compute: ::SOLACE_KOOPMAN_QR_GRAM,
 * ::SOLACE_KOOPMAN_QR_CHOLESKY or ::SOLACE_KOOPMAN_QR_HOUSEHOLDER.
 * @return ::SOLACE_ERR_STATE before a compute.
 */
SOLACE_EXPORT int solace_koopman_get_qr(solace_koopman koopman, int *qr);

/**
 * Gives the snapshot pairs (copied).
 * @param d        state dimension, >= 1
 * @param mx, my   number of columns of X and of Y: they must be equal (>= 1)
 * @param x        X, d x mx column-major with leading dimension ldx >= d;
 * finite
 * @param y        Y = F(X), d x my column-major with leading dimension ldy >=
 * d; finite
 * @param weights  mx quadrature weights, finite and >= 0 with a positive sum,
 * or NULL for 1/M
 * @return ::SOLACE_ERR_ARG for NULL pointers, bad sizes, mx != my, a NaN or
 * infinite entry (the message names the entry) or bad weights; the estimator
 * then has no data.
 */
SOLACE_EXPORT int solace_koopman_set_data(solace_koopman koopman, int64_t d, int64_t mx,
                                          const double *x, int64_t ldx, int64_t my, const double *y,
                                          int64_t ldy, const double *weights);

/**
 * Gives snapshot pairs from trajectories (copied): every consecutive pair (x_t,
 * x_{t+1}) of every trajectory, M = n_traj (n_steps - 1) pairs with weights
 * 1/M.
 * @param x d x n_steps x n_traj column-major (x[i + d (t + n_steps j)] is
 * coordinate i at step t of trajectory j: the C-order [n_traj, T, d] array of a
 * trajectory file); finite
 * @param n_steps states per trajectory, >= 2
 */
SOLACE_EXPORT int solace_koopman_set_trajectories(solace_koopman koopman, int64_t d, int64_t n_traj,
                                                  int64_t n_steps, const double *x);

/**
 * Gives snapshot pairs from trajectories with a time-delay embedding (copied):
 * the state at step t is z_t = (x_t, x_{t-1}, .., x_{t-n_delays}) (dimension
 * d (n_delays + 1), newest first), and every consecutive pair (z_t, z_{t+1}),
 * t = n_delays .. n_steps - 2, of every trajectory is a snapshot pair: M =
 * n_traj (n_steps - 1 - n_delays) pairs with weights 1/M. The dictionary then
 * acts on the d (n_delays + 1) delay coordinates (eigenfunctions and modes
 * too). n_delays = 0 is solace_koopman_set_trajectories().
 * @param x d x n_steps x n_traj column-major (as there); finite
 * @param n_delay_steps the number of delays n_delays >= 0, with n_steps >=
 * n_delays + 2
 */
SOLACE_EXPORT int solace_koopman_set_delay_trajectories(solace_koopman koopman, int64_t d,
                                                        int64_t n_traj, int64_t n_steps,
                                                        const double *x, int64_t n_delay_steps);

/**
 * Runs EDMD (or mpEDMD, solace_koopman_set_method()) and ResDMD: dictionary
 * on the data, QR, truncated SVD, eigen-decomposition (LAPACK dgeev) and the
 * residual of every eigenpair.
 * @return ::SOLACE_ERR_STATE without data; ::SOLACE_ERR_ARG when M < N (fewer
 * snapshot pairs than dictionary functions: EDMD is then underdetermined and
 * its residuals meaningless), or when the dictionary does not fit the data
 * (kinds or scaling of another dimension, more RBF centres than snapshots, a
 * dictionary that vanishes on the data);
 *         ::SOLACE_ERR_BACKEND if LAPACK fails.
 */
SOLACE_EXPORT int solace_koopman_compute(solace_koopman koopman);

/**
 * Writes N, the number of dictionary functions, and r, the number of
 * eigenvalues (the rank kept by the truncation; r = N for a well-conditioned
 * dictionary). Either pointer may be NULL. Every getter below is
 * ::SOLACE_ERR_STATE before solace_koopman_compute().
 */
SOLACE_EXPORT int solace_koopman_get_size(solace_koopman koopman, int64_t *n_functions,
                                          int64_t *n_eigenvalues);

/**
 * Writes the r eigenvalues lambda_j of K as 2r doubles (re, im), sorted by
 * decreasing modulus (ties: by increasing argument); every other getter uses
 * this order.
 */
SOLACE_EXPORT int solace_koopman_get_eigenvalues(solace_koopman koopman, double *lambda);

/** Writes the r ResDMD residuals res(lambda_j, g_j) >= 0 (see the file
 * comment). */
SOLACE_EXPORT int solace_koopman_get_residuals(solace_koopman koopman, double *residuals);

/**
 * Writes the eigenvectors: column j (complex, N entries) holds the coefficients
 * g_j of the eigenfunction phi_j(x) = sum_i psi_i(x) g_ij, normalised so that
 * the quadrature norm (sum_m w_m |phi_j(x_m)|^2)^(1/2) is 1. g is N x r
 * complex, column-major, leading dimension ldg >= N (complex elements; 2 ldg r
 * doubles).
 */
SOLACE_EXPORT int solace_koopman_get_eigenvectors(solace_koopman koopman, double *g, int64_t ldg);

/**
 * Writes the continuous-time eigenvalues mu_j = log(lambda_j) / dt (principal
 * complex logarithm, so a negative real lambda gives imaginary part pi / dt,
 * never NaN; 2r doubles (re, im)); dt > 0. lambda_j = 0 gives mu_j = (-inf, 0).
 */
SOLACE_EXPORT int solace_koopman_get_ct_eigenvalues(solace_koopman koopman, double dt, double *mu);

/**
 * Evaluates the eigenfunctions at m points.
 * @param x   d x m column-major, leading dimension ldx >= d; finite
 * @param phi m x r complex, column-major, leading dimension ldphi >= m (complex
 * elements): phi(k, j) = phi_j(x_k)
 */
SOLACE_EXPORT int solace_koopman_eigenfunctions(solace_koopman koopman, int64_t m, const double *x,
                                                int64_t ldx, double *phi, int64_t ldphi);

/**
 * Writes the Koopman modes of the full state: v_j in C^d with x ~ sum_j
 * phi_j(x) v_j, the weighted least-squares fit over the snapshots X (exact when
 * the coordinates are in the dictionary span). modes is d x r complex,
 * column-major, leading dimension ldm >= d.
 * ::SOLACE_ERR_BACKEND if the eigenvector matrix is singular (a defective K).
 */
SOLACE_EXPORT int solace_koopman_get_modes(solace_koopman koopman, double *modes, int64_t ldm);

/**
 * Predicts by the Koopman mode decomposition: from each of m initial states
 * x0_k, the states after s = 0..steps steps of the map,
 * x_s ~ Re sum_j v_j lambda_j^s phi_j(x0_k), with the eigenvalues, the
 * eigenfunctions (solace_koopman_eigenfunctions()) and the modes
 * (solace_koopman_get_modes()). Exact, up to rounding, when the coordinates
 * lie in a Koopman-invariant span of the dictionary; otherwise an
 * approximation whose quality the residuals indicate.
 * @param m     number of initial states, >= 1
 * @param x0    d x m column-major, leading dimension ldx >= d; finite
 * @param steps last step predicted, >= 0 (step 0 is the mode reconstruction of
 *              x0)
 * @param xout  d x ((steps + 1) m) column-major, leading dimension ldout >= d:
 *              column s + (steps + 1) k is state k after s steps (with ldout =
 *              d, the [m, steps + 1, d] C-order layout of trajectory files)
 * @return ::SOLACE_ERR_STATE before a compute; ::SOLACE_ERR_ARG for bad sizes
 * or non-finite x0; ::SOLACE_ERR_BACKEND if the eigenvector matrix is
 * singular (a defective K).
 */
SOLACE_EXPORT int solace_koopman_predict(solace_koopman koopman, int64_t m, const double *x0,
                                         int64_t ldx, int64_t steps, double *xout, int64_t ldout);

/**
 * Evaluates the pseudospectrum function tau(z) = min_g ||K g - z g|| / ||g||
 * (over the dictionary span, ResDMD's QR formulation: the smallest singular
 * value of [K_r - z I; E]) at nz points.
 * @param z   2 nz doubles (re, im), finite
 * @param tau nz values >= 0; {z : tau(z) < eps} approximates the
 * eps-pseudospectrum.
 * Numerics: tau(z)^2 is the smallest eigenvalue of the Hermitian r x r matrix
 * C0 - z K_r^T - conj(z) K_r + |z|^2 I, C0 = K_r^T K_r + E^T E formed once;
 * per point a Cholesky factorisation and Lanczos on its inverse (O(r^3 / 3)
 * complex flops instead of an SVD of the 2r x r matrix). Where tau(z)^2 is
 * below 1e-6 (||[K_r; E]|| + |z|)^2 (the squared form's rounding would show),
 * or Cholesky or Lanczos fail, that point uses zgesvd of [K_r - z I; E]. The
 * relative error of tau is about r eps / 2e-6 at worst (5.5e-8 at r = 1000).
 * Collective over MPI_COMM_WORLD when MPI is initialised with more than one
 * rank: every rank passes the same points, each evaluates a contiguous block,
 * and every rank receives all nz values.
 */
SOLACE_EXPORT int solace_koopman_pseudospectrum(solace_koopman koopman, int64_t nz, const double *z,
                                                double *tau);

/**
 * The verified spectrum: the eigenpairs whose residual is <= tol.
 * @param tol        >= 0
 * @param[out] count how many are kept
 * @param[out] index their indices (in the order of
 * solace_koopman_get_eigenvalues()), increasing; a buffer of r entries, may be
 * NULL
 * @param[out] bound the largest residual of the kept eigenpairs (0 if none):
 * for a normal Koopman operator every kept eigenvalue is within bound of its
 * spectrum; may be NULL
 */
SOLACE_EXPORT int solace_koopman_get_verified(solace_koopman koopman, double tol, int64_t *count,
                                              int64_t *index, double *bound);

/**
 * The verified spectrum on candidate points (a grid, say), with its error bound
 * (the grid algorithm of Colbrook, Mezic and Stepanenko). With gamma(z) =
 * tau(z), or max(tau(z), |1 - |z||) when measure_preserving is nonzero (the
 * Koopman operator is then an isometry, whose spectrum lies in the closed unit
 * disc and, when it is unitary, on the circle), point j is kept when gamma(z_j)
 * <= eps and no candidate within distance 5 gamma(z_j) of z_j has a smaller
 * gamma: the local minimisers of gamma at the scale of gamma itself, so a
 * spurious EDMD eigenvalue (where tau is large) keeps no point near it. For a
 * normal Koopman operator every kept point z lies within gamma(z) <= bound of
 * its spectrum (tau(z) is at least the distance; quadrature error aside).
 * @param nz, z   nz >= 1 candidate points, 2 nz doubles (re, im), finite
 * @param tau     their tau(z) values (solace_koopman_pseudospectrum()), or NULL
 * to evaluate them here (then collective over MPI_COMM_WORLD like it)
 * @param eps     > 0: the largest gamma kept
 * @param[out] count how many points are kept
 * @param[out] index their indices into z, increasing; a buffer of nz entries,
 * may be NULL
 * @param[out] bound max gamma over the kept points (0 if none); may be NULL
 */
SOLACE_EXPORT int solace_koopman_verify_points(solace_koopman koopman, int64_t nz, const double *z,
                                               const double *tau, double eps,
                                               int measure_preserving, int64_t *count,
                                               int64_t *index, double *bound);

/**
 * The spectral measure of a measure-preserving system, moment form: for an
 * observable g (real, given by its values at the snapshots X and projected
 * onto the dictionary span), the measure mu_g on [-pi, pi) with moments c_n =
 * <K^n g, g> = int e^{i n theta} d mu_g, smoothed by a filter:
 *   rho(theta) = (1 / 2 pi) [c_0 + 2 sum_{n=1}^{n_moments} phi(n / n_moments)
 * c_n cos(n theta)].
 * The moments are those of mpEDMD's orthogonal matrix (the polar factor of K_r,
 * solace_koopman_set_method(); used here whatever the method), in the data's
 * inner product, so c_0 = ||P g||^2 and c_n is real (g real: mu_g is
 * symmetric).
 * @param g          M values g(x_m) at the snapshots (solace_koopman_set_data()
 * order), finite
 * @param n_moments  >= 1
 * @param filter     a ::solace_koopman_filter
 * @param n_theta, theta  n_theta >= 1 finite angles
 * @param[out] measure_density n_theta values rho(theta_j)
 */
SOLACE_EXPORT int solace_koopman_measure_moments(solace_koopman koopman, const double *g,
                                                 int64_t n_moments, int filter, int64_t n_theta,
                                                 const double *theta, double *measure_density);

/**
 * The spectral measure of a measure-preserving system, resolvent form (first
 * order, the Poisson kernel): with rho = 1 / (1 + epsilon) and z = e^{i theta}
 * / rho,
 *   (P_rho * mu_g)(theta) = -(1 / 2 pi) Re[c_0 + 2 z <(K - z)^-1 g, g>],
 * P_rho(t) = (1 - rho^2) / (2 pi (1 - 2 rho cos t + rho^2)), the resolvent
 * applied by a Galerkin solve with K_r (zgesv; K_r - z is invertible for
 * |z| > 1 when K is an isometry). Same g and output as
 * solace_koopman_measure_moments().
 * @param epsilon smoothing, > 0 and finite (the kernel's width is about
 * epsilon)
 */
SOLACE_EXPORT int solace_koopman_measure_resolvent(solace_koopman koopman, const double *g,
                                                   double epsilon, int64_t n_theta,
                                                   const double *theta, double *measure_density);

/**
 * Writes the results of the last compute to an HDF5 file, the layout of the
 * solace-koopman driver (float64 unless said): /eigenvalues [r, 2] (re, im, in
 * the order of solace_koopman_get_eigenvalues()), /residuals [r], /verified
 * [K] int64 (the indices of solace_koopman_get_verified() at residual_tol)
 * with attributes bound and residual_tol, root attributes n_functions,
 * n_eigenvalues (int64), rcond and method ("edmd" or "mpedmd"); and, when a
 * grid is given, /grid/re [n_re], /grid/im [n_im] and /pseudospectrum [n_im,
 * n_re] (C order: entry [a, b] is tau(re[b] + i im[a])).
 * The file is written to "PATH.tmp-PID" and renamed over path (an existing
 * file is replaced only when everything was written): a failure leaves no file
 * and path unchanged.
 * @param residual_tol >= 0, the tolerance of /verified
 * @param n_re, re, n_im, im the grid (n_re, n_im >= 1, finite), or 0 and NULL
 * for no pseudospectrum
 * @param tau n_re x n_im column-major (leading dimension n_re: tau[b + a n_re]
 * at re[b] + i im[a], the values of solace_koopman_pseudospectrum()), or NULL
 * to have them evaluated here; ignored without a grid
 * @return ::SOLACE_ERR_STATE before solace_koopman_compute(),
 * ::SOLACE_ERR_ARG for bad arguments, ::SOLACE_ERR_IO if the file cannot be
 * created, written or renamed (e.g. a missing directory).
 */
SOLACE_EXPORT int solace_koopman_write(solace_koopman koopman, const char *path,
                                       double residual_tol, int64_t n_re, const double *re,
                                       int64_t n_im, const double *im, const double *tau);

/**
 * The spectral measure of mpEDMD as atoms: for an observable g (as in
 * solace_koopman_measure_moments()), the unitary (orthogonal) matrix U of
 * mpEDMD (the polar factor of K_r) is U = Z T Z^T (real Schur form, LAPACK
 * dgees; T is block diagonal because U is normal), and mu_g = sum_j w_j
 * delta(theta_j) with theta_j the arguments of the eigenvalues of U and w_j =
 * |<z_j, b>|^2 (b the coordinates of the projection of g): the two
 * eigenvalues of a 2 x 2 rotation block share its weight equally. So the
 * weights sum to c_0 = ||P g||^2 and sum_j w_j e^{i n theta_j} = c_n, the
 * moments of solace_koopman_measure_moments().
 * @param g      M values g(x_m) at the snapshots, finite
 * @param[out] theta   r angles in (-pi, pi], sorted increasing
 * @param[out] weights r weights >= 0 (in the order of theta)
 */
SOLACE_EXPORT int solace_koopman_measure_weights(solace_koopman koopman, const double *g,
                                                 double *theta, double *weights);

/**
 * solace_koopman_write() plus the grid verified spectrum: with a grid (n_re,
 * n_im >= 1) and eps > 0, solace_koopman_verify_points() on the n_re n_im grid
 * points (tau given or evaluated) at eps, written as /verified_grid/points [K,
 * 2] (re, im of the kept points, in grid order: real part fastest) with
 * attributes bound (max gamma over them, 0 if none), eps and
 * measure_preserving (int64). Same atomic publication as solace_koopman_write().
 * @param eps > 0 (::SOLACE_ERR_ARG otherwise, or without a grid)
 * @param measure_preserving nonzero: gamma = max(tau, |1 - |z||)
 */
SOLACE_EXPORT int solace_koopman_write_verified_grid(solace_koopman koopman, const char *path,
                                                     double residual_tol, int64_t n_re,
                                                     const double *re, int64_t n_im,
                                                     const double *im, const double *tau,
                                                     double eps, int measure_preserving);

/**
 * Writes the state dimension of a bundled system: "pendulum" (2: angle, angular
 * velocity), "duffing" (2), "vanderpol" (2), "lorenz" (3), "rotation" (1: an
 * angle), "gauss" (1). An unknown name is ::SOLACE_ERR_ARG listing the known
 * ones.
 */
SOLACE_EXPORT int solace_koopman_system_dimension(const char *system, int64_t *d);

/**
 * Simulates a bundled system from given initial states.
 * @param system  a name of solace_koopman_system_dimension(). Flows: pendulum
 * theta'' = -sin theta; duffing x'' = -delta x' + x - x^3, delta = 0.5
 * (params[0]); vanderpol x'' = mu (1 - x^2) x' - x, mu = 1 (params[0]); lorenz
 * (sigma, rho, beta) = (10, 28, 8/3). Maps (one step per sample, dt unused):
 * rotation theta -> theta + omega mod 2 pi, omega = 1 (params[0]); gauss x ->
 * exp(-alpha x^2) + beta, (alpha, beta) = (2, -1 - exp(-2)) (params[0],
 * params[1])
 * @param parameters   n_parameters values replacing the leading defaults above
 * (params[0], ...), or NULL with n_parameters 0
 * @param dt      sampling interval of the flows, > 0
 * @param n_traj  number of trajectories, >= 1
 * @param n_steps states per trajectory, >= 1
 * @param x0      d x n_traj initial states, column-major with leading dimension
 * d; finite
 * @param[out] x  d x n_steps x n_traj column-major (layout of
 * solace_koopman_set_trajectories()), x(:, 0, j) = x0(:, j) Flows are
 * integrated by SUNDIALS CVODE (Adams-Moulton with fixed-point iteration: the
 * bundled flows are not stiff) at rtol 1e-10, atol 1e-12, restarted for each
 * trajectory.
 */
SOLACE_EXPORT int solace_koopman_simulate(const char *system, const double *parameters,
                                          int64_t n_parameters, double dt, int64_t n_traj,
                                          int64_t n_steps, const double *x0, double *x);

/**
 * Writes trajectories to an HDF5 file (created or truncated): /trajectories/t
 * [n_steps] with t_k = k dt and /trajectories/x [n_traj, n_steps, d] (C order;
 * the array x of solace_koopman_simulate()), and the string attribute "system"
 * of /trajectories unless system is NULL.
 */
SOLACE_EXPORT int solace_koopman_traj_write(const char *path, const char *system, double dt,
                                            int64_t d, int64_t n_traj, int64_t n_steps,
                                            const double *x);

/**
 * Reads the sizes of a trajectory file: ::SOLACE_ERR_IO if it cannot be opened,
 * ::SOLACE_ERR_FORMAT if /trajectories/x is missing or not 3-D, or
 * /trajectories/t does not have one entry per step of x (mismatched lengths).
 */
SOLACE_EXPORT int solace_koopman_traj_sizes(const char *path, int64_t *d, int64_t *n_traj,
                                            int64_t *n_steps);

/**
 * Reads a trajectory file: t (n_steps doubles, may be NULL) and x (d x n_steps
 * x n_traj column-major); the sizes must be those of
 * solace_koopman_traj_sizes() (else
 * ::SOLACE_ERR_ARG).
 */
SOLACE_EXPORT int solace_koopman_traj_read(const char *path, int64_t d, int64_t n_traj,
                                           int64_t n_steps, double *t, double *x);

#ifdef __cplusplus
}
#endif
#endif
