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
    // ranks_per_sample 1: the cross communicator is the world, and every rank holds its samples whole.
    const Comm& world = layout_.world();
    const int P = world.size(), me = world.rank();
    const std::size_t n = matrix_.dimension();  // N^d
    const std::size_t c = own.count;
    // Columns per piece: the product (n × xb) within the piece size, the same on every rank; the
    // samples go in chunks of kb so that the scaled rows (xb × kb) fit one piece too. Wide pieces
    // keep the products compute-bound: the samples are read n/xb times in all (not once per few
    // columns, which made the product memory-bound when c ≫ n).
    const std::size_t xb = std::clamp<std::size_t>(piece_bytes_ / (sizeof(cplx) * n), 1, n);
    const std::size_t kb = std::clamp<std::size_t>(piece_bytes_ / (sizeof(cplx) * xb), 1, std::max<std::size_t>(c, 1));
    std::vector<cplx> rows(xb * kb), piece(n * xb);
    cplx* columns = matrix_.columns();
    const std::size_t first = layout_.first();
    const double dv = grid_.cell_volume();
    const int nn = static_cast<int>(n), ld = static_cast<int>(std::max<std::ptrdiff_t>(own.stride, 1)),
              ldb = static_cast<int>(xb);
    const cplx one(1.0), zero(0.0);
    for (int q = 0; q < P; ++q) {
        const Share slab = balanced_share(n, P, q);
        for (std::size_t x0 = slab.first; x0 < slab.end(); x0 += xb) {
            const std::size_t w = std::min(xb, slab.end() - x0);
            cplx* target = q == me ? columns + (x0 - slab.first) * n : piece.data();
            const int wi = static_cast<int>(w);
            if (c == 0) std::fill(target, target + n * w, cplx(0.0));
            for (std::size_t j0 = 0; j0 < c; j0 += kb) {
                const std::size_t k = std::min(kb, c - j0);
                // rows(x, j) = w_j dV φ_j(x) for the piece's columns x; Γ(:, x) = Σ_j φ_j conj(rows(x, j)).
                for (std::size_t j = 0; j < k; ++j) {
                    const double a = weights_[first + j0 + j] * dv;
                    const cplx* phi = own.data + static_cast<std::ptrdiff_t>(j0 + j) * own.stride + x0;
                    for (std::size_t x = 0; x < w; ++x) rows[j * xb + x] = a * phi[x];
                }
                const int ki = static_cast<int>(k);
                const cplx beta = j0 == 0 ? zero : one;
                zgemm_("N", "C", &nn, &wi, &ki, &one, own.data + static_cast<std::ptrdiff_t>(j0) * own.stride, &ld,
                       rows.data(), &ldb, &beta, target, &nn, 1, 1);
            }
            const int count = static_cast<int>(2 * n * w);
            if (q == me)
                DFE_MPI(MPI_Reduce(MPI_IN_PLACE, target, count, MPI_DOUBLE, MPI_SUM, q, world.get()));
            else
                DFE_MPI(MPI_Reduce(target, nullptr, count, MPI_DOUBLE, MPI_SUM, q, world.get()));
        }
    }
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
