! SKR sequence solver from Fortran (module solace): 8 shuffled 2-D convection-diffusion systems
! (5-point central differences on a 10 x 10 interior grid, nonsymmetric; the family of
! tests/skr/t-sequence.c, smaller) solved by solace_skr_solve_sequence on Fortran CSR arrays and by
! solace_skr_solve_sequence_fn with a bind(C) callback (c_funloc), unsorted and sorted by
! features. Reference: each system solved densely by Gaussian elimination with partial pivoting
! written here. Tolerance: relative 2-norm error <= 1e-7 with rtol = 1e-10 (forward error
! <= cond(A) * rtol; t-sequence.c measures cond_1 < 1e3 for the larger 30 x 30 grid of this
! family), and every reported true residual <= rtol. Error path: n = 0 is SOLACE_ERR_ARG with a
! message.
module t_skr_data
  use solace
  implicit none
  integer, parameter :: grid = 10, n = grid * grid, count = 8
  real(c_double), parameter :: pi = 3.14159265358979323846d0
  type(solace_csr_t), target, save :: systems(count)
  real(c_double), save :: rhs(n, count), params(count)
contains

  ! -lap u + w . grad u = f (scaled by h^2), u = 0 on the boundary, as in t-sequence.c.
  subroutine build_system(p, s, b)
    real(c_double), intent(in) :: p
    type(solace_csr_t), intent(inout) :: s
    real(c_double), intent(out) :: b(n)
    integer, parameter :: di(5) = [0, -1, 1, 0, 0], dj(5) = [-1, 0, 0, 0, 1]
    real(c_double) :: h, speed, wx, wy, w(5), x, y
    integer :: i, j, t, ii, jj, row, e
    h = 1d0 / (grid + 1)
    speed = 20 * (1 + p)
    wx = speed * cos(p * pi / 3)
    wy = speed * sin(p * pi / 3)
    w = [-1 - wy * h / 2, -1 - wx * h / 2, -1 + wx * h / 2, 4d0, -1 + wy * h / 2]
    allocate(s%rowptr(n + 1), s%colidx(5 * n), s%values(5 * n))
    e = 0
    s%rowptr(1) = 0
    do j = 0, grid - 1
      do i = 0, grid - 1
        row = j * grid + i
        do t = 1, 5
          ii = i + di(t)
          jj = j + dj(t)
          if (ii < 0 .or. jj < 0 .or. ii >= grid .or. jj >= grid) cycle
          e = e + 1
          s%colidx(e) = jj * grid + ii
          s%values(e) = w(t)
        end do
        s%rowptr(row + 2) = e
        x = (i + 1) * h
        y = (j + 1) * h
        b(row + 1) = h * h * ((1 + p) * sin(pi * x) * sin(2 * pi * y) + x)
      end do
    end do
    s%colidx = s%colidx(1:e)
    s%values = s%values(1:e)
  end subroutine build_system

  ! The callback: system `index` (0-based) from the module's arrays.
  integer(c_int) function produce(index, nnz, rowptr, colidx, values, b, ctx) bind(C) &
      result(status)
    integer(c_int64_t), value :: index
    type(c_ptr), value :: nnz, rowptr, colidx, values, b, ctx
    integer(c_int64_t), pointer :: calls
    call c_f_pointer(ctx, calls)
    calls = calls + 1
    call solace_skr_provide_system(systems(index + 1), rhs(:, index + 1), nnz, rowptr, colidx, &
      values, b)
    status = 0
  end function produce

  ! A callback that fails at system 3: the solve must stop and return its status.
  integer(c_int) function failing(index, nnz, rowptr, colidx, values, b, ctx) bind(C) &
      result(status)
    integer(c_int64_t), value :: index
    type(c_ptr), value :: nnz, rowptr, colidx, values, b, ctx
    if (index == 3) then
      status = 7
      return
    end if
    status = produce(index, nnz, rowptr, colidx, values, b, ctx)
  end function failing
end module t_skr_data

program t_skr
  use t_skr_data
  use test_util
  implicit none
  real(c_double), parameter :: rtol = 1d-10, tol = 1d-7
  real(c_double) :: reference(n, count), x(n, count), res(count)
  integer(c_int64_t) :: its(count), order(count), total
  integer(c_int64_t), target :: calls
  real(c_double) :: sort_s, solve_s
  type(solace_skr_t) :: skr
  integer :: i, j
  integer(c_int64_t) :: state
  real(c_double) :: t
  call solace_check(solace_initialize())
  do i = 1, count
    params(i) = real(i - 1, c_double) / (count - 1)
  end do
  state = 2024
  do i = count, 3, -1 ! shuffle, keeping p = 0 at system 0
    state = modulo(state * 1103515245_c_int64_t + 12345_c_int64_t, 2147483648_c_int64_t)
    j = 2 + int(modulo(state, int(i - 1, c_int64_t)))
    t = params(i)
    params(i) = params(j)
    params(j) = t
  end do
  do i = 1, count
    call build_system(params(i), systems(i), rhs(:, i))
    call dense_solve(systems(i), rhs(:, i), reference(:, i))
  end do

  ! CSR form, sorted by the matrices (default sort), recycle 20 of restart 40.
  call solace_check(solace_skr_create(skr))
  call solace_check(solace_skr_set_restart(skr, 40_c_int64_t))
  call solace_check(solace_skr_set_recycle(skr, 20_c_int64_t))
  call solace_check(solace_skr_set_tolerance(skr, rtol, 20000_c_int64_t))
  call solace_check(solace_skr_solve_sequence(skr, int(n, c_int64_t), systems, rhs, x, its, res), &
    "solve_sequence")
  call solace_check(solace_skr_get_order(skr, order))
  call solace_check(solace_skr_get_summary(skr, sort_s, solve_s, total))
  call check(order(1) == 0 .and. all(sort_int(order) == [(int(i, c_int64_t), i = 0, count - 1)]), &
    "order is a permutation from 0")
  call check(total == sum(its) .and. total > 0, "summary iterations")
  call check_solutions("CSR", x, res)

  ! The error path: n = 0 is refused with a message.
  call check(solace_skr_solve_sequence(skr, 0_c_int64_t, systems, rhs, x) == SOLACE_ERR_ARG, &
    "n = 0 is SOLACE_ERR_ARG")
  call check(len(solace_error_message()) > 0, "message after n = 0")

  ! Callback form in the given order, then sorted by the parameter.
  calls = 0
  x = 0
  call solace_check(solace_skr_solve_sequence_fn(skr, int(count, c_int64_t), int(n, c_int64_t), &
    produce, c_loc(calls), x, its, res), "solve_sequence_fn")
  call solace_check(solace_skr_get_order(skr, order))
  call check(calls == count .and. all(order == [(int(i, c_int64_t), i = 0, count - 1)]), &
    "callback without features: the given order")
  call check_solutions("callback, given order", x, res)
  call solace_check(solace_skr_set_features(skr, reshape(params, [1, count])))
  x = 0
  call solace_check(solace_skr_solve_sequence_fn(skr, int(count, c_int64_t), int(n, c_int64_t), &
    produce, c_loc(calls), x, its, res), "solve_sequence_fn sorted")
  call solace_check(solace_skr_get_order(skr, order))
  call check(calls == 2 * count .and. all(params(order(2:) + 1) > params(order(:count - 1) + 1)), &
    "callback with features: sorted by p")
  call check_solutions("callback, sorted by features", x, res)
  ! A callback's non-zero return stops the solve and is returned.
  call check(solace_skr_solve_sequence_fn(skr, int(count, c_int64_t), int(n, c_int64_t), &
    failing, c_loc(calls), x) == 7, "a failing callback's status is returned")

  call solace_check(solace_skr_destroy(skr))
  call check(.not. c_associated(skr%ptr), "destroy nulls the handle")
  call solace_check(solace_finalize())
  call finish("bindings-fortran-skr")

contains

  function sort_int(a) result(b)
    integer(c_int64_t), intent(in) :: a(:)
    integer(c_int64_t) :: b(size(a)), tmp
    integer :: p, q
    b = a
    do p = 2, size(b)
      tmp = b(p)
      q = p - 1
      do while (q >= 1)
        if (b(q) <= tmp) exit
        b(q + 1) = b(q)
        q = q - 1
      end do
      b(q + 1) = tmp
    end do
  end function sort_int

  subroutine check_solutions(what, xs, residuals)
    character(len=*), intent(in) :: what
    real(c_double), intent(in) :: xs(n, count), residuals(count)
    real(c_double) :: worst
    integer :: k
    worst = 0
    do k = 1, count
      worst = max(worst, norm2(xs(:, k) - reference(:, k)) / norm2(reference(:, k)))
    end do
    print '(a, ": max relative error ", es9.2, ", max residual ", es9.2)', what, worst, &
      maxval(residuals)
    call check(worst <= tol, what // ": error above 1e-7")
    call check(maxval(residuals) <= rtol, what // ": residual above rtol")
  end subroutine check_solutions

  ! Dense Gaussian elimination with partial pivoting (the independent reference).
  subroutine dense_solve(s, b, sol)
    type(solace_csr_t), intent(in) :: s
    real(c_double), intent(in) :: b(n)
    real(c_double), intent(out) :: sol(n)
    real(c_double), allocatable :: a(:, :)
    real(c_double) :: rhs_copy(n), f, row(n)
    integer :: r, e, k, p
    allocate(a(n, n))
    a = 0
    do r = 1, n
      do e = int(s%rowptr(r)) + 1, int(s%rowptr(r + 1))
        a(r, s%colidx(e) + 1) = a(r, s%colidx(e) + 1) + s%values(e)
      end do
    end do
    rhs_copy = b
    do k = 1, n
      p = k - 1 + maxloc(abs(a(k:, k)), 1)
      if (p /= k) then
        row = a(k, :)
        a(k, :) = a(p, :)
        a(p, :) = row
        f = rhs_copy(k)
        rhs_copy(k) = rhs_copy(p)
        rhs_copy(p) = f
      end if
      do r = k + 1, n
        f = a(r, k) / a(k, k)
        a(r, k:) = a(r, k:) - f * a(k, k:)
        rhs_copy(r) = rhs_copy(r) - f * rhs_copy(k)
      end do
    end do
    do k = n, 1, -1
      sol(k) = (rhs_copy(k) - dot_product(a(k, k + 1:), sol(k + 1:))) / a(k, k)
    end do
  end subroutine dense_solve

end program t_skr
