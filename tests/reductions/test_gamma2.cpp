// γ^(2) on the observation grid (docs/physics.md §5, §6 item 6): admissibility, symmetry, and the factored
// columns against the explicit matrix, on 1 to 4 ranks.
#include "ensemble_fixtures.hpp"
#include "helpers.hpp"

#include "dfe/observables/observables.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <memory>
#include <numeric>

using dfe_test::run_rows;

using dfe_test::mixed_config;
using dfe_test::world;

TEST_CASE("gamma2 on the full grid: admissibility and symmetry at round-off, entries >= 0", "[ensemble][gamma2][mpi]")
{
    auto c = mixed_config();
    c.gamma2_grid = c.N;  // observation grid = simulation grid: ∫γ^(2) dy is exactly Σw_j ρ_j m_j, m_j = 1
    const auto w = world();
    for (const auto& r : run_rows(w, c)) {
        INFO("t = " << r.t);
        REQUIRE(r.v.gamma2);
        // Round-off of sums of 1024 terms of size ≤ 1 times unit masses: 1e-14 is 50 ulps.
        CHECK(r.v.admissibility_residual < 1e-14);
        CHECK(r.v.gamma2->admissibility_residual < 1e-14);
        CHECK(r.v.symmetry_residual < 1e-15);
        CHECK(r.v.gamma2_min >= 0.0);
        // The factored and the explicit evaluation are two computations of the same number.
        CHECK(r.v.gamma2->fact_defect == Approx(r.v.fact_defect).epsilon(1e-10));
    }
}

TEST_CASE("the factored gamma2 columns equal the explicit matrix's on a coarse observation grid", "[ensemble][gamma2][mpi]")
{
    auto c = mixed_config(6);
    c.gamma2_grid = 8;  // subsampled: residuals are quadrature errors now, but both ways must agree
    for (const auto& r : run_rows(world(), c)) {
        REQUIRE(r.v.gamma2);
        // Different summation orders of the same finite sums: 1e-10 relative.
        CHECK(r.v.gamma2->fact_defect == Approx(r.v.fact_defect).epsilon(1e-10));
        CHECK(r.v.gamma2->admissibility_residual == Approx(r.v.admissibility_residual).epsilon(1e-10).margin(1e-15));
        CHECK(r.v.gamma2_min >= 0.0);
    }
}

