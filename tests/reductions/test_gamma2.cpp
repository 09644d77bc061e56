// γ^(2) on the observation grid (docs/physics.md §5, §6 item 6): admissibility, symmetry, and the factored
// columns against the explicit matrix, on 1 to 4 ranks.
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

