// The Gram reduction: lambda_max by SLEPc on the shell matrix against the dense solve, and the shell
// product against the dense matrix, on 1 to 4 ranks.
#include "helpers.hpp"

#include "dfe/observables/observables.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <memory>
#include <numeric>

using dfe_test::run_rows;

namespace {

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

/// A 2D mixed state of M random Gaussians: non-factorized, non-radial, with M ≥ 2 groups' worth.
dfe::RunConfig mixed_config(long count = 5)
{
    auto c = dfe_test::small_config(2);
    c.N = 32;
    c.L = 16.0;
    c.t_end = 0.02;
    c.output_dt = 0.01;
    c.measure.kind = dfe::MeasureKind::random_gaussians;
    c.measure.count = count;
    c.measure.seed = 11;
    c.gamma2_grid = 16;
    c.gamma2_times = "all";
    return c;
}

/// A measure given by explicit fields, for closed-form checks: w_j and f_j(x), normalized on the grid.
class FieldMeasure : public dfe::Measure {
public:
    using Shape = std::function<dfe::cplx(const std::array<double, 3>&)>;
    FieldMeasure(std::vector<double> w, std::vector<Shape> shapes) : w_(std::move(w)), shapes_(std::move(shapes)) {}
    std::size_t size() const override { return w_.size(); }
    std::span<const double> weights() const override { return w_; }
    void fill(const dfe::Grid& grid, std::size_t first, std::span<dfe::cplx* const> fields) const override
    {
        for (std::size_t j = 0; j < fields.size(); ++j) {
            grid.for_each_point([&](std::ptrdiff_t i, std::ptrdiff_t, const std::array<double, 3>& x) {
                fields[j][i] = shapes_[first + j](x);
            });
            dfe::normalize(grid, fields[j]);
        }
    }
    std::string provenance() const override { return "test fields"; }

private:
    std::vector<double> w_;
    std::vector<Shape> shapes_;
};

/// Sample j of another measure, alone (weight 1).
class OneSample : public dfe::Measure {
public:
    OneSample(std::shared_ptr<const dfe::Measure> base, std::size_t j) : base_(std::move(base)), j_(j) {}
    std::size_t size() const override { return 1; }
    std::span<const double> weights() const override { return one_; }
    void fill(const dfe::Grid& grid, std::size_t, std::span<dfe::cplx* const> fields) const override
    {
        base_->fill(grid, j_, fields);
    }
    std::string provenance() const override { return "sample " + std::to_string(j_) + " of " + base_->provenance(); }

private:
    std::shared_ptr<const dfe::Measure> base_;
    std::size_t j_;
    std::vector<double> one_{1.0};
};

}  // namespace

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
