/* solace_bcd_write_history(): the per-iteration history of a solve in HDF5, written to a
 * temporary file and published by an atomic rename. */
#include "io/store-impl.h"
#include "solvers/bcd/bcd-impl.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes the 1-D double dataset `name` of `loc`. */
static int put(hid_t loc, const char *name, hsize_t count, const double *buf) {
  hid_t space = H5Screate_simple(1, &count, NULL), dset = H5I_INVALID_HID;
  int status = SOLACE_SUCCESS;
  if (space >= 0)
    dset = H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (dset < 0 || H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot write dataset %s", name);
  solace_h5_close(&dset), solace_h5_close(&space);
  return status;
}

/* The datasets and the attributes naming the run's rules. */
static int write_all(solace_bcd s, hid_t file) {
  hsize_t count = (hsize_t)s->iters + 1;
  hid_t group = H5Gcreate2(file, "history", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /history");
  int status = put(group, "objective", count, s->hist_f);
  if (!status) status = put(group, "gap", count, s->hist_gap);
  if (!status) status = put(group, "seconds", count, s->hist_t);
  solace_h5_close(&group);
  int64_t ints[6] = {s->obj->problem, s->partition, s->rule, s->update, s->tau, s->penalty};
  const char *names[6] = {"problem", "partition", "rule", "update", "block_size", "penalty"};
  for (int a = 0; a < 6 && !status; a++)
    status = solace_h5_attr_put(file, names[a], H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &ints[a]);
  if (!status)
    status = solace_h5_attr_put(file, "lambda", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &s->lambda);
  return status;
}

int solace_bcd_write_history(solace_bcd bcd, const char *path) {
  solace_error_clear();
  SolaceCheckNotNull(bcd);
  SolaceCheck(path && path[0], SOLACE_ERR_ARG, "path is NULL or empty");
  SolaceCheck(bcd->solved, SOLACE_ERR_STATE, "call solace_bcd_solve() first");
  size_t size = strlen(path) + 32;
  char *tmp;
  SolaceCall(SolaceCalloc(size, &tmp));
  snprintf(tmp, size, "%s.tmp-%ld", path, (long)getpid());
  int status = SOLACE_SUCCESS;
  solace_h5_quiet quiet;
  solace_h5_quiet_begin(&quiet);
  hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create %s", tmp);
  if (!status) status = write_all(bcd, file);
  if (file >= 0 && H5Fclose(file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close %s", tmp);
  solace_h5_quiet_end(&quiet);
  if (!status) status = solace_store_publish(tmp, path, 1);
  if (status) unlink(tmp);
  free(tmp);
  return status;
}
