#include "dfe/reductions/gram.hpp"

#include "dfe/backend/blas.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/weighted_spread.hpp"
#include "dfe/reductions/ring.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

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
    total_weight_ = std::accumulate(weights_.begin(), weights_.end(), 0.0);
    shares_ = sum_squared_shares(weights_);
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

void GramReducer::finish_sampling_error(GramResult& out, const SampleInfluence& v) const
{
    // P̂ = Σ_j w_j off_j / ((Σw)² − Σw²) and the spreads of ĥ and of lambda_max's influence values,
    // over the samples this rank accounts for (every sample once over the world).
    const Comm& world = layout_.world();
    const double W = total_weight_;
    out.purity_estimate = world.sum(v.off_total) / (W * W * (1.0 - shares_));
    out.purity_stderr = 2.0 * weighted_spread(world, v.w, v.h, 1, shares_)[0].stderr;
    out.lambda_max_stderr = weighted_spread(world, v.w, v.x, 1, shares_)[0].stderr;
}

void GramReducer::sampling_error_samples(GramResult& out) const
{
    // Held columns j: Σ_{i≠j} |G_ij|² = w_j Σ_{i≠j} w_i K_ij, K_ij = |⟨φ_i, φ_j⟩|²; every column once over the world.
    const std::vector<double> off = matrix_.off_diagonal_squares();
    const std::size_t first = matrix_.first();
    const TopEigenpair top = matrix_.top_eigenpair(method_);
    out.lambda_max = top.value;
    SampleInfluence v;
    for (std::size_t c = 0; c < off.size(); ++c) {
        const double w = weights_[first + c];
        v.w.push_back(w);
        v.off_total += off[c];
        v.h.push_back(off[c] / (w * (total_weight_ - w)));
        v.x.push_back(top.value * std::norm(top.local[c]) / w);
    }
    finish_sampling_error(out, v);
}

void GramReducer::sampling_error_grid(SampleBlock own, GramResult& out) const
{
    // Own samples j, whole: Σ_i w_i K_ij = dV φ_j† Γ φ_j, less the diagonal term w_j m_j².
    const double dv = grid_.cell_volume();
    const std::vector<double> q = matrix_.quadratic_forms(own.data, own.stride, own.count, piece_bytes_);
    const TopEigenpair top = matrix_.top_eigenpair(method_);
    out.lambda_max = top.value;
    const std::vector<cplx> top_vector = matrix_.gather_entries(top.local);
    const std::size_t n = matrix_.dimension(), first = layout_.first();
    SampleInfluence v;
    for (std::size_t j = 0; j < own.count; ++j) {
        const cplx* phi = own.data + static_cast<std::ptrdiff_t>(j) * own.stride;
        double mass = 0.0;
        cplx overlap(0.0);
        for (std::size_t p = 0; p < n; ++p) {
            mass += std::norm(phi[p]);
            overlap += std::conj(top_vector[p]) * phi[p];
        }
        mass *= dv;
        const double w = weights_[first + j];
        const double off = dv * q[j] - w * mass * mass;  // Σ_{i≠j} w_i K_ij
        v.w.push_back(w);
        v.off_total += w * off;
        v.h.push_back(off / (total_weight_ - w));
        v.x.push_back(dv * std::norm(overlap));
    }
    finish_sampling_error(out, v);
}

GramResult GramReducer::reduce(SampleBlock own, bool sampling_error)
{
    require_logic(own.count == layout_.count(), "GramReducer::reduce: the block is not this group's samples");
    if (form_ == ReductionForm::samples)
        fill_samples(own);
    else
        fill_grid(own);
    GramResult out;
    out.purity = matrix_.frobenius_squared();
    // With the sampling error, the eigensolver is asked for the vector too (and sets lambda_max).
    if (!sampling_error)
        out.lambda_max = matrix_.lambda_max(method_);
    else if (form_ == ReductionForm::samples)
        sampling_error_samples(out);
    else
        sampling_error_grid(own, out);
    return out;
}

}  // namespace dfe
