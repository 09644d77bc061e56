#pragma once
// Fixtures shared by the ensemble and reduction tests: a 2D mixed state, and measures given by
// explicit fields or by one sample of another measure.
#include "helpers.hpp"

#include "dfe/spectral/field.hpp"

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

namespace dfe_test {

/// A 2D mixed state of M random Gaussians: non-factorized, non-radial, with M ≥ 2 groups' worth.
inline dfe::RunConfig mixed_config(long count = 5)
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

}  // namespace dfe_test
