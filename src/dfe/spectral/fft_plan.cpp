#include "dfe/spectral/fft_plan.hpp"

#include "dfe/core/error.hpp"

#include <fftw3-mpi.h>

#include <cstring>
#include <vector>

namespace dfe {


template <class T>
Buffer<T>::Buffer(std::ptrdiff_t n) : size_(n)
{
    const std::size_t bytes = sizeof(T) * static_cast<std::size_t>(n > 0 ? n : 1);
    data_.reset(static_cast<T*>(fftw_malloc(bytes)));
    if (!data_) throw Error("fftw_malloc of " + std::to_string(bytes) + " bytes failed");
    std::memset(static_cast<void*>(data_.get()), 0, bytes);
}

template class Buffer<double>;
template class Buffer<cplx>;

Plan::Plan(fftw_plan plan, const char* what) : plan_(plan)
{
    if (plan == nullptr) throw Error(std::string("FFTW could not create the plan for ") + what);
}

unsigned planner_flags(PlannerEffort effort)
{
    switch (effort) {
    case PlannerEffort::estimate: return FFTW_ESTIMATE;
    case PlannerEffort::measure: return FFTW_MEASURE;
    case PlannerEffort::patient: return FFTW_PATIENT;
    }
    return FFTW_MEASURE;
}

namespace {

fftw_complex* as_fftw(cplx* p) { return reinterpret_cast<fftw_complex*>(p); }

}  // namespace

FftPlans::FftPlans(const Grid& grid, PlannerEffort effort, Transforms which)
    : grid_(grid), effort_(effort), which_(which)
{
    // Planning with MEASURE overwrites the arrays, so plan on scratch buffers of the grid's sizes.
    Buffer<cplx> scratch_c(which == Transforms::all ? grid.alloc_complex() : 1);
    Buffer<double> scratch_r(grid.alloc_real());
    const unsigned flags = planner_flags(effort);
    const int d = grid.d();
    const auto N = grid.N();
    const bool complex_plans = which == Transforms::all;
    if (d == 1) {
        serial_ = true;
        const int n = static_cast<int>(N);
        if (complex_plans) {
            forward_ = Plan(fftw_plan_dft_1d(n, as_fftw(scratch_c.data()), as_fftw(scratch_c.data()),
                                             FFTW_FORWARD, flags), "1D forward");
            backward_ = Plan(fftw_plan_dft_1d(n, as_fftw(scratch_c.data()), as_fftw(scratch_c.data()),
                                              FFTW_BACKWARD, flags), "1D backward");
        }
        auto* half = reinterpret_cast<fftw_complex*>(scratch_r.data());
        r2c_ = Plan(fftw_plan_dft_r2c_1d(n, scratch_r.data(), half, flags), "1D r2c");
        c2r_ = Plan(fftw_plan_dft_c2r_1d(n, half, scratch_r.data(), flags), "1D c2r");
        return;
    }
    if (grid.serial()) {
        // Serial transforms of the whole grid (see grid.hpp): no MPI copies or transposes.
        std::vector<int> n(static_cast<std::size_t>(d), static_cast<int>(N));
        if (complex_plans) {
            forward_ = Plan(fftw_plan_dft(d, n.data(), as_fftw(scratch_c.data()), as_fftw(scratch_c.data()), FFTW_FORWARD, flags),
                            "serial forward");
            backward_ = Plan(fftw_plan_dft(d, n.data(), as_fftw(scratch_c.data()), as_fftw(scratch_c.data()), FFTW_BACKWARD, flags),
                             "serial backward");
        }
        auto* half = reinterpret_cast<fftw_complex*>(scratch_r.data());
        r2c_ = Plan(fftw_plan_dft_r2c(d, n.data(), scratch_r.data(), half, flags), "serial r2c");
        c2r_ = Plan(fftw_plan_dft_c2r(d, n.data(), half, scratch_r.data(), flags), "serial c2r");
        serial_ = true;
        return;
    }
    std::vector<std::ptrdiff_t> shape(static_cast<std::size_t>(d), N);
    MPI_Comm comm = grid.comm().get();
    if (complex_plans) {
        forward_ = Plan(fftw_mpi_plan_dft(d, shape.data(), as_fftw(scratch_c.data()), as_fftw(scratch_c.data()),
                                          comm, FFTW_FORWARD, flags | FFTW_MPI_TRANSPOSED_OUT),
                        "distributed forward");
        backward_ = Plan(fftw_mpi_plan_dft(d, shape.data(), as_fftw(scratch_c.data()), as_fftw(scratch_c.data()),
                                           comm, FFTW_BACKWARD, flags | FFTW_MPI_TRANSPOSED_IN),
                         "distributed backward");
    }
    auto* half = reinterpret_cast<fftw_complex*>(scratch_r.data());
    r2c_ = Plan(fftw_mpi_plan_dft_r2c(d, shape.data(), scratch_r.data(), half, comm,
                                      flags | FFTW_MPI_TRANSPOSED_OUT),
                "distributed r2c");
    c2r_ = Plan(fftw_mpi_plan_dft_c2r(d, shape.data(), half, scratch_r.data(), comm,
                                      flags | FFTW_MPI_TRANSPOSED_IN),
                "distributed c2r");
}

void FftPlans::forward(cplx* data) const
{
    require_logic(which_ == Transforms::all, "FftPlans::forward on plans made for real transforms only");
    if (serial_) fftw_execute_dft(forward_.get(), as_fftw(data), as_fftw(data));
    else fftw_mpi_execute_dft(forward_.get(), as_fftw(data), as_fftw(data));
}

void FftPlans::backward(cplx* data) const
{
    require_logic(which_ == Transforms::all, "FftPlans::backward on plans made for real transforms only");
    if (serial_) fftw_execute_dft(backward_.get(), as_fftw(data), as_fftw(data));
    else fftw_mpi_execute_dft(backward_.get(), as_fftw(data), as_fftw(data));
}

void FftPlans::r2c(double* data) const
{
    auto* half = reinterpret_cast<fftw_complex*>(data);
    if (serial_) fftw_execute_dft_r2c(r2c_.get(), data, half);
    else fftw_mpi_execute_dft_r2c(r2c_.get(), data, half);
}

void FftPlans::c2r(double* data) const
{
    auto* half = reinterpret_cast<fftw_complex*>(data);
    if (serial_) fftw_execute_dft_c2r(c2r_.get(), half, data);
    else fftw_mpi_execute_dft_c2r(c2r_.get(), half, data);
}

}  // namespace dfe
