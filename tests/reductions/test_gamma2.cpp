// γ^(2) on the observation grid (docs/physics.md §5, §6 item 6): admissibility, symmetry, and the factored
// columns against the explicit matrix, on 1 to 4 ranks.
#include "ensemble_fixtures.hpp"
#include "helpers.hpp"
#include "random_measure.hpp"

#include "dfe/observables/observables.hpp"
#include "dfe/reductions/gamma2.hpp"
#include "dfe/reductions/plan.hpp"
#include "dfe/core/weighted_spread.hpp"

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

// The two exact forms of fact_defect (plan.hpp) and the admissibility residual from the fields, on
// random measures and every layout of the ranks the test runs on, against the explicit matrix
// (Gamma2::form()), the factor's evaluation and the naive O(n^{2d} M) sums.

using dfe_test::RandomMeasure;
using dfe_test::Spread;

TEST_CASE("fact_defect in both forms equals the explicit matrix's and the naive sum", "[gamma2][forms][mpi]")
{
    const auto w = world();
    for (int d : {1, 2}) {
        for (int g = 1; g <= w.size(); ++g) {
            if (w.size() % g != 0 || (d == 1 && g > 1)) continue;  // 1D grids are serial
            const int groups = w.size() / g;
            const long N = d == 1 ? 16 : 12;  // 12 splits over 4 ranks per sample
            for (std::size_t M : {1, 2, 3, 5, 8, 17, 40}) {
                if (M < static_cast<std::size_t>(groups)) continue;
                const RandomMeasure m(d, N, M, 100 + M);
                const Spread s(w, g, m);
                for (long n : {N, N / 2}) {  // n^d = 16, 8 (1D), 144, 36 (2D): both sides of n^d < M
                    const auto naive = dfe_test::naive_gamma2(m, n);
                    std::vector<dfe::ReductionForm> forms{dfe::ReductionForm::samples};
                    if (g == 1) forms.push_back(dfe::ReductionForm::grid);
                    std::vector<double> defects;
                    // Each form whole and in pieces of 24 bytes (3 reals: the ring's tiles and the grid
                    // form's products cut into one column of 3 samples at a time).
                    for (std::size_t piece : {dfe::reduction_piece_bytes, std::size_t{24}})
                    for (auto form : forms) {
                        INFO("d = " << d << ", ranks per sample " << g << ", M = " << M << ", n = " << n << ", form "
                                    << dfe::form_name(form) << ", pieces of " << piece << " bytes");
                        dfe::ReductionPlan plan;
                        plan.gamma2 = form;
                        plan.piece_bytes = piece;
                        dfe::Gamma2 gamma2(s.layout, s.grid, n, m.w, plan);
                        const auto v = gamma2.diagnostics(s.samples());
                        if (M == 1) {
                            // δ = ρ − 1·ρ = 0 exactly: nothing to square.
                            CHECK(v.fact_defect == 0.0);
                        } else {
                            // The naive sum squares γ^(2) − γ^(1)γ^(1) (entries ~1, differences ~0.1):
                            // a few ulps of the entries, relative to the defect, well below 1e-12.
                            CHECK(v.fact_defect == Approx(naive.fact_defect).epsilon(1e-12));
                        }
                        // Sums of n^d terms ~1 minus a number ~1 (random fields: the residual is ~1).
                        CHECK(v.admissibility_residual == Approx(naive.admissibility_residual).epsilon(1e-12).margin(1e-14));
                        const auto e = gamma2.form(s.pointers());  // loads the factor, forms γ^(2)
                        // The explicit matrix's defect subtracts γ^(1)⊗γ^(1) from γ^(2) entrywise: round-off of
                        // the entries (~1e-16) against a defect that is 0 for M = 1.
                        CHECK(e.fact_defect == Approx(v.fact_defect).epsilon(1e-12).margin(1e-14));
                        CHECK(e.admissibility_residual == Approx(v.admissibility_residual).epsilon(1e-12).margin(1e-14));
                        const auto f = gamma2.from_factor();
                        CHECK(f.fact_defect == Approx(v.fact_defect).epsilon(1e-13).margin(1e-300));
                        CHECK(f.admissibility_residual == Approx(v.admissibility_residual).epsilon(1e-12).margin(1e-14));
                        defects.push_back(v.fact_defect);
                    }
                    // The two forms: both sums of the same non-negative squares, in other orders.
                    for (double v : defects) CHECK(v == Approx(defects[0]).epsilon(1e-13).margin(1e-300));
                }
            }
        }
    }
}

TEST_CASE("the sampling error of fact_defect equals its formula in both forms", "[gamma2][spread][mpi]")
{
    // The influence values dV a_j/√S, a_j = Σ_i w_i (δ_i·δ_j)², S = Σ_j w_j a_j (docs/physics.md §12),
    // from the fields at the observation points, against both forms (sample: the ring's tiles; grid:
    // C's columns passed around the ring), whole and in pieces of 24 bytes.
    const auto w = world();
    for (int d : {1, 2}) {
        for (int g = 1; g <= w.size(); ++g) {
            if (w.size() % g != 0 || (d == 1 && g > 1)) continue;
            const long N = d == 1 ? 16 : 12, n = N / 2;
            for (std::size_t M : {std::size_t{5}, std::size_t{40}}) {
                if (M < static_cast<std::size_t>(w.size() / g)) continue;
                const RandomMeasure m(d, N, M, 300 + M);
                // δ_j at the observation points (every N/n-th grid point, C order).
                std::size_t total = 1;
                for (int a = 0; a < d; ++a) total *= static_cast<std::size_t>(n);
                std::vector<double> delta(total * M), g1(total, 0.0);
                for (std::size_t o = 0; o < total; ++o) {
                    std::size_t rest = o, x = 0, scale = 1;
                    for (int a = 0; a < d; ++a) {
                        x += (rest % static_cast<std::size_t>(n)) * static_cast<std::size_t>(N / n) * scale;
                        rest /= static_cast<std::size_t>(n);
                        scale *= static_cast<std::size_t>(N);
                    }
                    for (std::size_t j = 0; j < M; ++j) delta[j * total + o] = std::norm(m.value(j, x));
                }
                for (std::size_t j = 0; j < M; ++j)
                    for (std::size_t o = 0; o < total; ++o) g1[o] += m.w[j] * delta[j * total + o];
                for (std::size_t j = 0; j < M; ++j)
                    for (std::size_t o = 0; o < total; ++o) delta[j * total + o] -= g1[o];
                std::vector<double> a(M, 0.0);
                double S = 0.0;
                for (std::size_t j = 0; j < M; ++j) {
                    for (std::size_t i = 0; i < M; ++i) {
                        double dot = 0.0;
                        for (std::size_t o = 0; o < total; ++o) dot += delta[i * total + o] * delta[j * total + o];
                        a[j] += m.w[i] * dot * dot;
                    }
                    S += m.w[j] * a[j];
                }
                const double dv = std::pow(m.L / static_cast<double>(n), d);
                for (double& v : a) v *= dv / std::sqrt(S);
                const double expected = dfe::weighted_spread(m.w, a, 1, dfe::sum_squared_shares(m.w))[0].stderr;
                const Spread s(w, g, m);
                std::vector<dfe::ReductionForm> forms{dfe::ReductionForm::samples};
                if (g == 1) forms.push_back(dfe::ReductionForm::grid);
                for (std::size_t piece : {dfe::reduction_piece_bytes, std::size_t{24}})
                for (auto form : forms) {
                    INFO("d = " << d << ", ranks per sample " << g << ", M = " << M << ", form " << dfe::form_name(form)
                                << ", pieces of " << piece << " bytes");
                    dfe::ReductionPlan plan;
                    plan.gamma2 = form;
                    plan.piece_bytes = piece;
                    dfe::Gamma2 gamma2(s.layout, s.grid, n, m.w, plan);
                    const auto v = gamma2.diagnostics(s.samples(), true);
                    // Sums of squares of products of n^d ≤ 36 terms in other orders: a few ulps each;
                    // the spread subtracts a mean from values that differ by O(1): 1e-11 relative.
                    CHECK(v.fact_defect_stderr == Approx(expected).epsilon(1e-11));
                    CHECK(std::isnan(gamma2.diagnostics(s.samples()).fact_defect_stderr));
                }
            }
        }
    }
}
