! Fortran store round trip (module solace): the dataset of tests/store/t-roundtrip.c (7 samples
! on a 5 x 3 grid, 2 parameters, written in the order k -> (3k + 1) mod 7) written through the
! Fortran wrappers, then reopened read-only and read back. Tolerance 0: every value is exact in
! binary and a store must not change a bit. Also the error path: opening a missing file fails
! with a message, and solace_status_string names the code.
program t_store
  use solace
  use test_util
  implicit none
  integer, parameter :: count = 7, nx = 5, ny = 3, nparams = 2
  character(len=*), parameter :: path = "t-fortran-store.h5"

  call write_file()
  call read_file()
  call error_path()
  call finish("bindings-fortran-store")

contains

  ! The reference values of sample i (the same as t-roundtrip.c's).
  subroutine reference(i, input, output, params)
    integer(c_int64_t), intent(in) :: i
    real(c_double), intent(out) :: input(nx, ny), output(nx, ny), params(nparams)
    integer :: ix, iy
    do iy = 0, ny - 1
      do ix = 0, nx - 1
        input(ix + 1, iy + 1) = real(i, c_double) + ix / 8.0d0 + iy / 64.0d0
        output(ix + 1, iy + 1) = 100.0d0 * real(i, c_double) - ix * 0.25d0 + iy * 0.5d0
      end do
    end do
    params(1) = real(i, c_double) / 4
    params(2) = -real(i, c_double)
  end subroutine reference

  integer(c_int64_t) function order_of(k)
    integer, intent(in) :: k
    order_of = mod(3 * k + 1, count)
  end function order_of

  subroutine write_file()
    type(solace_store_t) :: store
    real(c_double) :: input(nx, ny), output(nx, ny), params(nparams)
    integer(c_int64_t) :: order(count), i
    integer :: k
    do k = 0, count - 1
      order(k + 1) = order_of(k)
    end do
    call solace_check(solace_store_create(path, "darcy", int(count, c_int64_t), &
      [int(nx, c_int64_t), int(ny, c_int64_t)], int(nparams, c_int64_t), &
      SOLACE_STORE_MODE_OVERWRITE, store), "store_create")
    call solace_check(solace_store_set_attribute_string(store, "ksp_type", "cg"))
    call solace_check(solace_store_set_attribute_double(store, "rtol", 1d-8))
    call solace_check(solace_store_set_attribute_int(store, "seed", 42_c_int64_t))
    call solace_check(solace_store_write_order(store, order))
    do k = 0, count - 1
      i = order(k + 1)
      call reference(i, input, output, params)
      call solace_check(solace_store_write_sample(store, i, input, output, params, 10 + i, &
        0.125d0 * i, 2.0d0**(-(20 + i))), "write_sample")
    end do
    ! A sample written twice is refused, with a message.
    call check(solace_store_write_sample(store, 0_c_int64_t, input, output, params, 1_c_int64_t, &
      0d0, 0d0) == SOLACE_ERR_STATE, "second write of a sample is SOLACE_ERR_STATE")
    call check(len(solace_error_message()) > 0, "error message after a refused write")
    call solace_check(solace_store_destroy(store))
    call check(.not. c_associated(store%ptr), "destroy nulls the handle")
  end subroutine write_file

  subroutine read_file()
    type(solace_store_t) :: store
    real(c_double) :: input(nx, ny), output(nx, ny), params(nparams)
    real(c_double) :: ref_in(nx, ny), ref_out(nx, ny), ref_params(nparams), value, sec, res
    integer(c_int64_t) :: order(count), n, grid(3), its, ival
    integer(c_int) :: ndim, done(count)
    character(len=:), allocatable :: text
    integer(c_int64_t) :: i
    logical :: one
    integer :: k
    call solace_check(solace_store_open(path, store), "store_open")
    call solace_check(solace_store_get_count(store, n))
    call check(n == count, "count")
    call solace_check(solace_store_get_grid(store, ndim, grid))
    call check(ndim == 2 .and. all(grid == [int(nx, c_int64_t), int(ny, c_int64_t), 1_c_int64_t]), &
      "grid")
    call solace_check(solace_store_get_nparams(store, n))
    call check(n == nparams, "nparams")
    call solace_check(solace_store_get_family(store, text))
    call check(text == "darcy", "family '" // text // "'")
    call solace_check(solace_store_get_attribute_string(store, "ksp_type", text))
    call check(text == "cg", "ksp_type")
    call solace_check(solace_store_get_attribute_string(store, "solace_format", text))
    call check(text == "solace-dataset", "solace_format")
    call solace_check(solace_store_get_attribute_double(store, "rtol", value))
    call check(abs(value - 1d-8) <= 0, "rtol")
    call solace_check(solace_store_get_attribute_int(store, "seed", ival))
    call check(ival == 42, "seed")
    call solace_check(solace_store_read_order(store, order))
    call solace_check(solace_store_read_done(store, done))
    call solace_check(solace_store_count_done(store, n))
    call check(n == count .and. all(done == 1), "every sample done")
    do k = 0, count - 1
      i = order_of(k)
      call check(order(k + 1) == i, "order")
      call solace_check(solace_store_is_done(store, i, one))
      call check(one, "is_done")
      call reference(i, ref_in, ref_out, ref_params)
      input = -1
      output = -1
      params = -1
      call solace_check(solace_store_read_sample(store, i, input, output, params))
      call check(all(abs(input - ref_in) <= 0) .and. all(abs(output - ref_out) <= 0) .and. &
        all(abs(params - ref_params) <= 0), "sample values (tolerance 0)")
      ! Optional arguments stand for NULL: read the output only.
      output = -1
      call solace_check(solace_store_read_sample(store, i, output=output))
      call check(all(abs(output - ref_out) <= 0), "output-only read")
      call solace_check(solace_store_read_stats(store, i, its, sec, res))
      call check(its == 10 + i .and. abs(sec - 0.125d0 * i) <= 0 .and. &
        abs(res - 2.0d0**(-(20 + i))) <= 0, "stats")
    end do
    call solace_check(solace_store_destroy(store))
  end subroutine read_file

  subroutine error_path()
    type(solace_store_t) :: store
    integer(c_int) :: status
    status = solace_store_open("no-such-dir/missing.h5", store)
    call check(status /= SOLACE_SUCCESS, "opening a missing file fails")
    call check(index(solace_status_string(status), "SOLACE_ERR_") == 1, "status_string of " // &
      solace_status_string(status))
    call check(index(solace_error_message(), "missing.h5") > 0, "message names the file: " // &
      solace_error_message())
    call check(.not. c_associated(store%ptr), "no handle after a failed open")
    call check(solace_status_string(SOLACE_ERR_ARG) == "SOLACE_ERR_ARG", "status_string")
  end subroutine error_path

end program t_store
