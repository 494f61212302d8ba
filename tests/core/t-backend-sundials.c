/* A real SUNDIALS failure (CVode called before CVodeInit) mapped by solace_error_sundials gives
 * SOLACE_ERR_BACKEND and a message with the flag's value and name. */
#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>

#include "solace-impl.h"
#include "test-util.h"

/* Asks CVODES to integrate without CVodeInit; returns the mapped status and the raw flag. */
static int integrate_uninitialized(SUNContext ctx, int *flag) {
  void *mem = CVodeCreate(CV_BDF, ctx);
  N_Vector y = N_VNew_Serial(1, ctx);
  sunrealtype t = 0;
  if (!mem || !y) return solace_error_set(SOLACE_ERR_MEM, __func__, "CVODES allocation failed");
  CVodeSetErrFile(mem, NULL); /* no SUNDIALS printing of its own */
  *flag = CVode(mem, 1.0, y, &t, CV_NORMAL);
  int status = SOLACE_SUCCESS;
  if (*flag < 0) {
    char *name = CVodeGetReturnFlagName(*flag);
    status = solace_error_sundials(*flag, name, __func__);
    free(name);
  }
  N_VDestroy(y);
  CVodeFree(&mem);
  return status;
}

int main(void) {
  SUNContext ctx = NULL;
  if (SUNContext_Create(NULL, &ctx)) return 1;
  int flag = 0, status = integrate_uninitialized(ctx, &flag);
  const char *m = solace_error_message();
  char value[16];
  snprintf(value, sizeof value, "%d", CV_NO_MALLOC);
  TEST_ASSERT(flag == CV_NO_MALLOC, "CVode returned %d, expected CV_NO_MALLOC", flag);
  TEST_ASSERT(status == SOLACE_ERR_BACKEND, "got %s", solace_status_string(status));
  TEST_ASSERT(strstr(m, "integrate_uninitialized") && strstr(m, "CV_NO_MALLOC") && strstr(m, value),
              "message \"%s\"", m);
  SUNContext_Free(&ctx);
  return test_finish("core-backend-sundials");
}
