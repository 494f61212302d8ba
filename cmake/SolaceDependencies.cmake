# Finds Solace's backends. Each missing one stops configuration with the Debian package to install
# (scripts/install-deps.sh installs them all).
find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config' (or run scripts/install-deps.sh)")
endif()

function(solace_require_pkg name module package)
  pkg_check_modules(${name} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${module} not found by pkg-config: install the Debian package '${package}' (or run scripts/install-deps.sh)")
  endif()
  message(STATUS "Solace: ${module} ${${name}_VERSION}")
endfunction()

find_package(MPI QUIET COMPONENTS C)
if(NOT MPI_C_FOUND)
  message(FATAL_ERROR "MPI not found: install the Debian packages 'libopenmpi-dev openmpi-bin' (or run scripts/install-deps.sh)")
endif()
solace_require_pkg(PETSC PETSc petsc-dev)
if(PETSC_VERSION VERSION_LESS 3.18)
  message(FATAL_ERROR "PETSc ${PETSC_VERSION} found, 3.18 or newer needed: install the Debian package 'petsc-dev'")
endif()
solace_require_pkg(HDF5 hdf5-openmpi libhdf5-openmpi-dev)
solace_require_pkg(FFTW fftw3 libfftw3-dev)
solace_require_pkg(LAPACKE lapacke liblapacke-dev)
solace_require_pkg(OPENBLAS openblas libopenblas-dev)

find_package(SUNDIALS 6.4 QUIET CONFIG COMPONENTS arkode cvodes nvecserial)
if(NOT SUNDIALS_FOUND)
  message(FATAL_ERROR "SUNDIALS >= 6.4 (CMake config) not found: install the Debian package 'libsundials-dev' (or run scripts/install-deps.sh)")
endif()
message(STATUS "Solace: SUNDIALS ${SUNDIALS_VERSION}")

# zlib reads gzip-compressed data sets (the Fashion-MNIST idx files of solace-node).
solace_require_pkg(ZLIB zlib zlib1g-dev)

find_library(SOLACE_MATH_LIBRARY m)
set(SOLACE_BACKENDS
  MPI::MPI_C PkgConfig::PETSC PkgConfig::HDF5 PkgConfig::FFTW PkgConfig::LAPACKE
  PkgConfig::OPENBLAS SUNDIALS::arkode_shared SUNDIALS::cvodes_shared SUNDIALS::nvecserial_shared PkgConfig::ZLIB ${SOLACE_MATH_LIBRARY})
