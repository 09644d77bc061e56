#[=======================================================================[.rst:
DfeTesting
----------

Helpers that register dfe's tests with CTest. Include after
``find_package(MPI)`` and ``include(CTest)``.

.. command:: dfe_add_mpi_test

  ::

    dfe_add_mpi_test(NAME <name> TARGET <exe target> RANKS <n>...
                     [ARGS <arg>...] [LABELS <label>...] [TIMEOUT <seconds>])

  Registers one test per rank count, named ``<name>.np<n>``, run as::

    ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} <n> ${MPIEXEC_PREFLAGS}
        $<TARGET_FILE:<exe target>> ${MPIEXEC_POSTFLAGS} <arg>...

  The launcher comes only from FindMPI's ``MPIEXEC_*`` cache variables, so a
  cluster build can use e.g. ``-DMPIEXEC_EXECUTABLE=srun -DMPIEXEC_NUMPROC_FLAG=-n``.
  Labels are ``mpi`` plus ``LABELS``; the ``PROCESSORS`` property is ``<n>`` so
  ``ctest -j`` does not run more ranks than it has slots for. The environment
  lets Open MPI run as root (containers, CI) and oversubscribe the cores.

.. command:: dfe_add_serial_test

  ::

    dfe_add_serial_test(NAME <name> TARGET <exe target>
                        [ARGS <arg>...] [LABELS <label>...] [TIMEOUT <seconds>])

  Registers a plain (non-MPI) executable, e.g. a Catch2 test linked to
  ``dfe_catch_main``, as test ``<name>`` with labels ``unit`` plus ``LABELS``.

``MPIEXEC_PREFLAGS`` default
^^^^^^^^^^^^^^^^^^^^^^^^^^^^

Open MPI refuses to start more ranks than cores unless asked, which makes a
2-rank test fail on a 1-core CI runner. On the first configure, if
``MPIEXEC_PREFLAGS`` is empty and the MPI is Open MPI, it is set to
``--oversubscribe``. This happens once, so a value the user sets afterwards
(including empty) is kept.
#]=======================================================================]

include_guard(GLOBAL)

if(NOT MPIEXEC_EXECUTABLE)
  message(FATAL_ERROR "DfeTesting: MPIEXEC_EXECUTABLE is not set; call find_package(MPI) first "
                      "or set MPIEXEC_EXECUTABLE to the MPI launcher (mpiexec, srun, ...).")
endif()

if(NOT DFE_INTERNAL_MPIEXEC_PREFLAGS_INITIALIZED)
  if("${MPIEXEC_PREFLAGS}" STREQUAL "")
    # FindMPI only fills MPI_C_LIBRARY_VERSION_STRING when MPI_DETERMINE_LIBRARY_VERSION
    # is set (it then try_run()s an MPI program); otherwise ask the launcher itself.
    set(_dfe_mpi_vendor_text "${MPI_C_LIBRARY_VERSION_STRING}")
    if(NOT _dfe_mpi_vendor_text)
      execute_process(
        COMMAND ${MPIEXEC_EXECUTABLE} --version
        OUTPUT_VARIABLE _dfe_mpi_vendor_text
        ERROR_VARIABLE _dfe_mpi_vendor_text
        RESULT_VARIABLE _dfe_mpiexec_result
        TIMEOUT 20)
    endif()
    if(_dfe_mpi_vendor_text MATCHES "Open MPI|OpenRTE|open-mpi\\.org")
      set(MPIEXEC_PREFLAGS "--oversubscribe" CACHE STRING
        "These flags will be directly before the executable that is being run by mpiexec." FORCE)
      message(STATUS "DfeTesting: Open MPI detected, MPIEXEC_PREFLAGS defaults to --oversubscribe")
    endif()
    unset(_dfe_mpi_vendor_text)
    unset(_dfe_mpiexec_result)
  endif()
  set(DFE_INTERNAL_MPIEXEC_PREFLAGS_INITIALIZED TRUE CACHE INTERNAL
    "MPIEXEC_PREFLAGS default applied once by DfeTesting")
endif()

function(dfe_add_mpi_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;TARGET;TIMEOUT" "RANKS;ARGS;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "dfe_add_mpi_test: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME OR NOT arg_TARGET OR NOT arg_RANKS)
    message(FATAL_ERROR "dfe_add_mpi_test: NAME, TARGET and RANKS are required")
  endif()
  if(NOT TARGET ${arg_TARGET})
    message(FATAL_ERROR "dfe_add_mpi_test(${arg_NAME}): ${arg_TARGET} is not a target")
  endif()

  # The cache variables are strings; a value such as "--bind-to none" must become
  # separate arguments.
  separate_arguments(_pre UNIX_COMMAND "${MPIEXEC_PREFLAGS}")
  separate_arguments(_post UNIX_COMMAND "${MPIEXEC_POSTFLAGS}")

  foreach(n IN LISTS arg_RANKS)
    if(NOT n MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "dfe_add_mpi_test(${arg_NAME}): RANKS must be positive integers, got '${n}'")
    endif()
    set(test_name ${arg_NAME}.np${n})
    set(labels mpi ${arg_LABELS})
    add_test(NAME ${test_name}
      COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} ${_pre}
              $<TARGET_FILE:${arg_TARGET}> ${_post} ${arg_ARGS})
    set_tests_properties(${test_name} PROPERTIES
      LABELS "${labels}"
      PROCESSORS ${n}
      ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1")
    if(arg_TIMEOUT)
      set_tests_properties(${test_name} PROPERTIES TIMEOUT ${arg_TIMEOUT})
    endif()
  endforeach()
endfunction()

function(dfe_add_serial_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;TARGET;TIMEOUT" "ARGS;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "dfe_add_serial_test: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME OR NOT arg_TARGET)
    message(FATAL_ERROR "dfe_add_serial_test: NAME and TARGET are required")
  endif()
  if(NOT TARGET ${arg_TARGET})
    message(FATAL_ERROR "dfe_add_serial_test(${arg_NAME}): ${arg_TARGET} is not a target")
  endif()

  set(labels unit ${arg_LABELS})
  add_test(NAME ${arg_NAME} COMMAND $<TARGET_FILE:${arg_TARGET}> ${arg_ARGS})
  set_tests_properties(${arg_NAME} PROPERTIES LABELS "${labels}")
  if(arg_TIMEOUT)
    set_tests_properties(${arg_NAME} PROPERTIES TIMEOUT ${arg_TIMEOUT})
  endif()
endfunction()
