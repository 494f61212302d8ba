/* Trajectory files of the Koopman kernel (DESIGN.md section 4): /trajectories/t
 * [T] and /trajectories/x [n_traj, T, d], float64. */
#include "io/store-impl.h"
#include "solace/koopman.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>

/* Writes a float64 dataset of rank `rank` under `group`. */
static int put(hid_t group, const char *name, int rank, const hsize_t *dims, const double *buf) {
  hid_t space = H5Screate_simple(rank, dims, NULL), dset = H5I_INVALID_HID;
  int status = SOLACE_SUCCESS;
  if (space >= 0)
    dset = H5Dcreate2(group, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (dset < 0 || H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot write /trajectories/%s", name);
  solace_h5_close(&dset), solace_h5_close(&space);
  return status;
}

int solace_koopman_traj_write(const char *path, const char *system, double dt, int64_t d,
                              int64_t n_traj, int64_t n_steps, const double *x) {
  solace_error_clear();
  SolaceCheckNotNull(path);
  SolaceCheckNotNull(x);
  SolaceCheck(d >= 1 && n_traj >= 1 && n_steps >= 1 && dt > 0, SOLACE_ERR_ARG,
              "d = %lld, n_traj = %lld, n_steps = %lld, dt = %g", (long long)d, (long long)n_traj,
              (long long)n_steps, dt);
  double *t;
  SolaceCall(SolaceCalloc(n_steps, &t));
  for (int64_t s = 0; s < n_steps; s++) t[s] = s * dt;
  solace_h5_quiet quiet;
  solace_h5_quiet_begin(&quiet);
  int status = SOLACE_SUCCESS;
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), group = H5I_INVALID_HID;
  if (file < 0) status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create %s", path);
  if (!status) group = H5Gcreate2(file, "trajectories", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (!status && group < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create group");
  hsize_t tdims[1] = {(hsize_t)n_steps}, xdims[3] = {(hsize_t)n_traj, (hsize_t)n_steps, (hsize_t)d};
  if (!status) status = put(group, "t", 1, tdims, t);
  if (!status) status = put(group, "x", 3, xdims, x);
  if (!status && system) status = solace_h5_attr_put_string(group, "system", system);
  solace_h5_close(&group), solace_h5_close(&file);
  solace_h5_quiet_end(&quiet);
  free(t);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Opens /trajectories/t and /trajectories/x of an open file and checks their
 * shapes. */
static int open_checked(hid_t file, const char *path, hid_t *t, hid_t *x, hsize_t xdims[3]) {
  *t = H5Dopen2(file, "/trajectories/t", H5P_DEFAULT);
  *x = H5Dopen2(file, "/trajectories/x", H5P_DEFAULT);
  if (*t < 0 || *x < 0)
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "%s has no /trajectories/t and x", path);
  hid_t ts = H5Dget_space(*t), xs = H5Dget_space(*x);
  hsize_t tdim[1] = {0};
  int trank = H5Sget_simple_extent_ndims(ts), xrank = H5Sget_simple_extent_ndims(xs);
  if (trank == 1) H5Sget_simple_extent_dims(ts, tdim, NULL);
  if (xrank == 3) H5Sget_simple_extent_dims(xs, xdims, NULL);
  solace_h5_close(&ts), solace_h5_close(&xs);
  SolaceCheck(trank == 1 && xrank == 3, SOLACE_ERR_FORMAT,
              "%s: /trajectories/t has rank %d (1 expected), x rank %d (3 expected)", path, trank,
              xrank);
  SolaceCheck(tdim[0] == xdims[1], SOLACE_ERR_FORMAT,
              "%s: /trajectories/t has %llu entries but x has %llu steps "
              "(mismatched lengths)",
              path, (unsigned long long)tdim[0], (unsigned long long)xdims[1]);
  return SOLACE_SUCCESS;
}

/* Opens a trajectory file read-only and checks it; on success the caller closes
 * the three ids. */
static int open_file(const char *path, hid_t *file, hid_t *t, hid_t *x, hsize_t xdims[3]) {
  *t = *x = H5I_INVALID_HID;
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (*file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot open %s", path);
  return open_checked(*file, path, t, x, xdims);
}

int solace_koopman_traj_sizes(const char *path, int64_t *d, int64_t *n_traj, int64_t *n_steps) {
  solace_error_clear();
  SolaceCheckNotNull(path);
  SolaceCheck(d && n_traj && n_steps, SOLACE_ERR_ARG, "an output pointer is NULL");
  hid_t file, t, x;
  hsize_t dims[3] = {0};
  solace_h5_quiet quiet;
  solace_h5_quiet_begin(&quiet);
  int status = open_file(path, &file, &t, &x, dims);
  solace_h5_close(&t), solace_h5_close(&x), solace_h5_close(&file);
  solace_h5_quiet_end(&quiet);
  if (status) return solace_error_trace(status, __func__);
  *n_traj = (int64_t)dims[0], *n_steps = (int64_t)dims[1], *d = (int64_t)dims[2];
  return SOLACE_SUCCESS;
}

int solace_koopman_traj_read(const char *path, int64_t d, int64_t n_traj, int64_t n_steps,
                             double *t, double *x) {
  solace_error_clear();
  SolaceCheckNotNull(path);
  SolaceCheckNotNull(x);
  hid_t file, tset, xset;
  hsize_t dims[3] = {0};
  solace_h5_quiet quiet;
  solace_h5_quiet_begin(&quiet);
  int status = open_file(path, &file, &tset, &xset, dims);
  if (!status &&
      (dims[0] != (hsize_t)n_traj || dims[1] != (hsize_t)n_steps || dims[2] != (hsize_t)d))
    status = solace_error_set(
        SOLACE_ERR_ARG, __func__, "%s holds [%llu, %llu, %llu], not [%lld, %lld, %lld]", path,
        (unsigned long long)dims[0], (unsigned long long)dims[1], (unsigned long long)dims[2],
        (long long)n_traj, (long long)n_steps, (long long)d);
  if (!status && H5Dread(xset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot read /trajectories/x of %s", path);
  if (!status && t && H5Dread(tset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot read /trajectories/t of %s", path);
  solace_h5_close(&tset), solace_h5_close(&xset), solace_h5_close(&file);
  solace_h5_quiet_end(&quiet);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
