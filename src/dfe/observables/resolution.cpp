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

bool in_boundary_layer(const Grid& grid, const std::array<double, 3>& x)
{
    const double N = static_cast<double>(grid.N());
    for (int a = 0; a < grid.d(); ++a) {
        const double n = std::round((x[static_cast<std::size_t>(a)] + 0.5 * grid.L()) / grid.dx());
        if (std::min(n, N - n) < boundary_layer_spacings) return true;
    }
    return false;
}

std::vector<unsigned char> boundary_mask(const Grid& grid)
{
    std::vector<unsigned char> mask(static_cast<std::size_t>(grid.local_points()), 0);
    grid.for_each_point([&](std::ptrdiff_t i, std::ptrdiff_t, const std::array<double, 3>& x) {
        mask[static_cast<std::size_t>(i)] = in_boundary_layer(grid, x) ? 1 : 0;
    });
    return mask;
}

ResolutionMonitor::ResolutionMonitor(const FftPlans& plans)
    : plans_(plans), boundary_(boundary_mask(plans.grid())), work_(plans.grid().alloc_complex())
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
    const auto spectral = partial(work_.data());
    double edge = 0.0, mass = 0.0;
    for (std::size_t i = 0; i < boundary_.size(); ++i) {
        const double p = std::norm(phi[i]);
        mass += p;
        edge += boundary_[i] ? p : 0.0;
    }
    std::array<double, 5> sums{spectral[0], spectral[1], spectral[2], edge, mass};
    grid.comm().sum_in_place(std::span<double>(sums));
    Resolution r = finish({sums[0], sums[1], sums[2]});
    r.boundary_mass = sums[4] > 0.0 ? sums[3] / sums[4] : 0.0;
    return r;
}

}  // namespace dfe
