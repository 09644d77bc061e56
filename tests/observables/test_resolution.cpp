// The resolution monitor (resolution.hpp) on fields whose spectra are known exactly: plane waves
// inside and beyond 2/3 of the Nyquist wave number, and the same numbers from the observables.
#include "helpers.hpp"

#include "dfe/observables/resolution.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <algorithm>
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

namespace {

/// ρ(x) = e^{−(x−c)²/σ²}/(√π σ), the normalized density of φ = e^{−(x−c)²/(2σ²)} along one axis.
double slab_mass(double lo, double hi, double c, double sigma)
{
    return 0.5 * (std::erf((hi - c) / sigma) - std::erf((lo - c) / sigma));
}

/// |ρ''| = ρ |4u²/σ⁴ − 2/σ²|, u = x − c.
double density_curvature(double x, double c, double sigma)
{
    const double u = x - c;
    return std::exp(-u * u / (sigma * sigma)) / (std::sqrt(M_PI) * sigma) * std::abs(4.0 * u * u / std::pow(sigma, 4) - 2.0 / (sigma * sigma));
}

/// One axis of the boundary layer: the share of the discrete mass in the layer's cells, as the integral
/// of ρ over those cells (the grid sum is their midpoint rule), and a bound on the midpoint rule's
/// error, Σ over intervals of length·h²/24·max|ρ''| (max sampled finely, times 2 for safety).
struct AxisLayer {
    double fraction, error;
};

AxisLayer axis_layer(double L, long N, double c, double sigma)
{
    const double h = L / static_cast<double>(N), w = dfe::boundary_layer_spacings;
    // Cells of the points n = 0..w−1 (left) and N−w+1..N−1 (right); the box's points span cells
    // [−L/2 − h/2, L/2 − h/2].
    const std::array<std::array<double, 2>, 3> intervals{{{-L / 2 - h / 2, -L / 2 + (w - 0.5) * h},
                                                          {L / 2 - (w - 0.5) * h, L / 2 - h / 2},
                                                          {-L / 2 - h / 2, L / 2 - h / 2}}};
    std::array<double, 3> mass{}, error{};
    for (std::size_t i = 0; i < 3; ++i) {
        const auto [lo, hi] = intervals[i];
        mass[i] = slab_mass(lo, hi, c, sigma);
        double peak = 0.0;
        for (int s = 0; s <= 1000; ++s) peak = std::max(peak, density_curvature(lo + (hi - lo) * s / 1000.0, c, sigma));
        error[i] = 2.0 * (hi - lo) * h * h / 24.0 * peak;
    }
    const double f = (mass[0] + mass[1]) / mass[2];
    return {f, (error[0] + error[1]) / mass[2] + f * error[2] / mass[2]};
}

}  // namespace

TEST_CASE("the boundary mass of a Gaussian near a face against erf", "[mpi]")
{
    // φ = Π_a e^{−(x_a−c_a)²/(2σ²)} is a product, so is its discrete mass, and the share outside the
    // layer is the product of the axes' shares: boundary_mass = 1 − Π_a (1 − f_a) exactly on the grid.
    // Each f_a is the closed form ∫ρ over the layer's cells, off the grid sum by the midpoint rule's
    // error (bounded in axis_layer: h²/24 of the curvature, ~1e-3 relative here).
    const dfe::Comm world(MPI_COMM_WORLD);
    const double L = 20.0, sigma = 2.0;
    const std::array<double, 3> centre{5.5, -4.5, 0.0};
    for (int d : {1, 2}) {
        if (d == 1 && world.size() > 1) continue;  // 1D transforms are serial
        INFO("d = " << d);
        const long N = 512;
        const dfe::Grid grid(world, d, N, L);
        const dfe::FftPlans plans(grid, dfe::PlannerEffort::estimate);
        dfe::ResolutionMonitor monitor(plans);
        dfe::Buffer<dfe::cplx> phi(grid.alloc_complex());
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            double r2 = 0.0;
            for (int a = 0; a < d; ++a) r2 += std::pow(x[static_cast<std::size_t>(a)] - centre[static_cast<std::size_t>(a)], 2);
            phi.data()[ic] = std::exp(-r2 / (2.0 * sigma * sigma));
        });
        double inside = 1.0, error = 0.0;
        for (int a = 0; a < d; ++a) {
            const AxisLayer axis = axis_layer(L, N, centre[static_cast<std::size_t>(a)], sigma);
            inside *= 1.0 - axis.fraction;
            error += axis.error;
        }
        const double expected = 1.0 - inside;
        REQUIRE(expected > 1e-5);  // a layer that holds something: the test measures a real share
        const auto r = monitor.measure(phi.data());
        CHECK(std::abs(r.boundary_mass - expected) <= error);
        CHECK(error < 2e-3 * expected);  // the bound is tight enough to mean something
        // The observables' pass finds the same share (the same points, summed in another order).
        const dfe::Potential none({dfe::PotentialKind::none, 0.0, 1.0}, d);
        const dfe::Convolver convolver(plans, none);
        dfe::ObservableEvaluator evaluator(convolver, -1.0);
        CHECK(evaluator.evaluate(phi.data()).boundary_mass == Approx(r.boundary_mass).epsilon(1e-12));
        // A centred Gaussian leaves nothing there: e^{−(L/2 − 3.5h)²/σ²} ~ e^{−24}.
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            phi.data()[ic] = std::exp(-(x[0] * x[0] + x[1] * x[1]) / (2.0 * sigma * sigma));
        });
        CHECK(monitor.measure(phi.data()).boundary_mass < 1e-9);
    }
}

TEST_CASE("the boundary layer is the points less than w spacings from a face", "[mpi]")
{
    // Along one axis of N points: n = 0..w−1 and N−w+1..N−1, i.e. 2w − 1 points (the face's own
    // point n = 0 once: x = −L/2 and x = L/2 are the same point of the periodic box).
    const dfe::Comm self = dfe::Comm(MPI_COMM_WORLD).split(dfe::Comm(MPI_COMM_WORLD).rank(), 0);
    const long N = 16;
    const dfe::Grid grid(self, 1, N, 8.0);
    std::vector<long> in;
    for (long n = 0; n < N; ++n)
        if (dfe::in_boundary_layer(grid, {grid.coordinate(n), 0.0, 0.0})) in.push_back(n);
    CHECK(in == std::vector<long>{0, 1, 2, 3, 13, 14, 15});
    const auto mask = dfe::boundary_mask(grid);
    CHECK(std::count(mask.begin(), mask.end(), 1) == 2 * dfe::boundary_layer_spacings - 1);
}
