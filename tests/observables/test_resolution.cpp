// The resolution monitor (resolution.hpp) on fields whose spectra are known exactly: plane waves
// inside and beyond 2/3 of the Nyquist wave number, and the same numbers from the observables.
#include "helpers.hpp"

#include "dfe/observables/resolution.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>

namespace {

/// Σ_m c_m e^{i k_m·x}, k_m = (2π/L) m along the axes, on this rank's slab.
void plane_waves(const dfe::Grid& grid, dfe::cplx* phi, const std::vector<std::pair<std::array<long, 3>, dfe::cplx>>& waves)
{
    const double kscale = 2.0 * M_PI / grid.L();
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
        dfe::cplx v = 0.0;
        for (const auto& [m, c] : waves)
            v += c * std::polar(1.0, kscale * (static_cast<double>(m[0]) * x[0] + static_cast<double>(m[1]) * x[1] +
                                               static_cast<double>(m[2]) * x[2]));
        phi[ic] = v;
    });
}

}  // namespace

TEST_CASE("the tail fraction and ||grad phi|| of plane waves", "[mpi]")
{
    const dfe::Comm world(MPI_COMM_WORLD);
    for (int d : {1, 2, 3}) {
        if (d == 1 && world.size() > 1) continue;  // 1D transforms are serial
        INFO("d = " << d);
        const long N = d == 3 ? 12 : 24;  // N/3 = 4 or 8: |m| = N/3 is kept, N/3 + 1 is tail
        const double L = 7.0;
        const dfe::Grid grid(world, d, N, L);
        const dfe::FftPlans plans(grid, dfe::PlannerEffort::estimate);
        dfe::ResolutionMonitor monitor(plans);
        dfe::Buffer<dfe::cplx> phi(grid.alloc_complex());
        const long edge = N / 3;
        const double kscale = 2.0 * M_PI / L;

        // A mode exactly at 2/3 Nyquist is kept; one beyond it is tail, along any axis.
        plane_waves(grid, phi.data(), {{{edge, 0, 0}, 1.0}});
        auto r = monitor.measure(phi.data());
        // Round-off of the transform (1e-16 in amplitude) leaks ~1e-32 of the power into other modes.
        CHECK(r.tail_fraction < 1e-28);
        // ‖∇φ‖² = |k|² |c|² L^d for c e^{ik·x}.
        CHECK(r.grad_norm == Approx(kscale * static_cast<double>(edge) * std::pow(L, 0.5 * d)).epsilon(1e-13));
        const std::array<long, 3> beyond{0, 0, 0};
        std::array<long, 3> m = beyond;
        m[static_cast<std::size_t>(d - 1)] = -(edge + 1);
        plane_waves(grid, phi.data(), {{m, 1.0}});
        CHECK(monitor.measure(phi.data()).tail_fraction == Approx(1.0).epsilon(1e-14));

        // Amplitudes a (resolved) and b (tail): fraction |b|²/(|a|²+|b|²), exact up to round-off.
        const dfe::cplx a(0.6, -0.3), b(1e-3, 2e-3);
        plane_waves(grid, phi.data(), {{{1, 0, 0}, a}, {m, b}});
        r = monitor.measure(phi.data());
        const double expected = std::norm(b) / (std::norm(a) + std::norm(b));
        // 1e-10 relative: the tail is 1e-5 of the total, and round-off of the total (1e-16) enters
        // the tail sum through the transform at 1e-16/1e-5.
        CHECK(r.tail_fraction == Approx(expected).epsilon(1e-10));
        const double k2 = kscale * kscale * (std::norm(a) + std::norm(b) * static_cast<double>((edge + 1) * (edge + 1)));
        CHECK(r.grad_norm == Approx(std::sqrt(k2 * std::pow(L, d))).epsilon(1e-13));

        // The observables find the same fraction and ‖∇φ‖ = √(2·kinetic) in their own pass.
        const dfe::Potential none({dfe::PotentialKind::none, 0.0, 1.0}, d);
        const dfe::Convolver convolver(plans, none);
        dfe::ObservableEvaluator evaluator(convolver, -1.0);
        const auto o = evaluator.evaluate(phi.data());
        CHECK(o.tail_fraction == Approx(r.tail_fraction).epsilon(1e-12));
        CHECK(o.grad_norm() == Approx(r.grad_norm).epsilon(1e-13));
    }
}
