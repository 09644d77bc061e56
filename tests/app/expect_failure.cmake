# Runs a command that must be refused: non-zero exit, exactly one "<PROGRAM>:" line on stderr that
# matches EXPECT, and no output directory left behind.
#   cmake -DCOMMAND=<|-separated list> -DEXPECT=<regex> -DOUT=<dir> [-DPROGRAM=dfe-converge] -P expect_failure.cmake
# PROGRAM defaults to dfe-run.
# Launcher banners (mpiexec's own lines about a non-zero exit) are not the program's and are ignored.
file(REMOVE_RECURSE "${OUT}")
string(REPLACE "|" ";" COMMAND "${COMMAND}")  # the list travels |-separated through add_test
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
include(${CMAKE_CURRENT_LIST_DIR}/refusal.cmake)
if(NOT PROGRAM)
  set(PROGRAM dfe-run)
endif()
dfe_check_refusal(${PROGRAM} "${rc}" "${err}" "${EXPECT}")
if(EXISTS "${OUT}")
  message(FATAL_ERROR "refused input left output behind: ${OUT}")
endif()
message(STATUS "refused as expected (exit ${rc}): ${REFUSAL_LINE}")
