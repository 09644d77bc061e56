// Carrying a whole field to a finer grid (trigonometric interpolation) and to a larger box (zero
// padding), spectral/interpolate.hpp: against closed forms. A trigonometric polynomial whose wave
// numbers the coarse grid holds below Nyquist is interpolated exactly (to round-off, ~1e-15 per value
// after two FFTs of ≤ 64^2 points: 1e-12 is a safe bound), and keeps its discrete norm exactly.
#include "dfe/spectral/interpolate.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace {

using dfe::cplx;
constexpr double pi = std::numbers::pi;

/// f sampled on N^d points x_n = −L/2 + n L/N, row-major.
template <class F>
std::vector<cplx> sample(int d, long N, double L, F f)
{
    const long Ny = d >= 2 ? N : 1, Nz = d >= 3 ? N : 1;
    std::vector<cplx> v;
    auto x = [&](long n) { return -0.5 * L + static_cast<double>(n) * L / static_cast<double>(N); };
    for (long i = 0; i < N; ++i)
        for (long j = 0; j < Ny; ++j)
            for (long k = 0; k < Nz; ++k) v.push_back(f(x(i), d >= 2 ? x(j) : 0.0, d >= 3 ? x(k) : 0.0));
    return v;
}

double norm2(const std::vector<cplx>& v, int d, double dx)
{
    double s = 0.0;
    for (const cplx& z : v) s += std::norm(z);
    return s * std::pow(dx, d);
}

double max_diff(const std::vector<cplx>& a, const std::vector<cplx>& b)
{
    REQUIRE(a.size() == b.size());
    double m = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

}  // namespace

TEST_CASE("refine_spectral interpolates a band-limited trigonometric polynomial exactly", "[interpolate]")
{
    const double L = 7.0;
    const double k = 2.0 * pi / L;
    for (int d = 1; d <= 3; ++d) {
        const long N = d == 3 ? 8 : 16;
        // Wave numbers up to 3k per axis (N = 8 holds |index| < 4 below Nyquist), complex amplitudes.
        auto f = [&](double x, double y, double z) {
            return cplx(0.3, 0.1) + cplx(1.0, -0.5) * std::exp(cplx(0, 3 * k * x)) +
                   0.7 * std::cos(2 * k * y) * std::exp(cplx(0, -k * z)) + cplx(0, 0.2) * std::sin(3 * k * (x + y + z));
        };
        const auto coarse = sample(d, N, L, f);
        for (long N2 : {N, 2 * N, 3 * N}) {
            const auto fine = dfe::refine_spectral(d, N, coarse, N2);
            CHECK(max_diff(fine, sample(d, N2, L, f)) < 1e-12);
            // Parseval: no Nyquist content, so the discrete norm is the same on both grids.
            CHECK(norm2(fine, d, L / static_cast<double>(N2)) ==
                  Approx(norm2(coarse, d, L / static_cast<double>(N))).epsilon(1e-13));
        }
    }
}

TEST_CASE("refine_spectral splits the Nyquist mode symmetrically", "[interpolate]")
{
    // cos(πN x'/L) with x' = x + L/2 is (−1)^n on the coarse grid: all of it at the Nyquist wave number.
    // Split symmetrically, its interpolant is cos itself (real, even), which has half the norm of
    // (−1)^n's: (L/N2)Σcos² = L/2 against (L/N)Σ1 = L. Without the split it would be e^{−iπN x'/L}.
    const long N = 8;
    const double L = 3.0;
    auto nyquist = [&](double x, double, double) { return cplx(std::cos(pi * static_cast<double>(N) * (x + L / 2) / L), 0.0); };
    const auto coarse = sample(1, N, L, nyquist);
    const auto fine = dfe::refine_spectral(1, N, coarse, 2 * N);
    CHECK(max_diff(fine, sample(1, 2 * N, L, nyquist)) < 1e-12);
    CHECK(norm2(coarse, 1, L / N) == Approx(L));
    CHECK(norm2(fine, 1, L / (2 * N)) == Approx(L / 2));
}

TEST_CASE("refine_spectral of a resolved Gaussian keeps its norm and values", "[interpolate]")
{
    // A Gaussian of width 1 on L = 16, N = 32 (dx = 0.5) is resolved to ~1e-16 of its spectrum at
    // Nyquist (e^{−(π/dx)²/2} ~ 3e-9 in amplitude, its square ~ 1e-17): norm and values carry over to 1e-12.
    const double L = 16.0;
    auto g = [](double x, double y, double) { return cplx(std::exp(-(x * x + y * y) / 2.0) / std::sqrt(pi), 0.0); };
    const auto coarse = sample(2, 32, L, g);
    const auto fine = dfe::refine_spectral(2, 32, coarse, 64);
    CHECK(norm2(coarse, 2, L / 32) == Approx(1.0).epsilon(1e-12));
    CHECK(norm2(fine, 2, L / 64) == Approx(1.0).epsilon(1e-12));
    CHECK(max_diff(fine, sample(2, 64, L, g)) < 1e-8);
}

TEST_CASE("pad_box puts the old box in the middle of the new one, same spacing, same norm", "[interpolate]")
{
    // L = 8, N = 16 → N2 = 24, L2 = 12: the old point n is the new point n + 4, x the same.
    const double L = 8.0, dx = 0.5;
    auto g = [](double x, double y, double z) { return cplx(std::exp(-(x * x + y * y + z * z)), x); };
    for (int d = 1; d <= 3; ++d) {
        const auto small = sample(d, 16, L, g);
        const auto big = dfe::pad_box(d, 16, small, 24);
        auto inside = [&](double x, double y, double z) {
            const bool in = std::abs(x) < 4.0 - 1e-12 || x == -4.0;
            const bool iny = d < 2 || std::abs(y) < 4.0 - 1e-12 || y == -4.0;
            const bool inz = d < 3 || std::abs(z) < 4.0 - 1e-12 || z == -4.0;
            return in && iny && inz ? g(x, y, z) : cplx(0.0, 0.0);
        };
        CHECK(max_diff(big, sample(d, 24, 12.0, inside)) == 0.0);
        CHECK(norm2(big, d, dx) == norm2(small, d, dx));
    }
}

TEST_CASE("refine_spectral and pad_box refuse what they cannot do", "[interpolate]")
{
    const std::vector<cplx> v(16);
    CHECK_THROWS_AS(dfe::refine_spectral(1, 16, v, 8), std::invalid_argument);
    CHECK_THROWS_AS(dfe::refine_spectral(1, 16, v, 31), std::invalid_argument);
    CHECK_THROWS_AS(dfe::refine_spectral(2, 16, v, 32), std::invalid_argument);
    CHECK_THROWS_AS(dfe::pad_box(1, 16, v, 19), std::invalid_argument);
}
