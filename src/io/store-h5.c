/* Small HDF5 helpers of the dataset store: silenced error printing, attributes, row I/O. */
#include "io/store-impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Saves the caller's HDF5 error printing (v2 or v1 API) and silences it. */
void solace_h5_quiet_begin(solace_h5_quiet *quiet) {
  quiet->is_v2 = 1;
  (void)H5Eauto_is_v2(H5E_DEFAULT, &quiet->is_v2);
  if (quiet->is_v2) {
    (void)H5Eget_auto2(H5E_DEFAULT, &quiet->func2, &quiet->data);
    (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  }
#ifndef H5_NO_DEPRECATED_SYMBOLS
  else {
    (void)H5Eget_auto1(&quiet->func1, &quiet->data);
    (void)H5Eset_auto1(NULL, NULL);
  }
#endif
}

/* Restores the saved HDF5 error printing, dropping Solace's own HDF5 errors. */
void solace_h5_quiet_end(const solace_h5_quiet *quiet) {
  H5Eclear2(H5E_DEFAULT);
  if (quiet->is_v2) (void)H5Eset_auto2(H5E_DEFAULT, quiet->func2, quiet->data);
#ifndef H5_NO_DEPRECATED_SYMBOLS
  else
    (void)H5Eset_auto1(quiet->func1, quiet->data);
#endif
}

/* Formats `what` and records it with HDF5's innermost message. */
int solace_h5_error(int code, const char *func, const char *fmt, ...) {
  char what[1024];
  va_list args;
  va_start(args, fmt);
  vsnprintf(what, sizeof what, fmt, args);
  va_end(args);
  return solace_error_hdf5(code, func, what);
}

/* Closes an identifier with the close function of its type. */
void solace_h5_close(hid_t *id) {
  if (*id < 0) return;
  switch (H5Iget_type(*id)) {
  case H5I_FILE:
    H5Fclose(*id);
    break;
  case H5I_GROUP:
    H5Gclose(*id);
    break;
  case H5I_DATATYPE:
    H5Tclose(*id);
    break;
  case H5I_DATASPACE:
    H5Sclose(*id);
    break;
  case H5I_DATASET:
    H5Dclose(*id);
    break;
  case H5I_ATTR:
    H5Aclose(*id);
    break;
  case H5I_GENPROP_LST:
    H5Pclose(*id);
    break;
  default:
    break;
  }
  *id = H5I_INVALID_HID;
}

/* Replaces attribute `name` of `loc` by n values (a scalar if n = 0). */
int solace_h5_attr_put(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                       const void *buf) {
  int status = SOLACE_SUCCESS;
  hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
  htri_t exists = H5Aexists(loc, name);
  if (space < 0 || exists < 0 || (exists > 0 && H5Adelete(loc, name) < 0)) goto fail;
  attr = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite(attr, mtype, buf) < 0) goto fail;
  goto done;
fail:
  status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot write attribute '%s'", name);
done:
  solace_h5_close(&attr);
  solace_h5_close(&space);
  return status;
}

/* Creates the variable-length UTF-8 string type (the one h5py writes for str). */
static hid_t string_type(void) {
  hid_t type = H5Tcopy(H5T_C_S1);
  if (type >= 0 && (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0))
    solace_h5_close(&type);
  return type;
}

/* Replaces attribute `name` by a variable-length UTF-8 string. */
int solace_h5_attr_put_string(hid_t loc, const char *name, const char *value) {
  hid_t type = string_type();
  if (type < 0) return solace_h5_error(SOLACE_ERR_BACKEND, __func__, "cannot make a string type");
  int status = solace_h5_attr_put(loc, name, type, type, 0, &value);
  solace_h5_close(&type);
  return status ? solace_error_trace(status, __func__) : SOLACE_SUCCESS;
}

/* Opens attribute `name` of `loc` with its type, checking it exists and has class `cls` (or,
 * with cls = H5T_NO_CLASS, integer or float); *n receives its number of values. */
static int attr_open(hid_t loc, const char *name, H5T_class_t cls, hid_t *attr, hid_t *type,
                     hsize_t *n) {
  htri_t exists = H5Aexists(loc, name);
  if (exists < 0) return solace_h5_error(SOLACE_ERR_FORMAT, __func__, "cannot look up '%s'", name);
  SolaceCheck(exists > 0, SOLACE_ERR_FORMAT, "no attribute '%s'", name);
  *attr = H5Aopen(loc, name, H5P_DEFAULT);
  *type = *attr < 0 ? H5I_INVALID_HID : H5Aget_type(*attr);
  hid_t space = *type < 0 ? H5I_INVALID_HID : H5Aget_space(*attr);
  hssize_t npoints = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
  int status = npoints < 0 ? solace_h5_error(SOLACE_ERR_FORMAT, __func__, "cannot open '%s'", name)
                           : SOLACE_SUCCESS;
  solace_h5_close(&space);
  if (status) return status;
  *n = (hsize_t)npoints;
  H5T_class_t have = H5Tget_class(*type);
  int ok = cls == H5T_NO_CLASS ? (have == H5T_INTEGER || have == H5T_FLOAT) : have == cls;
  SolaceCheck(ok, SOLACE_ERR_FORMAT, "attribute '%s' is not %s", name,
              cls == H5T_STRING    ? "a string"
              : cls == H5T_INTEGER ? "an integer"
                                   : "a number");
  return SOLACE_SUCCESS;
}

/* Reads a numeric attribute of 1 to max values as mtype. */
int solace_h5_attr_get(hid_t loc, const char *name, int integer_only, hid_t mtype, hsize_t max,
                       void *buf, hsize_t *n) {
  int status;
  hid_t attr = H5I_INVALID_HID, type = H5I_INVALID_HID;
  SolaceCallGoto(status, done,
                 attr_open(loc, name, integer_only ? H5T_INTEGER : H5T_NO_CLASS, &attr, &type, n));
  SolaceCheckGoto(*n >= 1 && *n <= max, status, done, SOLACE_ERR_FORMAT,
                  "attribute '%s' has %llu values, expected 1 to %llu", name,
                  (unsigned long long)*n, (unsigned long long)max);
  if (H5Aread(attr, mtype, buf) < 0)
    status = solace_h5_error(SOLACE_ERR_FORMAT, __func__, "cannot read attribute '%s'", name);
done:
  solace_h5_close(&type);
  solace_h5_close(&attr);
  return status;
}

/* Reads a variable-length string attribute into a new string. */
static int read_vlen_string(hid_t attr, const char *name, char **value) {
  char *text = NULL;
  hid_t type = string_type();
  int status =
      type >= 0 && H5Aread(attr, type, &text) >= 0
          ? SolaceCalloc(strlen(text ? text : "") + 1, value)
          : solace_h5_error(SOLACE_ERR_FORMAT, __func__, "cannot read attribute '%s'", name);
  if (!status) strcpy(*value, text ? text : "");
  solace_h5_close(&type);
  H5free_memory(text);
  return status;
}

/* Reads a fixed-length string attribute of file type ftype into a new string. */
static int read_fixed_string(hid_t attr, hid_t ftype, const char *name, char **value) {
  size_t size = H5Tget_size(ftype);
  SolaceCall(SolaceCalloc(size + 1, value));
  hid_t type = H5Tcopy(ftype);
  int status =
      type >= 0 && H5Aread(attr, type, *value) >= 0
          ? SOLACE_SUCCESS
          : solace_h5_error(SOLACE_ERR_FORMAT, __func__, "cannot read attribute '%s'", name);
  solace_h5_close(&type);
  if (status) {
    free(*value);
    *value = NULL;
  }
  return status;
}

/* Reads a fixed- or variable-length string attribute into a new string. */
int solace_h5_attr_get_string(hid_t loc, const char *name, char **value) {
  int status;
  hid_t attr = H5I_INVALID_HID, type = H5I_INVALID_HID;
  hsize_t n = 0;
  *value = NULL;
  SolaceCallGoto(status, done, attr_open(loc, name, H5T_STRING, &attr, &type, &n));
  SolaceCheckGoto(n == 1, status, done, SOLACE_ERR_FORMAT,
                  "attribute '%s' holds %llu strings, expected one", name, (unsigned long long)n);
  htri_t vlen = H5Tis_variable_str(type);
  if (vlen < 0)
    status = solace_h5_error(SOLACE_ERR_FORMAT, __func__, "cannot inspect attribute '%s'", name);
  else if (vlen)
    SolaceCallGoto(status, done, read_vlen_string(attr, name, value));
  else
    SolaceCallGoto(status, done, read_fixed_string(attr, type, name, value));
done:
  solace_h5_close(&type);
  solace_h5_close(&attr);
  return status;
}

/* Selects row `index` (one sample) of dset and reads or writes it as n contiguous values. */
int solace_h5_row(hid_t dset, const char *name, hid_t mtype, int64_t index, void *buf, int write) {
  int status = SOLACE_SUCCESS, rank = -1;
  hsize_t dims[H5S_MAX_RANK], start[H5S_MAX_RANK] = {0}, n = 1;
  hid_t file_space = H5Dget_space(dset), mem_space = H5I_INVALID_HID;
  if (file_space >= 0) rank = H5Sget_simple_extent_dims(file_space, dims, NULL);
  if (rank < 1) goto fail;
  start[0] = (hsize_t)index;
  dims[0] = 1;
  for (int k = 1; k < rank; k++) n *= dims[k];
  mem_space = H5Screate_simple(1, &n, NULL);
  if (mem_space < 0 || H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, dims, NULL) < 0)
    goto fail;
  herr_t err = write ? H5Dwrite(dset, mtype, mem_space, file_space, H5P_DEFAULT, buf)
                     : H5Dread(dset, mtype, mem_space, file_space, H5P_DEFAULT, buf);
  if (err >= 0) goto done;
fail:
  status = solace_h5_error(SOLACE_ERR_IO, __func__, "cannot %s row %lld of %s",
                           write ? "write" : "read", (long long)index, name);
done:
  solace_h5_close(&mem_space);
  solace_h5_close(&file_space);
  return status;
}
