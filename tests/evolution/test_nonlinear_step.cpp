// The vectorized phase rotation of the nonlinear step, z ← z·e^{iθ}, against std::cos and std::sin.
#include "dfe/evolution/split_step.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

namespace {

// Rotates (1, 0) by every θ_j: the results are (cos θ_j, sin θ_j) exactly (1·c − 0·s = c).
bool unit_rotations(const std::vector<double>& theta, double angle, std::vector<double>& z)
{
    z.assign(2 * theta.size(), 0.0);
    for (std::size_t j = 0; j < theta.size(); ++j) z[2 * j] = 1.0;
    return dfe::detail::rotate_phase_row(z.data(), theta.data(), angle, static_cast<std::ptrdiff_t>(theta.size()));
}

}  // namespace

TEST_CASE("vectorized phase rotation matches std::cos and std::sin", "[sincos]")
{
    std::mt19937_64 gen(3);
    // Rows whose largest |θ| is below 1/16 (short polynomials), below π/4 (polynomials without
    // reduction), and above (Cody–Waite reduction), up to the reduction's limit 1e6.
    for (double range : {0.05, 0.0624, 0.5, 0.78, 1.0, 10.0, 1e3, 9.9e5}) {
        std::uniform_real_distribution<double> dist(-range, range);
        const std::size_t n = 10007;  // odd: the vector loop's remainder too
        std::vector<double> u(n), z;
        for (auto& x : u) x = dist(gen);
        u[0] = 0.0;
        if (range > 4.0) {  // quadrant boundaries and exact values
            u[1] = M_PI / 2;
            u[2] = -M_PI;
            u[3] = 3 * M_PI / 4;
        }
        CHECK_FALSE(unit_rotations(u, 1.0, z));  // every |θ| < 1e6: nothing flagged
        double worst = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            // The reduction is exact to ~|k|·1e-31 (π/2 in four parts, k·p exact for |k| < 2^20);
            // the polynomials' truncation is below 5e-17 (3e-19 relative on the short ones); what
            // is left is a few ulp of rounding here and in std::cos/std::sin: 4e-16.
            const double tol = 4e-16;
            worst = std::max(worst, std::abs(z[2 * j] - std::cos(u[j])) / tol);
            worst = std::max(worst, std::abs(z[2 * j + 1] - std::sin(u[j])) / tol);
        }
        INFO("range " << range << ": largest error / tolerance = " << worst);
        CHECK(worst <= 1.0);
    }

    // The angle multiplies, and a general z is multiplied by e^{iθ}: (0.7 − 0.2i)·e^{i·2·0.3}.
    for (double u0 : {0.3, 0.01, 3.0}) {  // each path
        std::vector<double> u{u0}, z{0.7, -0.2};
        CHECK_FALSE(dfe::detail::rotate_phase_row(z.data(), u.data(), 2.0, 1));
        const std::complex<double> want = std::complex<double>(0.7, -0.2) * std::polar(1.0, 2.0 * u0);
        // a product of two roundings of ~1e-16 each
        CHECK(z[0] == Approx(want.real()).margin(4e-16));
        CHECK(z[1] == Approx(want.imag()).margin(4e-16));
    }

    // An angle at 1e6 or beyond, anywhere in the row, flags the row; that entry is left as it was
    // (for the caller's std::cos/std::sin) and the others are rotated.
    std::vector<double> row(37, 0.25), z;
    CHECK_FALSE(unit_rotations(row, 3.0, z));
    row[29] = -4e5;  // θ = −1.2e6
    CHECK(unit_rotations(row, 3.0, z));
    CHECK(z[58] == 1.0);
    CHECK(z[59] == 0.0);
    CHECK(z[0] == Approx(std::cos(0.75)).margin(4e-16));
    CHECK(z[1] == Approx(std::sin(0.75)).margin(4e-16));
    CHECK_FALSE(unit_rotations(row, 2.0, z));  // θ = −8e5
    CHECK(z[58] == Approx(std::cos(-8e5)).margin(4e-16));
    // NaN is not flagged: it propagates as NaN, as std::cos would give.
    row[29] = NAN;
    CHECK_FALSE(unit_rotations(row, 2.0, z));
    CHECK(std::isnan(z[58]));
}
