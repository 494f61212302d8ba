! skr_darcy: a Darcy dataset solved with SKR (sorting + GCRO-DR recycling), from Fortran.
!
! A template for simulation codes: it sets up a sequence of Darcy problems
! -div(a grad u) = 1 on the unit square with random log-normal coefficients a, solves them in a
! sorted order with a recycled Krylov subspace, and writes the HDF5 dataset (inputs, outputs,
! solve statistics; readable with h5py), then reads one sample back.
!
! usage: skr_darcy [N [COUNT [OUTPUT.h5]]]      defaults: 32 100 skr_darcy.h5
! PETSc options may be given in the PETSC_OPTIONS environment variable (e.g. "-ksp_rtol 1e-10").
program skr_darcy
  use solace ! the module; link with Solace::solace_fortran (CMake)
  implicit none
  integer(c_int64_t) :: n = 32, count = 100, seed = 1
  character(len=4096) :: path = "skr_darcy.h5", arg
  type(solace_pde_t) :: pde
  type(solace_generate_t) :: gen
  type(solace_store_t) :: store
  integer(c_int64_t) :: solved, skipped, its
  real(c_double) :: mean_its, mean_s, wall, sec, res
  real(c_double), allocatable :: a(:, :), u(:, :)
  character(len=:), allocatable :: ksp, pc

  if (command_argument_count() >= 1) then
    call get_command_argument(1, arg)
    read(arg, *) n
  end if
  if (command_argument_count() >= 2) then
    call get_command_argument(2, arg)
    read(arg, *) count
  end if
  if (command_argument_count() >= 3) call get_command_argument(3, path)

  ! Every call returns a status; solace_check stops with Solace's message on an error.
  call solace_check(solace_initialize())
  call solace_check(solace_set_blas_threads(1)) ! one thread per rank for the Krylov kernels

  ! The problem family: Darcy on an n x n node grid, coefficient exp(GRF(alpha = 2.5, tau = 7)).
  call solace_check(solace_pde_create("darcy", n, pde), "pde_create")
  call solace_check(solace_pde_set_real(pde, "alpha", 2.5d0))
  call solace_check(solace_pde_set_real(pde, "tau", 7d0))

  ! The job: draw count inputs under seed, sort them (neighbours similar), solve with GCRO-DR
  ! carrying the recycle space from each system to the next, store each sample when solved.
  call solace_check(solace_generate_create(pde, count, seed, gen), "generate_create")
  call solace_check(solace_generate_set_output(gen, trim(path), SOLACE_STORE_MODE_OVERWRITE))
  call solace_check(solace_generate_set_solver(gen, SOLACE_GENERATE_SOLVER_SKR))
  call solace_check(solace_generate_set_sort(gen, SOLACE_SKR_SORT_AUTO))
  call solace_check(solace_generate_set_progress(gen, SOLACE_PROGRESS_SILENT))
  call solace_check(solace_generate_run(gen), "generate_run")
  call solace_check(solace_generate_get_summary(gen, solved, skipped, mean_its, mean_s, wall))
  call solace_check(solace_generate_destroy(gen))
  print '("skr_darcy: ", i0, " Darcy systems on a ", i0, "x", i0, " grid solved with SKR in ", &
        &f0.2, " s (", f0.1, " iterations per system), written to ", a)', solved, n, n, wall, &
        mean_its, trim(path)

  ! Read sample 0 back: fields are Fortran arrays a(nx, ny) (x fastest, no copy or transpose).
  allocate(a(n, n), u(n, n))
  call solace_check(solace_store_open(trim(path), store), "store_open")
  call solace_check(solace_store_get_attribute_string(store, "ksp_type", ksp))
  call solace_check(solace_store_get_attribute_string(store, "pc_type", pc))
  call solace_check(solace_store_read_sample(store, 0_c_int64_t, a, u))
  call solace_check(solace_store_read_stats(store, 0_c_int64_t, its, sec, res))
  call solace_check(solace_store_destroy(store))
  print '("skr_darcy: solver ", a, " + ", a, "; sample 0: a in [", f0.3, ", ", f0.3, &
        &"], max u ", es10.3, ", ", i0, " iterations, residual ", es9.2)', ksp, pc, minval(a), &
        maxval(a), maxval(u), its, res

  deallocate(a, u, ksp, pc)
  call solace_check(solace_pde_destroy(pde))
  call solace_check(solace_finalize())
end program skr_darcy
