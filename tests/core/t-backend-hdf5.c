/* A failed HDF5 call mapped by solace_error_hdf5 gives the code asked for, a message with HDF5's
 * own innermost explanation, and an empty HDF5 error stack afterwards. */
#include <errno.h>
#include <hdf5.h>
#include <string.h>

#include "solace-impl.h"
#include "test-util.h"

/* Opens a file that does not exist and maps the failure to SOLACE_ERR_IO. */
static int open_missing_file(void) {
  hid_t file = H5Fopen("/nonexistent-solace-dir/missing.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return solace_error_hdf5(SOLACE_ERR_IO, __func__, "opening missing.h5");
  H5Fclose(file);
  return SOLACE_SUCCESS;
}

int main(void) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* no HDF5 printing of its own */
  int status = open_missing_file();
  const char *m = solace_error_message();
  TEST_ASSERT(status == SOLACE_ERR_IO, "got %s", solace_status_string(status));
  TEST_ASSERT(strstr(m, "open_missing_file") && strstr(m, "opening missing.h5") &&
                  strstr(m, "HDF5"),
              "message \"%s\" lacks the function, the action or HDF5", m);
  /* The innermost HDF5 entry is the file driver's, which gives the system's reason. */
  TEST_ASSERT(strstr(m, strerror(ENOENT)), "message \"%s\" lacks \"%s\"", m, strerror(ENOENT));
  TEST_ASSERT(H5Eget_num(H5E_DEFAULT) == 0, "HDF5 error stack not cleared");
  return test_finish("core-backend-hdf5");
}
