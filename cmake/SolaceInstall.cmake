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
install(EXPORT SolaceTargets NAMESPACE Solace:: DESTINATION ${SOLACE_CMAKE_DIR})

configure_package_config_file(cmake/SolaceConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SolaceConfig.cmake INSTALL_DESTINATION ${SOLACE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SolaceConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SolaceConfig.cmake ${PROJECT_BINARY_DIR}/SolaceConfigVersion.cmake
  cmake/SolaceDependencies.cmake DESTINATION ${SOLACE_CMAKE_DIR})

configure_file(cmake/solace.pc.in ${PROJECT_BINARY_DIR}/solace.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/solace.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
