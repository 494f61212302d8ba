! Assertion helpers for the Fortran tests: each failed check prints why, and finish() ends the
! program with a non-zero status if any check failed.
module test_util
  implicit none
  private
  public :: check, finish
  integer :: failures = 0

contains

  ! Counts a failure and prints `what` unless ok.
  subroutine check(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (.not. ok) then
      failures = failures + 1
      write(*, '(a)') "check failed: " // what
    end if
  end subroutine check

  ! Prints the verdict of test `name`; stops with status 1 after a failed check.
  subroutine finish(name)
    character(len=*), intent(in) :: name
    if (failures > 0) then
      write(*, '(a, a, i0, a)') name, ": ", failures, " check(s) failed"
      error stop 1
    end if
    print '(a, a)', name, ": passed"
  end subroutine finish
end module test_util
