#include "dfe/observables/resolution.hpp"

#include <algorithm>
#include <cmath>

namespace dfe {

bool in_spectral_tail(const Grid& grid, const std::array<double, 3>& k)
{
    const double kscale = 2.0 * M_PI / grid.L();
    for (int a = 0; a < grid.d(); ++a) {
        const double m = std::round(std::abs(k[static_cast<std::size_t>(a)]) / kscale);
        if (3.0 * m > static_cast<double>(grid.N())) return true;
    }
    return false;
}

ResolutionMonitor::ResolutionMonitor(const FftPlans& plans) : plans_(plans), work_(plans.grid().alloc_complex())
{
    const Grid& grid = plans.grid();
    const auto n = static_cast<std::size_t>(grid.spectral().count());
    k2_.resize(n);
    tail_.resize(n);
    grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
        k2_[static_cast<std::size_t>(i)] = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        tail_[static_cast<std::size_t>(i)] = in_spectral_tail(grid, k) ? 1 : 0;
    });
}

std::array<double, 3> ResolutionMonitor::partial(const cplx* spectrum) const
{
    double tail = 0.0, total = 0.0, grad = 0.0;
    for (std::size_t i = 0; i < k2_.size(); ++i) {
        const double p = std::norm(spectrum[i]);
        total += p;
        grad += k2_[i] * p;
        tail += tail_[i] ? p : 0.0;
    }
    return {tail, total, grad};
}

Resolution ResolutionMonitor::finish(const std::array<double, 3>& s) const
{
    const Grid& grid = plans_.grid();
    // Σ_n |g_n|² (L/N)^d = (L/N)^d N^{−d} Σ_k |ĝ_k|² (Parseval, unnormalized forward transform).
    const double scale = grid.cell_volume() / grid.global_points();
    return {s[1] > 0.0 ? s[0] / s[1] : 0.0, std::sqrt(std::max(0.0, s[2] * scale))};
}

Resolution ResolutionMonitor::measure(const cplx* phi)
{
    const Grid& grid = plans_.grid();
    std::copy_n(phi, grid.local_points(), work_.data());
    plans_.forward(work_.data());
    auto sums = partial(work_.data());
    grid.comm().sum_in_place(std::span<double>(sums));
    return finish(sums);
}

}  // namespace dfe
