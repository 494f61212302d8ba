/* Network weights to and from HDF5: one group /layers/NNN_<kind> per parameterised layer with
 * float64 datasets "weight" and "bias" and attributes describing the layer (see nn.h). */
#include "nn/nn.h"

#include "io/store-impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WEIGHTS_FORMAT "solace-nn-weights"

/* Formats dims as "[a, b, ...]". */
static const char *dims_string(int rank, const hsize_t *dims, char *buf, size_t size) {
  int used = snprintf(buf, size, "[");
  for (int k = 0; k < rank && used > 0 && (size_t)used < size; k++)
    used += snprintf(buf + used, size - (size_t)used, k ? ", %llu" : "%llu",
                     (unsigned long long)dims[k]);
  if (used > 0 && (size_t)used < size) snprintf(buf + used, size - (size_t)used, "]");
  return buf;
}

/* Writes an int64 attribute of n values (n = 0: a scalar). */
static int put_i64(hid_t loc, const char *name, hsize_t n, const int64_t *values) {
  return solace_h5_attr_put(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, n, values);
}

/* Writes one parameter block as a float64 dataset of its shape. */
static int write_block(hid_t group, const solace_nn_param *p) {
  hsize_t dims[SOLACE_NN_MAX_RANK];
  for (int k = 0; k < p->rank; k++) dims[k] = (hsize_t)p->shape[k];
  hid_t space = H5Screate_simple(p->rank, dims, NULL), set = H5I_INVALID_HID;
  if (space >= 0)
    set = H5Dcreate2(group, p->name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok =
      set >= 0 && H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->value) >= 0;
  solace_h5_close(&set);
  solace_h5_close(&space);
  return ok ? SOLACE_SUCCESS
            : solace_h5_error(SOLACE_ERR_IO, __func__, "cannot write dataset '%s'", p->name);
}

/* Writes the attributes describing a layer. */
static int write_layer_attrs(hid_t group, const solace_nn_layer *layer, int64_t step) {
  int64_t in = layer->in, out = layer->out, kernel = layer->kernel, ndim = layer->ndim;
  SolaceCall(solace_h5_attr_put_string(group, "kind", layer->ops->name));
  SolaceCall(put_i64(group, "step", 0, &step));
  SolaceCall(put_i64(group, "in", 0, &in));
  SolaceCall(put_i64(group, "out", 0, &out));
  SolaceCall(put_i64(group, "kernel", 0, &kernel));
  SolaceCall(put_i64(group, "ndim", 0, &ndim));
  SolaceCall(
      put_i64(group, "weight_shape", (hsize_t)layer->params[0].rank, layer->params[0].shape));
  return put_i64(group, "bias_shape", 1, layer->params[1].shape);
}

/* Writes group NNN_<kind> of the index-th parameterised layer (network step `step`). */
static int write_layer(hid_t layers, int index, int step, const solace_nn_layer *layer) {
  char name[64];
  snprintf(name, sizeof name, "%03d_%s", index, layer->ops->name);
  hid_t group = H5Gcreate2(layers, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create group %s", name);
  int status = write_layer_attrs(group, layer, step);
  for (int k = 0; !status && k < layer->nparams; k++)
    status = write_block(group, &layer->params[k]);
  solace_h5_close(&group);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Writes the whole file at `path` (the temporary one). */
static int write_file(solace_nn_net net, const char *path) {
  int status = SOLACE_SUCCESS, index = 0;
  int64_t version = 1, count = 0;
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), layers = H5I_INVALID_HID;
  if (file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create '%s'", path);
  for (int i = 0; i < solace_nn_net_num_steps(net); i++) {
    solace_nn_layer *layer = solace_nn_net_step_layer(net, i);
    count += layer && layer->nparams;
  }
  SolaceCallGoto(status, done, solace_h5_attr_put_string(file, "format", WEIGHTS_FORMAT));
  SolaceCallGoto(status, done, put_i64(file, "version", 0, &version));
  SolaceCallGoto(status, done, put_i64(file, "layers", 0, &count));
  layers = H5Gcreate2(file, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (layers < 0) {
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot create /layers in '%s'", path);
    goto done;
  }
  for (int i = 0; i < solace_nn_net_num_steps(net); i++) {
    solace_nn_layer *layer = solace_nn_net_step_layer(net, i);
    if (layer && layer->nparams)
      SolaceCallGoto(status, done, write_layer(layers, index++, i, layer));
  }
done:
  solace_h5_close(&layers);
  if (file >= 0 && H5Fclose(file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", path);
  return status;
}

/* Writes to a temporary file beside `path`, then renames it over `path`. */
static int save_quiet(solace_nn_net net, const char *path) {
  size_t size = strlen(path) + 32;
  char *tmp;
  SolaceCall(SolaceCalloc(size, &tmp));
  snprintf(tmp, size, "%s.tmp-%ld", path, (long)getpid());
  int status = write_file(net, tmp);
  if (status) unlink(tmp);
  if (!status) status = solace_store_publish(tmp, path, 1);
  free(tmp);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_net_save(solace_nn_net net, const char *path) {
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(path);
  SolaceH5QuietCall(save_quiet(net, path));
  return SOLACE_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                    */

/* Checks the shape of dataset p->name of `group` against p and, if `read`, reads it. */
static int check_block(hid_t group, const char *path, const char *gname, const solace_nn_param *p,
                       int read) {
  hsize_t dims[H5S_MAX_RANK], want[SOLACE_NN_MAX_RANK];
  char have_s[160], want_s[160];
  for (int k = 0; k < p->rank; k++) want[k] = (hsize_t)p->shape[k];
  htri_t exists = H5Lexists(group, p->name, H5P_DEFAULT);
  SolaceCheck(exists > 0, SOLACE_ERR_FORMAT, "'%s': layer %s has no dataset '%s'", path, gname,
              p->name);
  hid_t set = H5Dopen2(group, p->name, H5P_DEFAULT), space = H5I_INVALID_HID;
  if (set >= 0) space = H5Dget_space(set);
  int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
  solace_h5_close(&space);
  int same = rank == p->rank;
  for (int k = 0; same && k < rank; k++) same = dims[k] == want[k];
  int status = SOLACE_SUCCESS;
  if (rank < 0)
    status = solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s': cannot open %s/%s", path, gname,
                             p->name);
  else if (!same)
    status = solace_error_set(SOLACE_ERR_FORMAT, __func__,
                              "'%s': layer %s: %s has shape %s in the file, %s in the network",
                              path, gname, p->name, dims_string(rank, dims, have_s, sizeof have_s),
                              dims_string(p->rank, want, want_s, sizeof want_s));
  else if (read && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->value) < 0)
    status =
        solace_h5_error(SOLACE_ERR_IO, __func__, "'%s': cannot read %s/%s", path, gname, p->name);
  solace_h5_close(&set);
  return status;
}

/* Checks (and if `read`, reads) group number `index` of /layers against `layer`. */
static int check_layer(hid_t layers, const char *path, int index, const solace_nn_layer *layer,
                       int read) {
  char gname[256], *kind = NULL;
  if (H5Lget_name_by_idx(layers, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)index, gname,
                         sizeof gname, H5P_DEFAULT) < 0)
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s': cannot list layer %d", path, index);
  hid_t group = H5Gopen2(layers, gname, H5P_DEFAULT);
  if (group < 0)
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s': cannot open %s", path, gname);
  int status = solace_h5_attr_get_string(group, "kind", &kind);
  if (!status && strcmp(kind, layer->ops->name))
    status = solace_error_set(SOLACE_ERR_FORMAT, __func__,
                              "'%s': layer %d (%s) is a %s in the file, a %s in the network", path,
                              index, gname, kind, layer->ops->name);
  for (int k = 0; !status && k < layer->nparams; k++)
    status = check_block(group, path, gname, &layer->params[k], read);
  free(kind);
  solace_h5_close(&group);
  return status;
}

/* Checks the layer count, then every layer; reads them if `read`. */
static int check_layers(solace_nn_net net, hid_t file, const char *path, int read) {
  H5G_info_t info;
  int count = 0, index = 0, status = SOLACE_SUCCESS;
  for (int i = 0; i < solace_nn_net_num_steps(net); i++) {
    solace_nn_layer *layer = solace_nn_net_step_layer(net, i);
    count += layer && layer->nparams;
  }
  hid_t layers = H5Gopen2(file, "layers", H5P_DEFAULT);
  if (layers < 0 || H5Gget_info(layers, &info) < 0) {
    solace_h5_close(&layers);
    return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "'%s' has no group /layers", path);
  }
  SolaceCheckGoto(info.nlinks == (hsize_t)count, status, done, SOLACE_ERR_FORMAT,
                  "'%s' holds %llu layers with weights, the network %d", path,
                  (unsigned long long)info.nlinks, count);
  for (int i = 0; i < solace_nn_net_num_steps(net); i++) {
    solace_nn_layer *layer = solace_nn_net_step_layer(net, i);
    if (layer && layer->nparams)
      SolaceCallGoto(status, done, check_layer(layers, path, index++, layer, read));
  }
done:
  solace_h5_close(&layers);
  return status;
}

/* Opens `path` read-only, checking it is a Solace weight file. */
static int open_weights(const char *path, hid_t *file) {
  struct stat st;
  char *format = NULL;
  SolaceCheck(stat(path, &st) == 0, SOLACE_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  SolaceCheck(S_ISREG(st.st_mode), SOLACE_ERR_IO, "'%s' is not a regular file", path);
  htri_t hdf5 = H5Fis_hdf5(path);
  if (hdf5 < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot read '%s'", path);
  SolaceCheck(hdf5 > 0, SOLACE_ERR_FORMAT, "'%s' is not an HDF5 file", path);
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (*file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot open '%s'", path);
  int status = solace_h5_attr_get_string(*file, "format", &format);
  if (!status && strcmp(format, WEIGHTS_FORMAT))
    status = solace_error_set(SOLACE_ERR_FORMAT, __func__, "'%s' has format '%s', expected '%s'",
                              path, format, WEIGHTS_FORMAT);
  free(format);
  if (status) solace_h5_close(file);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Checks every layer before reading any value. */
static int load_quiet(solace_nn_net net, const char *path) {
  hid_t file = H5I_INVALID_HID;
  SolaceCall(open_weights(path, &file));
  int status = check_layers(net, file, path, 0);
  if (!status) status = check_layers(net, file, path, 1);
  solace_h5_close(&file);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_nn_net_load(solace_nn_net net, const char *path) {
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(path);
  SolaceH5QuietCall(load_quiet(net, path));
  return SOLACE_SUCCESS;
}
