# Runs dfe-potential (serial, no launcher) and checks what it did.
#   cmake -DCOMMAND=<|-separated list> -DCSV=<file> -DMODE=refuse -DEXPECT=<regex> -P check_potential.cmake
#     must be refused: exit code 2, exactly one "dfe-potential:" line on stderr that matches EXPECT,
#     and neither CSV nor CSV.tmp left behind.
#   cmake -DCOMMAND=<...> -DCSV=<file> -DMODE=report -DEXPECT=<regex>[@@<regex>...] [-DROWS=<n>] -P ...
#     must succeed: stdout matches every regex (@@-separated); with ROWS, CSV exists with the header
#     R,h17_sup,h18_ratio and ROWS rows of 17-significant-digit numbers, and CSV.tmp does not.
file(REMOVE "${CSV}" "${CSV}.tmp")
string(REPLACE "|" ";" COMMAND "${COMMAND}")  # the list travels |-separated through add_test
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)

if(MODE STREQUAL "refuse")
  include(${CMAKE_CURRENT_LIST_DIR}/refusal.cmake)
  dfe_check_refusal(dfe-potential "${rc}" "${err}" "${EXPECT}" 2)
  if(EXISTS "${CSV}" OR EXISTS "${CSV}.tmp")
    message(FATAL_ERROR "refused input left output behind: ${CSV}")
  endif()
  message(STATUS "refused as expected (exit ${rc}): ${REFUSAL_LINE}")
  return()
endif()

if(NOT rc EQUAL 0)
  message(FATAL_ERROR "dfe-potential failed (${rc}):\n${out}\n${err}")
endif()
string(REPLACE "@@" ";" expects "${EXPECT}")
foreach(expect IN LISTS expects)
  if(NOT out MATCHES "${expect}")
    message(FATAL_ERROR "the report does not match '${expect}':\n${out}")
  endif()
endforeach()
if(DEFINED ROWS)
  if(NOT EXISTS "${CSV}" OR EXISTS "${CSV}.tmp")
    message(FATAL_ERROR "expected ${CSV} and no ${CSV}.tmp")
  endif()
  file(STRINGS "${CSV}" lines)
  list(POP_FRONT lines header)
  if(NOT header STREQUAL "R,h17_sup,h18_ratio")
    message(FATAL_ERROR "unexpected header: ${header}")
  endif()
  list(LENGTH lines count)
  if(NOT count EQUAL ROWS)
    message(FATAL_ERROR "expected ${ROWS} rows, got ${count}")
  endif()
  set(number "-?[0-9]\\.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]e[-+][0-9][0-9][0-9]?")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^${number},${number},${number}$")
      message(FATAL_ERROR "not three numbers with 17 significant digits: ${line}")
    endif()
  endforeach()
endif()
message(STATUS "report checked")
