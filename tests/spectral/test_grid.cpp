// The grid's slab decomposition and spectral layouts (src/dfe/spectral/grid.hpp), against closed forms,
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

TEST_CASE("slabs cover the grid exactly once", "[grid][mpi]")
{
    const auto comm = world();
    for (int d = 2; d <= 3; ++d) {
        const dfe::Grid grid(comm, d, 32, 10.0);
        const auto& phys = grid.physical().axes[0];
        const auto& spec = grid.spectral().axes[0];
        CHECK(comm.sum(static_cast<double>(phys.n)) == 32.0);
        CHECK(comm.sum(static_cast<double>(spec.n)) == 32.0);
        // Every mode once, whatever the order (transposed over several ranks, natural on one).
        CHECK(comm.sum(static_cast<double>(grid.spectral().count())) == std::pow(32.0, d));
        CHECK(comm.sum(static_cast<double>(grid.spectral_half().count())) == std::pow(32.0, d - 1) * 17.0);
        if (comm.size() > 1) CHECK(comm.sum(static_cast<double>(grid.spectral_half().axes[0].n)) == (d == 2 ? 17.0 : 32.0));
        CHECK(comm.sum(static_cast<double>(grid.local_points())) == std::pow(32.0, d));
        CHECK(grid.cell_volume() == Approx(std::pow(10.0 / 32.0, d)).epsilon(1e-15));
    }
}

TEST_CASE("a grid that cannot give every rank a plane is refused", "[grid][mpi]")
{
    const auto comm = world();
    if (comm.size() > 1) {
        CHECK_THROWS_AS(dfe::Grid(comm, 1, 64, 10.0), dfe::InputError);
        CHECK_THROWS_AS(dfe::Grid(comm, 2, 2 * comm.size() - 2, 10.0), dfe::InputError);
    }
    CHECK_THROWS_AS(dfe::Grid(comm, 2, 7, 10.0), dfe::InputError);
    CHECK_THROWS_AS(dfe::Grid(comm, 2, 64, -1.0), dfe::InputError);
}

TEST_CASE("plane waves: the kinetic energy is |q|²/2 in every layout", "[grid][fft][mpi]")
{
    // φ = L^{−d/2} e^{i q·x} with a different integer mode per dimension, so that a mix-up of the
    // transposed axes or of the negative-frequency order changes ½|q|².
    const auto comm = world();
    for (int d = 1; d <= 3; ++d) {
        const dfe::Comm sub = d == 1 ? comm.split(comm.rank(), 0) : comm.dup();
        const double L = 12.0;
        const dfe::Grid grid(sub, d, 16, L);
        const dfe::FftPlans plans(grid, dfe::PlannerEffort::estimate);
        const dfe::Potential none({dfe::PotentialKind::none, 0.0, 1.0}, d);
        const dfe::Convolver conv(plans, none);
        dfe::ObservableEvaluator eval(conv, -1.0);
        dfe::Buffer<dfe::cplx> phi(grid.alloc_complex());
        const std::array<int, 3> m{3, -5, 7};
        double q2 = 0.0;
        for (int a = 0; a < d; ++a) q2 += std::pow(2.0 * std::numbers::pi * m[static_cast<std::size_t>(a)] / L, 2);
        grid.for_each_point([&](std::ptrdiff_t i, std::ptrdiff_t, const std::array<double, 3>& x) {
            double phase = 0.0;
            for (int a = 0; a < d; ++a) phase += 2.0 * std::numbers::pi * m[static_cast<std::size_t>(a)] / L * x[static_cast<std::size_t>(a)];
            phi[i] = std::polar(std::pow(L, -0.5 * d), phase);
        });
        const auto o = eval.evaluate(phi.data());
        // Exact in exact arithmetic (a single Fourier mode); 1e-12 covers FFT round-off.
        CHECK(o.mass == Approx(1.0).epsilon(1e-12));
        CHECK(o.kinetic == Approx(0.5 * q2).epsilon(1e-12));
        // dV1 = 4 q·⟨x⟩ with ⟨x_a⟩ = −dx/2 on the grid.
        double expected = 0.0;
        for (int a = 0; a < d; ++a) expected += 4.0 * 2.0 * std::numbers::pi * m[static_cast<std::size_t>(a)] / L * (-0.5 * L / 16);
        CHECK(o.dV1 == Approx(expected).epsilon(1e-11));
    }
}

