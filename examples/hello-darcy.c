/* The README's example: a 100-sample Darcy dataset through the C ABI. */
#include <solace.h>
#include <stdio.h>

int main(int argc, char **argv) {
  solace_pde pde = NULL;
  solace_generate job = NULL;
  int status = solace_initialize(&argc, &argv); /* starts MPI and PETSc unless already up */
  if (!status) status = solace_pde_create("darcy", 64, &pde);
  if (!status) status = solace_generate_create(pde, 100, /* seed */ 1, &job);
  if (!status) status = solace_generate_set_output(job, "darcy.h5", SOLACE_STORE_RESUME);
  if (!status) status = solace_generate_run(job);
  if (status) fprintf(stderr, "failed: %s\n", solace_error_message());
  solace_generate_destroy(&job);
  solace_pde_destroy(&pde);
  solace_finalize();
  return status ? 1 : 0;
}
