// The built-in de Finetti measures (measure.hpp): weights, normalization, independence of the rank
// count and of which samples are generated, radial symmetry, the component syntax, and refusals.
#include "dfe/core/error.hpp"
#include "dfe/spectral/field.hpp"
#include "dfe/ensemble/measure.hpp"
#include "dfe/physics/radial_ground_state.hpp"
#include "dfe/observables/observables.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using dfe::cplx;

namespace {

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }
dfe::Comm self_of(const dfe::Comm& w) { return w.split(w.rank(), 0); }

/// Small grids: the properties tested hold on any grid; 3D N = 16 keeps the test fast.
dfe::Grid small_grid(const dfe::Comm& comm, int d) { return {comm, d, d == 3 ? 16 : 32, 16.0}; }

std::string vec(int d, const char* a, const char* b, const char* c)
{
    std::string s = a;
    if (d >= 2) s += std::string(":") + b;
    if (d >= 3) s += std::string(":") + c;
    return s;
}

dfe::MeasureConfig mixture(int d)
{
    dfe::MeasureConfig c;
    c.kind = dfe::MeasureKind::mixture;
    c.components = {"weight=0.25,sigma=0.8,center=" + vec(d, "1", "-0.5", "0.25") + ",kick=" + vec(d, "2", "-1", "0.5") +
                        ",chirp=0.3",
                    "weight=0.5,center=" + vec(d, "-1", "0", "1"),
                    " weight = 0.25 , sigma=1.5, kick=" + vec(d, "0", "1", "-1")};
    return c;
}

dfe::MeasureConfig random_laguerre(long count, std::uint64_t seed)
{
    dfe::MeasureConfig c;
    c.kind = dfe::MeasureKind::random_laguerre;
    c.count = count;
    c.seed = seed;
    c.modes = 4;
    return c;
}

dfe::MeasureConfig random_gaussians(long count, std::uint64_t seed)
{
    dfe::MeasureConfig c;
    c.kind = dfe::MeasureKind::random_gaussians;
    c.count = count;
    c.seed = seed;
    return c;
}

std::vector<dfe::MeasureConfig> every_kind(int d)
{
    dfe::MeasureConfig gaussian;
    gaussian.sigma = 1.3;
    return {gaussian, mixture(d), random_laguerre(7, 7), random_gaussians(7, 7)};
}

/// Samples first .. first + count − 1 of `m` on this rank's slab of `grid`.
std::vector<dfe::Buffer<cplx>> samples(const dfe::Measure& m, const dfe::Grid& grid, std::size_t first,
                                       std::size_t count)
{
    std::vector<dfe::Buffer<cplx>> fields;
    std::vector<cplx*> pointers;
    for (std::size_t i = 0; i < count; ++i) {
        fields.emplace_back(grid.alloc_complex());
        pointers.push_back(fields.back().data());
    }
    m.fill(grid, first, pointers);
    return fields;
}

std::vector<dfe::Buffer<cplx>> all_samples(const dfe::Measure& m, const dfe::Grid& grid)
{
    return samples(m, grid, 0, m.size());
}

double max_difference(const dfe::Grid& grid, const cplx* a, const cplx* b)
{
    double worst = 0.0;
    for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return grid.comm().max(worst);
}

/// Row-major global index of local physical index 0: the slabs split dimension 0.
std::ptrdiff_t global_offset(const dfe::Grid& grid)
{
    std::ptrdiff_t row = 1;
    for (int a = 1; a < grid.d(); ++a) row *= grid.N();
    return grid.physical().axes[0].start * row;
}

/// The random stream of sample j exactly as measure.hpp specifies it, written out independently.
class SpecStream {
public:
    SpecStream(std::uint64_t seed, std::size_t j) : engine_(mix(mix(seed) ^ j)) {}
    double uniform() { return static_cast<double>(engine_() >> 11) / 9007199254740992.0; }  // 2^53
    cplx complex_normal()
    {
        const double r = std::sqrt(-2.0 * std::log(1.0 - uniform()));
        const double theta = 2.0 * std::numbers::pi * uniform();
        return cplx(r * std::cos(theta), r * std::sin(theta)) / std::sqrt(2.0);
    }
    std::array<double, 3> in_ball(int d, double radius)
    {
        std::array<double, 3> u{};
        double r2 = 2.0;
        while (r2 > 1.0) {
            r2 = 0.0;
            for (int a = 0; a < d; ++a) {
                u[a] = 2.0 * uniform() - 1.0;
                r2 += u[a] * u[a];
            }
        }
        for (int a = 0; a < d; ++a) u[a] *= radius;
        return u;
    }

private:
    static std::uint64_t mix(std::uint64_t z)  // SplitMix64
    {
        z += 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::mt19937_64 engine_;
};

std::string rejection(const dfe::MeasureConfig& c, int d)
{
    try {
        (void)dfe::make_builtin_measure(c, d);
    } catch (const dfe::InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("weights are positive and sum to 1", "[measure]")
{
    for (int d = 1; d <= 3; ++d) {
        const std::vector<std::size_t> sizes{1, 3, 7, 7};
        const auto configs = every_kind(d);
        for (std::size_t k = 0; k < configs.size(); ++k) {
            const auto m = dfe::make_builtin_measure(configs[k], d);
            INFO("d = " << d << ", " << m->provenance());
            REQUIRE(m->size() == sizes[k]);
            REQUIRE(m->weights().size() == m->size());
            for (double w : m->weights()) CHECK(w > 0.0);
            // Seven terms of about 1/7 (or the mixture's exact quarters) add up to 1 within a few
            // ulps; 1e-14 is the round-off of a handful of additions with a wide margin.
            CHECK(std::abs(std::accumulate(m->weights().begin(), m->weights().end(), 0.0) - 1.0) < 1e-14);
        }
    }
    const auto m = dfe::make_builtin_measure(mixture(2), 2);
    CHECK(std::vector<double>(m->weights().begin(), m->weights().end()) == std::vector<double>{0.25, 0.5, 0.25});
}

TEST_CASE("the weights' sum is compensated and its tolerance grows with M", "[measure][weights]")
{
    constexpr double eps = std::numeric_limits<double>::epsilon();
    // The tolerance: 1e-12 for a handful of typed weights, + 2·M·eps for many (measure.hpp).
    CHECK(dfe::weight_sum_tolerance(3) == 1e-12 + 6.0 * eps);
    CHECK(dfe::weight_sum_tolerance(100'000) == Approx(4.54e-11).epsilon(1e-3));
    CHECK(dfe::weight_sum_tolerance(10'000'000) < 1e-8);
    // Compensated: 10⁶ copies of fl(1/M) are M·fl(1/M) exactly (≤ 1 ulp of 1 away), while the naive
    // loop drifts by ~M·eps/4; 1 + 1e100 − 1e100 cancels exactly only with Neumaier's variant.
    for (const std::size_t M : {10u, 1000u, 100'000u, 1'000'000u}) {
        const std::vector<double> w(M, 1.0 / static_cast<double>(M));
        INFO("M = " << M);
        CHECK(std::abs(dfe::weight_sum(w) - 1.0) <= eps);
        CHECK_NOTHROW(dfe::require_unit_weight_sum(w, "w sums to"));
    }
    CHECK(dfe::weight_sum(std::vector<double>{1.0, 1e100, 1.0, -1e100}) == 2.0);
    CHECK(dfe::weight_sum(std::vector<double>{}) == 0.0);
    // A deliberate error is refused at any M: 1 + 1e-6 (scaled weights), and 1 − 2e-12 at M = 3.
    for (const std::size_t M : {3u, 100'000u}) {
        const std::vector<double> w(M, (1.0 + 1e-6) / static_cast<double>(M));
        INFO("M = " << M);
        CHECK_THROWS_WITH(dfe::require_unit_weight_sum(w, "w sums to"), Contains("w sums to 1.000001 (must be 1 to "));
    }
    CHECK_THROWS_AS(dfe::require_unit_weight_sum(std::vector<double>{0.5, 0.5 - 2e-12}, "w sums to"), dfe::InputError);
}

TEST_CASE("every sample has discrete L2 norm 1", "[measure]")
{
    const auto w = world();
    const auto self = self_of(w);
    for (int d = 1; d <= 3; ++d) {
        const dfe::Grid grid = small_grid(d == 1 ? self : w, d);  // d = 1 transforms are serial
        for (const auto& config : every_kind(d)) {
            const auto m = dfe::make_builtin_measure(config, d);
            const auto fields = all_samples(*m, grid);
            for (std::size_t j = 0; j < fields.size(); ++j) {
                double local = 0.0;
                for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) local += std::norm(fields[j][i]);
                INFO("d = " << d << ", " << m->provenance() << ", j = " << j);
                // normalize() divides by the norm it summed; summing the rescaled squares again
                // differs by the round-off of ≤ 4096 additions, typically √n·eps ≈ 1e-14 (measured
                // ≤ 1.2e-14), at worst n·eps ≈ 5e-13 for adversarial data.
                CHECK(std::abs(grid.cell_volume() * grid.comm().sum(local) - 1.0) < 1e-13);
            }
        }
    }
}

TEST_CASE("a sample on a distributed grid equals the one-rank sample", "[measure][ranks]")
{
    const auto w = world();
    const auto self = self_of(w);
    for (int d = 2; d <= 3; ++d) {
        const dfe::Grid distributed = small_grid(w, d);
        const dfe::Grid whole = small_grid(self, d);
        const std::ptrdiff_t offset = global_offset(distributed);
        for (const auto& config : every_kind(d)) {
            const auto m = dfe::make_builtin_measure(config, d);
            const auto slabs = all_samples(*m, distributed);
            const auto full = all_samples(*m, whole);
            for (std::size_t j = 0; j < m->size(); ++j) {
                double worst = 0.0;
                for (std::ptrdiff_t i = 0; i < distributed.local_points(); ++i)
                    worst = std::max(worst, std::abs(slabs[j][i] - full[j][offset + i]));
                INFO("d = " << d << ", " << m->provenance() << ", j = " << j);
                // Point values are computed from the same global indices, hence bitwise equal; only
                // the norm's partial sums are added in another order (≈ √n·eps relative), and
                // |φ| ≤ 1 on these grids. Measured ≤ 3.0e-15 at 2 ranks, 0 at 1.
                CHECK(w.max(worst) < 1e-14);
            }
        }
    }
}

TEST_CASE("sample j depends only on the seed and j", "[measure][random]")
{
    const auto w = world();
    const dfe::Grid grid = small_grid(w, 2);
    for (const auto make : {random_laguerre, random_gaussians}) {
        const auto m8 = dfe::make_builtin_measure(make(8, 7), 2);
        const auto m16 = dfe::make_builtin_measure(make(16, 7), 2);
        const auto other = dfe::make_builtin_measure(make(8, 8), 2);
        const auto a = all_samples(*m8, grid);
        const auto b = all_samples(*m16, grid);
        const auto c = all_samples(*other, grid);
        const auto tail = samples(*m16, grid, 5, 3);  // samples 5, 6, 7 generated on their own
        for (std::size_t j = 0; j < 8; ++j) {
            INFO(m8->provenance() << ", j = " << j);
            // The same computation on the same grid: exactly equal.
            CHECK(max_difference(grid, a[j].data(), b[j].data()) == 0.0);
            if (j >= 5) CHECK(max_difference(grid, a[j].data(), tail[j - 5].data()) == 0.0);
            // Independent draws give O(1) different unit-norm fields (max |φ| ≈ 0.1-1 here).
            CHECK(max_difference(grid, a[j].data(), c[j].data()) > 1e-3);
            if (j > 0) CHECK(max_difference(grid, a[j].data(), a[j - 1].data()) > 1e-3);
        }
    }
    CHECK(dfe::make_builtin_measure(random_laguerre(16, 7), 2)->provenance() ==
          "random-laguerre M=16 seed=7 modes=4 sigma=1");
    CHECK(dfe::make_builtin_measure(random_gaussians(8, 3), 2)->provenance() ==
          "random-gaussians M=8 seed=3 center-spread=2 kick-spread=1 width-min=0.7 width-max=1.5");
}

TEST_CASE("random-laguerre samples are radial", "[measure][radial]")
{
    const auto w = world();
    const auto self = self_of(w);  // reflections cross slabs: compare on whole grids
    for (int d = 1; d <= 3; ++d) {
        // L = 12.3 makes dx inexact in binary, so mirror coordinates round differently (with
        // L = 16, N = 32 every coordinate is exact and the symmetry would hold bitwise).
        const dfe::Grid grid(self, d, d == 3 ? 16 : 32, 12.3);
        const std::ptrdiff_t N = grid.N();
        const auto m = dfe::make_builtin_measure(random_laguerre(4, 11), d);
        const auto fields = all_samples(*m, grid);
        // x_n = −L/2 + n·L/N, so x → −x maps n → N − n for n ≥ 1 (n = 0 has no mirror on the grid).
        auto reflect = [N](std::ptrdiff_t n) { return n == 0 ? n : N - n; };
        auto index = [N](std::ptrdiff_t a, std::ptrdiff_t b, std::ptrdiff_t c, int dim) {
            return dim == 1 ? a : dim == 2 ? a * N + b : (a * N + b) * N + c;
        };
        const std::ptrdiff_t n1 = d >= 2 ? N : 1, n2 = d >= 3 ? N : 1;
        double worst = 0.0, largest = 0.0;
        for (const auto& phi : fields) {
            for (std::ptrdiff_t a = 0; a < N; ++a)
                for (std::ptrdiff_t b = 0; b < n1; ++b)
                    for (std::ptrdiff_t c = 0; c < n2; ++c) {
                        const cplx v = phi[index(a, b, c, d)];
                        largest = std::max(largest, std::abs(v));
                        std::vector<std::ptrdiff_t> images{index(reflect(a), b, c, d)};
                        if (d >= 2) images.push_back(index(b, a, c, d));
                        if (d >= 2) images.push_back(index(reflect(a), reflect(b), reflect(c), d));
                        if (d == 3) images.push_back(index(c, a, b, d));
                        for (std::ptrdiff_t i : images) worst = std::max(worst, std::abs(v - phi[i]));
                    }
        }
        INFO("d = " << d << ", max |φ| = " << largest << ", max difference = " << worst);
        // Mirror coordinates differ by a few ulps of L/2 (−L/2 + (N−n)·dx vs L/2 − n·dx) and |x|²
        // by its rounding, so φ moves by |∇φ|·1e-15 ≲ 1e-15 (measured ≤ 3.4e-16); a non-radial
        // term would be O(max |φ|) ≈ 0.7.
        CHECK(largest > 0.05);
        CHECK(worst < 1e-14);
    }
}

TEST_CASE("the Laguerre recurrence equals the closed forms", "[measure][laguerre]")
{
    for (double alpha : {-0.5, 0.0, 0.5, 2.0}) {
        for (double x : {0.0, 0.3, 1.0, 2.5, 7.0, 15.0}) {
            const double a1 = alpha + 1, a2 = alpha + 2, a3 = alpha + 3;
            const double l1 = a1 - x;
            const double l2 = (x * x - 2 * a2 * x + a1 * a2) / 2;
            const double l3 = (-x * x * x + 3 * a3 * x * x - 3 * a2 * a3 * x + a1 * a2 * a3) / 6;
            // The terms reach (1 + x)³(α + 3)³/6; the recurrence and the closed forms each round
            // them to ~1e-16 relative, so 1e-14 of that scale bounds the difference.
            const double scale = std::pow(1.0 + x, 3) * std::pow(alpha + 3.0, 3);
            INFO("alpha = " << alpha << ", x = " << x);
            CHECK(dfe::laguerre(0, alpha, x) == 1.0);
            CHECK(std::abs(dfe::laguerre(1, alpha, x) - l1) <= 1e-14 * scale);
            CHECK(std::abs(dfe::laguerre(2, alpha, x) - l2) <= 1e-14 * scale);
            CHECK(std::abs(dfe::laguerre(3, alpha, x) - l3) <= 1e-14 * scale);
        }
    }
    // d = 1: L_n^{(−1/2)}(x²) = (−1)^n H_{2n}(x) / (4^n n!), so the radial functions of
    // random-laguerre are the even Hermite functions. H_4 = 16x⁴ − 48x² + 12, H_6 = 64x⁶ − 480x⁴ + 720x² − 120.
    for (double x : {0.0, 0.4, 1.1, 2.7}) {
        const double x2 = x * x;
        const double h4 = 16 * x2 * x2 - 48 * x2 + 12;
        const double h6 = 64 * x2 * x2 * x2 - 480 * x2 * x2 + 720 * x2 - 120;
        const double scale = std::pow(1.0 + x2, 3);  // as above
        INFO("x = " << x);
        CHECK(std::abs(dfe::laguerre(2, -0.5, x2) - h4 / 32) <= 1e-14 * scale);
        CHECK(std::abs(dfe::laguerre(3, -0.5, x2) + h6 / 384) <= 1e-14 * scale);
    }
}

TEST_CASE("random-laguerre follows the documented stream; in d = 1 it sums even Hermite functions",
          "[measure][laguerre][random]")
{
    const auto w = world();
    const auto self = self_of(w);
    // K = 300 on |x| ≤ 50: L_n(x²) reaches e^{930} and e^{−x²/2} falls to e^{−1250}, beyond the
    // doubles, while their product (the Hermite function) is O(1): this exercises the rescaled series.
    const dfe::Grid grid(self, 1, 4096, 100.0);
    auto config = random_laguerre(3, 42);
    config.modes = 300;
    const auto m = dfe::make_builtin_measure(config, 1);
    const auto fields = all_samples(*m, grid);
    const int K = config.modes;
    for (std::size_t j = 0; j < fields.size(); ++j) {
        SpecStream stream(config.seed, j);
        std::vector<cplx> c(static_cast<std::size_t>(K));
        for (auto& cn : c) cn = stream.complex_normal();
        // L_n^{(−1/2)}(x²) e^{−x²/2} = (−1)^n H_{2n}(x) e^{−x²/2} / (4^n n!) = (−1)^n r_n ψ_{2n}(x) with the
        // orthonormal Hermite functions ψ_m and r_n = √((2n)! √π) / (2^n n!); ψ_m by its stable recurrence.
        std::vector<double> r(static_cast<std::size_t>(K));
        for (int n = 0; n < K; ++n)
            r[static_cast<std::size_t>(n)] = std::exp(0.5 * std::lgamma(2.0 * n + 1) + 0.25 * std::log(std::numbers::pi) -
                                                      n * std::numbers::ln2 - std::lgamma(n + 1.0));
        dfe::Buffer<cplx> expected(grid.alloc_complex());
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            double previous = 0.0;
            double current = std::pow(std::numbers::pi, -0.25) * std::exp(-0.5 * x[0] * x[0]);  // ψ_0
            cplx sum = 0.0;
            for (int m2 = 0; m2 <= 2 * (K - 1); ++m2) {
                if (m2 % 2 == 0) sum += c[static_cast<std::size_t>(m2 / 2)] * ((m2 / 2) % 2 == 0 ? 1.0 : -1.0) *
                                        r[static_cast<std::size_t>(m2 / 2)] * current;
                previous = std::exchange(current, std::sqrt(2.0 / (m2 + 1)) * x[0] * current -
                                                      std::sqrt(m2 / (m2 + 1.0)) * previous);
            }
            expected[ic] = sum;
        });
        dfe::normalize(grid, expected.data());
        double largest = 0.0;
        for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) largest = std::max(largest, std::abs(fields[j][i]));
        INFO("j = " << j << ", max |φ| = " << largest);
        // Both recurrences run 300–600 steps and each loses O(n·eps) to round-off, and r_n comes from
        // lgamma (≈ 1e-14 relative): measured 3e-14. A wrong stream, order or α gives O(max |φ|).
        CHECK(max_difference(grid, fields[j].data(), expected.data()) < 1e-12);
        CHECK(largest > 0.01);
    }
}

TEST_CASE("a mixture component is the normalized Gaussian with its kick and chirp", "[measure][mixture]")
{
    const auto w = world();
    const auto self = self_of(w);
    for (int d = 1; d <= 3; ++d) {
        const dfe::Grid grid = small_grid(d == 1 ? self : w, d);
        const auto config = mixture(d);
        const auto m = dfe::make_builtin_measure(config, d);
        const auto fields = all_samples(*m, grid);
        // Component 1: σ = 0.8, x₀ = (1, −0.5, 0.25), k = (2, −1, 0.5), b = 0.3;
        // component 2: σ = --sigma = 1, x₀ = (−1, 0, 1), k = 0, b = 0; component 3: σ = 1.5, x₀ = 0.
        struct Expected {
            double sigma;
            std::array<double, 3> x0, k;
            double b;
        };
        const std::array<Expected, 3> expected{Expected{0.8, {1, -0.5, 0.25}, {2, -1, 0.5}, 0.3},
                                               Expected{1.0, {-1, 0, 1}, {0, 0, 0}, 0.0},
                                               Expected{1.5, {0, 0, 0}, {0, 1, -1}, 0.0}};
        for (std::size_t j = 0; j < 3; ++j) {
            const auto& e = expected[j];
            dfe::Buffer<cplx> envelope(grid.alloc_complex());
            dfe::Buffer<cplx> phase(grid.alloc_complex());
            grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
                double r2 = 0.0, kx = 0.0;
                for (int a = 0; a < d; ++a) {
                    r2 += (x[a] - e.x0[a]) * (x[a] - e.x0[a]);
                    kx += e.k[a] * x[a];
                }
                envelope[ic] = std::exp(-r2 / (2 * e.sigma * e.sigma));
                phase[ic] = std::exp(cplx(0, kx)) * std::exp(cplx(0, e.b * r2));
            });
            dfe::normalize(grid, envelope.data());
            // The one global phase: c = ⟨expected, φ⟩ (both have unit norm, so |c| = 1 iff φ ∝ expected).
            double re = 0.0, im = 0.0;
            for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) {
                const cplx t = std::conj(envelope[i] * phase[i]) * fields[j][i];
                re += t.real();
                im += t.imag();
            }
            const cplx c = grid.cell_volume() * cplx(grid.comm().sum(re), grid.comm().sum(im));
            double modulus = 0.0, shape = 0.0;
            for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) {
                modulus = std::max(modulus, std::abs(std::abs(fields[j][i]) - envelope[i].real()));
                shape = std::max(shape, std::abs(fields[j][i] - c * envelope[i] * phase[i]));
            }
            INFO("d = " << d << ", component " << j + 1 << ", c = " << c);
            // Phases up to |k·x + b|x−x₀|²| ≈ 100 rad (3D corners) are rounded to ≈ 100 eps ≈ 2e-14
            // rad, times |φ| ≤ 1, and c sums n such products (measured: ||c| − 1| ≤ 9e-15, shape
            // ≤ 4e-15); the modulus involves no phase and is exact to a few ulps (measured 1e-16).
            CHECK(std::abs(std::abs(c) - 1.0) < 1e-13);
            CHECK(grid.comm().max(modulus) < 1e-14);
            CHECK(grid.comm().max(shape) < 1e-13);
        }
    }
}

TEST_CASE("random-gaussians draw centres, kicks and widths in their ranges", "[measure][random]")
{
    const auto w = world();
    const auto self = self_of(w);
    // 2D, L = 24, dx = 0.25: a width ≥ 0.7 is resolved (grid sums of Gaussians exact to ≈ e^{−2π²w²/dx²})
    // and a centre within 2 of the origin leaves |φ|² < e^{−44} at the box edge.
    const dfe::Grid grid(self, 2, 96, 24.0);
    auto c = random_gaussians(40, 5);
    c.center_spread = 2.0;
    c.kick_spread = 1.0;
    c.width_min = 0.7;
    c.width_max = 1.5;
    const auto m = dfe::make_builtin_measure(c, 2);
    const auto fields = all_samples(*m, grid);
    const std::ptrdiff_t N = grid.N();
    double smallest_width = 10.0, largest_width = 0.0;
    for (std::size_t j = 0; j < fields.size(); ++j) {
        const cplx* phi = fields[j].data();
        // Centre of mass x̄ = x₀ and ∫|x − x̄|²|φ|² = d w²/2 for |φ|² ∝ e^{−|x−x₀|²/w²}.
        std::array<double, 2> mean{0, 0};
        double second = 0.0;
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            const double rho = std::norm(phi[ic]) * grid.cell_volume();
            mean[0] += rho * x[0];
            mean[1] += rho * x[1];
            second += rho * (x[0] * x[0] + x[1] * x[1]);
        });
        const double variance = second - mean[0] * mean[0] - mean[1] * mean[1];
        const double width = std::sqrt(variance);  // d w²/2 = w² in 2D
        // The envelope is real, so the phase advance between neighbours is k·dx exactly (|k·dx| < π).
        const std::ptrdiff_t i0 = std::clamp<std::ptrdiff_t>(std::lround((mean[0] + 12.0) / grid.dx()), 0, N - 2);
        const std::ptrdiff_t i1 = std::clamp<std::ptrdiff_t>(std::lround((mean[1] + 12.0) / grid.dx()), 0, N - 2);
        const cplx at = phi[i0 * N + i1];
        const double k0 = std::arg(phi[(i0 + 1) * N + i1] * std::conj(at)) / grid.dx();
        const double k1 = std::arg(phi[i0 * N + i1 + 1] * std::conj(at)) / grid.dx();
        SpecStream stream(c.seed, j);  // centre, then kick, then width (measure.hpp)
        const auto centre = stream.in_ball(2, c.center_spread);
        const auto kick = stream.in_ball(2, c.kick_spread);
        const double drawn_width = c.width_min + (c.width_max - c.width_min) * stream.uniform();
        INFO("j = " << j << ", centre = " << mean[0] << ", " << mean[1] << ", k = " << k0 << ", " << k1
                    << ", width = " << width);
        // Moments of a resolved Gaussian are exact to round-off (≈ 1e-14) and the phase step k·dx
        // to a few ulps; 1e-9 is far above that and far below the spread of the draws.
        CHECK(std::hypot(mean[0] - centre[0], mean[1] - centre[1]) < 1e-9);
        CHECK(std::hypot(k0 - kick[0], k1 - kick[1]) < 1e-9);
        CHECK(std::abs(width - drawn_width) < 1e-9);
        CHECK(std::hypot(mean[0], mean[1]) <= 2.0 + 1e-9);
        CHECK(std::hypot(k0, k1) <= 1.0 + 1e-9);
        CHECK(width >= 0.7 - 1e-9);
        CHECK(width <= 1.5 + 1e-9);
        smallest_width = std::min(smallest_width, width);
        largest_width = std::max(largest_width, width);
    }
    // 40 uniform widths on [0.7, 1.5] leave the range's outer fifths empty with probability
    // 2·0.8^40 ≈ 3e-4 for a random seed; this seed is fixed, so the check is deterministic.
    CHECK(smallest_width < 0.86);
    CHECK(largest_width > 1.34);
}

TEST_CASE("the gaussian measure is the default initial state", "[measure]")
{
    const auto w = world();
    const dfe::Grid grid = small_grid(w, 2);
    dfe::MeasureConfig c;
    c.sigma = 1.3;
    const auto m = dfe::make_builtin_measure(c, 2);
    CHECK(m->provenance() == "gaussian sigma=1.3");
    const auto fields = all_samples(*m, grid);
    dfe::Buffer<cplx> reference(grid.alloc_complex());
    dfe::fill_gaussian(grid, 1.3, reference.data());
    CHECK(max_difference(grid, fields[0].data(), reference.data()) == 0.0);  // the same code path
}

TEST_CASE("bad measure options are refused naming the option", "[measure][input]")
{
    using dfe::InputError;
    auto with = [](dfe::MeasureConfig c, auto change) {
        change(c);
        return c;
    };

    // The kind is parsed once, where options enter (config/params.hpp).
    CHECK_THROWS_WITH(dfe::parse_measure_kind("poisson"),
                      "--measure must be gaussian, mixture, random-laguerre, random-gaussians, pseudo-conformal or file (got 'poisson')");
    dfe::MeasureConfig file;
    file.kind = dfe::MeasureKind::file;
    CHECK_THROWS_WITH(dfe::make_builtin_measure(file, 2), Contains("make_file_measure"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(dfe::MeasureConfig{}, 4), Contains("--d"));

    dfe::MeasureConfig gaussian;
    gaussian.sigma = 0.0;
    CHECK_THROWS_WITH(dfe::make_builtin_measure(gaussian, 2), Contains("--sigma"));
    gaussian.sigma = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(dfe::make_builtin_measure(gaussian, 2), Contains("--sigma") && Contains("finite"));

    // Mixtures: the component (1-based) and the key are named.
    auto component = [](std::vector<std::string> components) {
        dfe::MeasureConfig c;
        c.kind = dfe::MeasureKind::mixture;
        c.components = std::move(components);
        return c;
    };
    CHECK(rejection(component({}), 2) == "--measure mixture needs at least one --component");
    CHECK(rejection(component({"weight=0.5", "weight=0.5,center=1:2:3"}), 2) ==
          "--component 2: 'center' needs 2 numbers for d = 2 (got 3)");
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=0.5,kick=1", "weight=0.5"}), 2),
                      Contains("--component 1") && Contains("'kick'") && Contains("needs 2 numbers"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"sigma=1"}), 2),
                      Contains("--component 1") && Contains("'weight' is required"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=0.5", "weight=0"}), 2),
                      Contains("--component 2") && Contains("'weight' must be positive"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=-1"}), 2),
                      Contains("--component 1") && Contains("'weight'"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=nan"}), 1),
                      Contains("--component 1") && Contains("'weight' must be finite"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=1,sigma=0"}), 1),
                      Contains("--component 1") && Contains("'sigma' must be positive"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=1,sigma=abc"}), 1),
                      Contains("--component 1") && Contains("'sigma' is not a number"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=1,chirp=inf"}), 1),
                      Contains("--component 1") && Contains("'chirp' must be finite"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=1,center=1:x"}), 2),
                      Contains("--component 1") && Contains("'center' is not a number"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=1,width=2"}), 1),
                      Contains("--component 1") && Contains("unknown key 'width'"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=1,sigma=1,sigma=2"}), 1),
                      Contains("--component 1") && Contains("'sigma' is given twice"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=1,"}), 1),
                      Contains("--component 1") && Contains("is not key=value"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(component({"weight=0.5", "weight=0.4"}), 1),
                      Contains("--component") && Contains("sum to 0.9") && Contains("never renormalized"));
    auto no_default_sigma = component({"weight=1"});
    no_default_sigma.sigma = -1.0;
    CHECK_THROWS_WITH(dfe::make_builtin_measure(no_default_sigma, 1), Contains("--sigma"));
    // Decimal weights that sum to 1 only up to round-off are accepted as they are.
    const auto tenths = dfe::make_builtin_measure(component(std::vector<std::string>(10, "weight=0.1")), 1);
    CHECK(tenths->weights()[0] == 0.1);

    // Random measures.
    const double inf = std::numeric_limits<double>::infinity();
    const auto lag = random_laguerre(8, 1);
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(lag, [](auto& c) { c.count = 0; }), 2), Contains("--count"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(lag, [](auto& c) { c.count = 10'000'001; }), 2),
                      Contains("--count"));
    CHECK_NOTHROW(dfe::make_builtin_measure(with(lag, [](auto& c) { c.count = 10'000'000; }), 2));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(lag, [](auto& c) { c.modes = 0; }), 2), Contains("--modes"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(lag, [](auto& c) { c.sigma = -1; }), 2), Contains("--sigma"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(lag, [&](auto& c) { c.sigma = inf; }), 2), Contains("--sigma"));

    const auto gau = random_gaussians(8, 1);
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(gau, [](auto& c) { c.count = -3; }), 2), Contains("--count"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(gau, [](auto& c) { c.center_spread = -1; }), 2),
                      Contains("--center-spread"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(gau, [&](auto& c) { c.kick_spread = inf; }), 2),
                      Contains("--kick-spread"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(gau, [](auto& c) { c.width_min = 0; }), 2),
                      Contains("--width-min"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(gau, [](auto& c) { c.width_max = 0.5; }), 2),
                      Contains("--width-max"));
    CHECK_THROWS_WITH(dfe::make_builtin_measure(with(gau, [&](auto& c) { c.width_max = inf; }), 2),
                      Contains("--width-max"));
    CHECK_NOTHROW(dfe::make_builtin_measure(with(gau, [](auto& c) { c.center_spread = c.kick_spread = 0; }), 2));
}

TEST_CASE("the pseudo-conformal sample is the collapse S(0) of docs/physics.md section 10", "[measure][pseudo-conformal]")
{
    const dfe::Comm w = world();
    const dfe::Grid grid(w, 3, 16, 16.0);
    dfe::MeasureConfig c;
    c.kind = dfe::MeasureKind::pseudo_conformal;
    c.blowup_time = 2.0;
    const auto m = dfe::make_builtin_measure(c, 3);
    REQUIRE(m->size() == 1);
    CHECK(m->weights()[0] == 1.0);
    CHECK_THAT(m->provenance(), Contains("pseudo-conformal blowup-time=2"));
    const auto fields = all_samples(*m, grid);
    // S(0,x) = T^{-3/2} e^{-i|x|^2/(4T)} Q(|x|/T)/sqrt(lambda_c), divided by the root of its grid mass.
    const auto& cc = dfe::critical_coupling_power2();
    const dfe::RadialProfile Q(cc.fine);
    const double scale = 1.0 / std::sqrt(dfe::pseudo_conformal_grid_mass(2.0, 16, 16.0));
    double worst = 0.0;
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
        const double r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        const cplx expected = scale * std::pow(2.0, -1.5) * Q(std::sqrt(r2) / 2.0) / std::sqrt(cc.lambda_c) *
                              std::exp(cplx(0.0, -r2 / 8.0));
        worst = std::max(worst, std::abs(fields[0][ic] - expected));
    });
    // Round-off of the same evaluation in a different order (the mass sum): relative 1e-14 of max|S| ~ 0.08.
    CHECK(w.max(worst) < 1e-14);
    // The continuous mass is 1. With T = 1 on N = 32, L = 16 the grid mass is 1 − 2.6e-7 (the box
    // cuts P's tail at r = 8, and h = 0.5 resolves P); with T = 2 the box cuts P(r/2) at r/2 = 4: 1.8e-3.
    CHECK(std::abs(dfe::pseudo_conformal_grid_mass(1.0, 32, 16.0) - 1.0) < 1e-6);
    CHECK(std::abs(dfe::pseudo_conformal_grid_mass(2.0, 16, 16.0) - 1.0) > 1e-3);
}

TEST_CASE("pseudo-conformal: the run-level conditions are refused one line each and lambda is set", "[measure][input]")
{
    auto config = [] {
        dfe::RunConfig c;
        c.d = 3;
        c.mu = -1.0;
        c.potential.kind = dfe::PotentialKind::power;
        c.potential.gamma = 2.0;
        c.measure.kind = dfe::MeasureKind::pseudo_conformal;
        return c;
    };
    auto refusal = [](dfe::RunConfig c, bool lambda_given) {
        try {
            dfe::require_pseudo_conformal(c, lambda_given);
        } catch (const dfe::InputError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    dfe::RunConfig good = config();
    dfe::require_pseudo_conformal(good, false);
    CHECK(good.potential.lambda == dfe::critical_coupling_power2().lambda_c);

    dfe::RunConfig c = config();
    c.d = 2;
    CHECK_THAT(refusal(c, false), Contains("needs --d 3"));
    c = config();
    c.potential.kind = dfe::PotentialKind::soft_power;
    CHECK_THAT(refusal(c, false), Contains("needs --potential power --gamma 2 (got --potential soft-power)"));
    c = config();
    c.potential.gamma = 1.5;
    CHECK_THAT(refusal(c, false), Contains("needs --gamma 2"));
    c = config();
    c.mu = 1.0;
    CHECK_THAT(refusal(c, false), Contains("needs --mu -1"));
    CHECK_THAT(refusal(config(), true), Contains("sets lambda to lambda_c = 2.8527843007") && Contains("do not give --lambda"));
    c = config();
    c.measure.blowup_time = 0.0;
    CHECK_THAT(refusal(c, false), Contains("--blowup-time must be positive"));
    c.measure.blowup_time = std::numeric_limits<double>::infinity();
    CHECK_THAT(refusal(c, false), Contains("--blowup-time must be a finite"));

    dfe::MeasureConfig m;
    m.kind = dfe::MeasureKind::pseudo_conformal;
    CHECK_THROWS_WITH(dfe::make_builtin_measure(m, 2), Contains("needs --d 3"));
    m.blowup_time = -1.0;
    CHECK_THROWS_WITH(dfe::make_builtin_measure(m, 3), Contains("--blowup-time must be positive"));
}

TEST_CASE("a 'collapse' component is the pseudo-conformal sample, translated and boosted", "[measure][pseudo-conformal]")
{
    const dfe::Comm w = world();
    const dfe::Grid grid(w, 3, 16, 16.0);
    dfe::MeasureConfig pc;
    pc.kind = dfe::MeasureKind::pseudo_conformal;
    pc.blowup_time = 1.5;
    const auto reference = all_samples(*dfe::make_builtin_measure(pc, 3), grid);
    dfe::MeasureConfig mix;
    mix.kind = dfe::MeasureKind::mixture;
    mix.components = {"weight=0.5,collapse=1.5", "weight=0.25,collapse=1.5,center=1:0:-0.5,kick=0:2:0", "weight=0.25"};
    CHECK(dfe::has_collapse_component(mix));
    CHECK_FALSE(dfe::has_collapse_component(mixture(3)));
    const auto m = dfe::make_builtin_measure(mix, 3);
    CHECK_THAT(m->provenance(), Contains("[weight=0.5,collapse=1.5,center=0:0:0,kick=0:0:0]"));
    const auto fields = all_samples(*m, grid);
    // The same evaluation in the same order: equal bits.
    CHECK(max_difference(grid, fields[0].data(), reference[0].data()) == 0.0);
    // Sample 1 is S(0, x − x0) e^{2 i x_1}, normalized on the grid: the same values computed in another
    // order, so round-off (1e-14 of max|S| ~ 0.1).
    const dfe::CriticalCoupling& cc = dfe::critical_coupling_power2();
    const dfe::RadialProfile Q(cc.fine);
    std::vector<cplx> expected(static_cast<std::size_t>(grid.local_points()));
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
        const double r2 = (x[0] - 1.0) * (x[0] - 1.0) + x[1] * x[1] + (x[2] + 0.5) * (x[2] + 0.5);
        expected[static_cast<std::size_t>(ic)] = std::pow(1.5, -1.5) * Q(std::sqrt(r2) / 1.5) / std::sqrt(cc.lambda_c) *
                                                 std::exp(cplx(0.0, 2.0 * x[1] - r2 / 6.0));
    });
    dfe::normalize(grid, expected.data());
    CHECK(max_difference(grid, fields[1].data(), expected.data()) < 1e-14);

    auto refusal = [](std::vector<std::string> components, int d) {
        dfe::MeasureConfig c;
        c.kind = dfe::MeasureKind::mixture;
        c.components = std::move(components);
        try {
            (void)dfe::make_builtin_measure(c, d);
        } catch (const dfe::InputError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK_THAT(refusal({"weight=1,collapse=1,sigma=2"}, 3), Contains("--component 1") && Contains("'sigma' and 'chirp' do not apply"));
    CHECK_THAT(refusal({"weight=1,chirp=1,collapse=1"}, 3), Contains("'sigma' and 'chirp' do not apply"));
    CHECK_THAT(refusal({"weight=1,collapse=0"}, 3), Contains("'collapse' (the blowup time) must be positive"));
    CHECK_THAT(refusal({"weight=1,collapse=1"}, 2), Contains("'collapse' is the collapse of the 3D ground state: it needs d = 3"));

    dfe::RunConfig run;
    run.d = 3;
    run.potential.kind = dfe::PotentialKind::gaussian;
    run.measure = mix;
    CHECK_THROWS_WITH(dfe::require_pseudo_conformal(run, false),
                      "a --component with 'collapse' needs --potential power --gamma 2 (got --potential gaussian)");
}
