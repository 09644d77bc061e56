// Serial checks of the CSV number format of timeseries.csv.
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
