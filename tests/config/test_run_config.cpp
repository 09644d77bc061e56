// Serial checks of the parameter surface: validate() and the output schedule.
#include "dfe/core/error.hpp"
#include "dfe/physics/cutoff.hpp"
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
    CHECK_THAT(with([](auto& c) { c.boundary_tol = 0.0; }), Contains("--boundary-tol must be in (0, 1)"));
    CHECK_THAT(with([](auto& c) { c.boundary_tol = 1.0; }), Contains("--boundary-tol"));
    CHECK_THAT(with([&](auto& c) { c.boundary_tol = nan; }), Contains("--boundary-tol"));
    CHECK(with([](auto& c) { c.potential.kind = dfe::PotentialKind::none; }).empty());
    // The choices are parsed once, where options enter (config/params.hpp), naming the option.
    CHECK_THROWS_WITH(dfe::parse_potential_kind("coulomb"), Contains("--potential"));
    CHECK_THROWS_WITH(dfe::parse_integrator("rk4"), Contains("--integrator"));
    CHECK_THROWS_WITH(dfe::parse_planner_effort("fast"), Contains("--fftw-planner"));
    CHECK_THROWS_WITH(dfe::parse_on_underresolved("pause"), Contains("--on-underresolved"));
    for (auto i : {dfe::Integrator::strang, dfe::Integrator::order4, dfe::Integrator::petsc})
        CHECK(dfe::parse_integrator(dfe::name(i)) == i);
}


TEST_CASE("a radius whose psi_R is not constant at the box's faces is refused", "[config][cutoff]")
{
    // ψ_R = 2R exactly for |x|² ≥ (2+h)R (cutoff.hpp); the faces come as close as |x| = L/2. With
    // L = 20 and h = 0.9 the largest radius is R = 100/2.9 = 34.48...
    dfe::RunConfig c;
    const dfe::Cutoff cutoff(c.cutoff_order, c.cutoff_width);
    const double largest = 100.0 / 2.9;
    c.R = {4.0, 16.0, largest};
    CHECK(cutoff.outer_radius(largest) == Approx(10.0).epsilon(1e-15));
    CHECK_NOTHROW(dfe::require_radii_inside_box(c));
    c.R = {4.0, 400.0};
    try {
        dfe::require_radii_inside_box(c);
        FAIL("R = 400 with L = 20 was accepted");
    } catch (const InputError& e) {
        // One line naming R, where ψ_R becomes constant (√(2.9·400) = 34.06), L/2, and what to change.
        const std::string m = e.what();
        CHECK(m.find('\n') == std::string::npos);
        CHECK_THAT(m, Contains("--R 400:") && Contains("sqrt((2+h)R) = 34.06") && Contains("L/2 = 10") &&
                          Contains("smaller --R (at most 34.48)") && Contains("larger --L (at least 68.12)"));
    }
    // Just beyond the largest radius; and the width enters: h = 0.5 allows R up to 100/2.5.
    c.R = {largest * (1.0 + 1e-12)};
    CHECK_THROWS_AS(dfe::require_radii_inside_box(c), InputError);
    c.cutoff_width = 0.5;
    c.R = {39.9};
    CHECK_NOTHROW(dfe::require_radii_inside_box(c));
    c.R = {40.1};
    CHECK_THROWS_WITH(dfe::require_radii_inside_box(c), Contains("--R 40.1"));
    // A small box refuses what a large one accepts.
    c.cutoff_width = 0.9;
    c.L = 10.0;
    c.R = {9.0};
    CHECK_THROWS_WITH(dfe::require_radii_inside_box(c), Contains("at most 8.62") && Contains("at least 10.22"));
}

TEST_CASE("--ranks-per-sample auto: as many groups as samples, on a grid the slabs accept", "[config]")
{
    // FFTW-MPI's blocks of ⌈X/g⌉ planes: N = 6 over 4 ranks is 2, 2, 2, 0 (refused, as Grid refuses it);
    // over 3 ranks 2, 2, 2, but the 2D r2c transposed dimension N/2 + 1 = 4 over 3 ranks is 2, 2, 0.
    CHECK(dfe::slab_split_fits(2, 6, 1));
    CHECK_FALSE(dfe::slab_split_fits(2, 6, 4));
    CHECK_FALSE(dfe::slab_split_fits(2, 6, 3));
    CHECK(dfe::slab_split_fits(2, 6, 2));
    // 2D 64²: N/2 + 1 = 33 over 16 ranks is eleven blocks of 3 and five empty ranks; over 4, 9·3 + 6.
    CHECK_FALSE(dfe::slab_split_fits(2, 64, 16));
    CHECK(dfe::slab_split_fits(2, 64, 4));
    // 3D splits N in both layouts: 32 over 16 ranks is blocks of 2.
    CHECK(dfe::slab_split_fits(3, 32, 16));
    CHECK_FALSE(dfe::slab_split_fits(1, 64, 2));  // 1D grids are serial
    // 3D 32³: one sample on 16 ranks: all 16 share it; 4 samples: groups of 4; 64 samples: one rank
    // each; 3 samples: 2 groups of 8 (4 groups would leave one without a sample).
    CHECK(dfe::auto_ranks_per_sample(16, 1, 3, 32) == 16);
    CHECK(dfe::auto_ranks_per_sample(16, 4, 3, 32) == 4);
    CHECK(dfe::auto_ranks_per_sample(16, 64, 3, 32) == 1);
    CHECK(dfe::auto_ranks_per_sample(16, 3, 3, 32) == 8);
    CHECK(dfe::auto_ranks_per_sample(1, 1, 1, 64) == 1);
    // One 2D 64² sample on 16 ranks: only g = 16 gives every group a sample, and the grid refuses it.
    CHECK_THROWS_WITH(dfe::auto_ranks_per_sample(16, 1, 2, 64), Catch::Contains("cannot split"));
    // 1D with fewer samples than ranks: refused with what to change.
    CHECK_THROWS_WITH(dfe::auto_ranks_per_sample(2, 1, 1, 64), Catch::Contains("use fewer ranks"));
}
