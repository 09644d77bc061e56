#include "dfe/initial_state.hpp"

#include "dfe/observables.hpp"

#include <cmath>
#include <numbers>

namespace dfe {

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
