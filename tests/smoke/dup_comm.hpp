#pragma once

#include <mpi.h>

namespace dfe::smoke {

/**
 * @brief Owning duplicate of a communicator, freed on destruction.
 *
 * Smoke tests work on a duplicate of MPI_COMM_WORLD, as library code will: traffic of
 * one test can never match receives of another, and a leaked communicator shows up.
 * Move-only would be enough for the library; the tests need neither copy nor move.
 */
class DupComm {
public:
    /** @brief Collective on @p parent. */
    explicit DupComm(MPI_Comm parent) { MPI_Comm_dup(parent, &comm_); }
    DupComm(const DupComm&) = delete;
    DupComm& operator=(const DupComm&) = delete;
    /** @brief Collective on the duplicate. */
    ~DupComm() { MPI_Comm_free(&comm_); }

    MPI_Comm get() const noexcept { return comm_; }
    int rank() const
    {
        int r = 0;
        MPI_Comm_rank(comm_, &r);
        return r;
    }
    int size() const
    {
        int s = 0;
        MPI_Comm_size(comm_, &s);
        return s;
    }

private:
    MPI_Comm comm_ = MPI_COMM_NULL;
};

}  // namespace dfe::smoke
