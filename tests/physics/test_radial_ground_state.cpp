// The radial ground state of −ΔQ + Q = (|x|^{−2} * Q²)Q in 3D and λ_c = ‖Q‖² (docs/physics.md §10).
#include "dfe/physics/radial_ground_state.hpp"

#include <catch2/catch.hpp>

#include <cmath>

TEST_CASE("radial ground state: residual, Nehari, Pohozaev, E(Q) = 0", "[radial_ground_state]")
{
    const auto gs = dfe::radial_ground_state_power2(24.0, 512);
    INFO("iterations " << gs.iterations << " residual " << gs.residual << " mass " << gs.mass);
    CHECK(gs.residual <= 1e-12);
    // Nehari and Pohozaev follow from the equation; on the grid they hold to the residual and the
    // spectral quadrature (measured 2e-13): 1e-11 leaves a factor 50.
    CHECK(std::abs(gs.nehari) <= 1e-11);
    CHECK(std::abs(gs.pohozaev) <= 1e-11);
    // Their consequences: ‖∇Q‖² = ‖Q‖², D = 2‖Q‖², E(Q) = ½‖∇Q‖² − ¼D = 0.
    CHECK(std::abs(gs.grad2 / gs.mass - 1.0) <= 1e-11);
    CHECK(std::abs(gs.interaction / (2.0 * gs.mass) - 1.0) <= 1e-11);
    CHECK(std::abs(0.5 * gs.grad2 - 0.25 * gs.interaction) <= 1e-11 * gs.mass);
}

TEST_CASE("λ_c at two resolutions agrees to 1e-8, with its error estimate", "[radial_ground_state]")
{
    const auto a = dfe::radial_ground_state_power2(16.0, 256);
    const auto& cc = dfe::critical_coupling_power2();
    INFO("lambda_c " << cc.lambda_c << " +- " << cc.error << ", coarse " << cc.coarse << ", (16, 256): " << a.mass);
    // The issue asks 1e-8 relative; the grids agree to ~1e-13 (R = 24, 32) and the smallest box
    // R = 16 loses ~1e-11 to the tail e^{−2R} it cuts.
    CHECK(std::abs(a.mass - cc.lambda_c) <= 1e-8 * cc.lambda_c);
    CHECK(cc.error <= 1e-8 * cc.lambda_c);
    CHECK(std::abs(cc.coarse - cc.lambda_c) <= cc.error);
    // The value (recorded in docs/physics.md §10).
    CHECK(std::abs(cc.lambda_c - 2.85278430076) <= 1e-10);
}

TEST_CASE("the radial profile interpolates Q between grid points", "[radial_ground_state]")
{
    const auto gs = dfe::radial_ground_state_power2(24.0, 512);
    const dfe::RadialProfile Q(gs);
    // Grid values: u/r at r_m = −R + m h.
    const double h = gs.h;
    for (long m : {257L, 260L, 300L, 400L}) {
        const double r = -gs.R + static_cast<double>(m) * h;
        CHECK(std::abs(Q(r) - gs.u[static_cast<std::size_t>(m)] / r) <= 1e-12 * Q(0.0));
    }
    // ‖Q‖² by a radial quadrature of the interpolant (trapezoid on a fine grid, spectral for
    // this smooth even integrand): matches the grid mass to 1e-10.
    double s = 0.0;
    const double dr = 0.01;
    for (double r = dr; r < 23.0; r += dr) s += 4.0 * M_PI * r * r * Q(r) * Q(r) * dr;
    CHECK(std::abs(s / gs.mass - 1.0) <= 1e-10);
}

TEST_CASE("‖xP‖² of the mass-1 ground state", "[radial_ground_state]")
{
    const auto& cc = dfe::critical_coupling_power2();
    // Recorded in docs/physics.md §10 (E of the pseudo-conformal collapse is ‖xP‖²/8); grids agree to ~1e-13.
    CHECK(std::abs(cc.xP2 - 2.5016574271) <= 1e-9);
}
