// The standard error of a weighted mean (core/weighted_spread.hpp) against its closed forms, and the
// same numbers whatever the ranks the samples are spread over.
#include "helpers.hpp"

#include "dfe/core/weighted_spread.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using dfe_test::world;

TEST_CASE("equal weights: the sample standard deviation over sqrt(M)", "[spread][mpi]")
{
    // x_j = j, j = 0..M−1: mean (M−1)/2, sample variance M(M+1)/12, so SE = sqrt((M+1)/12).
    const auto w = world();
    const std::size_t M = 10;
    std::vector<double> weights, x;
    for (std::size_t j = 0; j < M; ++j)
        if (static_cast<int>(j % static_cast<std::size_t>(w.size())) == w.rank()) {
            weights.push_back(1.0 / M);
            x.push_back(static_cast<double>(j));
            x.push_back(5.0);  // a constant: SE exactly 0
        }
    const double shares = dfe::sum_squared_shares(std::vector<double>(M, 1.0 / M));
    CHECK(shares == Approx(0.1).epsilon(1e-15));
    const auto s = dfe::weighted_spread(w, weights, x, 2, shares);
    // Sums of 10 small integers over 2^-k weights: a few ulps.
    CHECK(s[0].mean == Approx(4.5).epsilon(1e-14));
    CHECK(s[0].stderr == Approx(std::sqrt(11.0 / 12.0)).epsilon(1e-14));
    CHECK(s[1].mean == Approx(5.0).epsilon(1e-15));
    CHECK(s[1].stderr == 0.0);
}

TEST_CASE("unequal weights: sqrt(sum p^2 s^2) with the unbiased weighted variance", "[spread]")
{
    // Two samples, p = (1/4, 3/4), x = (0, 4): mean 3, Σp(x−x̄)² = 9/4 + 3/4 = 3, Σp² = 5/8,
    // s² = 3/(1 − 5/8) = 8, SE = sqrt(5/8 · 8) = sqrt(5). Weights not summing to 1 give the same.
    const std::vector<double> w{0.5, 1.5}, x{0.0, 4.0};
    const double shares = dfe::sum_squared_shares(w);
    CHECK(shares == Approx(0.625).epsilon(1e-15));
    const auto s = dfe::weighted_spread(w, x, 1, shares);
    CHECK(s[0].mean == Approx(3.0).epsilon(1e-15));
    CHECK(s[0].stderr == Approx(std::sqrt(5.0)).epsilon(1e-15));
    // One sample: no spread to measure.
    const std::vector<double> one{1.0}, value{2.0};
    CHECK(std::isnan(dfe::weighted_spread(one, value, 1, dfe::sum_squared_shares(one))[0].stderr));
}
