// Smoke test: MPI starts, a communicator can be duplicated, a collective works.
#include "dup_comm.hpp"

#include <catch2/catch.hpp>

#include <mpi.h>

TEST_CASE("allreduce of rank numbers on a duplicated world communicator", "[smoke][mpi]")
{
    dfe::smoke::DupComm comm(MPI_COMM_WORLD);
    const long long n = comm.size();
    const long long rank = comm.rank();

    long long sum = -1;
    REQUIRE(MPI_Allreduce(&rank, &sum, 1, MPI_LONG_LONG, MPI_SUM, comm.get()) == MPI_SUCCESS);
    // Integer arithmetic: the identity 0 + 1 + ... + (n-1) = n(n-1)/2 holds exactly.
    CHECK(sum == n * (n - 1) / 2);
}
