#[=======================================================================[.rst:
DfeInstall
----------

The install rules of dfe and its CMake package; included by the top-level
``CMakeLists.txt`` after the library and the applications are defined
(the applications' own rule is in ``apps/CMakeLists.txt``).
``cmake --install build --prefix P`` gives (GNUInstallDirs' folders)::

  P/bin/                 dfe-run, dfe-bench, dfe-potential, dfe-groundstate
  P/lib/libdfe.a         the library
  P/include/dfe/...      its public headers, dfe/<folder>/<unit>.hpp, and dfe/version.hpp
  P/lib/cmake/dfe/       the package: dfeConfig.cmake, dfeConfigVersion.cmake,
                         dfeTargets*.cmake (dfe::dfe), FindFFTW3MPI.cmake, DfePkgConfig.cmake
  P/share/dfe/           examples/, cluster/ (the Slurm templates), scripts/ (plotting, quick start)

``DFE_INSTALL_CMAKEDIR`` (cache, relative to the prefix) moves the package.
#]=======================================================================]

include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DFE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/dfe" CACHE STRING
  "Folder of dfe's CMake package (dfeConfig.cmake), relative to the install prefix")
mark_as_advanced(DFE_INSTALL_CMAKEDIR)

install(TARGETS dfe EXPORT dfeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT dfeTargets
  NAMESPACE dfe::
  FILE dfeTargets.cmake
  DESTINATION ${DFE_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/dfeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/dfeConfig.cmake
  INSTALL_DESTINATION ${DFE_INSTALL_CMAKEDIR})
# 0.x: a new minor version may change the API, so only the same major.minor satisfies a request.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/package/dfeConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/package/dfeConfig.cmake
  ${PROJECT_BINARY_DIR}/package/dfeConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindFFTW3MPI.cmake
  ${PROJECT_SOURCE_DIR}/cmake/DfePkgConfig.cmake
  DESTINATION ${DFE_INSTALL_CMAKEDIR})

# The examples' configs, the Slurm templates and the scripts, with their permissions (the
# templates and scripts are executable).
install(DIRECTORY
  ${PROJECT_SOURCE_DIR}/examples
  ${PROJECT_SOURCE_DIR}/cluster
  ${PROJECT_SOURCE_DIR}/scripts
  DESTINATION ${CMAKE_INSTALL_DATADIR}/dfe
  USE_SOURCE_PERMISSIONS
  PATTERN "__pycache__" EXCLUDE
  PATTERN "*.pyc" EXCLUDE)
