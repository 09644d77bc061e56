#[=======================================================================[.rst:
FindFFTW3MPI
------------

Finds the MPI-parallel interface of FFTW 3 in double precision: the header
``fftw3-mpi.h`` and the library ``libfftw3_mpi``. FFTW ships neither a
pkg-config module nor a CMake package for it (Debian: package
``libfftw3-mpi-dev``), hence this module.

Prerequisites
^^^^^^^^^^^^^

The serial FFTW and MPI must already be found, as the MPI library depends on
both::

  find_package(MPI REQUIRED COMPONENTS C)
  pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
  find_package(FFTW3MPI REQUIRED)

Imported target
^^^^^^^^^^^^^^^

``FFTW3::fftw3_mpi``
  The library, with its include directory; it links ``PkgConfig::FFTW3`` and
  ``MPI::MPI_C`` as interface dependencies.

Result variables
^^^^^^^^^^^^^^^^

``FFTW3MPI_FOUND``
  True if header and library were found.
``FFTW3MPI_INCLUDE_DIRS``
  Include directory containing ``fftw3-mpi.h``.
``FFTW3MPI_LIBRARIES``
  The ``libfftw3_mpi`` library (without its dependencies).

Cache variables
^^^^^^^^^^^^^^^

``FFTW3MPI_INCLUDE_DIR``, ``FFTW3MPI_LIBRARY``
  The paths found; set them to override the search.

Hints
^^^^^

The include and library directories reported by pkg-config for ``fftw3``
(``FFTW3_INCLUDE_DIRS``, ``FFTW3_LIBRARY_DIRS``) are searched first, so the MPI
library is taken from the same installation as the serial one. ``FFTW3MPI_ROOT``
(or ``CMAKE_PREFIX_PATH``) selects another installation.
#]=======================================================================]

if(NOT TARGET PkgConfig::FFTW3 OR NOT TARGET MPI::MPI_C)
  message(FATAL_ERROR
    "FindFFTW3MPI: find MPI (C component) and run "
    "pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3) before find_package(FFTW3MPI).")
endif()

find_path(FFTW3MPI_INCLUDE_DIR
  NAMES fftw3-mpi.h
  HINTS ${FFTW3_INCLUDE_DIRS} ${FFTW3_INCLUDEDIR}
  DOC "Directory containing fftw3-mpi.h")

find_library(FFTW3MPI_LIBRARY
  NAMES fftw3_mpi
  HINTS ${FFTW3_LIBRARY_DIRS} ${FFTW3_LIBDIR}
  DOC "The FFTW3 MPI library (libfftw3_mpi)")

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FFTW3MPI
  REQUIRED_VARS FFTW3MPI_LIBRARY FFTW3MPI_INCLUDE_DIR
  REASON_FAILURE_MESSAGE
    "fftw3-mpi.h or libfftw3_mpi not found. On Debian/Ubuntu install libfftw3-mpi-dev, otherwise set FFTW3MPI_ROOT to an FFTW installation built with --enable-mpi.")

if(FFTW3MPI_FOUND)
  set(FFTW3MPI_INCLUDE_DIRS ${FFTW3MPI_INCLUDE_DIR})
  set(FFTW3MPI_LIBRARIES ${FFTW3MPI_LIBRARY})
  if(NOT TARGET FFTW3::fftw3_mpi)
    add_library(FFTW3::fftw3_mpi UNKNOWN IMPORTED)
    set_target_properties(FFTW3::fftw3_mpi PROPERTIES
      IMPORTED_LOCATION "${FFTW3MPI_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${FFTW3MPI_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "PkgConfig::FFTW3;MPI::MPI_C")
  endif()
endif()

mark_as_advanced(FFTW3MPI_INCLUDE_DIR FFTW3MPI_LIBRARY)
