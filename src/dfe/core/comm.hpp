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
 */
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
