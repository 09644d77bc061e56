#include "dfe/spectral/field.hpp"

#include "dfe/core/error.hpp"

#include <cmath>
#include <numbers>

namespace dfe {

double normalize(const Grid& grid, cplx* phi)
{
    const std::ptrdiff_t n = grid.local_points();
    double local = 0.0;
    for (std::ptrdiff_t i = 0; i < n; ++i) local += std::norm(phi[i]);
    const double norm = std::sqrt(grid.cell_volume() * grid.comm().sum(local));
    if (!(norm > 0.0) || !std::isfinite(norm)) throw InputError("a sample has zero or non-finite L2 norm");
    const double inv = 1.0 / norm;
    for (std::ptrdiff_t i = 0; i < n; ++i) phi[i] *= inv;
    return norm;
}

void fill_gaussian(const Grid& grid, double sigma, cplx* phi)
{
    const double amplitude = std::pow(std::numbers::pi * sigma * sigma, -0.25 * grid.d());
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
        const double r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        phi[ic] = amplitude * std::exp(-r2 / (2.0 * sigma * sigma));
    });
    normalize(grid, phi);
}

}  // namespace dfe
