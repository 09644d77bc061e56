// The focusing ground state on the grid (src/dfe/physics/ground_state.hpp): the residual, the
// Nehari and Pohozaev identities, ‖Q‖² against the radial λ_c for |x|^{−2} in 3D, and the standing
// wave e^{iωt}Q under the split-step flow; on whatever number of ranks the test is launched with.
#include "dfe/physics/ground_state.hpp"
#include "dfe/physics/radial_ground_state.hpp"
#include "dfe/evolution/split_step.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>
#include <string>

namespace {

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

struct Setup {
    dfe::Grid grid;
    dfe::FftPlans plans;
    dfe::Potential v;
    dfe::Convolver conv;
    Setup(const dfe::Comm& comm, int d, long N, double L, const dfe::PotentialParams& p)
        : grid(comm, d, N, L), plans(grid, dfe::PlannerEffort::estimate), v(p, d), conv(plans, v)
    {
    }
};

void report(const char* what, const dfe::GroundState& gs, const dfe::Comm& comm)
{
    if (comm.is_root())
        std::printf("%s: %d iterations, residual %.2e, mass %.15g, grad2 %.15g, D %.15g, E %.3e, nehari %.2e, "
                    "pohozaev %.2e, edge %.1e\n",
                    what, gs.iterations, gs.residual, gs.mass, gs.grad2, gs.interaction, gs.energy, gs.nehari, gs.pohozaev,
                    gs.edge);
}

}  // namespace

TEST_CASE("ground state of |x|^-2 in 3D: residual, identities and lambda_c", "[ground_state][mpi]")
{
    const auto comm = world();
    const dfe::PotentialParams p{dfe::PotentialKind::power, 1.0, 0.5, 1.0, 2.0};
    Setup s(comm, 3, 32, 24.0, p);
    const auto gs = dfe::solve_ground_state(s.conv, {});
    report("power gamma=2 N=32 L=24", gs, comm);
    REQUIRE(gs.converged);
    CHECK(gs.residual <= 1e-10);
    // Nehari is the equation times Q, summed on the grid: it holds to the residual (measured 4e-14).
    CHECK(std::abs(gs.nehari) < 1e-10);
    // Pohozaev is the continuum's dilation identity, which the grid breaks: its residual is the
    // grid's error. Measured at L = 24: 2.6e-3 (N = 32), 1.4e-5 (48), 4.0e-8 (64).
    CHECK(std::abs(gs.pohozaev) < 5e-3);
    // ‖Q‖² − λ_c measured at L = 24: 1.74e-2 (N = 32), 8.7e-5 (48), 2.5e-7 (64); spectral in h = L/N.
    const double lambda_c = dfe::critical_coupling_power2().lambda_c;
    CHECK(std::abs(gs.mass - lambda_c) < 2.5e-2);
    // For γ = 2: ‖∇Q‖² = ‖Q‖², D = 2‖Q‖², E = 0 (docs/physics.md §10), to the same grid error.
    CHECK(std::abs(gs.grad2 - gs.mass) < 5e-2);
    CHECK(std::abs(gs.energy) < 2e-2);
}

TEST_CASE("ground state of a Gaussian potential in 2D", "[ground_state][mpi]")
{
    const auto comm = world();
    const dfe::PotentialParams p{dfe::PotentialKind::gaussian, 2.0, 1.0, 1.0, 1.0};
    Setup s(comm, 2, 64, 24.0, p);
    const auto gs = dfe::solve_ground_state(s.conv, {});
    report("gaussian 2D", gs, comm);
    REQUIRE(gs.converged);
    CHECK(gs.residual <= 1e-10);
    CHECK(std::abs(gs.nehari) < 1e-10);
    // Measured 5.1e-6 (N = 32), then 4.4e-9 for N = 48, 64, 96: the plateau is the box's (Q is 1.7e-5
    // of its maximum on the faces), not the grid's.
    CHECK(std::abs(gs.pohozaev) < 1e-8);
    // ‖Q‖² is converged in N: 2.23644465360755 (N = 48), 2.23644465363843 (64), 2.23644465363848 (96).
    CHECK(std::abs(gs.mass - 2.2364446536385) < 1e-11);
}

TEST_CASE("ground state of a soft power in 2D", "[ground_state][mpi]")
{
    const auto comm = world();
    const dfe::PotentialParams p{dfe::PotentialKind::soft_power, 1.0, 0.5, 1.0, 1.0};
    Setup s(comm, 2, 64, 24.0, p);
    const auto gs = dfe::solve_ground_state(s.conv, {});
    report("soft-power 2D", gs, comm);
    REQUIRE(gs.converged);
    CHECK(gs.residual <= 1e-10);
    CHECK(std::abs(gs.nehari) < 1e-10);
    // Measured 1.6e-4 (N = 32), 1.11e-6 (64), 1.14e-6 (128): at N = 64 the box's error (Q is 4e-4 of its
    // maximum on the faces: the 1/|x| tail of V*Q² slows its decay).
    CHECK(std::abs(gs.pohozaev) < 3e-6);
}

TEST_CASE("the ground state is a standing wave: |phi| unchanged, phase turning at rate omega", "[ground_state][flow][mpi]")
{
    const auto comm = world();
    const dfe::PotentialParams p{dfe::PotentialKind::gaussian, 2.0, 1.0, 1.0, 1.0};
    Setup s(comm, 2, 64, 24.0, p);
    dfe::GroundStateOptions o;
    o.omega = 0.7;
    const auto gs = dfe::solve_ground_state(s.conv, o);
    REQUIRE(gs.converged);
    const double T = 1.0;
    for (const char* scheme : {"strang", "order4"}) {
        for (long steps : {20L, 40L}) {
            dfe::Buffer<dfe::cplx> phi(s.grid.alloc_complex());
            s.grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const auto&) { phi[ic] = gs.q[ir]; });
            dfe::SplitStep step(s.conv, -1.0, dfe::make_composition(scheme), T / static_cast<double>(steps));
            step.advance(phi.data(), steps);
            double amp = 0.0;
            std::array<double, 2> overlap{0.0, 0.0};
            s.grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const auto&) {
                amp = std::max(amp, std::abs(std::abs(phi[ic]) - gs.q[ir]));
                overlap[0] += gs.q[ir] * phi[ic].real();
                overlap[1] += gs.q[ir] * phi[ic].imag();
            });
            comm.sum_in_place(overlap);
            const double amp_err = comm.max(amp) / gs.q_max;
            const double phase = std::atan2(overlap[1], overlap[0]);
            const double phase_err = std::remainder(phase - o.omega * T, 2 * std::numbers::pi);
            if (comm.is_root())
                std::printf("standing wave %s, %ld steps: max||phi|-Q|/Q_max %.2e, phase error %.2e\n", scheme, steps,
                            amp_err, phase_err);
            // Measured (T = 1, ω = 0.7, both errors relative): strang 4.7e-5 / 2.7e-4 (20 steps) and
            // 1.2e-5 / 6.8e-5 (40): second order; order4 4.8e-7 / 4.2e-7 and 3.0e-8 / 2.6e-8: fourth
            // order. So the state stays e^{iωt}Q to the integrator's error, with the sign +ω.
            const bool strang = std::string(scheme) == "strang";
            const double scale = std::pow(20.0 / static_cast<double>(steps), strang ? 2.0 : 4.0);
            CHECK(amp_err < (strang ? 7e-5 : 7e-7) * scale);
            CHECK(std::abs(phase_err) < (strang ? 4e-4 : 7e-7) * scale);
        }
    }
}
