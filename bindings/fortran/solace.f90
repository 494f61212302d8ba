! module solace: Solace for Fortran (2008, iso_c_binding), hand-written over the generated
! module solace_c (solace_c.f90, from the C headers by scripts/gen-bindings.py).
!
! * Every C function solace_x is available raw as c_solace_x (re-exported from solace_c), and
!   every status code and enum value as the C named constant (SOLACE_SUCCESS, SOLACE_ERR_ARG, ...).
!   One exception: SOLACE_STORE_CREATE would clash with the function solace_store_create
!   (Fortran names ignore case), so the store modes are SOLACE_STORE_MODE_CREATE,
!   SOLACE_STORE_MODE_OVERWRITE and SOLACE_STORE_MODE_RESUME here.
! * The functions below have the C names and arguments with Fortran types: handles are derived
!   types (solace_pde_t, ...), strings are Fortran strings (trailing blanks are trimmed),
!   arrays are Fortran arrays passed without copies (fields are column-major, x fastest, so an
!   nx x ny field is a Fortran array field(nx, ny)), optional arguments stand for C's NULL. Each
!   returns the C status (integer(c_int)); pass it to solace_check() to stop on an error.
! * Indices and counts are 0-based where C's are (sample index, CSR rowptr/colidx, order).
module solace
  use, intrinsic :: iso_c_binding
  use, intrinsic :: iso_fortran_env, only: error_unit
  use solace_c, SOLACE_STORE_MODE_CREATE => SOLACE_STORE_CREATE, &
    SOLACE_STORE_MODE_OVERWRITE => SOLACE_STORE_OVERWRITE, &
    SOLACE_STORE_MODE_RESUME => SOLACE_STORE_RESUME
  implicit none
  private :: c_string, f_string, opt_ptr_d, opt_ptr_i64, strlen, buffer_to_string

  !> Handles: each wraps the C handle (NULL until created, NULL again after destroy).
  type, public :: solace_store_t
    type(c_ptr) :: ptr = c_null_ptr
  end type solace_store_t
  type, public :: solace_pde_t
    type(c_ptr) :: ptr = c_null_ptr
  end type solace_pde_t
  type, public :: solace_generate_t
    type(c_ptr) :: ptr = c_null_ptr
  end type solace_generate_t
  type, public :: solace_skr_t
    type(c_ptr) :: ptr = c_null_ptr
  end type solace_skr_t
  type, public :: solace_grf_t
    type(c_ptr) :: ptr = c_null_ptr
  end type solace_grf_t
  type, public :: solace_progress_t
    type(c_ptr) :: ptr = c_null_ptr
  end type solace_progress_t

  !> One sparse system in CSR form for solace_skr_solve_sequence: n+1 row offsets and nnz column
  !> indices, both 0-based as in C, and nnz values.
  type, public :: solace_csr_t
    integer(c_int64_t), allocatable :: rowptr(:), colidx(:)
    real(c_double), allocatable :: values(:)
  end type solace_csr_t

  interface
    function strlen(s) bind(C, name="strlen") result(n)
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
      integer(c_size_t) :: n
    end function strlen
  end interface

contains

  ! ---- helpers -----------------------------------------------------------------------------

  !> A Fortran string as a NUL-terminated C string (trailing blanks trimmed).
  pure function c_string(s) result(c)
    character(len=*), intent(in) :: s
    character(kind=c_char, len=len_trim(s) + 1) :: c
    c = trim(s) // c_null_char
  end function c_string

  !> Copies a C string (NULL gives "") into a Fortran string.
  function f_string(p) result(s)
    type(c_ptr), intent(in) :: p
    character(len=:), allocatable :: s
    character(kind=c_char), pointer :: chars(:)
    integer :: i, n
    if (.not. c_associated(p)) then
      s = ""
      return
    end if
    n = int(strlen(p))
    call c_f_pointer(p, chars, [n])
    allocate(character(len=n) :: s)
    do i = 1, n
      s(i:i) = chars(i)
    end do
  end function f_string

  !> The text of a NUL-terminated buffer filled by C.
  function buffer_to_string(buf) result(s)
    character(kind=c_char, len=*), intent(in) :: buf
    character(len=:), allocatable :: s
    integer :: k
    k = index(buf, c_null_char)
    if (k == 0) k = len(buf) + 1
    s = buf(1:k - 1)
  end function buffer_to_string

  function opt_ptr_d(x) result(p)
    real(c_double), intent(in), target, optional :: x(*)
    type(c_ptr) :: p
    p = c_null_ptr
    if (present(x)) p = c_loc(x)
  end function opt_ptr_d

  function opt_ptr_i64(x) result(p)
    integer(c_int64_t), intent(in), target, optional :: x(*)
    type(c_ptr) :: p
    p = c_null_ptr
    if (present(x)) p = c_loc(x)
  end function opt_ptr_i64

  ! ---- base ----------------------------------------------------------------------------------

  !> The calling thread's message for its last failed Solace call ("" if none).
  function solace_error_message() result(msg)
    character(len=:), allocatable :: msg
    msg = f_string(c_solace_error_message())
  end function solace_error_message

  !> The name of a status code, e.g. "SOLACE_ERR_ARG".
  function solace_status_string(status) result(name)
    integer(c_int), intent(in) :: status
    character(len=:), allocatable :: name
    name = f_string(c_solace_status_string(status))
  end function solace_status_string

  !> Stops the program with an error if status is not SOLACE_SUCCESS, printing the code's name
  !> and solace_error_message() (and `where`, if given) on stderr; the exit code is -status.
  subroutine solace_check(status, where)
    integer(c_int), intent(in) :: status
    character(len=*), intent(in), optional :: where
    if (status == SOLACE_SUCCESS) return
    if (present(where)) then
      write(error_unit, '(a)') "solace: " // where // ": " // solace_status_string(status) // &
        ": " // solace_error_message()
    else
      write(error_unit, '(a)') "solace: " // solace_status_string(status) // ": " // &
        solace_error_message()
    end if
    error stop -status
  end subroutine solace_check

  !> Initializes MPI and PETSc if the program has not (PETSc options come from
  !> solace_options_insert or the PETSC_OPTIONS environment variable).
  integer(c_int) function solace_initialize() result(status)
    status = c_solace_initialize(c_null_ptr, c_null_ptr)
  end function solace_initialize

  integer(c_int) function solace_finalize() result(status)
    status = c_solace_finalize()
  end function solace_finalize

  integer(c_int) function solace_version(major, minor, patch) result(status)
    integer(c_int), intent(out) :: major, minor, patch
    integer(c_int), target :: v(3)
    status = c_solace_version(c_loc(v(1)), c_loc(v(2)), c_loc(v(3)))
    major = v(1)
    minor = v(2)
    patch = v(3)
  end function solace_version

  integer(c_int) function solace_log_set_level(level) result(status)
    integer(c_int), intent(in) :: level
    status = c_solace_log_set_level(level)
  end function solace_log_set_level

  integer(c_int) function solace_set_blas_threads(threads) result(status)
    integer(c_int), intent(in) :: threads
    status = c_solace_set_blas_threads(threads)
  end function solace_set_blas_threads

  real(c_double) function solace_wtime()
    solace_wtime = c_solace_wtime()
  end function solace_wtime

  ! ---- rand ----------------------------------------------------------------------------------

  !> Fills out(1:n) with U(0,1) values: positions offset.. of Philox stream `stream` under seed.
  integer(c_int) function solace_rand_uniform(seed, stream, offset, n, out) result(status)
    integer(c_int64_t), intent(in) :: seed, stream, offset, n
    real(c_double), intent(inout), target :: out(*)
    status = c_solace_rand_uniform(seed, stream, offset, n, c_loc(out))
  end function solace_rand_uniform

  integer(c_int) function solace_rand_normal(seed, stream, offset, n, out) result(status)
    integer(c_int64_t), intent(in) :: seed, stream, offset, n
    real(c_double), intent(inout), target :: out(*)
    status = c_solace_rand_normal(seed, stream, offset, n, c_loc(out))
  end function solace_rand_normal

  !> Gaussian-random-field sampler on a grid of size(shape) dimensions.
  integer(c_int) function solace_grf_create(shape, alpha, tau, grf) result(status)
    integer(c_int64_t), intent(in), target :: shape(:)
    real(c_double), intent(in) :: alpha, tau
    type(solace_grf_t), intent(inout) :: grf
    status = c_solace_grf_create(int(size(shape), c_int), c_loc(shape), alpha, tau, grf%ptr)
  end function solace_grf_create

  integer(c_int) function solace_grf_sample(grf, seed, index, field) result(status)
    type(solace_grf_t), intent(in) :: grf
    integer(c_int64_t), intent(in) :: seed, index
    real(c_double), intent(inout), target :: field(*)
    status = c_solace_grf_sample(grf%ptr, seed, index, c_loc(field))
  end function solace_grf_sample

  integer(c_int) function solace_grf_destroy(grf) result(status)
    type(solace_grf_t), intent(inout) :: grf
    status = c_solace_grf_destroy(grf%ptr)
  end function solace_grf_destroy

  ! ---- store ---------------------------------------------------------------------------------

  !> Creates a dataset of `count` samples on the grid grid(1:size(grid)) with `nparams`
  !> parameters; mode is SOLACE_STORE_MODE_CREATE, _OVERWRITE or _RESUME.
  integer(c_int) function solace_store_create(path, family, count, grid, nparams, mode, store) &
      result(status)
    character(len=*), intent(in) :: path, family
    integer(c_int64_t), intent(in) :: count, nparams
    integer(c_int64_t), intent(in), target :: grid(:)
    integer(c_int), intent(in) :: mode
    type(solace_store_t), intent(inout) :: store
    status = c_solace_store_create(c_string(path), c_string(family), count, &
      int(size(grid), c_int), c_loc(grid), nparams, mode, store%ptr)
  end function solace_store_create

  integer(c_int) function solace_store_open(path, store) result(status)
    character(len=*), intent(in) :: path
    type(solace_store_t), intent(inout) :: store
    status = c_solace_store_open(c_string(path), store%ptr)
  end function solace_store_open

  integer(c_int) function solace_store_destroy(store) result(status)
    type(solace_store_t), intent(inout) :: store
    status = c_solace_store_destroy(store%ptr)
  end function solace_store_destroy

  integer(c_int) function solace_store_get_count(store, count) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(out) :: count
    integer(c_int64_t), target :: value
    value = 0
    status = c_solace_store_get_count(store%ptr, c_loc(value))
    count = value
  end function solace_store_get_count

  !> Writes the grid dimension and sizes grid(1:3) (unused entries 1).
  integer(c_int) function solace_store_get_grid(store, ndim, grid) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int), intent(out) :: ndim
    integer(c_int64_t), intent(out) :: grid(3)
    integer(c_int), target :: d
    integer(c_int64_t), target :: g(3)
    d = 0
    g = 0
    status = c_solace_store_get_grid(store%ptr, c_loc(d), c_loc(g))
    ndim = d
    grid = g
  end function solace_store_get_grid

  integer(c_int) function solace_store_get_nparams(store, nparams) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(out) :: nparams
    integer(c_int64_t), target :: value
    value = 0
    status = c_solace_store_get_nparams(store%ptr, c_loc(value))
    nparams = value
  end function solace_store_get_nparams

  !> The family name (allocated to its length).
  integer(c_int) function solace_store_get_family(store, family) result(status)
    type(solace_store_t), intent(in) :: store
    character(len=:), allocatable, intent(out) :: family
    character(kind=c_char, len=256) :: buf
    status = c_solace_store_get_family(store%ptr, buf, int(len(buf), c_int64_t))
    family = buffer_to_string(buf)
  end function solace_store_get_family

  integer(c_int) function solace_store_set_attribute_string(store, name, value) result(status)
    type(solace_store_t), intent(in) :: store
    character(len=*), intent(in) :: name, value
    status = c_solace_store_set_attribute_string(store%ptr, c_string(name), c_string(value))
  end function solace_store_set_attribute_string

  integer(c_int) function solace_store_set_attribute_double(store, name, value) result(status)
    type(solace_store_t), intent(in) :: store
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    status = c_solace_store_set_attribute_double(store%ptr, c_string(name), value)
  end function solace_store_set_attribute_double

  integer(c_int) function solace_store_set_attribute_int(store, name, value) result(status)
    type(solace_store_t), intent(in) :: store
    character(len=*), intent(in) :: name
    integer(c_int64_t), intent(in) :: value
    status = c_solace_store_set_attribute_int(store%ptr, c_string(name), value)
  end function solace_store_set_attribute_int

  !> A string attribute (allocated to its length; at most 4095 characters).
  integer(c_int) function solace_store_get_attribute_string(store, name, value) result(status)
    type(solace_store_t), intent(in) :: store
    character(len=*), intent(in) :: name
    character(len=:), allocatable, intent(out) :: value
    character(kind=c_char, len=4096) :: buf
    status = c_solace_store_get_attribute_string(store%ptr, c_string(name), buf, &
      int(len(buf), c_int64_t))
    value = buffer_to_string(buf)
  end function solace_store_get_attribute_string

  integer(c_int) function solace_store_get_attribute_double(store, name, value) result(status)
    type(solace_store_t), intent(in) :: store
    character(len=*), intent(in) :: name
    real(c_double), intent(out) :: value
    real(c_double), target :: v
    v = 0
    status = c_solace_store_get_attribute_double(store%ptr, c_string(name), c_loc(v))
    value = v
  end function solace_store_get_attribute_double

  integer(c_int) function solace_store_get_attribute_int(store, name, value) result(status)
    type(solace_store_t), intent(in) :: store
    character(len=*), intent(in) :: name
    integer(c_int64_t), intent(out) :: value
    integer(c_int64_t), target :: v
    v = 0
    status = c_solace_store_get_attribute_int(store%ptr, c_string(name), c_loc(v))
    value = v
  end function solace_store_get_attribute_int

  !> Writes the solve order order(1:count), a permutation of the 0-based sample indices.
  integer(c_int) function solace_store_write_order(store, order) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(in), target :: order(*)
    status = c_solace_store_write_order(store%ptr, c_loc(order))
  end function solace_store_write_order

  integer(c_int) function solace_store_read_order(store, order) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(inout), target :: order(*)
    status = c_solace_store_read_order(store%ptr, c_loc(order))
  end function solace_store_read_order

  !> Writes sample `index` (0-based): input and output fields (grid values each, x fastest),
  !> params (nparams values; omit when nparams = 0) and the solve's statistics.
  integer(c_int) function solace_store_write_sample(store, index, input, output, params, &
      iterations, seconds, residual) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(in) :: index, iterations
    real(c_double), intent(in), target :: input(*), output(*)
    real(c_double), intent(in), target, optional :: params(*)
    real(c_double), intent(in) :: seconds, residual
    status = c_solace_store_write_sample(store%ptr, index, c_loc(input), c_loc(output), &
      opt_ptr_d(params), iterations, seconds, residual)
  end function solace_store_write_sample

  integer(c_int) function solace_store_is_done(store, index, done) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(in) :: index
    logical, intent(out) :: done
    integer(c_int), target :: d
    d = 0
    status = c_solace_store_is_done(store%ptr, index, c_loc(d))
    done = d /= 0
  end function solace_store_is_done

  integer(c_int) function solace_store_count_done(store, ndone) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(out) :: ndone
    integer(c_int64_t), target :: v
    v = 0
    status = c_solace_store_count_done(store%ptr, c_loc(v))
    ndone = v
  end function solace_store_count_done

  !> Fills done(1:count) with 1 for each sample on disk, else 0.
  integer(c_int) function solace_store_read_done(store, done) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int), intent(inout), target :: done(*)
    status = c_solace_store_read_done(store%ptr, c_loc(done))
  end function solace_store_read_done

  !> Reads a finished sample; omit any of input, output, params to skip it.
  integer(c_int) function solace_store_read_sample(store, index, input, output, params) &
      result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(in) :: index
    real(c_double), intent(inout), target, optional :: input(*), output(*), params(*)
    status = c_solace_store_read_sample(store%ptr, index, opt_ptr_d(input), &
      opt_ptr_d(output), opt_ptr_d(params))
  end function solace_store_read_sample

  integer(c_int) function solace_store_read_stats(store, index, iterations, seconds, &
      residual) result(status)
    type(solace_store_t), intent(in) :: store
    integer(c_int64_t), intent(in) :: index
    integer(c_int64_t), intent(out) :: iterations
    real(c_double), intent(out) :: seconds, residual
    integer(c_int64_t), target :: its
    real(c_double), target :: sec, res
    its = 0
    sec = 0
    res = 0
    status = c_solace_store_read_stats(store%ptr, index, c_loc(its), c_loc(sec), c_loc(res))
    iterations = its
    seconds = sec
    residual = res
  end function solace_store_read_stats

  integer(c_int) function solace_store_compress(path, level) result(status)
    character(len=*), intent(in) :: path
    integer(c_int), intent(in) :: level
    status = c_solace_store_compress(c_string(path), level)
  end function solace_store_compress

  ! ---- pde -----------------------------------------------------------------------------------

  !> Adds options to PETSc's options database, e.g. "-ksp_type cg -pc_type gamg".
  integer(c_int) function solace_options_insert(options) result(status)
    character(len=*), intent(in) :: options
    status = c_solace_options_insert(c_string(options))
  end function solace_options_insert

  integer(c_int) function solace_pde_create(family, n, pde) result(status)
    character(len=*), intent(in) :: family
    integer(c_int64_t), intent(in) :: n
    type(solace_pde_t), intent(inout) :: pde
    status = c_solace_pde_create(c_string(family), n, pde%ptr)
  end function solace_pde_create

  integer(c_int) function solace_pde_set_real(pde, name, value) result(status)
    type(solace_pde_t), intent(in) :: pde
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    status = c_solace_pde_set_real(pde%ptr, c_string(name), value)
  end function solace_pde_set_real

  integer(c_int) function solace_pde_set_string(pde, name, value) result(status)
    type(solace_pde_t), intent(in) :: pde
    character(len=*), intent(in) :: name, value
    status = c_solace_pde_set_string(pde%ptr, c_string(name), c_string(value))
  end function solace_pde_set_string

  integer(c_int) function solace_pde_get_real(pde, name, value) result(status)
    type(solace_pde_t), intent(in) :: pde
    character(len=*), intent(in) :: name
    real(c_double), intent(out) :: value
    real(c_double), target :: v
    v = 0
    status = c_solace_pde_get_real(pde%ptr, c_string(name), c_loc(v))
    value = v
  end function solace_pde_get_real

  integer(c_int) function solace_pde_set_warm_start(pde, on) result(status)
    type(solace_pde_t), intent(in) :: pde
    logical, intent(in) :: on
    status = c_solace_pde_set_warm_start(pde%ptr, merge(1_c_int, 0_c_int, on))
  end function solace_pde_set_warm_start

  integer(c_int) function solace_pde_get_grid(pde, ndim, grid) result(status)
    type(solace_pde_t), intent(in) :: pde
    integer(c_int), intent(out) :: ndim
    integer(c_int64_t), intent(out) :: grid(3)
    integer(c_int), target :: d
    integer(c_int64_t), target :: g(3)
    d = 0
    g = 0
    status = c_solace_pde_get_grid(pde%ptr, c_loc(d), c_loc(g))
    ndim = d
    grid = g
  end function solace_pde_get_grid

  integer(c_int) function solace_pde_get_nparams(pde, nparams) result(status)
    type(solace_pde_t), intent(in) :: pde
    integer(c_int64_t), intent(out) :: nparams
    integer(c_int64_t), target :: v
    v = 0
    status = c_solace_pde_get_nparams(pde%ptr, c_loc(v))
    nparams = v
  end function solace_pde_get_nparams

  !> Draws the random input of sample `index` (0-based) under `seed`: input (grid values) and
  !> params (nparams values; omit when nparams = 0).
  integer(c_int) function solace_pde_sample(pde, seed, index, input, params) result(status)
    type(solace_pde_t), intent(in) :: pde
    integer(c_int64_t), intent(in) :: seed, index
    real(c_double), intent(inout), target :: input(*)
    real(c_double), intent(inout), target, optional :: params(*)
    status = c_solace_pde_sample(pde%ptr, seed, index, c_loc(input), opt_ptr_d(params))
  end function solace_pde_sample

  !> Solves the system of one input into output; iterations and residual are optional.
  integer(c_int) function solace_pde_solve(pde, input, output, params, iterations, residual) &
      result(status)
    type(solace_pde_t), intent(in) :: pde
    real(c_double), intent(in), target :: input(*)
    real(c_double), intent(inout), target :: output(*)
    real(c_double), intent(in), target, optional :: params(*)
    integer(c_int64_t), intent(out), optional :: iterations
    real(c_double), intent(out), optional :: residual
    integer(c_int64_t), target :: its
    real(c_double), target :: res
    its = 0
    res = 0
    status = c_solace_pde_solve(pde%ptr, c_loc(input), opt_ptr_d(params), c_loc(output), &
      c_loc(its), c_loc(res))
    if (present(iterations)) iterations = its
    if (present(residual)) residual = res
  end function solace_pde_solve

  integer(c_int) function solace_pde_destroy(pde) result(status)
    type(solace_pde_t), intent(inout) :: pde
    status = c_solace_pde_destroy(pde%ptr)
  end function solace_pde_destroy

  ! ---- generate ------------------------------------------------------------------------------

  !> A job for `count` samples of `pde` under `seed` (the job borrows pde: destroy it after).
  integer(c_int) function solace_generate_create(pde, count, seed, gen) result(status)
    type(solace_pde_t), intent(in) :: pde
    integer(c_int64_t), intent(in) :: count, seed
    type(solace_generate_t), intent(inout) :: gen
    status = c_solace_generate_create(pde%ptr, count, seed, gen%ptr)
  end function solace_generate_create

  integer(c_int) function solace_generate_set_output(gen, path, mode) result(status)
    type(solace_generate_t), intent(in) :: gen
    character(len=*), intent(in) :: path
    integer(c_int), intent(in) :: mode
    status = c_solace_generate_set_output(gen%ptr, c_string(path), mode)
  end function solace_generate_set_output

  integer(c_int) function solace_generate_set_progress(gen, mode) result(status)
    type(solace_generate_t), intent(in) :: gen
    integer(c_int), intent(in) :: mode
    status = c_solace_generate_set_progress(gen%ptr, mode)
  end function solace_generate_set_progress

  integer(c_int) function solace_generate_set_sort(gen, method) result(status)
    type(solace_generate_t), intent(in) :: gen
    integer(c_int), intent(in) :: method
    status = c_solace_generate_set_sort(gen%ptr, method)
  end function solace_generate_set_sort

  integer(c_int) function solace_generate_set_compression(gen, level) result(status)
    type(solace_generate_t), intent(in) :: gen
    integer(c_int), intent(in) :: level
    status = c_solace_generate_set_compression(gen%ptr, level)
  end function solace_generate_set_compression

  integer(c_int) function solace_generate_set_solver(gen, solver) result(status)
    type(solace_generate_t), intent(in) :: gen
    integer(c_int), intent(in) :: solver
    status = c_solace_generate_set_solver(gen%ptr, solver)
  end function solace_generate_set_solver

  integer(c_int) function solace_generate_set_warm_start(gen, on) result(status)
    type(solace_generate_t), intent(in) :: gen
    logical, intent(in) :: on
    status = c_solace_generate_set_warm_start(gen%ptr, merge(1_c_int, 0_c_int, on))
  end function solace_generate_set_warm_start

  integer(c_int) function solace_generate_run(gen) result(status)
    type(solace_generate_t), intent(in) :: gen
    status = c_solace_generate_run(gen%ptr)
  end function solace_generate_run

  integer(c_int) function solace_generate_get_summary(gen, solved, skipped, mean_iterations, &
      mean_seconds, wall_seconds) result(status)
    type(solace_generate_t), intent(in) :: gen
    integer(c_int64_t), intent(out) :: solved, skipped
    real(c_double), intent(out) :: mean_iterations, mean_seconds, wall_seconds
    integer(c_int64_t), target :: s(2)
    real(c_double), target :: r(3)
    s = 0
    r = 0
    status = c_solace_generate_get_summary(gen%ptr, c_loc(s(1)), c_loc(s(2)), c_loc(r(1)), &
      c_loc(r(2)), c_loc(r(3)))
    solved = s(1)
    skipped = s(2)
    mean_iterations = r(1)
    mean_seconds = r(2)
    wall_seconds = r(3)
  end function solace_generate_get_summary

  integer(c_int) function solace_generate_destroy(gen) result(status)
    type(solace_generate_t), intent(inout) :: gen
    status = c_solace_generate_destroy(gen%ptr)
  end function solace_generate_destroy

  ! ---- skr -----------------------------------------------------------------------------------

  !> Orders count systems by their features(1:dim, 1:count) (column j: system j-1); order(1:count)
  !> receives 0-based system indices.
  integer(c_int) function solace_skr_sort(features, method, order) result(status)
    real(c_double), intent(in), target, contiguous :: features(:, :)
    integer(c_int), intent(in) :: method
    integer(c_int64_t), intent(inout), target :: order(*)
    status = c_solace_skr_sort(c_loc(features), int(size(features, 2), c_int64_t), &
      int(size(features, 1), c_int64_t), method, c_loc(order))
  end function solace_skr_sort

  integer(c_int) function solace_skr_create(skr) result(status)
    type(solace_skr_t), intent(inout) :: skr
    status = c_solace_skr_create(skr%ptr)
  end function solace_skr_create

  integer(c_int) function solace_skr_set_restart(skr, m) result(status)
    type(solace_skr_t), intent(in) :: skr
    integer(c_int64_t), intent(in) :: m
    status = c_solace_skr_set_restart(skr%ptr, m)
  end function solace_skr_set_restart

  integer(c_int) function solace_skr_set_recycle(skr, k) result(status)
    type(solace_skr_t), intent(in) :: skr
    integer(c_int64_t), intent(in) :: k
    status = c_solace_skr_set_recycle(skr%ptr, k)
  end function solace_skr_set_recycle

  integer(c_int) function solace_skr_set_tolerance(skr, rtol, max_it) result(status)
    type(solace_skr_t), intent(in) :: skr
    real(c_double), intent(in) :: rtol
    integer(c_int64_t), intent(in) :: max_it
    status = c_solace_skr_set_tolerance(skr%ptr, rtol, max_it)
  end function solace_skr_set_tolerance

  integer(c_int) function solace_skr_set_pc(skr, pc_type) result(status)
    type(solace_skr_t), intent(in) :: skr
    character(len=*), intent(in) :: pc_type
    status = c_solace_skr_set_pc(skr%ptr, c_string(pc_type))
  end function solace_skr_set_pc

  integer(c_int) function solace_skr_set_sort(skr, method) result(status)
    type(solace_skr_t), intent(in) :: skr
    integer(c_int), intent(in) :: method
    status = c_solace_skr_set_sort(skr%ptr, method)
  end function solace_skr_set_sort

  integer(c_int) function solace_skr_set_warm_start(skr, on) result(status)
    type(solace_skr_t), intent(in) :: skr
    logical, intent(in) :: on
    status = c_solace_skr_set_warm_start(skr%ptr, merge(1_c_int, 0_c_int, on))
  end function solace_skr_set_warm_start

  !> Features for sorting the next solves: features(1:dim, 1:count), column j for system j-1.
  integer(c_int) function solace_skr_set_features(skr, features) result(status)
    type(solace_skr_t), intent(in) :: skr
    real(c_double), intent(in), target, contiguous :: features(:, :)
    status = c_solace_skr_set_features(skr%ptr, c_loc(features), &
      int(size(features, 2), c_int64_t), int(size(features, 1), c_int64_t))
  end function solace_skr_set_features

  !> Sorts and solves the systems(1:count), each n x n in CSR form, with right-hand sides
  !> rhs(1:n, 1:count) into solutions(1:n, 1:count); iterations(1:count) and residuals(1:count)
  !> are optional. No array is copied.
  integer(c_int) function solace_skr_solve_sequence(skr, n, systems, rhs, solutions, &
      iterations, residuals) result(status)
    type(solace_skr_t), intent(in) :: skr
    integer(c_int64_t), intent(in) :: n
    type(solace_csr_t), intent(in), target :: systems(:)
    real(c_double), intent(in), target :: rhs(*)
    real(c_double), intent(inout), target :: solutions(*)
    integer(c_int64_t), intent(inout), target, optional :: iterations(*)
    real(c_double), intent(inout), target, optional :: residuals(*)
    type(c_ptr), target :: rowptr(size(systems)), colidx(size(systems)), values(size(systems))
    integer :: i
    do i = 1, size(systems)
      if (.not. (allocated(systems(i)%rowptr) .and. allocated(systems(i)%colidx) .and. &
                 allocated(systems(i)%values))) then
        status = SOLACE_ERR_ARG
        return
      end if
      rowptr(i) = c_loc(systems(i)%rowptr)
      colidx(i) = c_loc(systems(i)%colidx)
      values(i) = c_loc(systems(i)%values)
    end do
    status = c_solace_skr_solve_sequence(skr%ptr, int(size(systems), c_int64_t), n, &
      c_loc(rowptr), c_loc(colidx), c_loc(values), c_loc(rhs), c_loc(solutions), &
      opt_ptr_i64(iterations), opt_ptr_d(residuals))
  end function solace_skr_solve_sequence

  !> As solace_skr_solve_sequence, with system i produced by fn, a bind(C) function with the
  !> interface solace_skr_system_fn (see solace_skr_provide_system), given ctx unchanged.
  integer(c_int) function solace_skr_solve_sequence_fn(skr, count, n, fn, ctx, solutions, &
      iterations, residuals) result(status)
    type(solace_skr_t), intent(in) :: skr
    integer(c_int64_t), intent(in) :: count, n
    procedure(solace_skr_system_fn) :: fn
    type(c_ptr), intent(in) :: ctx
    real(c_double), intent(inout), target :: solutions(*)
    integer(c_int64_t), intent(inout), target, optional :: iterations(*)
    real(c_double), intent(inout), target, optional :: residuals(*)
    status = c_solace_skr_solve_sequence_fn(skr%ptr, count, n, c_funloc(fn), ctx, &
      c_loc(solutions), opt_ptr_i64(iterations), opt_ptr_d(residuals))
  end function solace_skr_solve_sequence_fn

  !> For a solace_skr_system_fn callback: hands Solace the system in csr (which must stay
  !> allocated and unchanged until the next callback: keep it in a module or a saved variable)
  !> and copies rhs(1:n) into Solace's buffer. nnz, rowptr, colidx, values, rhs_out are the
  !> callback's own pointer arguments.
  subroutine solace_skr_provide_system(csr, rhs, nnz, rowptr, colidx, values, rhs_out)
    type(solace_csr_t), intent(in), target :: csr
    real(c_double), intent(in) :: rhs(:)
    type(c_ptr), intent(in) :: nnz, rowptr, colidx, values, rhs_out
    integer(c_int64_t), pointer :: nnz_f
    type(c_ptr), pointer :: rowptr_f, colidx_f, values_f
    real(c_double), pointer :: rhs_f(:)
    call c_f_pointer(nnz, nnz_f)
    call c_f_pointer(rowptr, rowptr_f)
    call c_f_pointer(colidx, colidx_f)
    call c_f_pointer(values, values_f)
    call c_f_pointer(rhs_out, rhs_f, [size(rhs)])
    nnz_f = size(csr%values, kind=c_int64_t)
    rowptr_f = c_loc(csr%rowptr)
    colidx_f = c_loc(csr%colidx)
    values_f = c_loc(csr%values)
    rhs_f = rhs
  end subroutine solace_skr_provide_system

  !> The last solve's order(1:count): 0-based system indices in solve order.
  integer(c_int) function solace_skr_get_order(skr, order) result(status)
    type(solace_skr_t), intent(in) :: skr
    integer(c_int64_t), intent(inout), target :: order(*)
    status = c_solace_skr_get_order(skr%ptr, c_loc(order))
  end function solace_skr_get_order

  integer(c_int) function solace_skr_get_summary(skr, sort_seconds, solve_seconds, &
      total_iterations) result(status)
    type(solace_skr_t), intent(in) :: skr
    real(c_double), intent(out) :: sort_seconds, solve_seconds
    integer(c_int64_t), intent(out) :: total_iterations
    real(c_double), target :: sec(2)
    integer(c_int64_t), target :: its
    sec = 0
    its = 0
    status = c_solace_skr_get_summary(skr%ptr, c_loc(sec(1)), c_loc(sec(2)), c_loc(its))
    sort_seconds = sec(1)
    solve_seconds = sec(2)
    total_iterations = its
  end function solace_skr_get_summary

  integer(c_int) function solace_skr_destroy(skr) result(status)
    type(solace_skr_t), intent(inout) :: skr
    status = c_solace_skr_destroy(skr%ptr)
  end function solace_skr_destroy

end module solace
