// The separable kinetic phase against e^{-i|k|^2 tau} mode by mode, on whatever number of ranks the
// test is launched with.
#include "dfe/physics/convolution.hpp"
#include "dfe/core/error.hpp"
#include "dfe/observables/observables.hpp"
#include "dfe/evolution/split_step.hpp"
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

namespace {

}  // namespace

TEST_CASE("the separable kinetic phase equals e^{-i|k|^2 tau} mode by mode", "[spectral][mpi]")
{
    const dfe::Comm w(MPI_COMM_WORLD);
    for (int d : {1, 2, 3}) {
        // d = 1 is serial; d ≥ 2 on the whole launch (transposed spectral layout on 2 ranks).
        const dfe::Comm comm = d == 1 ? dfe_test::self_comm(w) : w.dup();
        const std::ptrdiff_t N = d == 3 ? 8 : 16;
        const dfe::Grid grid(comm, d, N, 7.0);
        const double tau = 0.37, scale = 0.5;
        const dfe::KineticPhase phase(grid, tau, scale);
        std::vector<dfe::cplx> in(static_cast<std::size_t>(grid.spectral().count())), out(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) in[i] = dfe::cplx(1.0 + 0.01 * static_cast<double>(i), -0.5);
        phase.apply(in.data(), out.data());
        double worst = 0.0;
        grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
            const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
            const auto m = static_cast<std::size_t>(i);
            worst = std::max(worst, std::abs(out[m] - in[m] * std::polar(scale, -k2 * tau)) / std::abs(in[m]));
        });
        INFO("d = " << d);
        // |k|²τ up to ~50 here: the phases agree to a few ulp of the angle, 50·1e-16·few.
        CHECK(worst < 2e-14);
        // In place gives the same.
        phase.apply(in.data(), in.data());
        CHECK(in == out);
    }
}
