# Install rules: the libraries, their headers, and a relocatable CMake package (xgradConfig.cmake,
# a version file, and the exported xgrad:: targets) under <libdir>/cmake/xgrad.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(xgrad_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)

install(TARGETS ${XGRAD_INSTALL_TARGETS}
  EXPORT xgradTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(dir ${XGRAD_INSTALL_HEADER_DIRS})
  install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()

install(EXPORT xgradTargets NAMESPACE xgrad:: DESTINATION ${xgrad_cmake_dir})
# The same targets, usable straight from the build tree.
export(EXPORT xgradTargets NAMESPACE xgrad:: FILE ${PROJECT_BINARY_DIR}/xgradTargets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/xgradConfig.cmake.in
  ${PROJECT_BINARY_DIR}/xgradConfig.cmake INSTALL_DESTINATION ${xgrad_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/xgradConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/xgradConfig.cmake ${PROJECT_BINARY_DIR}/xgradConfigVersion.cmake
  DESTINATION ${xgrad_cmake_dir})
