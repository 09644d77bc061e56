// The Gram reduction: lambda_max by SLEPc on the shell matrix against the dense solve, the shell
// product against the held matrix, and the two forms of plan.hpp against naive sums, on 1 to 4 ranks.
#include "ensemble_fixtures.hpp"
#include "helpers.hpp"
#include "random_measure.hpp"

#include "dfe/observables/observables.hpp"
#include "dfe/reductions/plan.hpp"
#include "dfe/core/weighted_spread.hpp"
#include "dfe/backend/blas.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <memory>
#include <numeric>

using dfe_test::run_rows;

using dfe_test::mixed_config;
using dfe_test::world;

TEST_CASE("iterative lambda_max (SLEPc, shell matrix) equals the dense one", "[ensemble][gram][mpi]")
{
    const auto w = world();
    auto c = mixed_config(9);
    c.gamma2_times = "none";
    c.eigensolver = "dense";
    const auto dense = run_rows(w, c);
    c.eigensolver = "iterative";
    const auto iterative = run_rows(w, c);
    REQUIRE(dense.size() == iterative.size());
    for (std::size_t r = 0; r < dense.size(); ++r) {
        // Krylov–Schur to a relative residual of 1e-13; the eigenvalue error is quadratic in it.
        CHECK(iterative[r].v.lambda_max == Approx(dense[r].v.lambda_max).epsilon(1e-10));
        CHECK(iterative[r].v.purity == Approx(dense[r].v.purity).epsilon(1e-12));
        CHECK(dense[r].v.lambda_max < 1.0);
        CHECK(dense[r].v.purity < 1.0);
    }
}

TEST_CASE("the shell product G x equals the dense Gram matrix times x", "[ensemble][gram][mpi]")
{
    // The operator SLEPc iterates on, (G x)_i = √w_i ⟨φ_i, Σ_j √w_j x_j φ_j⟩, against the matrix the
    // ring pass assembles: two independent computations of the same M×M Hermitian product.
    const auto w = world();
    auto c = mixed_config(7);
    c.gamma2_times = "none";
    c.eigensolver = "dense";
    dfe::Ensemble e(w, c, dfe::make_builtin_measure(c.measure, c.d));
    (void)e.gram().reduce(e.sample_block());
    const auto g = e.gram().gather_matrix();  // the held columns, gathered (tests only)
    const std::size_t M = e.layout().samples();
    REQUIRE(g.size() == M * M);
    std::vector<dfe::cplx> x(M);
    for (std::size_t j = 0; j < M; ++j) x[j] = dfe::cplx(std::cos(1.0 + j), std::sin(0.3 * j));
    const auto y = e.gram().apply(x);
    for (std::size_t i = 0; i < M; ++i) {
        dfe::cplx expected(0.0);
        for (std::size_t j = 0; j < M; ++j) expected += g[j * M + i] * x[j];
        // Sums of M terms of size ≤ 1 in another order: 1e-13.
        CHECK(std::abs(y[i] - expected) < 1e-13);
        // Hermitian: G_ij = conj(G_ji), and G_ii = w_i (unit norms).
        for (std::size_t j = 0; j < M; ++j) CHECK(std::abs(g[j * M + i] - std::conj(g[i * M + j])) < 1e-15);
        CHECK(g[i * M + i].real() == Approx(e.measure().weights()[i]).epsilon(1e-13));
    }
}

// The two exact forms of the γ^(1) reduction (plan.hpp) on random measures, against a naive dense
// Gram matrix and LAPACK, for every layout of the ranks the test runs on: one group (G = 1), odd and
// even numbers of groups (the pair at distance G/2 split), ranks_per_sample > 1 (slabs).

namespace {

using dfe_test::RandomMeasure;
using dfe_test::Spread;

struct FormCase {
    dfe::ReductionForm form;
    dfe::EigenMethod eigen;
    std::size_t piece_bytes = dfe::reduction_piece_bytes;
};

}  // namespace

TEST_CASE("the sample and grid forms give the naive purity and lambda_max", "[gram][forms][mpi]")
{
    const auto w = world();
    for (int d : {1, 2}) {
        for (int g = 1; g <= w.size(); ++g) {
            if (w.size() % g != 0 || (d == 1 && g > 1)) continue;  // 1D grids are serial
            const int groups = w.size() / g;
            for (std::size_t M : {1, 2, 3, 5, 8, 17, 40}) {
                if (M < static_cast<std::size_t>(groups)) continue;
                // N^d = 16 (1D) or 144 (2D): both sides of N^d < M. (N = 12 splits over 4 ranks per sample.)
                const RandomMeasure m(d, d == 1 ? 16 : 12, M, 7 + M);
                const auto gram = dfe_test::naive_gram(m);
                double purity = 0.0;
                for (const auto& v : gram) purity += std::norm(v);
                const double lambda = dfe_test::largest_eigenvalue(gram, M);
                const Spread s(w, g, m);
                std::vector<FormCase> cases{{dfe::ReductionForm::samples, dfe::EigenMethod::dense},
                                            {dfe::ReductionForm::samples, dfe::EigenMethod::iterative}};
                if (g == 1) {
                    cases.push_back({dfe::ReductionForm::grid, dfe::EigenMethod::dense});
                    cases.push_back({dfe::ReductionForm::grid, dfe::EigenMethod::iterative});
                }
                // Pieces of 48 bytes: the ring's tiles, the mirror messages and the grid form's
                // products cut into 3 complex numbers at a time (one column, 3 samples per chunk).
                const std::size_t whole = cases.size();
                for (std::size_t i = 0; i < whole; ++i) cases.push_back({cases[i].form, cases[i].eigen, 48});
                std::vector<dfe::GramResult> results;
                for (const FormCase& f : cases) {
                    INFO("d = " << d << ", ranks per sample " << g << ", M = " << M << ", form "
                                << dfe::form_name(f.form) << ", " << (f.eigen == dfe::EigenMethod::dense ? "dense" : "iterative")
                                << ", pieces of " << f.piece_bytes << " bytes");
                    dfe::ReductionPlan plan;
                    plan.gamma1 = f.form;
                    plan.eigen = f.eigen;
                    plan.piece_bytes = f.piece_bytes;
                    dfe::GramReducer reducer(s.layout, s.grid, m.w, plan);
                    const auto r = reducer.reduce(s.samples());
                    // purity: a sum of M² squares of inner products of N^d ≤ 144 terms, in other orders
                    // (BLAS blocking, ring tiles, the grid's N^{2d} entries): each entry carries a few
                    // ulps, the sum ~1e-15 relative; 1e-13 leaves room.
                    CHECK(r.purity == Approx(purity).epsilon(1e-13));
                    // lambda_max: zheev is backward stable (error ~ dimension · eps · ‖G‖), Krylov–Schur
                    // stops at a relative residual of 1e-13, and the eigenvalue error of a symmetric
                    // operator is quadratic in the residual: 1e-12 relative covers both.
                    CHECK(r.lambda_max == Approx(lambda).epsilon(1e-12));
                    results.push_back(r);
                    if (f.form == dfe::ReductionForm::samples && f.eigen == dfe::EigenMethod::dense) {
                        // The held columns, exchanged mirrors included, are the naive matrix.
                        const auto held = reducer.gather_matrix();
                        REQUIRE(held.size() == M * M);
                        double worst = 0.0, largest = 0.0;
                        for (std::size_t e = 0; e < M * M; ++e) {
                            worst = std::max(worst, std::abs(held[e] - gram[e]));
                            largest = std::max(largest, std::abs(gram[e]));
                        }
                        CHECK(worst < 1e-14 * largest);  // sums of ≤ 144 products in other orders: a few ulps
                    }
                }
                // The forms against each other: the same numbers to round-off.
                for (const auto& r : results) {
                    CHECK(r.purity == Approx(results[0].purity).epsilon(1e-13));
                    CHECK(r.lambda_max == Approx(results[0].lambda_max).epsilon(1e-12));
                }
            }
        }
    }
}

TEST_CASE("the grid form holds gamma1(x, x') itself", "[gram][forms][mpi]")
{
    // Γ(x, x') = Σ_j w_j dV φ_j(x) conj φ_j(x'), gathered, against the sum written out.
    const auto w = world();
    const RandomMeasure m(1, 16, 2 * static_cast<std::size_t>(w.size()) + 1, 3);
    const Spread s(w, 1, m);
    dfe::ReductionPlan plan;
    plan.gamma1 = dfe::ReductionForm::grid;
    dfe::GramReducer reducer(s.layout, s.grid, m.w, plan);
    (void)reducer.reduce(s.samples());
    REQUIRE(reducer.dimension() == 16);
    const auto gamma = reducer.gather_matrix();
    double worst = 0.0, largest = 0.0;
    for (std::size_t x = 0; x < 16; ++x)
        for (std::size_t y = 0; y < 16; ++y) {
            dfe::cplx v(0.0);
            for (std::size_t j = 0; j < m.M; ++j) v += m.w[j] * m.cell_volume() * m.value(j, y) * std::conj(m.value(j, x));
            worst = std::max(worst, std::abs(gamma[x * 16 + y] - v));
            largest = std::max(largest, std::abs(v));
        }
    CHECK(worst < 1e-14 * largest);  // sums of 2P + 1 products in another order
    std::vector<dfe::cplx> x(16);
    for (std::size_t i = 0; i < 16; ++i) x[i] = dfe::cplx(std::cos(0.7 * i), std::sin(1.0 + i));
    const auto y = reducer.apply(x);
    for (std::size_t i = 0; i < 16; ++i) {
        dfe::cplx expected(0.0);
        for (std::size_t j = 0; j < 16; ++j) expected += gamma[j * 16 + i] * x[j];
        CHECK(std::abs(y[i] - expected) < 1e-14 * 16 * largest);
    }
}

TEST_CASE("the sampling errors of purity and lambda_max equal their formulas in every form", "[gram][spread][mpi]")
{
    // From the naive Gram matrix (docs/physics.md §12): the U-statistic Σ_{i≠j} |G_ij|² / (1 − Σw²),
    // its SE 2·SE(ĥ), ĥ_j = Σ_{i≠j} |G_ij|² / (w_j (1 − w_j)), and lambda_max's SE from λ|u_j|²/w_j.
    const auto w = world();
    for (int d : {1, 2}) {
        for (int g = 1; g <= w.size(); ++g) {
            if (w.size() % g != 0 || (d == 1 && g > 1)) continue;
            for (std::size_t M : {std::size_t{4}, std::size_t{23}}) {
                if (M < static_cast<std::size_t>(w.size() / g)) continue;
                const RandomMeasure m(d, d == 1 ? 16 : 12, M, 40 + M);
                auto gram = dfe_test::naive_gram(m);
                double off_total = 0.0;
                std::vector<double> h(M), x(M);
                for (std::size_t j = 0; j < M; ++j) {
                    double off = 0.0;
                    for (std::size_t i = 0; i < M; ++i)
                        if (i != j) off += std::norm(gram[j * M + i]);
                    off_total += off;
                    h[j] = off / (m.w[j] * (1.0 - m.w[j]));
                }
                const double shares = dfe::sum_squared_shares(m.w);
                // The top eigenvector, by zheev with vectors.
                const int n = static_cast<int>(M);
                std::vector<double> e(M), rwork(3 * M);
                std::vector<dfe::cplx> work(64 * M);
                int info = 0, lwork = static_cast<int>(work.size());
                zheev_("V", "U", &n, gram.data(), &n, e.data(), work.data(), &lwork, rwork.data(), &info, 1, 1);
                REQUIRE(info == 0);
                for (std::size_t j = 0; j < M; ++j) x[j] = e.back() * std::norm(gram[(M - 1) * M + j]) / m.w[j];
                const double u = off_total / (1.0 - shares);
                const double purity_se = 2.0 * dfe::weighted_spread(m.w, h, 1, shares)[0].stderr;
                const double lambda_se = dfe::weighted_spread(m.w, x, 1, shares)[0].stderr;
                const Spread s(w, g, m);
                std::vector<FormCase> cases{{dfe::ReductionForm::samples, dfe::EigenMethod::dense},
                                            {dfe::ReductionForm::samples, dfe::EigenMethod::iterative}};
                if (g == 1) {
                    cases.push_back({dfe::ReductionForm::grid, dfe::EigenMethod::dense});
                    cases.push_back({dfe::ReductionForm::grid, dfe::EigenMethod::iterative, 48});
                }
                for (const FormCase& f : cases) {
                    INFO("d = " << d << ", ranks per sample " << g << ", M = " << M << ", form " << dfe::form_name(f.form)
                                << (f.eigen == dfe::EigenMethod::dense ? ", dense" : ", iterative"));
                    dfe::ReductionPlan plan;
                    plan.gamma1 = f.form;
                    plan.eigen = f.eigen;
                    plan.piece_bytes = f.piece_bytes;
                    dfe::GramReducer reducer(s.layout, s.grid, m.w, plan);
                    const auto r = reducer.reduce(s.samples(), true);
                    // Sums of squares of inner products as in the purity test (1e-13); the grid form's
                    // subtracts the diagonal w_j m_j² from Σ_i w_i K_ij, here a term of the same size
                    // (random fields are far from orthogonal): 1e-12.
                    CHECK(r.purity_estimate == Approx(u).epsilon(1e-12));
                    CHECK(r.purity_stderr == Approx(purity_se).epsilon(1e-10));
                    // The eigenvector's entries carry the eigensolver's accuracy (Krylov–Schur to 1e-13
                    // relative residual: the vector to ~1e-13 / gap); 1e-8 relative on a spread of them.
                    CHECK(r.lambda_max_stderr == Approx(lambda_se).epsilon(1e-8));
                    CHECK(r.lambda_max == Approx(e.back()).epsilon(1e-12));
                }
            }
        }
    }
}
