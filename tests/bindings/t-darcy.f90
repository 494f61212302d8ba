! Darcy dataset through the Fortran module: solace_pde + solace_generate with the SKR solver
! (sorted GCRO-DR), 6 samples on a 16 x 16 grid under seed 7, written to the path given as the
! first argument. t-darcy.sh compares the file with the one solace-generate (the C API) writes
! with the same options. Here: the summary, and one sample read back through the store API
! equals a solve through solace_pde_sample/solace_pde_solve within 1e-5 relative, inputs exactly
! (both solves stop at a true relative residual <= rtol = 1e-8, and cond(A) is about
! 4 (n-1)^2 / pi^2 times the coefficient contrast (< 3 here), below 300, so each is within 3e-6
! of the exact solution).
program t_darcy
  use solace
  implicit none
  integer(c_int64_t), parameter :: n = 16, count = 6, seed = 7
  type(solace_pde_t) :: pde
  type(solace_generate_t) :: gen
  type(solace_store_t) :: store
  character(len=4096) :: path
  integer(c_int64_t) :: solved, skipped, its
  real(c_double) :: mean_its, mean_s, wall, res, diff
  real(c_double) :: stored_in(n, n), stored_out(n, n), input(n, n), output(n, n)
  call get_command_argument(1, path)
  if (len_trim(path) == 0) error stop "usage: bindings-fortran-darcy OUTPUT.h5"
  call solace_check(solace_initialize())
  call solace_check(solace_pde_create("darcy", n, pde), "pde_create")
  call solace_check(solace_generate_create(pde, count, seed, gen), "generate_create")
  call solace_check(solace_generate_set_output(gen, trim(path), SOLACE_STORE_MODE_OVERWRITE))
  call solace_check(solace_generate_set_solver(gen, SOLACE_GENERATE_SOLVER_SKR))
  call solace_check(solace_generate_set_sort(gen, SOLACE_SKR_SORT_AUTO))
  call solace_check(solace_generate_set_progress(gen, SOLACE_PROGRESS_SILENT))
  call solace_check(solace_generate_run(gen), "generate_run")
  call solace_check(solace_generate_get_summary(gen, solved, skipped, mean_its, mean_s, wall))
  print '("solved ", i0, ", skipped ", i0, ", mean iterations ", f6.1)', solved, skipped, mean_its
  if (solved /= count .or. skipped /= 0 .or. mean_its <= 0) error stop "wrong summary"
  call solace_check(solace_generate_destroy(gen))

  ! Sample 3 read back through the store equals a direct draw and solve.
  call solace_check(solace_store_open(trim(path), store), "store_open")
  call solace_check(solace_store_read_sample(store, 3_c_int64_t, stored_in, stored_out))
  call solace_check(solace_store_destroy(store))
  call solace_check(solace_pde_sample(pde, seed, 3_c_int64_t, input))
  call solace_check(solace_pde_solve(pde, input, output, iterations=its, residual=res))
  diff = maxval(abs(output - stored_out)) / maxval(abs(output))
  print '("sample 3: ", i0, " iterations, residual ", es9.2, ", relative difference ", es9.2)', &
    its, res, diff
  if (any(abs(input - stored_in) > 0)) error stop "stored input differs from solace_pde_sample"
  if (diff > 1d-5) error stop "stored output differs from solace_pde_solve"
  call solace_check(solace_pde_destroy(pde))
  call solace_check(solace_finalize())
  print '(a)', "bindings-fortran-darcy (Fortran part): passed"
end program t_darcy
