// Serial checks of the parameter surface: validate() and the output schedule.
#include "dfe/core/error.hpp"
#include "dfe/physics/potential.hpp"
#include "dfe/config/run_config.hpp"
#include "dfe/evolution/split_step.hpp"
#include "dfe/io/timeseries.hpp"

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
    CHECK_THAT(with([&](auto& c) { c.potential.lambda = nan; }), Contains("--lambda"));
    CHECK_THAT(with([](auto& c) { c.potential.s = 0.0; }), Contains("--s"));
    CHECK_THAT(with([](auto& c) { c.measure.sigma = -1.0; }), Contains("--sigma"));
    CHECK(with([](auto& c) { c.potential.kind = dfe::PotentialKind::none; }).empty());
    // The choices are parsed once, where options enter (config/params.hpp), naming the option.
    CHECK_THROWS_WITH(dfe::parse_potential_kind("coulomb"), Contains("--potential"));
    CHECK_THROWS_WITH(dfe::parse_integrator("rk4"), Contains("--integrator"));
    CHECK_THROWS_WITH(dfe::parse_planner_effort("fast"), Contains("--fftw-planner"));
    CHECK_THROWS_WITH(dfe::parse_on_underresolved("pause"), Contains("--on-underresolved"));
    for (auto i : {dfe::Integrator::strang, dfe::Integrator::order4, dfe::Integrator::petsc})
        CHECK(dfe::parse_integrator(dfe::name(i)) == i);
}

