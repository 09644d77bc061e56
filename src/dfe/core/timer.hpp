#pragma once
/**
 * @file timer.hpp
 * @brief The one scoped timer: adds the wall time (MPI_Wtime) of a scope to a running total.
 */
#include <mpi.h>

namespace dfe {

class ScopedTimer {
public:
    explicit ScopedTimer(double& total) : total_(total), start_(MPI_Wtime()) {}
    ScopedTimer(const ScopedTimer&) = delete;
    ScopedTimer& operator=(const ScopedTimer&) = delete;
    ~ScopedTimer() { total_ += MPI_Wtime() - start_; }
    /** @brief Seconds since the scope began. */
    [[nodiscard]] double elapsed() const { return MPI_Wtime() - start_; }

private:
    double& total_;
    double start_;
};

}  // namespace dfe
