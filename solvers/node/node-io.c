/* Neural-ODE files: weights (a Solace network file plus a /node group with the architecture,
 * solver settings and classifier head), training history, trajectories (DESIGN.md layout). */
#include "node-object.h"

#include "io/store-impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes a float64 dataset of the given shape. */
static int put_dataset(hid_t loc, const char *name, int rank, const hsize_t *dims,
                       const double *data) {
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t set = space < 0 ? H5I_INVALID_HID
                        : H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT);
  int ok = set >= 0 && H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
  solace_h5_close(&set);
  solace_h5_close(&space);
  return ok ? SOLACE_SUCCESS : solace_h5_error(SOLACE_ERR_IO, __func__, "cannot write %s", name);
}

/* Reads the shape of dataset `name` (rank must be `rank`). */
static int dataset_dims(hid_t loc, const char *path, const char *name, int rank, hsize_t *dims) {
  hid_t set = H5Dopen2(loc, name, H5P_DEFAULT), space = H5I_INVALID_HID;
  if (set < 0)
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s' has no dataset %s", path, name);
  space = H5Dget_space(set);
  int r = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  if (r == rank) H5Sget_simple_extent_dims(space, dims, NULL);
  solace_h5_close(&space);
  solace_h5_close(&set);
  SolaceCheck(r == rank, SOLACE_ERR_FORMAT, "'%s': %s has rank %d, expected %d", path, name, r,
              rank);
  return SOLACE_SUCCESS;
}

/* Reads a whole float64 dataset. */
static int get_dataset(hid_t loc, const char *path, const char *name, double *data) {
  hid_t set = H5Dopen2(loc, name, H5P_DEFAULT);
  int ok = set >= 0 && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
  solace_h5_close(&set);
  return ok ? SOLACE_SUCCESS
            : solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s': cannot read %s", path, name);
}

static int put_i64(hid_t loc, const char *name, hsize_t n, const int64_t *v) {
  return solace_h5_attr_put(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, n, v);
}
static int put_f64(hid_t loc, const char *name, double v) {
  return solace_h5_attr_put(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &v);
}

/* The /node group: architecture, solver settings and the head. */
static int write_node_group(solace_node node, hid_t file) {
  int64_t ints[5] = {node->d, node->activation, node->solver.method, node->classes, node->time};
  hid_t g = H5Gcreate2(file, "node", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /node");
  int status = put_i64(g, "d", 0, &ints[0]);
  if (!status) status = put_i64(g, "hidden", (hsize_t)node->nhidden, node->hidden);
  if (!status) status = put_i64(g, "activation", 0, &ints[1]);
  if (!status) status = put_i64(g, "method", 0, &ints[2]);
  if (!status) status = put_i64(g, "classes", 0, &ints[3]);
  if (!status) status = put_i64(g, "time", 0, &ints[4]);
  if (!status) status = put_f64(g, "rtol", node->solver.rtol);
  if (!status) status = put_f64(g, "atol", node->solver.atol);
  if (!status && node->classes) {
    int nb;
    solace_nn_param **b;
    hsize_t wd[2] = {(hsize_t)node->classes, (hsize_t)node->d}, bd = (hsize_t)node->classes;
    status = solace_nn_net_params(node->head, &nb, &b);
    if (!status) status = put_dataset(g, "head_weight", 2, wd, b[0]->value);
    if (!status) status = put_dataset(g, "head_bias", 1, &bd, b[1]->value);
  }
  solace_h5_close(&g);
  return status;
}

/* Network file to a temporary path, /node added, then renamed over `path`. */
static int save_quiet(solace_node node, const char *path) {
  size_t size = strlen(path) + 32;
  char *tmp;
  SolaceCall(SolaceCalloc(size, &tmp));
  snprintf(tmp, size, "%s.node-%ld", path, (long)getpid());
  int status = solace_nn_net_save(node->field->net, tmp);
  hid_t file = status ? H5I_INVALID_HID : H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
  if (!status && file < 0)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot reopen %s", tmp);
  if (!status) status = write_node_group(node, file);
  if (file >= 0 && H5Fclose(file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", tmp);
  if (!status) status = solace_store_publish(tmp, path, 1);
  if (status) unlink(tmp);
  free(tmp);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_node_save(solace_node node, const char *path) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  SolaceCheckNotNull(path);
  SolaceH5QuietCall(save_quiet(node, path));
  return SOLACE_SUCCESS;
}

/* Opens an existing HDF5 file read-only with clear errors. */
static int open_read(const char *path, hid_t *file) {
  struct stat st;
  SolaceCheck(stat(path, &st) == 0, SOLACE_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  htri_t is = H5Fis_hdf5(path);
  SolaceCheck(is > 0, SOLACE_ERR_FORMAT, "'%s' is not an HDF5 file", path);
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (*file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot open '%s'", path);
  return SOLACE_SUCCESS;
}

/* Reads the head datasets after checking their shapes. */
static int read_head(solace_node node, hid_t g, const char *path) {
  hsize_t wd[2], bd[1];
  int nb;
  solace_nn_param **b;
  SolaceCall(dataset_dims(g, path, "head_weight", 2, wd));
  SolaceCall(dataset_dims(g, path, "head_bias", 1, bd));
  SolaceCheck(wd[0] == (hsize_t)node->classes && wd[1] == (hsize_t)node->d &&
                  bd[0] == (hsize_t)node->classes,
              SOLACE_ERR_FORMAT,
              "'%s': head shapes [%llu, %llu] and [%llu] do not match %lld x %lld", path,
              (unsigned long long)wd[0], (unsigned long long)wd[1], (unsigned long long)bd[0],
              (long long)node->classes, (long long)node->d);
  SolaceCall(solace_nn_net_params(node->head, &nb, &b));
  SolaceCall(get_dataset(g, path, "head_weight", b[0]->value));
  return get_dataset(g, path, "head_bias", b[1]->value);
}

/* The optional attribute "time" of /node (files without it: time at the input). */
static int read_time(hid_t g, int64_t *time) {
  hsize_t n;
  *time = SOLACE_NODE_TIME_INPUT;
  htri_t exists = H5Aexists(g, "time");
  if (exists <= 0) return SOLACE_SUCCESS;
  return solace_h5_attr_get(g, "time", 1, H5T_NATIVE_INT64, 1, time, &n);
}

/* Builds the node described by /node and reads every weight. */
static int load_from(hid_t file, const char *path, solace_node *node) {
  int64_t d, act, method, classes, time, hidden[NODE_MAX_HIDDEN];
  double rtol, atol;
  hsize_t n, nh;
  hid_t g = H5Gopen2(file, "node", H5P_DEFAULT);
  if (g < 0) return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s' has no /node group", path);
  int status = solace_h5_attr_get(g, "d", 1, H5T_NATIVE_INT64, 1, &d, &n);
  if (!status)
    status = solace_h5_attr_get(g, "hidden", 1, H5T_NATIVE_INT64, NODE_MAX_HIDDEN, hidden, &nh);
  if (!status) status = solace_h5_attr_get(g, "activation", 1, H5T_NATIVE_INT64, 1, &act, &n);
  if (!status) status = solace_h5_attr_get(g, "method", 1, H5T_NATIVE_INT64, 1, &method, &n);
  if (!status) status = solace_h5_attr_get(g, "classes", 1, H5T_NATIVE_INT64, 1, &classes, &n);
  if (!status) status = solace_h5_attr_get(g, "rtol", 0, H5T_NATIVE_DOUBLE, 1, &rtol, &n);
  if (!status) status = solace_h5_attr_get(g, "atol", 0, H5T_NATIVE_DOUBLE, 1, &atol, &n);
  if (!status) status = read_time(g, &time);
  if (!status) status = solace_node_create(d, (int64_t)nh, hidden, (int)act, 0, node);
  if (!status && time != SOLACE_NODE_TIME_INPUT) status = solace_node_set_time(*node, (int)time);
  if (!status) status = solace_node_set_tolerances(*node, rtol, atol);
  if (!status) status = solace_node_set_method(*node, (int)method, (*node)->solver.max_steps);
  if (!status) status = solace_nn_net_load((*node)->field->net, path);
  if (!status && classes) status = node_create_head(*node, classes, 0);
  if (!status && classes) status = read_head(*node, g, path);
  solace_h5_close(&g);
  if (status) solace_node_destroy(node);
  return status;
}

static int create_quiet(const char *path, solace_node *node) {
  hid_t file = H5I_INVALID_HID;
  SolaceCall(open_read(path, &file));
  int status = load_from(file, path, node);
  solace_h5_close(&file);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_node_create_from_file(const char *path, solace_node *node) {
  solace_error_clear();
  SolaceCheckNotNull(node);
  *node = NULL;
  SolaceCheckNotNull(path);
  SolaceH5QuietCall(create_quiet(path, node));
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* History and trajectories                                                                   */

static int history_quiet(solace_node node, const char *path, int64_t steps, const double **cols) {
  static const char *names[5] = {"loss", "regularizer", "nfe", "seconds", "accuracy"};
  static const char *regs[4] = {"none", "unbiased", "biased", "global"};
  hsize_t dims = (hsize_t)steps;
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create '%s'", path);
  hid_t g = H5Gcreate2(file, "history", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int status = g < 0 ? solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /history") : 0;
  for (int k = 0; !status && k < 5; k++) status = put_dataset(g, names[k], 1, &dims, cols[k]);
  if (!status) status = solace_h5_attr_put_string(g, "regularizer", regs[node->reg]);
  if (!status) status = put_f64(g, "lambda0", node->lambda0);
  if (!status) status = put_f64(g, "lambda1", node->lambda1);
  if (!status) status = put_f64(g, "lr", node->lr);
  if (!status) status = put_i64(g, "batch", 0, &node->batch);
  solace_h5_close(&g);
  if (H5Fclose(file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", path);
  return status;
}

int node_write_history(solace_node node, const char *path, int64_t steps, const double *loss,
                       const double *reg, const double *nfe, const double *seconds,
                       const double *accuracy) {
  const double *cols[5] = {loss, reg, nfe, seconds, accuracy};
  SolaceH5QuietCall(history_quiet(node, path, steps, cols));
  return SOLACE_SUCCESS;
}

static int write_traj_quiet(const char *path, int64_t ntraj, int64_t ntimes, const double *times,
                            int64_t d, const double *x) {
  hsize_t tdims = (hsize_t)ntimes, xdims[3] = {(hsize_t)ntraj, (hsize_t)ntimes, (hsize_t)d};
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create '%s'", path);
  hid_t g = H5Gcreate2(file, "trajectories", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int status = g < 0 ? solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /trajectories") : 0;
  if (!status) status = put_dataset(g, "t", 1, &tdims, times);
  if (!status) status = put_dataset(g, "x", 3, xdims, x);
  solace_h5_close(&g);
  if (H5Fclose(file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", path);
  return status;
}

int solace_node_write_traj(const char *path, int64_t ntraj, int64_t ntimes, const double *times,
                           int64_t d, const double *x, int64_t ldx) {
  solace_error_clear();
  SolaceCheckNotNull(path);
  SolaceCheckNotNull(times);
  SolaceCheck(ntraj >= 1 && ntimes >= 1 && d >= 1, SOLACE_ERR_ARG,
              "ntraj = %lld, ntimes = %lld and d = %lld must be >= 1", (long long)ntraj,
              (long long)ntimes, (long long)d);
  SolaceCall(node_check_matrix("x", x, d, ntraj * ntimes, ldx, 0, __func__));
  double *packed;
  SolaceCall(SolaceCalloc(ntraj * ntimes * d, &packed));
  for (int64_t j = 0; j < ntraj * ntimes; j++)
    memcpy(packed + j * d, x + j * ldx, sizeof(double) * (size_t)d);
  solace_h5_quiet quiet;
  solace_h5_quiet_begin(&quiet);
  int status = write_traj_quiet(path, ntraj, ntimes, times, d, packed);
  solace_h5_quiet_end(&quiet);
  free(packed);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

static int read_traj_quiet(const char *path, int64_t *ntraj, int64_t *ntimes, int64_t *d,
                           double **t, double **x) {
  hid_t file = H5I_INVALID_HID;
  hsize_t td[1], xd[3];
  SolaceCall(open_read(path, &file));
  int status = dataset_dims(file, path, "trajectories/t", 1, td);
  if (!status) status = dataset_dims(file, path, "trajectories/x", 3, xd);
  if (!status && (xd[1] != td[0] || xd[0] < 1 || xd[2] < 1 || td[0] < 2))
    status = solace_error_set(SOLACE_ERR_FORMAT, __func__,
                              "'%s': /trajectories/x is [%llu, %llu, %llu] but t has %llu times",
                              path, (unsigned long long)xd[0], (unsigned long long)xd[1],
                              (unsigned long long)xd[2], (unsigned long long)td[0]);
  if (!status) status = SolaceCalloc(td[0], t);
  if (!status) status = SolaceCalloc(xd[0] * xd[1] * xd[2], x);
  if (!status) status = get_dataset(file, path, "trajectories/t", *t);
  if (!status) status = get_dataset(file, path, "trajectories/x", *x);
  solace_h5_close(&file);
  *ntraj = (int64_t)xd[0], *ntimes = (int64_t)td[0], *d = (int64_t)xd[2];
  return status;
}

int node_read_trajectories(const char *path, int64_t *ntraj, int64_t *ntimes, int64_t *d,
                           double **t, double **x) {
  *t = NULL, *x = NULL;
  solace_h5_quiet quiet;
  solace_h5_quiet_begin(&quiet);
  int status = read_traj_quiet(path, ntraj, ntimes, d, t, x);
  solace_h5_quiet_end(&quiet);
  if (status) free(*t), free(*x), *t = NULL, *x = NULL;
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}
