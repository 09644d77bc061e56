// Serial checks of the parameter surface and of the closed forms behind the spectral kernels.
#include "dfe/error.hpp"
#include "dfe/potential.hpp"
#include "dfe/run_config.hpp"
#include "dfe/split_step.hpp"
#include "dfe/timeseries.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>

using dfe::InputError;
using Catch::Matchers::Contains;

namespace {

/// The message of the InputError `validate` throws, or "" when it accepts the config.
std::string rejection(const dfe::RunConfig& c)
{
    try {
        (void)dfe::validate(c);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("validate accepts the defaults and computes the output schedule", "[config]")
{
    dfe::RunConfig c;
    c.dt = 1e-3;
    c.t_end = 1.0;
    c.output_dt = 0.1;
    const auto s = dfe::validate(c);
    CHECK(s.total_steps == 1000);
    CHECK(s.steps_per_output == 100);
    CHECK(s.rows() == 11);
    c.t_end = 0.25;  // the last interval is partial: rows at 0, 0.1, 0.2 and 0.25
    CHECK(dfe::validate(c).rows() == 4);
    c.t_end = 0.0;
    CHECK(dfe::validate(c).rows() == 1);
}

TEST_CASE("validate names the offending option", "[config]")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    auto with = [](auto change) {
        dfe::RunConfig c;
        change(c);
        return rejection(c);
    };
    CHECK_THAT(with([](auto& c) { c.N = 0; }), Contains("--N"));
    CHECK_THAT(with([](auto& c) { c.N = -8; }), Contains("--N"));
    CHECK_THAT(with([](auto& c) { c.N = 63; }), Contains("--N"));
    CHECK_THAT(with([](auto& c) { c.d = 4; }), Contains("--d"));
    CHECK_THAT(with([](auto& c) { c.L = 0.0; }), Contains("--L"));
    CHECK_THAT(with([&](auto& c) { c.L = nan; }), Contains("--L"));
    CHECK_THAT(with([](auto& c) { c.dt = -1e-3; }), Contains("--dt"));
    CHECK_THAT(with([&](auto& c) { c.dt = inf; }), Contains("--dt"));
    CHECK_THAT(with([](auto& c) { c.output_dt = 0.00015; }), Contains("--output-dt"));
    CHECK_THAT(with([](auto& c) { c.output_dt = 0.0005; }), Contains("--output-dt"));
    CHECK_THAT(with([](auto& c) { c.t_end = -1.0; }), Contains("--t-end"));
    CHECK_THAT(with([](auto& c) { c.t_end = 0.0105; }), Contains("--t-end"));
    CHECK_THAT(with([](auto& c) { c.mu = 0.5; }), Contains("--mu"));
    CHECK_THAT(with([&](auto& c) { c.mu = nan; }), Contains("--mu"));
    CHECK_THAT(with([](auto& c) { c.potential.name = "coulomb"; }), Contains("--potential"));
    CHECK_THAT(with([&](auto& c) { c.potential.lambda = nan; }), Contains("--lambda"));
    CHECK_THAT(with([](auto& c) { c.potential.s = 0.0; }), Contains("--s"));
    CHECK_THAT(with([](auto& c) { c.measure.sigma = -1.0; }), Contains("--sigma"));
    CHECK_THAT(with([](auto& c) { c.integrator = "rk4"; }), Contains("--integrator"));
    CHECK_THAT(with([](auto& c) { c.fftw_planner = "fast"; }), Contains("--fftw-planner"));
    CHECK(with([](auto& c) { c.potential.name = "none"; }).empty());
}

TEST_CASE("compositions are consistent and symmetric", "[integrator]")
{
    for (const char* name : {"strang", "order4"}) {
        const auto c = dfe::make_composition(name);
        // Consistency: the kinetic and nonlinear fractions each add up to one step.
        CHECK(std::accumulate(c.a.begin(), c.a.end(), 0.0) == Approx(1.0).epsilon(1e-15));
        CHECK(std::accumulate(c.b.begin(), c.b.end(), 0.0) == Approx(1.0).epsilon(1e-15));
        REQUIRE(c.a.size() == c.b.size() + 1);
        // Symmetry (time reversibility) gives even order.
        for (std::size_t i = 0; i < c.a.size(); ++i) CHECK(c.a[i] == Approx(c.a[c.a.size() - 1 - i]));
        for (std::size_t i = 0; i < c.b.size(); ++i) CHECK(c.b[i] == Approx(c.b[c.b.size() - 1 - i]));
    }
    // Fourth order needs Σ b_i³ = 0 for the triple jump of Strang steps (the leading error term).
    const auto y = dfe::make_composition("order4");
    double cubes = 0.0;
    for (double b : y.b) cubes += b * b * b;
    CHECK(std::abs(cubes) < 1e-14);
    CHECK_THROWS_AS(dfe::make_composition("euler"), InputError);
}

TEST_CASE("gaussian kernels match their closed forms", "[potential]")
{
    const double lambda = 1.7, s = 0.6;
    for (int d = 1; d <= 3; ++d) {
        const dfe::Potential v({"gaussian", lambda, s}, d);
        const double v0 = lambda * std::pow(2.0 * std::numbers::pi * s * s, 0.5 * d);
        // V̂(0) = ∫V; the relative tolerance is round-off of a few flops.
        CHECK(v.hat(0.0) == Approx(v0).epsilon(1e-14));
        // ∫ z·∇V dz = −d ∫ V (integration by parts), i.e. (z·∇V)^(0) = −d V̂(0).
        CHECK(v.hat_z_grad(0.0) == Approx(-d * v0).epsilon(1e-14));
        // −(d + k·∂_k) applied to V̂ by a centred difference in |k|, against the closed form.
        const double k = 1.3, h = 1e-4;
        auto vh = [&](double kk) { return v.hat(kk * kk); };
        const double radial = k * (vh(k + h) - vh(k - h)) / (2.0 * h);  // k·∇_k V̂ for radial V̂
        // O(h²) difference error ~ 1e-8 relative.
        CHECK(v.hat_z_grad(k * k) == Approx(-(d * vh(k) + radial)).epsilon(1e-7));
        CHECK(v.value(0.0) == lambda);
        CHECK(v.value(s) == Approx(lambda * std::exp(-0.5)).epsilon(1e-15));
    }
    const dfe::Potential none({"none", 1.0, 0.5}, 2);
    CHECK(none.is_zero());
    CHECK(none.hat(1.0) == 0.0);
}

TEST_CASE("CSV numbers carry 17 significant digits and read back exactly", "[output]")
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (int i = 0; i < 1000; ++i) {
        const double x = u(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20);
        const std::string text = dfe::format_number(x);
        CHECK(std::strtod(text.c_str(), nullptr) == x);
    }
    CHECK(dfe::format_number(1.0) == "1.0000000000000000e+00");
}
