#include "dfe/reductions/gram.hpp"

#include "dfe/backend/blas.hpp"
#include "dfe/core/error.hpp"
#include "dfe/reductions/ring.hpp"

#include <algorithm>
#include <cmath>

namespace dfe {

namespace {

std::size_t grid_points(const Grid& grid)
{
    std::size_t n = 1;
    for (int a = 0; a < grid.d(); ++a) n *= static_cast<std::size_t>(grid.N());
    return n;
}

/// Every rank's columns of the held matrix, in world-rank order.
std::vector<Share> slabs_of(const GroupLayout& layout, const Grid& grid, ReductionForm form)
{
    const int P = layout.world().size(), g = layout.ranks_per_sample(), G = layout.groups();
    std::vector<Share> slabs;
    for (int r = 0; r < P; ++r)
        slabs.push_back(form == ReductionForm::samples ? column_share(layout.samples(), G, g, r / g, r % g)
                                                       : balanced_share(grid_points(grid), P, r));
    return slabs;
}

ReductionForm checked_form(const GroupLayout& layout, ReductionForm form)
{
    require(form == ReductionForm::samples || layout.ranks_per_sample() == 1,
            "the grid form of gamma1 needs --ranks-per-sample 1 (a rank must hold its samples whole)");
    return form;
}

}  // namespace

GramReducer::GramReducer(const GroupLayout& layout, const Grid& grid, std::span<const double> weights,
                         const ReductionPlan& plan)
    : layout_(layout), grid_(grid), weights_(weights.begin(), weights.end()), form_(checked_form(layout, plan.gamma1)),
      method_(plan.eigen), piece_bytes_(plan.piece_bytes),
      matrix_(layout.world(), form_ == ReductionForm::samples ? layout.samples() : grid_points(grid),
              slabs_of(layout, grid, form_))
{
    for (double w : weights_) scale_.push_back(std::sqrt(w * grid.cell_volume()));
}

namespace {
ReductionPlan sample_plan(EigenMethod method)
{
    ReductionPlan p;
    p.gamma1 = p.gamma2 = ReductionForm::samples;
    p.eigen = method;
    return p;
}
}  // namespace

GramReducer::GramReducer(const GroupLayout& layout, const Grid& grid, std::span<const double> weights, EigenMethod method)
    : GramReducer(layout, grid, weights, sample_plan(method))
{
}

void GramReducer::fill_samples(SampleBlock own)
{
    const std::size_t M = layout_.samples();
    cplx* columns = matrix_.columns();
    const std::size_t first = matrix_.first();
    // Tile value (j, i) = ⟨φ_j, φ_i⟩ = G_ji / (s_j s_i): stored at row j of column i, scaled.
    ring_pass<cplx>(layout_, own.data, std::max<std::ptrdiff_t>(own.stride, 1), grid_.local_points(),
                    [&](const RingTile& t, Share mine, const cplx* values) {
                        for (std::size_t c = 0; c < mine.count; ++c) {
                            const std::size_t i = mine.first + c;
                            const double si = scale_[i];
                            cplx* column = columns + (i - first) * M + t.rows.first;
                            const cplx* v = values + c * t.rows.count;
                            for (std::size_t r = 0; r < t.rows.count; ++r) column[r] = v[r] * (si * scale_[t.rows.first + r]);
                        }
                    },
                    piece_bytes_);
    exchange_mirrors<cplx>(layout_, columns, piece_bytes_);
}

void GramReducer::fill_grid(SampleBlock own)
{
    // Γ(:, x) = Σ_j (w_j dV) φ_j conj φ_j(x), straight into the held columns.
    const std::size_t first = layout_.first();
    const double dv = grid_.cell_volume();
    std::vector<double> scale(own.count);
    for (std::size_t j = 0; j < own.count; ++j) scale[j] = weights_[first + j] * dv;
    cplx* columns = matrix_.columns();
    const std::size_t n = matrix_.dimension();  // N^d
    grid_pass<cplx>(
        layout_.world(), own.data, own.stride, n, own.count, scale,
        [&](std::size_t offset, std::size_t) { return columns + offset * n; }, [](std::size_t, std::size_t, const cplx*) {},
        piece_bytes_);
}

GramResult GramReducer::reduce(SampleBlock own)
{
    require_logic(own.count == layout_.count(), "GramReducer::reduce: the block is not this group's samples");
    if (form_ == ReductionForm::samples)
        fill_samples(own);
    else
        fill_grid(own);
    GramResult out;
    out.purity = matrix_.frobenius_squared();
    out.lambda_max = matrix_.lambda_max(method_);
    return out;
}

}  // namespace dfe
