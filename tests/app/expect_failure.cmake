# Runs a command that must be refused: non-zero exit, exactly one "dfe-run:" line on stderr that
# matches EXPECT, and no output directory left behind.
#   cmake -DCOMMAND=<|-separated list> -DEXPECT=<regex> -DOUT=<dir> -P expect_failure.cmake
# Launcher banners (mpiexec's own lines about a non-zero exit) are not the program's and are ignored.
file(REMOVE_RECURSE "${OUT}")
string(REPLACE "|" ";" COMMAND "${COMMAND}")  # the list travels |-separated through add_test
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit, got 0\nstdout:\n${out}\nstderr:\n${err}")
endif()
# A message may contain ';', which CMake would take for a list separator.
string(REPLACE ";" "," err_text "${err}")
string(REGEX MATCHALL "dfe-run:[^\n]*" lines "${err_text}")
list(LENGTH lines count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected exactly one 'dfe-run:' line on stderr, got ${count}:\n${err}")
endif()
if(NOT lines MATCHES "${EXPECT}")
  message(FATAL_ERROR "the message does not match '${EXPECT}':\n${lines}")
endif()
if(EXISTS "${OUT}")
  message(FATAL_ERROR "refused input left output behind: ${OUT}")
endif()
message(STATUS "refused as expected (exit ${rc}): ${lines}")
