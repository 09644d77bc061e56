#pragma once
/**
 * @file comm.hpp
 * @brief An owning, move-only MPI communicator handle.
 *
 * Every distributed object of the library takes a `const Comm&` in its constructor and keeps its own
 * duplicate, so that its messages can never mix with those of another object (an ensemble group, a
 * test, the application). The library never names the world communicator: the application
 * duplicates it once and passes it down. Errors on an owned communicator are returned, not fatal, so that
 * `DFE_MPI` can turn them into exceptions.
 *
 * Failures (the rule every collective code path keeps; docs/architecture.md, "Failures"):
 *  1. An error on one rank ends the whole run: the exception travels up to the one catch that aborts,
 *     dfe_app::mpi_main, which prints one line "<program>: error on rank R: <what>" and calls
 *     MPI_Abort on the world. Nothing else catches an Error to carry on; nothing waits for the other
 *     ranks to agree on it (they may be inside a collective already, and will never join another).
 *  2. Nothing collective runs while a failure unwinds the stack. A destructor that would call a
 *     collective (MPI_Comm_free here; H5Fclose, H5Dclose, H5Gclose, H5Aclose on a file opened with
 *     MPI-IO in backend/hdf5; PETSc's *Destroy in backend/petsc; fftw_destroy_plan of an MPI plan)
 *     asks a dfe::Unwinding member (core/error.hpp) and, while an exception is in flight, releases only
 *     what is local or nothing at all: the process is about to be aborted, the leak is harmless, and
 *     a collective entered by one rank alone would hang the run forever.
 *  3. Files being written stay under their temporary names `<path>.tmp` on a failure: never renamed
 *     into place, not removed either (a restart may continue them); the last complete checkpoint is
 *     never touched before its successor is complete.
 *  4. Errors that every rank can see the same way (input errors: options, config, samples files,
 *     checkpoints) are agreed on before any collective that depends on them (dfe::collectively),
 *     so that they end the run on every rank with exit code 2 instead of through MPI_Abort. An
 *     InputError is the exception to rule 2: every rank unwinds with it alike (after the agreement,
 *     or, inside a dfe::collectively body, towards the agreement), so destructors release
 *     collectively as usual; only other exceptions (dfe::Error, anything else) are failures.
 *  5. Messages name the operation, the file and the cause as the OS gave it:
 *     "writing /scratch/run.h5.tmp: No space left on device".
 */
#include "dfe/core/error.hpp"

#include <mpi.h>

#include <optional>
#include <span>
#include <string>

namespace dfe {

class Comm {
public:
    /** @brief MPI_COMM_NULL, a placeholder to be assigned; no operation may be called on it. */
    Comm() = default;
    /** @brief Duplicates `parent` (Collective on `parent`). The parent is not owned. */
    explicit Comm(MPI_Comm parent);
    /** @brief Frees the communicator (Collective), except while an exception unwinds the stack. */
    ~Comm();
    Comm(Comm&& other) noexcept;
    Comm& operator=(Comm&& other) noexcept;
    Comm(const Comm&) = delete;
    Comm& operator=(const Comm&) = delete;

    /** @brief Duplicate of this communicator (Collective). */
    [[nodiscard]] Comm dup() const { return Comm(comm_); }
    /** @brief MPI_Comm_split (Collective): ranks with equal `color` form one new communicator. */
    [[nodiscard]] Comm split(int color, int key) const;

    [[nodiscard]] MPI_Comm get() const { return comm_; }
    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }
    [[nodiscard]] bool is_root() const { return rank_ == 0; }

    /** @brief Sum of `value` over all ranks, returned on every rank (Collective). */
    [[nodiscard]] double sum(double value) const;
    /** @brief In-place element-wise sum over all ranks (Collective). */
    void sum_in_place(std::span<double> values) const;
    /** @brief Maximum of `value` over all ranks (Collective). */
    [[nodiscard]] double max(double value) const;
    /** @brief Minimum of `value` over all ranks (Collective). */
    [[nodiscard]] long long min(long long value) const;
    /** @brief Logical AND of `value` over all ranks (Collective). */
    [[nodiscard]] bool all(bool value) const;
    /** @brief Broadcasts `values` from `root` (Collective). */
    void broadcast(std::span<double> values, int root = 0) const;
    /** @brief MPI_Barrier (Collective). */
    void barrier() const;

private:
    struct Adopt {};
    Comm(MPI_Comm owned, Adopt);
    void reset() noexcept;

    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0;
    int size_ = 0;
    Unwinding unwinding_;  ///< MPI_Comm_free is collective: not while an exception unwinds the stack
};

/**
 * @brief Makes a possible InputError of one rank everybody's (Collective on `comm`).
 * Call it on every rank with the message of the InputError this rank caught, if any. If no rank has
 * one, it returns; otherwise every rank throws InputError with the message of the lowest rank that
 * had one. This keeps ranks from leaving a collective at different places when only some of them
 * find an input error (a bad sample in one group's block, say).
 */
void agree_on_input_error(const Comm& comm, const std::optional<std::string>& message);

/** @brief Runs f() and then agree_on_input_error on its InputError, if any (Collective on `comm`). */
template <class F>
void collectively(const Comm& comm, F&& f);

}  // namespace dfe

#include "dfe/core/error.hpp"

template <class F>
void dfe::collectively(const Comm& comm, F&& f)
{
    std::optional<std::string> message;
    try {
        f();
    } catch (const InputError& e) {
        message = e.what();
    }
    agree_on_input_error(comm, message);
}
