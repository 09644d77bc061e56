// Catch2 v2 main for serial test executables (no MPI).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
