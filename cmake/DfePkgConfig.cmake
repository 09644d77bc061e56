#[=======================================================================[.rst:
DfePkgConfig
------------

``pkg_check_modules`` for the dependencies found through pkg-config (FFTW3,
PETSc, SLEPc), with the PETSc and SLEPc installation variables honoured.
Used by dfe's top-level ``CMakeLists.txt`` and by the installed
``dfeConfig.cmake``, so that a project using ``find_package(dfe)`` finds them
exactly as dfe's own build did. Include after ``find_package(PkgConfig)``.

.. command:: dfe_pkg_check_module

  ::

    dfe_pkg_check_module(<prefix> <module> [QUIET])

  Runs ``pkg_check_modules(<prefix> [QUIET] IMPORTED_TARGET <module>)`` (never
  ``REQUIRED``: the caller decides what a missing module means) unless the
  target ``PkgConfig::<prefix>`` already exists. Sets ``<prefix>_FOUND``.

  Where pkg-config looks, first to last:

  * for ``PETSc`` and ``SLEPc``: ``$SLEPC_DIR/$PETSC_ARCH/lib/pkgconfig``,
    ``$SLEPC_DIR/lib/pkgconfig``, then the same under ``PETSC_DIR`` (SLEPc's
    module requires PETSc's, so both are searched for either). ``PETSC_DIR``,
    ``PETSC_ARCH`` and ``SLEPC_DIR`` are CMake variables or, where those are not
    set, environment variables: PETSc's and SLEPc's own convention, which
    their cluster modules set;
  * the environment's ``PKG_CONFIG_PATH``;
  * ``lib/pkgconfig``, ``share/pkgconfig`` (and ``lib64/pkgconfig`` and the
    like) under every ``CMAKE_PREFIX_PATH`` entry, the CMake variable and the
    environment variable (pkg_check_modules' own behaviour);
  * pkg-config's default folders.

  Only directories that exist are added. The environment is restored after
  the call.
#]=======================================================================]

include_guard(GLOBAL)

# The pkg-config directories of PETSC_DIR and SLEPC_DIR (SLEPc's module requires PETSc's, so
# both modules get both).
function(_dfe_pkg_config_hint_dirs module out)
  set(dirs "")
  if(NOT module MATCHES "^(PETSc|SLEPc)$")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  set(arch "${PETSC_ARCH}")
  if(arch STREQUAL "")
    set(arch "$ENV{PETSC_ARCH}")
  endif()
  foreach(root_var IN ITEMS SLEPC_DIR PETSC_DIR)
    set(root "${${root_var}}")
    if(root STREQUAL "")
      set(root "$ENV{${root_var}}")
    endif()
    if(root STREQUAL "")
      continue()
    endif()
    # An in-place build keeps its libraries under $DIR/$PETSC_ARCH; a --prefix install has
    # PETSC_ARCH empty and its libraries under $DIR.
    set(candidates "")
    if(NOT arch STREQUAL "")
      list(APPEND candidates "${root}/${arch}/lib/pkgconfig")
    endif()
    list(APPEND candidates "${root}/lib/pkgconfig")
    foreach(candidate IN LISTS candidates)
      if(IS_DIRECTORY "${candidate}")
        list(APPEND dirs "${candidate}")
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES dirs)
  set(${out} "${dirs}" PARENT_SCOPE)
endfunction()

macro(dfe_pkg_check_module _dfe_prefix _dfe_module)
  if(TARGET PkgConfig::${_dfe_prefix})
    set(${_dfe_prefix}_FOUND TRUE)
  else()
    _dfe_pkg_config_hint_dirs(${_dfe_module} _dfe_hint_dirs)
    set(_dfe_saved_pkg_config_path "$ENV{PKG_CONFIG_PATH}")
    if(_dfe_hint_dirs)
      string(REPLACE ";" ":" _dfe_hint_path "${_dfe_hint_dirs}")
      if(_dfe_saved_pkg_config_path STREQUAL "")
        set(ENV{PKG_CONFIG_PATH} "${_dfe_hint_path}")
      else()
        set(ENV{PKG_CONFIG_PATH} "${_dfe_hint_path}:${_dfe_saved_pkg_config_path}")
      endif()
    endif()
    pkg_check_modules(${_dfe_prefix} ${ARGN} IMPORTED_TARGET ${_dfe_module})
    set(ENV{PKG_CONFIG_PATH} "${_dfe_saved_pkg_config_path}")
    unset(_dfe_hint_dirs)
    unset(_dfe_hint_path)
    unset(_dfe_saved_pkg_config_path)
  endif()
endmacro()
