# Installs headers, both libraries, the CMake package (find_package(Solace) -> Solace::solace and
# Solace::solace_static) and the pkg-config file solace.pc.
include(CMakePackageConfigHelpers)
set(SOLACE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Solace)

install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS solace solace_static EXPORT SolaceTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The Fortran module library and its .mod files (compiler-specific) when built.
if(TARGET solace_fortran)
  install(TARGETS solace_fortran EXPORT SolaceTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${SOLACE_FORTRAN_MODULE_DIR}/ DESTINATION ${SOLACE_FORTRAN_MODULE_INSTALL_DIR}
    FILES_MATCHING PATTERN "*.mod")
endif()
install(EXPORT SolaceTargets NAMESPACE Solace:: DESTINATION ${SOLACE_CMAKE_DIR})

configure_package_config_file(cmake/SolaceConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SolaceConfig.cmake INSTALL_DESTINATION ${SOLACE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SolaceConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SolaceConfig.cmake ${PROJECT_BINARY_DIR}/SolaceConfigVersion.cmake
  cmake/SolaceDependencies.cmake DESTINATION ${SOLACE_CMAKE_DIR})

# solace.pc finds the prefix from its own location (${pcfiledir}), so an install made with
# `cmake --install --prefix <dir>`, or moved, still points at itself; absolute dirs stay as given.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SOLACE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH solace_pc_up "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
  string(REGEX REPLACE "/$" "" solace_pc_up "${solace_pc_up}")
  set(SOLACE_PC_PREFIX "\${pcfiledir}/${solace_pc_up}")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(SOLACE_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(SOLACE_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
configure_file(cmake/solace.pc.in ${PROJECT_BINARY_DIR}/solace.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/solace.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
