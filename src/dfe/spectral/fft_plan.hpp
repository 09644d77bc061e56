#pragma once
/**
 * @file fft_plan.hpp
 * @brief FFTW buffers and plans as move-only RAII handles, and the four transforms of a grid.
 *
 * Scaling convention: FFTW's, i.e. both directions are unnormalized,
 *   forward  f̂_k = Σ_n f_n e^{−i k·(x_n − x_0)},   backward f_n = Σ_k f̂_k e^{+i k·(x_n − x_0)},
 * so backward(forward(f)) = N^d f. Callers fold the 1/N^d into their spectral multipliers. The
 * offset x_0 = −L/2 cancels in every multiplier the code uses (convolutions and derivatives).
 *
 * Forward transforms leave their output in the grid's transposed spectral layout and backward
 * transforms expect it (FFTW_MPI_TRANSPOSED_OUT / _IN), see grid.hpp.
 *
 * Plans are made once on scratch buffers and executed on any buffer allocated by `Buffer` (FFTW's
 * new-array execute: same size, in-place, same alignment), so one set of plans serves every sample a
 * group holds.
 */
#include "dfe/config/params.hpp"
#include "dfe/core/error.hpp"
#include "dfe/spectral/cplx.hpp"
#include "dfe/spectral/grid.hpp"

#include <fftw3.h>

#include <complex>
#include <cstddef>
#include <memory>
#include <span>

namespace dfe {

/** @brief FFTW's planner flag for an effort (FFTW_ESTIMATE, FFTW_MEASURE, FFTW_PATIENT). */
unsigned planner_flags(PlannerEffort effort);

/** @brief An fftw_malloc'ed, zero-initialized array of T (double or cplx). Move-only. */
template <class T>
class Buffer {
public:
    Buffer() = default;
    explicit Buffer(std::ptrdiff_t n);
    [[nodiscard]] T* data() { return data_.get(); }
    [[nodiscard]] const T* data() const { return data_.get(); }
    [[nodiscard]] std::ptrdiff_t size() const { return size_; }
    [[nodiscard]] std::span<T> span() { return {data_.get(), static_cast<std::size_t>(size_)}; }
    [[nodiscard]] std::span<const T> span() const { return {data_.get(), static_cast<std::size_t>(size_)}; }
    T& operator[](std::ptrdiff_t i) { return data_.get()[i]; }
    const T& operator[](std::ptrdiff_t i) const { return data_.get()[i]; }

private:
    struct Free {
        void operator()(T* p) const noexcept { fftw_free(p); }
    };
    std::unique_ptr<T, Free> data_;
    std::ptrdiff_t size_ = 0;
};

/** @brief An owned fftw_plan. Move-only; destroying it calls fftw_destroy_plan. */
class Plan {
public:
    Plan() = default;
    /** @brief Takes ownership; throws dfe::Error if FFTW returned a null plan. */
    Plan(fftw_plan plan, const char* what);
    [[nodiscard]] fftw_plan get() const { return plan_.get(); }

private:
    struct Destroy {
        /// Destroying an MPI plan frees its communicators (Collective): not while an exception
        /// unwinds the stack (core/comm.hpp, "Failures").
        void operator()(fftw_plan p) const noexcept
        {
            if (!unwinding.now()) fftw_destroy_plan(p);
        }
        Unwinding unwinding;
    };
    std::unique_ptr<std::remove_pointer_t<fftw_plan>, Destroy> plan_;
};

/**
 * @brief The four in-place transforms of one grid: complex forward/backward and real r2c/c2r.
 * Construction is Collective on the grid's communicator; executions are Collective too.
 */
class FftPlans {
public:
    /** @brief Which transforms to plan: all four, or only r2c and c2r (padded convolution grids). */
    enum class Transforms { all, real_only };

    FftPlans(const Grid& grid, PlannerEffort effort, Transforms which = Transforms::all);

    /** @brief Physical complex layout → spectral layout, unnormalized. */
    void forward(cplx* data) const;
    /** @brief Spectral layout → physical complex layout, unnormalized. */
    void backward(cplx* data) const;
    /** @brief Physical real layout (padded) → spectral half layout, in place, unnormalized. */
    void r2c(double* data) const;
    /** @brief Spectral half layout → physical real layout, in place, unnormalized. */
    void c2r(double* data) const;

    [[nodiscard]] const Grid& grid() const { return grid_; }
    [[nodiscard]] PlannerEffort effort() const { return effort_; }

private:
    const Grid& grid_;
    PlannerEffort effort_;
    Transforms which_;
    bool serial_ = false;  ///< serial FFTW plans (d = 1, or one rank), else FFTW-MPI
    Plan forward_, backward_, r2c_, c2r_;
};

}  // namespace dfe
