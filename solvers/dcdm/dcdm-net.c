/* DCDM weights files: a Solace network weight file (src/nn, solace_nn_net_save) whose root also
 * carries the architecture, so a solver can rebuild the network from the file alone. */
#include "dcdm-impl.h"

#include "io/store-impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Root attribute names, in the order of solace_dcdm_arch. The last seven are optional on reading
 * (files written before they existed): no dcdm_levels means one coarse level, no
 * dcdm_bias_free a network with biases, no dcdm_tied an untied network, no dcdm_level_gain a
 * gain of 1, no dcdm_linear_up nearest upsampling, no dcdm_max_levels no depth cap, no
 * dcdm_deflate_block a network trained without deflation. */
#define ARCH_ATTRS    12
#define ARCH_REQUIRED 5
static const char *const arch_names[ARCH_ATTRS] = {
    "dcdm_ndim",       "dcdm_channels",  "dcdm_fine",       "dcdm_coarse",
    "dcdm_after",      "dcdm_levels",    "dcdm_bias_free",  "dcdm_tied",
    "dcdm_level_gain", "dcdm_linear_up", "dcdm_max_levels", "dcdm_deflate_block"};

/* Checks an architecture (before building a network from it). */
static int check_arch(const solace_dcdm_arch *a, const char *where) {
  SolaceCheck(
      (a->ndim == 2 || a->ndim == 3) && a->channels >= 1 && a->channels <= 4096 && a->fine >= 1 &&
          a->coarse >= 0 && a->after >= 0 && a->fine <= 1000 && a->coarse <= 1000 &&
          a->after <= 1000 && a->levels >= 1 && a->levels <= SOLACE_NN_DCDM_MAX_LEVELS &&
          (a->bias_free == 0 || a->bias_free == 1) && (a->tied == 0 || a->tied == 1) &&
          a->level_gain >= 1 && a->level_gain <= 64 && (a->linear_up == 0 || a->linear_up == 1) &&
          a->max_levels >= 0 && a->max_levels <= SOLACE_NN_DCDM_MAX_LEVELS &&
          a->deflate_block >= 0 && a->deflate_block <= 4096,
      SOLACE_ERR_FORMAT,
      "%s: bad DCDM architecture: ndim = %d, channels = %lld, fine = %d, coarse = %d, "
      "after = %d, levels = %d, bias_free = %d, tied = %d, level_gain = %d, linear_up = %d, "
      "max_levels = %d, deflate_block = %d (need ndim 2 or 3, channels >= 1, fine >= 1, "
      "coarse >= 0, after >= 0, levels 1..%d, bias_free, tied and linear_up 0 or 1, level_gain "
      "1..64, max_levels 0..%d, deflate_block 0..4096)",
      where, a->ndim, (long long)a->channels, a->fine, a->coarse, a->after, a->levels, a->bias_free,
      a->tied, a->level_gain, a->linear_up, a->max_levels, a->deflate_block,
      SOLACE_NN_DCDM_MAX_LEVELS, SOLACE_NN_DCDM_MAX_LEVELS);
  return SOLACE_SUCCESS;
}

int solace_dcdm_net_create(const solace_dcdm_arch *arch, solace_nn_net *net) {
  SolaceCheckNotNull(arch);
  SolaceCheckNotNull(net);
  *net = NULL;
  SolaceCall(check_arch(arch, "solace_dcdm_net_create"));
  if (arch->tied)
    SolaceCall(solace_nn_net_create_dcdm_tied(arch->ndim, arch->channels, arch->fine, arch->coarse,
                                              arch->after, arch->levels, net));
  else
    SolaceCall(solace_nn_net_create_dcdm(arch->ndim, arch->channels, arch->fine, arch->coarse,
                                         arch->after, arch->levels, net));
  int status = solace_nn_net_set_upsample_gain(*net, arch->level_gain);
  if (!status && arch->linear_up) status = solace_nn_net_set_upsample_linear(*net);
  if (status) solace_nn_net_destroy(net);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_dcdm_grid_levels(int ndim, const int64_t *grid, int *levels) {
  SolaceCheckNotNull(grid);
  SolaceCheckNotNull(levels);
  SolaceCheck(ndim == 2 || ndim == 3, SOLACE_ERR_ARG, "ndim = %d is not 2 or 3", ndim);
  for (int i = 0; i < ndim; i++)
    SolaceCheck(grid[i] >= 2 && grid[i] % 2 == 0, SOLACE_ERR_ARG,
                "a tied DCDM network needs even grid sizes; size %d of the grid is %lld", i,
                (long long)grid[i]);
  int l = 1, deeper = 1;
  while (l < SOLACE_NN_DCDM_MAX_LEVELS && deeper) {
    int64_t unit = (int64_t)1 << (l + 1);
    for (int i = 0; i < ndim && deeper; i++)
      deeper = grid[i] % unit == 0 && grid[i] >= SOLACE_DCDM_TIED_COARSEST * unit;
    l += deeper;
  }
  *levels = l;
  return SOLACE_SUCCESS;
}

/* Adds the architecture attributes to the root of the (temporary) file `path`. */
static int write_arch(const char *path, const solace_dcdm_arch *a) {
  int64_t values[ARCH_ATTRS] = {a->ndim,       a->channels,  a->fine,       a->coarse,
                                a->after,      a->levels,    a->bias_free,  a->tied,
                                a->level_gain, a->linear_up, a->max_levels, a->deflate_block};
  hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot reopen '%s'", path);
  int status = SOLACE_SUCCESS;
  for (int i = 0; i < ARCH_ATTRS && !status; i++)
    status =
        solace_h5_attr_put(file, arch_names[i], H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &values[i]);
  if (H5Fclose(file) < 0 && !status)
    status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot close '%s'", path);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Saves to a temporary file beside `path` (itself written atomically by solace_nn_net_save),
 * adds the attributes, then renames it over `path`. */
static int save_quiet(solace_nn_net net, const solace_dcdm_arch *arch, const char *path) {
  size_t size = strlen(path) + 40;
  char *tmp;
  SolaceCall(SolaceCalloc(size, &tmp));
  snprintf(tmp, size, "%s.dcdm-tmp-%ld", path, (long)getpid());
  int status = solace_nn_net_save(net, tmp);
  if (!status) status = write_arch(tmp, arch);
  if (!status) status = solace_store_publish(tmp, path, 1);
  if (status) unlink(tmp);
  free(tmp);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_dcdm_net_save(solace_nn_net net, const solace_dcdm_arch *arch, const char *path) {
  SolaceCheckNotNull(net);
  SolaceCheckNotNull(arch);
  SolaceCheckNotNull(path);
  SolaceCall(check_arch(arch, path));
  SolaceH5QuietCall(save_quiet(net, arch, path));
  return SOLACE_SUCCESS;
}

/* Reads the architecture attributes of `path`. */
static int read_arch(const char *path, solace_dcdm_arch *a) {
  struct stat st;
  SolaceCheck(stat(path, &st) == 0, SOLACE_ERR_IO, "cannot open DCDM weights '%s': %s", path,
              strerror(errno));
  htri_t hdf5 = H5Fis_hdf5(path);
  SolaceCheck(hdf5 > 0, SOLACE_ERR_FORMAT, "DCDM weights '%s' is not an HDF5 file", path);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return solace_h5_error(SOLACE_ERR_IO, __func__, "cannot open '%s'", path);
  int64_t values[ARCH_ATTRS] = {0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0};
  int status = SOLACE_SUCCESS;
  for (int i = 0; i < ARCH_ATTRS && !status; i++) {
    hsize_t n = 0;
    if (i >= ARCH_REQUIRED && H5Aexists(file, arch_names[i]) == 0) continue;
    status = solace_h5_attr_get(file, arch_names[i], 1, H5T_NATIVE_INT64, 1, &values[i], &n);
    if (status) {
      char why[256];
      snprintf(why, sizeof why, "%s", solace_error_message());
      status = solace_error_set(SOLACE_ERR_FORMAT, __func__,
                                "'%s' is not a DCDM weights file: root attribute %s: %s", path,
                                arch_names[i], why);
    }
  }
  solace_h5_close(&file);
  if (status) return status;
  SolaceCheck(
      values[0] >= 2 && values[0] <= 3 && values[2] <= 1000 && values[2] >= 0 && values[3] >= 0 &&
          values[3] <= 1000 && values[4] >= 0 && values[4] <= 1000 && values[5] >= 1 &&
          values[5] <= SOLACE_NN_DCDM_MAX_LEVELS && values[6] >= 0 && values[6] <= 1 &&
          values[7] >= 0 && values[7] <= 1 && values[8] >= 1 && values[8] <= 64 && values[9] >= 0 &&
          values[9] <= 1,
      SOLACE_ERR_FORMAT,
      "'%s': bad DCDM architecture ndim = %lld, fine = %lld, coarse = %lld, after = %lld, "
      "levels = %lld, bias_free = %lld, tied = %lld, level_gain = %lld, linear_up = %lld, "
      "max_levels = %lld (need levels 1..%d, bias_free, tied and linear_up 0 or 1, level_gain "
      "1..64, max_levels 0..%d)",
      path, (long long)values[0], (long long)values[2], (long long)values[3], (long long)values[4],
      (long long)values[5], (long long)values[6], (long long)values[7], (long long)values[8],
      (long long)values[9], (long long)values[10], SOLACE_NN_DCDM_MAX_LEVELS,
      SOLACE_NN_DCDM_MAX_LEVELS);
  *a = (solace_dcdm_arch){(int)values[0], values[1],      (int)values[2],  (int)values[3],
                          (int)values[4], (int)values[5], (int)values[6],  (int)values[7],
                          (int)values[8], (int)values[9], (int)values[10], (int)values[11]};
  return check_arch(a, path);
}

/* Checks that a network read from a file marked bias-free has only zero biases. */
static int check_bias_free(solace_nn_net net, const char *path) {
  int nblocks;
  solace_nn_param **blocks;
  SolaceCall(solace_nn_net_params(net, &nblocks, &blocks));
  for (int k = 0; k < nblocks; k++) {
    if (strcmp(blocks[k]->name, "bias")) continue;
    for (int64_t i = 0; i < blocks[k]->count; i++)
      SolaceCheck(blocks[k]->value[i] == 0.0, SOLACE_ERR_FORMAT,
                  "'%s' says dcdm_bias_free = 1 but parameter block %d (a bias) holds %g at %lld",
                  path, k, blocks[k]->value[i], (long long)i);
  }
  return SOLACE_SUCCESS;
}

/* Reads the architecture (a tied one at the depth of the grid, if any and usable), builds its
 * network and loads the weights, naming the architecture when the weights do not fit it. */
static int load_quiet(const char *path, int ndim, const int64_t *grid, int max_levels,
                      solace_dcdm_arch *arch, solace_nn_net *net) {
  SolaceCall(read_arch(path, arch));
  int levels;
  int cap = max_levels > 0 ? max_levels : arch->max_levels;
  if (arch->tied && grid && ndim == arch->ndim && !solace_dcdm_grid_levels(ndim, grid, &levels))
    arch->levels = cap > 0 && levels > cap ? cap : levels;
  solace_error_clear();
  SolaceCall(solace_dcdm_net_create(arch, net));
  int status = solace_nn_net_load(*net, path);
  if (!status && arch->bias_free) status = check_bias_free(*net, path);
  if (status == SOLACE_ERR_FORMAT) {
    char why[512];
    snprintf(why, sizeof why, "%s", solace_error_message());
    status = solace_error_set(status, __func__,
                              "the weights do not fit the architecture of the attributes (ndim %d, "
                              "channels %lld, fine %d, coarse %d, after %d, levels %d, bias_free "
                              "%d, tied %d, level_gain %d, linear_up %d, max_levels %d): %s",
                              arch->ndim, (long long)arch->channels, arch->fine, arch->coarse,
                              arch->after, arch->levels, arch->bias_free, arch->tied,
                              arch->level_gain, arch->linear_up, arch->max_levels, why);
  }
  if (status) solace_nn_net_destroy(net);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

int solace_dcdm_net_load(const char *path, solace_dcdm_arch *arch, solace_nn_net *net) {
  solace_dcdm_arch local;
  SolaceCheckNotNull(path);
  SolaceCheckNotNull(net);
  *net = NULL;
  SolaceH5QuietCall(load_quiet(path, 0, NULL, 0, arch ? arch : &local, net));
  return SOLACE_SUCCESS;
}

int solace_dcdm_net_load_for_grid(const char *path, int ndim, const int64_t *grid, int max_levels,
                                  solace_dcdm_arch *arch, solace_nn_net *net) {
  solace_dcdm_arch local;
  SolaceCheckNotNull(path);
  SolaceCheckNotNull(grid);
  SolaceCheckNotNull(net);
  *net = NULL;
  SolaceH5QuietCall(load_quiet(path, ndim, grid, max_levels, arch ? arch : &local, net));
  return SOLACE_SUCCESS;
}
