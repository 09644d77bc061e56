// The Gram reduction: lambda_max by SLEPc on the shell matrix against the dense solve, and the shell
// product against the dense matrix, on 1 to 4 ranks.
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
    const auto& g = e.gram().dense_matrix();
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
