#include "dfe/reductions/gamma2.hpp"

#include "dfe/core/weighted_spread.hpp"

#include "dfe/backend/blas.hpp"
#include "dfe/core/compensated_sum.hpp"
#include "dfe/core/error.hpp"
#include "dfe/reductions/ring.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dfe {

Gamma2::Gamma2(const GroupLayout& layout, const Grid& grid, long n, std::span<const double> weights)
    : Gamma2(layout, grid, n, weights, ReductionPlan{})
{
}

Gamma2::Gamma2(const GroupLayout& layout, const Grid& grid, long n, std::span<const double> weights, const ReductionPlan& plan)
    : layout_(layout), grid_(grid), n_(n), weights_(weights.begin(), weights.end()), shares_(sum_squared_shares(weights)),
      form_(plan.gamma2), piece_bytes_(plan.piece_bytes)
{
    require(form_ == ReductionForm::samples || layout.ranks_per_sample() == 1,
            "the grid form of fact_defect needs --ranks-per-sample 1 (a rank must hold its samples whole)");
    const long N = static_cast<long>(grid.N());
    require(n >= 2 && n <= N && N % n == 0, "--gamma2-grid " + std::to_string(n) +
                                                " must be between 2 and N = " + std::to_string(N) +
                                                " and divide N (the observation grid subsamples the grid)");
    stride_ = N / n;
    total_ = 1;
    for (int a = 0; a < grid.d(); ++a) total_ *= n;
    dv_ = std::pow(grid.L() / static_cast<double>(n), grid.d());

    // The observation points inside this rank's slab, in physical-layout order.
    const auto& axes = grid.physical().axes;
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const auto&) {
        std::array<long, 3> index{0, 0, 0};
        std::ptrdiff_t rest = ic;
        for (int a = 2; a >= 0; --a) {
            const auto extent = axes[static_cast<std::size_t>(a)].n;
            index[static_cast<std::size_t>(a)] = static_cast<long>(rest % extent + axes[static_cast<std::size_t>(a)].start);
            rest /= extent;
        }
        long obs = 0;
        for (int a = 0; a < grid.d(); ++a) {
            const long i = index[static_cast<std::size_t>(a)];
            if (i % stride_ != 0) return;
            obs = obs * n_ + i / stride_;
        }
        local_obs_.push_back(static_cast<PetscInt>(obs));
        local_at_.push_back(ic);
    });
}

void Gamma2::load(std::span<const cplx* const> fields)
{
    if (!factor_) {
        // Only runs that form the explicit γ^(2) hold the factor (n^d × M over the world).
        Mat raw = nullptr;
        DFE_PETSC(MatCreateDense(layout_.world().get(), PETSC_DECIDE, PETSC_DECIDE, static_cast<PetscInt>(total_),
                                 static_cast<PetscInt>(layout_.samples()), nullptr, &raw));
        factor_.reset(raw);
        DFE_PETSC(MatAssemblyBegin(factor_.get(), MAT_FINAL_ASSEMBLY));
        DFE_PETSC(MatAssemblyEnd(factor_.get(), MAT_FINAL_ASSEMBLY));
    }
    // Each value ρ_j(x) goes straight to the rank that owns row x of R: one all-to-all over the
    // world, written into the local rows in place (no PETSc value stash).
    const Comm& world = layout_.world();
    const PetscInt* ranges = nullptr;
    DFE_PETSC(MatGetOwnershipRanges(factor_.get(), &ranges));
    struct Entry {
        PetscInt row;
        PetscInt column;
        double value;
    };
    const int P = world.size();
    std::vector<int> send_count(static_cast<std::size_t>(P), 0), recv_count(static_cast<std::size_t>(P), 0);
    auto owner = [&](PetscInt row) {
        return static_cast<int>(std::upper_bound(ranges, ranges + P + 1, row) - ranges) - 1;
    };
    std::vector<int> dest(local_obs_.size());
    for (std::size_t p = 0; p < local_obs_.size(); ++p) {
        dest[p] = owner(local_obs_[p]);
        send_count[static_cast<std::size_t>(dest[p])] += static_cast<int>(fields.size());
    }
    std::vector<int> send_offset(static_cast<std::size_t>(P) + 1, 0), recv_offset(static_cast<std::size_t>(P) + 1, 0);
    for (int q = 0; q < P; ++q) send_offset[static_cast<std::size_t>(q) + 1] = send_offset[static_cast<std::size_t>(q)] + send_count[static_cast<std::size_t>(q)];
    std::vector<Entry> outgoing(static_cast<std::size_t>(send_offset.back()));
    std::vector<int> fill(send_offset.begin(), send_offset.end() - 1);
    for (std::size_t p = 0; p < local_obs_.size(); ++p)
        for (std::size_t j = 0; j < fields.size(); ++j)
            outgoing[static_cast<std::size_t>(fill[static_cast<std::size_t>(dest[p])]++)] =
                Entry{local_obs_[p], static_cast<PetscInt>(layout_.first() + j), std::norm(fields[j][local_at_[p]])};
    DFE_MPI(MPI_Alltoall(send_count.data(), 1, MPI_INT, recv_count.data(), 1, MPI_INT, world.get()));
    for (int q = 0; q < P; ++q) recv_offset[static_cast<std::size_t>(q) + 1] = recv_offset[static_cast<std::size_t>(q)] + recv_count[static_cast<std::size_t>(q)];
    std::vector<Entry> incoming(static_cast<std::size_t>(recv_offset.back()));
    MPI_Datatype entry_type = MPI_DATATYPE_NULL;
    DFE_MPI(MPI_Type_contiguous(static_cast<int>(sizeof(Entry)), MPI_BYTE, &entry_type));
    DFE_MPI(MPI_Type_commit(&entry_type));
    const int status = MPI_Alltoallv(outgoing.data(), send_count.data(), send_offset.data(), entry_type, incoming.data(),
                                     recv_count.data(), recv_offset.data(), entry_type, world.get());
    MPI_Type_free(&entry_type);
    DFE_MPI(status);

    PetscScalar* a = nullptr;
    PetscInt lda = 0, start = 0, end = 0;
    DFE_PETSC(MatGetOwnershipRange(factor_.get(), &start, &end));
    DFE_PETSC(MatDenseGetLDA(factor_.get(), &lda));
    DFE_PETSC(MatDenseGetArrayWrite(factor_.get(), &a));
    for (const Entry& e : incoming) a[(e.row - start) + e.column * lda] = e.value;
    DFE_PETSC(MatDenseRestoreArrayWrite(factor_.get(), &a));
}

namespace {

/// Read access to the local rows of a dense matrix, column-major with leading dimension lda.
struct LocalRows {
    const PetscScalar* data = nullptr;
    PetscInt lda = 0, start = 0, count = 0, columns = 0;
    Mat mat = nullptr;
    explicit LocalRows(Mat m) : mat(m)
    {
        PetscInt end = 0;
        DFE_PETSC(MatGetOwnershipRange(m, &start, &end));
        count = end - start;
        PetscInt rows = 0;
        DFE_PETSC(MatGetSize(m, &rows, &columns));
        DFE_PETSC(MatDenseGetLDA(m, &lda));
        DFE_PETSC(MatDenseGetArrayRead(m, &data));
    }
    ~LocalRows() { MatDenseRestoreArrayRead(mat, &data); }
    LocalRows(const LocalRows&) = delete;
    LocalRows& operator=(const LocalRows&) = delete;
    [[nodiscard]] double at(PetscInt i, PetscInt j) const { return data[i + j * lda]; }
};

}  // namespace

Gamma2::FactorValues Gamma2::diagnostics(SampleBlock own, bool sampling_error) const
{
    require_logic(own.count == layout_.count(), "Gamma2::diagnostics: the block is not this group's samples");
    const Comm& world = layout_.world();
    const std::size_t points = local_at_.size(), c = own.count, first = layout_.first();
    const std::size_t ld = std::max<std::size_t>(points, 1);
    // ρ_j at this rank's observation points: column j of `delta` (δ once γ^(1) is subtracted).
    std::vector<double> delta(ld * c), g(points, 0.0), integral(points, 0.0), mass(c, 0.0);
    for (std::size_t j = 0; j < c; ++j) {
        const cplx* phi = own.data + static_cast<std::ptrdiff_t>(j) * own.stride;
        double* rho = delta.data() + j * ld;
        for (std::size_t p = 0; p < points; ++p) rho[p] = std::norm(phi[local_at_[p]]);
    }
    // γ^(1)(x,x) = Σ_j w_j ρ_j(x): the group's samples here, the others' over the cross communicator.
    for (std::size_t j = 0; j < c; ++j) {
        const double w = weights_[first + j];
        const double* rho = delta.data() + j * ld;
        for (std::size_t p = 0; p < points; ++p) g[p] += w * rho[p];
    }
    layout_.cross().sum_in_place(g);
    // m_j = dV Σ_y ρ_j(y): this slab's points, summed over the group's slabs.
    for (std::size_t j = 0; j < c; ++j) {
        const double* rho = delta.data() + j * ld;
        for (std::size_t p = 0; p < points; ++p) mass[j] += rho[p];
    }
    layout_.group().sum_in_place(mass);
    for (double& m : mass) m *= dv_;
    // ∫ γ^(2)(x,y,x,y) dy = Σ_j w_j ρ_j(x) m_j at this slab's points, summed over the groups.
    for (std::size_t j = 0; j < c; ++j) {
        const double a = weights_[first + j] * mass[j];
        const double* rho = delta.data() + j * ld;
        for (std::size_t p = 0; p < points; ++p) integral[p] += a * rho[p];
    }
    layout_.cross().sum_in_place(integral);
    double admissibility = 0.0;
    for (std::size_t p = 0; p < points; ++p) admissibility = std::max(admissibility, std::abs(integral[p] - g[p]));
    for (std::size_t j = 0; j < c; ++j) {
        double* d = delta.data() + j * ld;
        for (std::size_t p = 0; p < points; ++p) d[p] -= g[p];
    }
    // fact_defect² / dV²: a sum of squares in either form (no cancellation; 0 for M = 1, where δ = 0).
    // With the sampling error: a_j from the tiles (sample form) or from C's columns (grid form).
    const bool samples = form_ == ReductionForm::samples;
    std::vector<double> rows(sampling_error && samples ? weights_.size() : 0, 0.0), held;
    const double squares = samples ? squares_samples(delta, ld, sampling_error ? &rows : nullptr)
                                   : squares_grid(delta, ld, sampling_error ? &held : nullptr);
    FactorValues out;
    const double S = world.sum(squares);
    out.fact_defect = dv_ * std::sqrt(S);
    out.admissibility_residual = world.max(admissibility);
    if (sampling_error && samples && S > 0.0) {
        // Every rank has every a_j after the sum: the spread of the influence values is local.
        world.sum_in_place(rows);
        for (double& a : rows) a *= dv_ / std::sqrt(S);
        out.fact_defect_stderr = weighted_spread(weights_, rows, 1, shares_)[0].stderr;
    } else if (sampling_error && S > 0.0) {
        // ranks_per_sample 1: a_j = δ_jᵀ C δ_j for this rank's samples, C's column slabs around the ring.
        const std::size_t n = local_at_.size();
        std::vector<Share> slabs;
        for (int r = 0; r < world.size(); ++r) slabs.push_back(balanced_share(n, world.size(), r));
        std::vector<double> a = ring_quadratic_forms<double>(world, slabs, n, held.data(), delta.data(),
                                                             static_cast<std::ptrdiff_t>(ld), c, piece_bytes_);
        for (double& v : a) v *= dv_ / std::sqrt(S);
        const std::span<const double> w(weights_.data() + first, c);
        out.fact_defect_stderr = weighted_spread(world, w, a, 1, shares_)[0].stderr;
    }
    return out;
}

double Gamma2::squares_samples(const std::vector<double>& delta, std::size_t ld, std::vector<double>* rows) const
{
    // Tile (j, i) = δ_j·δ_i over the slab's observation points, completed over the group; a mirrored
    // tile stands for its transpose too.
    // Up to M²/P terms: compensated, so that the sum keeps the accuracy of its terms.
    CompensatedSum sum;
    ring_pass<double>(layout_, delta.data(), static_cast<std::ptrdiff_t>(ld), static_cast<std::ptrdiff_t>(local_at_.size()),
                      [&](const RingTile& t, Share mine, const double* values) {
                          const double f = t.mirror ? 2.0 : 1.0;
                          for (std::size_t c = 0; c < mine.count; ++c) {
                              const double wi = f * weights_[mine.first + c];
                              const double* v = values + c * t.rows.count;
                              for (std::size_t r = 0; r < t.rows.count; ++r)
                                  sum.add(wi * weights_[t.rows.first + r] * v[r] * v[r]);
                              if (rows == nullptr) continue;
                              // a_row += w_i v², and for a mirrored tile a_i += w_row v² too.
                              double& ai = (*rows)[mine.first + c];
                              for (std::size_t r = 0; r < t.rows.count; ++r) {
                                  const double v2 = v[r] * v[r];
                                  (*rows)[t.rows.first + r] += weights_[mine.first + c] * v2;
                                  if (t.mirror) ai += weights_[t.rows.first + r] * v2;
                              }
                          }
                      },
                      piece_bytes_);
    return sum.value();
}

double Gamma2::squares_grid(const std::vector<double>& delta, std::size_t ld, std::vector<double>* held) const
{
    // ranks_per_sample 1: every rank has all n^d observation points (in observation-index order) of
    // its samples. Column x of C is Σ_j δ_j (w_j δ_j(x)); each completed piece is squared and dropped.
    const std::size_t c = layout_.count(), first = layout_.first();
    const std::vector<double> scale(weights_.begin() + static_cast<std::ptrdiff_t>(first),
                                    weights_.begin() + static_cast<std::ptrdiff_t>(first + c));
    CompensatedSum sum;  // n^{2d}/P terms
    const std::size_t n = local_at_.size();
    if (held) held->assign(n * balanced_share(n, layout_.world().size(), layout_.world().rank()).count, 0.0);
    grid_pass<double>(
        layout_.world(), delta.data(), static_cast<std::ptrdiff_t>(ld), n, c, scale,
        [&](std::size_t offset, std::size_t) -> double* { return held ? held->data() + offset * n : nullptr; },
        [&](std::size_t, std::size_t w, const double* values) {
            for (std::size_t e = 0; e < n * w; ++e) sum.add(values[e] * values[e]);
        },
        piece_bytes_);
    return sum.value();
}

Gamma2::FactorValues Gamma2::from_factor() const
{
    require_logic(factor_ != nullptr, "Gamma2::from_factor before load()");
    const LocalRows r(factor_.get());
    const std::size_t M = weights_.size();
    const auto nloc = static_cast<std::size_t>(r.count);
    // Observation-grid masses m_j and γ^(1) on the local rows.
    std::vector<double> mass(M, 0.0), g(nloc, 0.0);
    for (std::size_t j = 0; j < M; ++j)
        for (std::size_t i = 0; i < nloc; ++i) {
            const double rho = r.at(static_cast<PetscInt>(i), static_cast<PetscInt>(j));
            mass[j] += rho;
            g[i] += weights_[j] * rho;
        }
    layout_.world().sum_in_place(mass);
    for (double& m : mass) m *= dv_;
    double admissibility = 0.0;
    for (std::size_t i = 0; i < nloc; ++i) {
        double integral = 0.0;
        for (std::size_t j = 0; j < M; ++j) integral += weights_[j] * r.at(static_cast<PetscInt>(i), static_cast<PetscInt>(j)) * mass[j];
        admissibility = std::max(admissibility, std::abs(integral - g[i]));
    }
    // D = δᵀδ over the local rows, summed over the world.
    std::vector<double> delta(nloc * M), D(M * M, 0.0);
    for (std::size_t j = 0; j < M; ++j)
        for (std::size_t i = 0; i < nloc; ++i)
            delta[j * nloc + i] = r.at(static_cast<PetscInt>(i), static_cast<PetscInt>(j)) - g[i];
    if (nloc > 0) {
        const int m = static_cast<int>(M), k = static_cast<int>(nloc);
        const double one = 1.0, zero = 0.0;
        dgemm_("T", "N", &m, &m, &k, &one, delta.data(), &k, delta.data(), &k, &zero, D.data(), &m, 1, 1);
    }
    layout_.world().sum_in_place(D);
    double s = 0.0;
    for (std::size_t j = 0; j < M; ++j)
        for (std::size_t i = 0; i < M; ++i) s += weights_[i] * weights_[j] * D[j * M + i] * D[j * M + i];
    FactorValues out;
    out.fact_defect = dv_ * std::sqrt(s);
    out.admissibility_residual = layout_.world().max(admissibility);
    return out;
}

namespace {

// The steps of Gamma2::form.

/// The explicit γ^(2) from the factor R and the weights w.
PetscMat weighted_product(Mat factor, const std::vector<double>& weights)
{
    // R W^{1/2}, then γ^(2) = (R W^{1/2})(R W^{1/2})ᵀ.
    Mat raw = nullptr;
    DFE_PETSC(MatDuplicate(factor, MAT_COPY_VALUES, &raw));
    PetscMat scaled(raw);
    {
        PetscScalar* a = nullptr;
        PetscInt lda = 0, start = 0, end = 0;
        DFE_PETSC(MatGetOwnershipRange(scaled.get(), &start, &end));
        DFE_PETSC(MatDenseGetLDA(scaled.get(), &lda));
        DFE_PETSC(MatDenseGetArray(scaled.get(), &a));
        for (std::size_t j = 0; j < weights.size(); ++j)
            for (PetscInt i = 0; i < end - start; ++i) a[i + static_cast<PetscInt>(j) * lda] *= std::sqrt(weights[j]);
        DFE_PETSC(MatDenseRestoreArray(scaled.get(), &a));
    }
    Mat product = nullptr;
    DFE_PETSC(MatMatTransposeMult(scaled.get(), scaled.get(), MAT_INITIAL_MATRIX, PETSC_DEFAULT, &product));
    return PetscMat(product);
}

/// γ^(1) at every one of the `total` observation points, from the factor's local rows, summed on
/// every rank.
std::vector<double> gamma1_everywhere(const LocalRows& r, const std::vector<double>& weights, std::size_t total,
                                      const Comm& world)
{
    const auto nloc = static_cast<std::size_t>(r.count);
    const auto r0 = static_cast<std::size_t>(r.start);
    std::vector<double> g(total, 0.0);
    for (std::size_t j = 0; j < weights.size(); ++j)
        for (std::size_t i = 0; i < nloc; ++i)
            g[r0 + i] += weights[j] * r.at(static_cast<PetscInt>(i), static_cast<PetscInt>(j));
    world.sum_in_place(g);
    return g;
}

/// This rank's parts of the diagnostics read off the local rows of γ^(2).
struct LocalDiagnostics {
    double low = std::numeric_limits<double>::infinity();  ///< min entry
    double defect = 0.0;                                   ///< Σ (γ^(2) − γ^(1)⊗γ^(1))²
    double admissibility = 0.0;                            ///< max_x |dV Σ_y γ^(2)(x, y) − γ^(1)(x)|
};

/// The minimum entry, the factorization defect and the admissibility residual on the local rows
/// of γ^(2) (c), with γ^(1) at every observation point (g) and the cell volume dv.
LocalDiagnostics scan_local_rows(const LocalRows& c, const std::vector<double>& g, double dv)
{
    const auto nloc = static_cast<std::size_t>(c.count);
    const auto total = g.size();
    const auto r0 = static_cast<std::size_t>(c.start);
    // One pass over the local rows, column by column: the local block is column-major, so each
    // column is contiguous.
    LocalDiagnostics out;
    std::vector<double> integral(nloc, 0.0);
    for (std::size_t y = 0; y < total; ++y) {
        const double* column = c.data + static_cast<std::ptrdiff_t>(y) * c.lda;
        const double gy = g[y];
        for (std::size_t i = 0; i < nloc; ++i) {
            const double v = column[i];
            out.low = std::min(out.low, v);
            const double e = v - g[r0 + i] * gy;
            out.defect += e * e;
            integral[i] += v;
        }
    }
    for (std::size_t i = 0; i < nloc; ++i)
        out.admissibility = std::max(out.admissibility, std::abs(dv * integral[i] - g[r0 + i]));
    return out;
}

/// Tile edge of the blocked transposes below, in entries.
constexpr std::size_t tile = 64;

/// The local rows of γ^(2) (c, column-major), row-major with `total` columns.
std::vector<double> row_major_copy(const LocalRows& c, std::size_t total)
{
    const auto nloc = static_cast<std::size_t>(c.count);
    // Row-major copy for output, in tiles so that both sides stay in cache.
    std::vector<double> rows(nloc * total);
    for (std::size_t y0 = 0; y0 < total; y0 += tile)
        for (std::size_t i0 = 0; i0 < nloc; i0 += tile)
            for (std::size_t y = y0; y < std::min(y0 + tile, total); ++y)
                for (std::size_t i = i0; i < std::min(i0 + tile, nloc); ++i)
                    rows[i * total + y] = c.data[static_cast<std::ptrdiff_t>(i) + static_cast<std::ptrdiff_t>(y) * c.lda];
    return rows;
}

/// max |γ^(2)(x, y) − γ^(2)(y, x)| over this rank's rows x (c: the local rows of `gamma2`).
double local_asymmetry(const LocalRows& c, Mat gamma2, const Comm& world)
{
    const auto nloc = static_cast<std::size_t>(c.count);
    // Symmetry of the held matrix: rank q needs γ^(2)(y, x) for its rows x and every y; the owner of
    // row y sends it. One all-to-all moves each block once; block (p → q) holds rows of p,
    // columns of q, packed column by column (contiguous in p's storage).
    const int P = world.size();
    const PetscInt* ranges = nullptr;
    DFE_PETSC(MatGetOwnershipRanges(gamma2, &ranges));
    std::vector<int> counts(static_cast<std::size_t>(P)), offsets(static_cast<std::size_t>(P) + 1, 0);
    std::vector<int> rcounts(static_cast<std::size_t>(P)), roffsets(static_cast<std::size_t>(P) + 1, 0);
    for (int q = 0; q < P; ++q) {
        const auto nq = static_cast<std::size_t>(ranges[q + 1] - ranges[q]);
        counts[static_cast<std::size_t>(q)] = static_cast<int>(nloc * nq);
        rcounts[static_cast<std::size_t>(q)] = static_cast<int>(nq * nloc);
        offsets[static_cast<std::size_t>(q) + 1] = offsets[static_cast<std::size_t>(q)] + counts[static_cast<std::size_t>(q)];
        roffsets[static_cast<std::size_t>(q) + 1] = roffsets[static_cast<std::size_t>(q)] + rcounts[static_cast<std::size_t>(q)];
    }
    std::vector<double> send(static_cast<std::size_t>(offsets.back())), recv(static_cast<std::size_t>(roffsets.back()));
    for (int q = 0; q < P; ++q) {
        double* block = send.data() + offsets[static_cast<std::size_t>(q)];
        for (PetscInt y = ranges[q]; y < ranges[q + 1]; ++y)
            std::copy_n(c.data + static_cast<std::ptrdiff_t>(y) * c.lda, nloc, block + static_cast<std::size_t>(y - ranges[q]) * nloc);
    }
    DFE_MPI(MPI_Alltoallv(send.data(), counts.data(), offsets.data(), MPI_DOUBLE, recv.data(), rcounts.data(),
                          roffsets.data(), MPI_DOUBLE, world.get()));
    // From q: element (x − r0)·n_q + i_q is γ^(2)(row i_q of q, x) for our row x.
    double asym = 0.0;
    for (int q = 0; q < P; ++q) {
        const auto nq = static_cast<std::size_t>(ranges[q + 1] - ranges[q]);
        const double* block = recv.data() + roffsets[static_cast<std::size_t>(q)];
        for (std::size_t i0 = 0; i0 < nloc; i0 += tile)
            for (std::size_t k0 = 0; k0 < nq; k0 += tile)
                for (std::size_t k = k0; k < std::min(k0 + tile, nq); ++k) {
                    const double* column = c.data + static_cast<std::ptrdiff_t>(ranges[q] + static_cast<PetscInt>(k)) * c.lda;
                    for (std::size_t i = i0; i < std::min(i0 + tile, nloc); ++i)
                        asym = std::max(asym, std::abs(column[i] - block[i * nq + k]));
                }
    }
    return asym;
}

}  // namespace

Gamma2::Explicit Gamma2::form(std::span<const cplx* const> fields)
{
    load(fields);
    return form();
}

Gamma2::Explicit Gamma2::form() const
{
    require_logic(factor_ != nullptr, "Gamma2::form before load()");
    const PetscMat gamma2 = weighted_product(factor_.get(), weights_);
    const Comm& world = layout_.world();
    const LocalRows c(gamma2.get());
    const LocalRows r(factor_.get());
    if (r.start != c.start || r.count != c.count) throw Error("γ^(2) and its factor are distributed differently");
    const auto total = static_cast<std::size_t>(total_);

    const std::vector<double> g = gamma1_everywhere(r, weights_, total, world);
    const LocalDiagnostics local = scan_local_rows(c, g, dv_);
    Explicit out;
    out.row_start = static_cast<long>(c.start);
    out.row_count = static_cast<long>(c.count);
    out.rows = row_major_copy(c, total);
    const double asym = local_asymmetry(c, gamma2.get(), world);

    out.symmetry_residual = world.max(asym);
    out.min_entry = -world.max(-local.low);
    out.fact_defect = dv_ * std::sqrt(world.sum(local.defect));
    out.admissibility_residual = world.max(local.admissibility);
    return out;
}

}  // namespace dfe
