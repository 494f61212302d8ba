! The implicit ABI from Fortran (module solace): F(x, theta) = D x - theta(1) b with D = diag(1..n),
! map and d_x product as bind(C) callbacks, d_theta left to finite differences. dx*/dtheta = b ./ diag
! exactly; tolerance 1e-9 (dense LU on exact D; the central difference of a map linear in theta
! is exact up to rounding, ~1e-10 relative for the default step 1e-6).
module implicit_problem
  use, intrinsic :: iso_c_binding
  implicit none
  integer(c_int64_t), parameter :: n = 6
contains
  integer(c_int) function diag_map(nn, p, x, theta, out, ctx) bind(C)
    integer(c_int64_t), value :: nn, p
    type(c_ptr), value :: x, theta, out, ctx
    real(c_double), pointer :: xv(:), tv(:), ov(:)
    integer :: i
    call c_f_pointer(x, xv, [nn])
    call c_f_pointer(theta, tv, [p])
    call c_f_pointer(out, ov, [nn])
    do i = 1, int(nn)
      ov(i) = i * xv(i) - tv(1) * (1.0d0 + 0.5d0 * i)
    end do
    diag_map = 0
  end function diag_map

  integer(c_int) function diag_dx(nn, p, x, theta, v, out, ctx) bind(C)
    integer(c_int64_t), value :: nn, p
    type(c_ptr), value :: x, theta, v, out, ctx
    real(c_double), pointer :: vv(:), ov(:)
    integer :: i
    call c_f_pointer(v, vv, [nn])
    call c_f_pointer(out, ov, [nn])
    do i = 1, int(nn)
      ov(i) = i * vv(i)
    end do
    diag_dx = 0
  end function diag_dx
end module implicit_problem

program t_fortran
  use solace
  use implicit_problem
  use test_util
  implicit none
  type(c_ptr), target :: problem = c_null_ptr
  real(c_double), target :: x(n), theta(1), t(1), dx(n)
  integer(c_int), target :: fd
  integer :: i
  real(c_double) :: err

  theta = 2.0d0
  t = 1.0d0
  do i = 1, int(n)
    x(i) = theta(1) * (1.0d0 + 0.5d0 * i) / i
  end do
  call check(c_solace_implicit_create(n, 1_c_int64_t, SOLACE_IMPLICIT_ROOT, c_funloc(diag_map), &
                                      c_null_ptr, problem) == SOLACE_SUCCESS, "create")
  call check(c_solace_implicit_set_products(problem, c_funloc(diag_dx), c_funloc(diag_dx), &
                                            c_null_funptr, c_null_funptr) == SOLACE_SUCCESS, &
             "set_products")
  call check(c_solace_implicit_jvp(problem, c_loc(x), c_loc(theta), c_loc(t), c_loc(dx)) &
             == SOLACE_SUCCESS, "jvp")
  call check(c_solace_implicit_get_report(problem, c_null_ptr, c_null_ptr, c_null_ptr, &
                                          c_loc(fd)) == SOLACE_SUCCESS, "report")
  err = 0
  do i = 1, int(n)
    err = max(err, abs(dx(i) - (1.0d0 + 0.5d0 * i) / i))
  end do
  print '(a, es10.3, a, i0)', "Fortran jvp: max error ", err, ", fd bits ", fd
  call check(err < 1d-9, "dx*/dtheta differs from b ./ diag")
  call check(fd == SOLACE_IMPLICIT_FD_JVP_THETA, "only the d_theta product is differences")
  theta(1) = ieee_nan()
  call check(c_solace_implicit_jvp(problem, c_loc(x), c_loc(theta), c_loc(t), c_loc(dx)) &
             == SOLACE_ERR_ARG, "NaN theta must be an argument error")
  call check(c_solace_implicit_destroy(problem) == SOLACE_SUCCESS, "destroy")
  call check(.not. c_associated(problem), "destroy nulls the handle")
  call finish("implicit-fortran")
contains
  real(c_double) function ieee_nan()
    use, intrinsic :: ieee_arithmetic
    ieee_nan = ieee_value(1.0d0, ieee_quiet_nan)
  end function ieee_nan
end program t_fortran
