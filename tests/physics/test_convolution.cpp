// The periodic convolution with the potential (src/dfe/physics/convolution.hpp) against a closed form,
// on whatever number of ranks the test is launched with.
#include "dfe/physics/convolution.hpp"
#include "dfe/core/error.hpp"
#include "dfe/observables/observables.hpp"
#include "dfe/evolution/split_step.hpp"
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

namespace {

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

}  // namespace

TEST_CASE("Gaussian * Gaussian convolution equals its closed form", "[convolution][mpi]")
{
    // ∫ e^{−|y|²/(2a²)} λ e^{−|x−y|²/(2s²)} dy = λ (2π a²s²/(a²+s²))^{d/2} e^{−|x|²/(2(a²+s²))}.
    const auto comm = world();
    const double a = 0.8, s = 0.5, lambda = 2.0;
    for (int d = 1; d <= 3; ++d) {
        const dfe::Comm sub = d == 1 ? comm.split(comm.rank(), 0) : comm.dup();
        const dfe::Grid grid(sub, d, 48, 16.0);
        const dfe::FftPlans plans(grid, dfe::PlannerEffort::estimate);
        const dfe::Potential v({dfe::PotentialKind::gaussian, lambda, s}, d);
        const dfe::Convolver conv(plans, v);
        dfe::Buffer<double> rho(grid.alloc_real());
        grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const std::array<double, 3>& x) {
            rho[ir] = std::exp(-(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) / (2 * a * a));
        });
        conv.potential(rho.data());
        double worst = 0.0;
        const double c = lambda * std::pow(2 * std::numbers::pi * a * a * s * s / (a * a + s * s), 0.5 * d);
        grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const std::array<double, 3>& x) {
            const double r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
            worst = std::max(worst, std::abs(rho[ir] - c * std::exp(-r2 / (2 * (a * a + s * s)))));
        });
        // Both Gaussians are resolved to round-off at dx = 1/3 (their spectra are < 1e-16 at the
        // Nyquist wave number) and their periodic images are below e^{−64/1.78}: 1e-13 absolute
        // is FFT round-off on values of order 1.
        CHECK(sub.max(worst) < 1e-13);
    }
}

