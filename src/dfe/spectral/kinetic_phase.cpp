#include "dfe/spectral/kinetic_phase.hpp"

#include "dfe/core/simd.hpp"

#include <cmath>

namespace dfe {

KineticPhase::KineticPhase(const Grid& grid) : grid_(&grid)
{
    const auto& axes = grid.spectral().axes;
    for (std::size_t a = 0; a < 3; ++a) table_[a].assign(static_cast<std::size_t>(axes[a].n), cplx(1.0, 0.0));
}

void KineticPhase::set(double tau, double scale)
{
    const auto& axes = grid_->spectral().axes;
    for (std::size_t a = 0; a < 3; ++a) {
        if (axes[a].dim < 0) continue;  // unused axis: its table stays {1}
        for (std::ptrdiff_t i = 0; i < axes[a].n; ++i) {
            const double k = grid_->wavenumber(axes[a].start + i);
            table_[a][static_cast<std::size_t>(i)] = std::polar(1.0, -(k * k) * tau);
        }
    }
    scale_ = scale;
}

void KineticPhase::apply(const cplx* in, cplx* out) const
{
    const auto& axes = grid_->spectral().axes;
    // Unused axes trail the used ones (extent 1): the rows are the last used axis, contiguous.
    std::size_t last = 2;
    while (last > 0 && axes[last].dim < 0) --last;
    const std::ptrdiff_t n0 = last >= 1 ? axes[0].n : 1;
    const std::ptrdiff_t n1 = last >= 2 ? axes[1].n : 1;
    const std::ptrdiff_t n = axes[last].n;
    const auto* t = reinterpret_cast<const double*>(table_[last].data());
    std::ptrdiff_t offset = 0;
    for (std::ptrdiff_t i0 = 0; i0 < n0; ++i0) {
        const cplx c0 = last >= 1 ? scale_ * table_[0][static_cast<std::size_t>(i0)] : cplx(scale_, 0.0);
        for (std::ptrdiff_t i1 = 0; i1 < n1; ++i1, offset += n) {
            const cplx c = last >= 2 ? c0 * table_[1][static_cast<std::size_t>(i1)] : c0;
            detail::phase_row(reinterpret_cast<const double*>(in + offset), reinterpret_cast<double*>(out + offset), t,
                              c.real(), c.imag(), n);
        }
    }
}

namespace detail {

DFE_VECTOR_CLONES void phase_row(const double* x, double* y, const double* __restrict t, double cr, double ci,
                                  std::ptrdiff_t n)
{
    // Real arithmetic: std::complex's operator* checks every product for NaN and falls back to a
    // library call, which keeps the compiler from vectorizing the loop.
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        const double pr = cr * t[2 * j] - ci * t[2 * j + 1];  // c·t_j
        const double pi = cr * t[2 * j + 1] + ci * t[2 * j];
        const double xr = x[2 * j], xi = x[2 * j + 1];
        y[2 * j] = xr * pr - xi * pi;
        y[2 * j + 1] = xr * pi + xi * pr;
    }
}

}  // namespace detail

}  // namespace dfe
