#pragma once
/**
 * @file error.hpp
 * @brief The one boundary where foreign-API failures become C++ exceptions.
 *
 * Library code never prints and never aborts: it throws. `dfe::InputError` means the user asked for
 * something invalid (an option, a file) and carries a one-line message that says what to change;
 * `dfe::Error` is everything else (a failed MPI call, a null FFTW plan). Only `main` catches.
 */
#include <mpi.h>

#include <exception>
#include <stdexcept>
#include <string>

namespace dfe {

/** @brief A failure of the run that is not the user's input (MPI, FFTW, HDF5, PETSc). */
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {
/// How many InputError objects exist on this thread (Unwinding tells input errors from failures).
inline thread_local int input_errors_alive = 0;
}  // namespace detail

/**
 * @brief Invalid user input: options, config files, samples files, checkpoints. Input errors are
 * agreed on over the ranks (dfe::collectively): every rank unwinds with one, so collectives still
 * run while it does (comm.hpp, "Failures").
 */
class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& message) : std::runtime_error(message) { ++detail::input_errors_alive; }
    explicit InputError(const char* message) : std::runtime_error(message) { ++detail::input_errors_alive; }
    InputError(const InputError& other) noexcept : std::runtime_error(other) { ++detail::input_errors_alive; }
    InputError& operator=(const InputError&) noexcept = default;
    ~InputError() override { --detail::input_errors_alive; }
};

/** @brief Throws dfe::Error naming the MPI call and the MPI error string when `code` is not MPI_SUCCESS. */
void check_mpi(int code, const char* call, const char* file, int line);

/** @brief Throws dfe::InputError with `message` when `condition` is false. */
inline void require(bool condition, const std::string& message)
{
    if (!condition) throw InputError(message);
}

/** @brief Throws dfe::Error (a bug, not the user's input) with `message` when `condition` is false. */
inline void require_logic(bool condition, const char* message)
{
    if (!condition) throw Error(message);
}

/**
 * @brief Whether a failure (an exception thrown since this object was made, other than an
 * InputError) is unwinding the stack now. A member of every class whose destructor would call a
 * collective (comm.hpp, "Failures"): while it says yes, the destructor releases local resources only.
 * An InputError is agreed on by every rank, which all unwind alike: it does not count.
 */
class Unwinding {
public:
    [[nodiscard]] bool now() const noexcept
    {
        return std::uncaught_exceptions() > uncaught_ && detail::input_errors_alive == 0;
    }

private:
    int uncaught_ = std::uncaught_exceptions();
};

}  // namespace dfe

/// Wraps an MPI call: `DFE_MPI(MPI_Allreduce(...))`.
#define DFE_MPI(call) ::dfe::check_mpi((call), #call, __FILE__, __LINE__)
