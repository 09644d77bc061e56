// The vectorized sincos of the nonlinear step against std::cos and std::sin.
#include "dfe/split_step.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

TEST_CASE("vectorized sincos matches std::cos and std::sin", "[sincos]")
{
    std::mt19937_64 gen(3);
    for (double range : {1.0, 10.0, 1e3, 1e6}) {  // the step uses it for |θ| < 1e6
        std::uniform_real_distribution<double> dist(-range, range);
        const std::ptrdiff_t n = 10007;  // odd: the vector loop's remainder too
        std::vector<double> u(n), c(n), s(n);
        for (auto& x : u) x = dist(gen);
        // Quadrant boundaries and exact values.
        u[0] = 0.0;
        u[1] = M_PI / 2;
        u[2] = -M_PI;
        u[3] = 3 * M_PI / 4;
        // Every |θ| < 1e6 here: no entry is flagged for the library fallback.
        CHECK_FALSE(dfe::detail::sincos_row(c.data(), s.data(), u.data(), 1.0, n));
        double worst = 0.0;
        for (std::ptrdiff_t j = 0; j < n; ++j) {
            // The reduction is exact to ~|k|·1e-31 (π/2 in four parts, k·p exact for |k| < 2^20);
            // what is left is a few ulp of the polynomials and of std::cos/std::sin: 4e-16.
            const double tol = 4e-16;
            worst = std::max(worst, std::abs(c[static_cast<std::size_t>(j)] - std::cos(u[static_cast<std::size_t>(j)])) / tol);
            worst = std::max(worst, std::abs(s[static_cast<std::size_t>(j)] - std::sin(u[static_cast<std::size_t>(j)])) / tol);
        }
        INFO("range " << range << ": largest error / tolerance = " << worst);
        CHECK(worst <= 1.0);
    }
    // The angle multiplies: cos(2·0.3) etc.
    std::vector<double> u{0.3}, c(1), s(1);
    dfe::detail::sincos_row(c.data(), s.data(), u.data(), 2.0, 1);
    CHECK(c[0] == Approx(std::cos(0.6)).epsilon(1e-15));
    CHECK(s[0] == Approx(std::sin(0.6)).epsilon(1e-15));

    // One angle at 1e6 or beyond, anywhere in the row, flags the row for std::cos/std::sin.
    std::vector<double> row(37, 0.25), rc(37), rs(37);
    CHECK_FALSE(dfe::detail::sincos_row(rc.data(), rs.data(), row.data(), 3.0, 37));
    row[29] = -4e5;  // θ = −1.2e6
    CHECK(dfe::detail::sincos_row(rc.data(), rs.data(), row.data(), 3.0, 37));
    CHECK_FALSE(dfe::detail::sincos_row(rc.data(), rs.data(), row.data(), 2.0, 37));  // θ = −8e5
}
