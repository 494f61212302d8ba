/* solace_koopman_write(): the results of a compute in the HDF5 layout of the
 * solace-koopman driver, through a temporary file and an atomic rename. */
#include "io/store-impl.h"
#include "solvers/koopman/koopman-impl.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes dataset `name` of `loc` (file type ftype, memory type mtype). */
static int put(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
               const void *buf) {
  hid_t space = H5Screate_simple(rank, dims, NULL), dset = H5I_INVALID_HID;
  int status = SOLACE_SUCCESS;
  if (space >= 0) dset = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (dset < 0 || H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot write dataset %s", name);
  solace_h5_close(&dset), solace_h5_close(&space);
  return status;
}

/* The grid pseudospectrum of a write, and its verified points when eps > 0. */
typedef struct {
  int64_t n_re, n_im;
  const double *re, *im, *tau;
  double eps, vbound; /* verify_points tolerance (0: none) and the bound of the kept points */
  int64_t mp, n_kept; /* measure_preserving; number of kept points */
  double *kept;       /* n_kept x 2 (re, im) */
} grid_t;

/* Writes /verified_grid/points [K, 2] with its attributes. */
static int write_verified_grid(hid_t file, const grid_t *grid) {
  hid_t f64 = H5T_IEEE_F64LE, d64 = H5T_NATIVE_DOUBLE;
  hsize_t dims[2] = {(hsize_t)grid->n_kept, 2};
  hid_t group = H5Gcreate2(file, "verified_grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int status = group < 0 ? solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /verified_grid")
                         : put(group, "points", f64, d64, 2, dims, grid->kept);
  hid_t set = status ? H5I_INVALID_HID : H5Dopen2(group, "points", H5P_DEFAULT);
  if (!status && set < 0) status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot open points");
  if (!status) status = solace_h5_attr_put(set, "bound", f64, d64, 0, &grid->vbound);
  if (!status) status = solace_h5_attr_put(set, "eps", f64, d64, 0, &grid->eps);
  if (!status)
    status = solace_h5_attr_put(set, "measure_preserving", H5T_STD_I64LE, H5T_NATIVE_INT64, 0,
                                &grid->mp);
  solace_h5_close(&set), solace_h5_close(&group);
  return status;
}

/* Writes every dataset and attribute into the open file. */
static int write_all(solace_koopman k, hid_t file, double tol, const int64_t *index, int64_t count,
                     double bound, const grid_t *grid) {
  hid_t f64 = H5T_IEEE_F64LE, d64 = H5T_NATIVE_DOUBLE;
  hsize_t pair[2] = {(hsize_t)k->r, 2}, one[1] = {(hsize_t)k->r}, kept[1] = {(hsize_t)count};
  SolaceCall(put(file, "eigenvalues", f64, d64, 2, pair, k->lambda));
  SolaceCall(put(file, "residuals", f64, d64, 1, one, k->res));
  SolaceCall(put(file, "verified", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, kept, index));
  hid_t set = H5Dopen2(file, "verified", H5P_DEFAULT);
  int status = set < 0 ? solace_h5_error(SOLACE_ERR_IO, __func__, "cannot open /verified")
                       : solace_h5_attr_put(set, "bound", f64, d64, 0, &bound);
  if (!status) status = solace_h5_attr_put(set, "residual_tol", f64, d64, 0, &tol);
  solace_h5_close(&set);
  if (status) return status;
  int64_t n = k->dict.n, r = k->r;
  SolaceCall(solace_h5_attr_put(file, "n_functions", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &n));
  SolaceCall(solace_h5_attr_put(file, "n_eigenvalues", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &r));
  SolaceCall(solace_h5_attr_put(file, "rcond", f64, d64, 0, &k->rcond));
  SolaceCall(solace_h5_attr_put_string(file, "method",
                                       k->method == SOLACE_KOOPMAN_MPEDMD ? "mpedmd" : "edmd"));
  if (!grid->n_re) return SOLACE_SUCCESS;
  hsize_t gre = (hsize_t)grid->n_re, gim = (hsize_t)grid->n_im, gg[2] = {gim, gre};
  hid_t group = H5Gcreate2(file, "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  status = group < 0 ? solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /grid")
                     : put(group, "re", f64, d64, 1, &gre, grid->re);
  if (!status) status = put(group, "im", f64, d64, 1, &gim, grid->im);
  solace_h5_close(&group);
  if (!status) status = put(file, "pseudospectrum", f64, d64, 2, gg, grid->tau);
  if (!status && grid->eps > 0) status = write_verified_grid(file, grid);
  return status;
}

/* Checks a grid (n values, finite). */
static int check_axis(const char *name, int64_t n, const double *v) {
  SolaceCheck(n >= 1 && v, SOLACE_ERR_ARG, "grid %s: %lld points at %p", name, (long long)n,
              (const void *)v);
  for (int64_t i = 0; i < n; i++)
    SolaceCheck(isfinite(v[i]), SOLACE_ERR_ARG, "%s[%lld] = %g is not finite", name, (long long)i,
                v[i]);
  return SOLACE_SUCCESS;
}

/* Evaluates tau on the grid (n_re x n_im column-major) into a new array. */
static int evaluate_grid(solace_koopman k, const grid_t *grid, double **tau) {
  int64_t nre = grid->n_re, nim = grid->n_im;
  double *z;
  SolaceCall(SolaceCalloc(2 * nre, &z));
  int status = SolaceCalloc(nre * nim, tau);
  for (int64_t a = 0; !status && a < nim; a++) {
    for (int64_t b = 0; b < nre; b++) z[2 * b] = grid->re[b], z[2 * b + 1] = grid->im[a];
    status = solace_koopman_pseudospectrum(k, nre, z, *tau + a * nre);
  }
  free(z);
  return status;
}

/* The file part of solace_koopman_write(), HDF5 errors silenced by the caller. */
static int write_file(solace_koopman k, const char *path, double tol, const int64_t *index,
                      int64_t count, double bound, const grid_t *grid) {
  size_t size = strlen(path) + 32;
  char *tmp;
  SolaceCall(SolaceCalloc(size, &tmp));
  snprintf(tmp, size, "%s.tmp-%ld", path, (long)getpid());
  int status = SOLACE_SUCCESS;
  hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create %s (as %s)", path, tmp);
  if (!status) status = write_all(k, file, tol, index, count, bound, grid);
  if (file >= 0 && H5Fclose(file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close %s", tmp);
  if (!status) status = solace_store_publish(tmp, path, 1);
  if (status) unlink(tmp);
  free(tmp);
  return status;
}

/* The grid verified spectrum of a write: verify_points on every grid point, the kept points
 * copied into grid->kept. */
static int verify_grid(solace_koopman k, grid_t *grid) {
  int64_t nre = grid->n_re, nz = nre * grid->n_im, *index = NULL;
  double *z;
  SolaceCall(SolaceCalloc(2 * nz, &z));
  int status = SolaceCalloc(nz, &index);
  for (int64_t a = 0; a < grid->n_im; a++)
    for (int64_t b = 0; !status && b < nre; b++)
      z[2 * (b + a * nre)] = grid->re[b], z[2 * (b + a * nre) + 1] = grid->im[a];
  if (!status)
    status = solace_koopman_verify_points(k, nz, z, grid->tau, grid->eps, (int)grid->mp,
                                          &grid->n_kept, index, &grid->vbound);
  if (!status) status = SolaceCalloc(2 * grid->n_kept + 2, &grid->kept);
  for (int64_t j = 0; !status && j < grid->n_kept; j++)
    grid->kept[2 * j] = z[2 * index[j]], grid->kept[2 * j + 1] = z[2 * index[j] + 1];
  free(z), free(index);
  return status;
}

/* solace_koopman_write() with the grid (and its verification settings) already checked. */
static int write_checked(solace_koopman koopman, const char *path, double residual_tol,
                         grid_t *grid) {
  int64_t count = 0, *index;
  double bound = 0, *own_tau = NULL;
  SolaceCall(SolaceCalloc(koopman->r + 1, &index));
  int status = solace_koopman_get_verified(koopman, residual_tol, &count, index, &bound);
  if (!status && grid->n_re && !grid->tau) status = evaluate_grid(koopman, grid, &own_tau);
  if (own_tau) grid->tau = own_tau;
  if (!status && grid->eps > 0) status = verify_grid(koopman, grid);
  if (!status) {
    solace_h5_quiet quiet;
    solace_h5_quiet_begin(&quiet);
    status = write_file(koopman, path, residual_tol, index, count, bound, grid);
    solace_h5_quiet_end(&quiet);
  }
  free(index), free(own_tau), free(grid->kept);
  return status;
}

/* The checks shared by both writers; fills grid (no verification). */
static int check_write(solace_koopman koopman, const char *path, double residual_tol, int64_t n_re,
                       const double *re, int64_t n_im, const double *im, const double *tau,
                       grid_t *grid) {
  SolaceCheckNotNull(koopman);
  SolaceCheck(path && path[0], SOLACE_ERR_ARG, "path is NULL or empty");
  SolaceCheck(koopman->computed, SOLACE_ERR_STATE, "call solace_koopman_compute() first");
  SolaceCheck(residual_tol >= 0, SOLACE_ERR_ARG, "residual_tol = %g is negative or NaN",
              residual_tol);
  *grid = (grid_t){0};
  if (n_re || n_im || re || im) {
    SolaceCall(check_axis("re", n_re, re));
    SolaceCall(check_axis("im", n_im, im));
    grid->n_re = n_re, grid->n_im = n_im, grid->re = re, grid->im = im, grid->tau = tau;
  }
  return SOLACE_SUCCESS;
}

int solace_koopman_write(solace_koopman koopman, const char *path, double residual_tol,
                         int64_t n_re, const double *re, int64_t n_im, const double *im,
                         const double *tau) {
  solace_error_clear();
  grid_t grid;
  SolaceCall(check_write(koopman, path, residual_tol, n_re, re, n_im, im, tau, &grid));
  int status = write_checked(koopman, path, residual_tol, &grid);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_koopman_write_verified_grid(solace_koopman koopman, const char *path,
                                       double residual_tol, int64_t n_re, const double *re,
                                       int64_t n_im, const double *im, const double *tau,
                                       double eps, int measure_preserving) {
  solace_error_clear();
  grid_t grid;
  SolaceCall(check_write(koopman, path, residual_tol, n_re, re, n_im, im, tau, &grid));
  SolaceCheck(grid.n_re, SOLACE_ERR_ARG, "the grid verified spectrum needs a grid");
  SolaceCheck(eps > 0 && isfinite(eps), SOLACE_ERR_ARG, "eps = %g is not positive", eps);
  for (int64_t j = 0; tau && j < n_re * n_im; j++)
    SolaceCheck(tau[j] >= 0 && isfinite(tau[j]), SOLACE_ERR_ARG,
                "tau[%lld] = %g is not a finite value >= 0", (long long)j, tau[j]);
  grid.eps = eps, grid.mp = measure_preserving != 0;
  int status = write_checked(koopman, path, residual_tol, &grid);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
