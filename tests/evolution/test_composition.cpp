// Serial checks of the symmetric compositions behind strang and order4.
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

}  // namespace

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

