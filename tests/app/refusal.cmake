# dfe_check_refusal(<program> <rc> <err> <expect> [<exit code>]): a refused input exits with the given
# code (2), or with any non-zero code when none is given, and prints exactly one "<program>:" line on
# stderr, matching the regex <expect>. Launcher banners (mpiexec's lines about a non-zero exit) are
# not the program's and are ignored. Sets REFUSAL_LINE in the caller to that line.
function(dfe_check_refusal program rc err expect)
  if(ARGC GREATER 4)
    if(NOT rc EQUAL ARGV4)
      message(FATAL_ERROR "expected exit code ${ARGV4}, got ${rc}\nstderr:\n${err}")
    endif()
  elseif(rc EQUAL 0)
    message(FATAL_ERROR "expected a non-zero exit, got 0\nstderr:\n${err}")
  endif()
  string(REPLACE ";" "," err_text "${err}")  # a message may contain ';', CMake's list separator
  string(REGEX MATCHALL "${program}:[^\n]*" lines "${err_text}")
  list(LENGTH lines count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected exactly one '${program}:' line on stderr, got ${count}:\n${err}")
  endif()
  if(NOT lines MATCHES "${expect}")
    message(FATAL_ERROR "the message does not match '${expect}':\n${lines}")
  endif()
  set(REFUSAL_LINE "${lines}" PARENT_SCOPE)
endfunction()
