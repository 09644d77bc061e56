#include "dfe/reductions/gram.hpp"

#include "dfe/backend/blas.hpp"
#include "dfe/core/error.hpp"
#include "dfe/backend/petsc.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

namespace dfe {

namespace {

constexpr std::size_t dense_limit = 2000;

double* as_doubles(std::vector<cplx>& v) { return reinterpret_cast<double*>(v.data()); }

/// Leading dimension of a block's samples for BLAS: its stride, at least 1.
int leading_dimension(const SampleBlock& block) { return static_cast<int>(std::max<std::ptrdiff_t>(block.stride, 1)); }

/// tile = a† b for column-major a (lp × m) and b (lp × n), both with leading dimension ld.
void inner_products(int lp, int ld, int m, int n, const cplx* a, const cplx* b, cplx* tile)
{
    if (m == 0 || n == 0) return;
    const cplx one(1.0), zero(0.0);
    zgemm_("C", "N", &m, &n, &lp, &one, a, &ld, b, &ld, &zero, tile, &m, 1, 1);
}

}  // namespace

EigenMethod parse_eigen_method(const std::string& name, std::size_t samples)
{
    if (name == "dense") return EigenMethod::dense;
    if (name == "iterative") return EigenMethod::iterative;
    if (name == "auto") return samples <= dense_limit ? EigenMethod::dense : EigenMethod::iterative;
    throw InputError("--eigensolver must be auto, dense or iterative (got '" + name + "')");
}

GramReducer::GramReducer(const GroupLayout& layout, const Grid& grid, std::span<const double> weights,
                         EigenMethod method)
    : layout_(layout), grid_(grid), weights_(weights.begin(), weights.end()), method_(method)
{
    for (double w : weights_) scale_.push_back(std::sqrt(w * grid.cell_volume()));
}

GramReducer::~GramReducer() = default;

double GramReducer::ring_pass(bool store)
{
    const int G = layout_.groups();
    const int k = layout_.group_index();
    const int ld = leading_dimension(own_);
    const std::size_t M = layout_.samples();
    const Comm& cross = layout_.cross();
    std::size_t largest = 0;
    for (int g = 0; g < G; ++g) largest = std::max(largest, layout_.count(g));
    const auto block_size = [&](int group) { return static_cast<int>(layout_.count(group)) * ld * 2; };

    if (store) gram_.assign(M * M, cplx(0.0));
    RingTally tally;
    tally.store = store;

    // The first visiting block is in flight while the group's own block is computed.
    visitor_.resize(largest * static_cast<std::size_t>(ld));
    std::vector<cplx> incoming(largest * static_cast<std::size_t>(ld));
    const int to_rank = (k - 1 + G) % G, from_rank = (k + 1) % G;
    std::array<MPI_Request, 2> requests{MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    if (G > 1) {
        DFE_MPI(MPI_Irecv(as_doubles(visitor_), block_size(from_rank), MPI_DOUBLE, from_rank, 1, cross.get(), &requests[0]));
        DFE_MPI(MPI_Isend(reinterpret_cast<const double*>(own_.data), block_size(k), MPI_DOUBLE, to_rank, 1, cross.get(),
                          &requests[1]));
    }
    own_block(tally);
    if (G > 1) DFE_MPI(MPI_Waitall(2, requests.data(), MPI_STATUSES_IGNORE));

    for (int s = 1; s <= G / 2; ++s) {
        if (s > 1) {
            // Pass the visiting block one group down the ring: now it is group (k + s)'s.
            DFE_MPI(MPI_Sendrecv(as_doubles(visitor_), block_size((k + s - 1) % G), MPI_DOUBLE, to_rank, s,
                                 as_doubles(incoming), block_size((k + s) % G), MPI_DOUBLE, from_rank, s, cross.get(),
                                 MPI_STATUS_IGNORE));
            visitor_.swap(incoming);
        }
        visiting_block(tally, (k + s) % G, 2 * s < G);
    }

    if (store) {
        layout_.world().sum_in_place({as_doubles(gram_), 2 * M * M});
        double f = 0.0;
        for (const cplx& v : gram_) f += std::norm(v);
        return f;
    }
    return layout_.world().sum(tally.squares);
}

void GramReducer::own_block(RingTally& tally)
{
    const int lp = static_cast<int>(grid_.local_points());
    const int ld = leading_dimension(own_);
    const int c = static_cast<int>(own_.count);
    const std::size_t first = layout_.first();
    std::vector<cplx>& tile = tally.tile;
    // Shift 0: the group's own block, Hermitian: zherk computes its upper triangle (half the work
    // of zgemm), the lower one is its conjugate.
    tile.assign(static_cast<std::size_t>(c) * static_cast<std::size_t>(c), cplx(0.0));
    if (c > 0) {
        const double one = 1.0, zero = 0.0;
        zherk_("U", "C", &c, &lp, &one, own_.data, &ld, &zero, tile.data(), &c, 1, 1);
        for (int j = 0; j < c; ++j)
            for (int i = j + 1; i < c; ++i)
                tile[static_cast<std::size_t>(j) * static_cast<std::size_t>(c) + static_cast<std::size_t>(i)] =
                    std::conj(tile[static_cast<std::size_t>(i) * static_cast<std::size_t>(c) + static_cast<std::size_t>(j)]);
    }
    record(tally, first, c, first, c, false);
}

void GramReducer::visiting_block(RingTally& tally, int from, bool whole)
{
    const int G = layout_.groups();
    const int k = layout_.group_index();
    const int lp = static_cast<int>(grid_.local_points());
    const int ld = leading_dimension(own_);
    const int c = static_cast<int>(own_.count);
    const std::size_t first = layout_.first();
    const int cv = static_cast<int>(layout_.count(from));
    const std::size_t vfirst = layout_.first(from);
    std::vector<cplx>& tile = tally.tile;
    if (whole) {
        tile.assign(static_cast<std::size_t>(c) * static_cast<std::size_t>(cv), cplx(0.0));
        inner_products(lp, ld, c, cv, own_.data, visitor_.data(), tile.data());
        record(tally, first, c, vfirst, cv, true);
    } else if (k < G / 2) {
        // Distance G/2: the pair (k, k + G/2) is met by both groups; each takes half of it.
        const int h = (c + 1) / 2;
        tile.assign(static_cast<std::size_t>(h) * static_cast<std::size_t>(cv), cplx(0.0));
        inner_products(lp, ld, h, cv, own_.data, visitor_.data(), tile.data());
        record(tally, first, h, vfirst, cv, true);
    } else {
        const int h = (cv + 1) / 2;  // the rows of the visiting group that it took itself
        tile.assign(static_cast<std::size_t>(c) * static_cast<std::size_t>(cv - h), cplx(0.0));
        inner_products(lp, ld, c, cv - h, own_.data, visitor_.data() + static_cast<std::size_t>(h) * static_cast<std::size_t>(ld),
                       tile.data());
        record(tally, first, c, vfirst + static_cast<std::size_t>(h), cv - h, true);
    }
}

void GramReducer::record(RingTally& tally, std::size_t r0, int m, std::size_t c0, int n, bool mirror)
{
    const std::size_t M = layout_.samples();
    std::vector<cplx>& tile = tally.tile;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i)
            tile[static_cast<std::size_t>(j) * static_cast<std::size_t>(m) + static_cast<std::size_t>(i)] *=
                scale_[r0 + static_cast<std::size_t>(i)] * scale_[c0 + static_cast<std::size_t>(j)];
    if (tally.store) {
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < m; ++i) {
                const cplx v = tile[static_cast<std::size_t>(j) * static_cast<std::size_t>(m) + static_cast<std::size_t>(i)];
                gram_[(c0 + static_cast<std::size_t>(j)) * M + r0 + static_cast<std::size_t>(i)] = v;
                if (mirror) gram_[(r0 + static_cast<std::size_t>(i)) * M + c0 + static_cast<std::size_t>(j)] = std::conj(v);
            }
        return;
    }
    // Entries are slab partial sums: complete them over the group before squaring.
    layout_.group().sum_in_place({reinterpret_cast<double*>(tile.data()), 2 * static_cast<std::size_t>(m) * static_cast<std::size_t>(n)});
    if (layout_.group().rank() != 0) return;
    double sum = 0.0;
    for (int i = 0; i < m * n; ++i) sum += std::norm(tile[static_cast<std::size_t>(i)]);
    tally.squares += (mirror ? 2.0 : 1.0) * sum;
}

double GramReducer::lambda_dense()
{
    const int M = static_cast<int>(layout_.samples());
    double lambda = 0.0;
    if (layout_.world().is_root()) {
        std::vector<cplx> a(gram_);
        std::vector<double> w(static_cast<std::size_t>(M)), rwork(static_cast<std::size_t>(std::max(1, 3 * M - 2)));
        int info = 0, lwork = -1;
        cplx query;
        zheev_("N", "U", &M, a.data(), &M, w.data(), &query, &lwork, rwork.data(), &info, 1, 1);
        lwork = std::max(1, static_cast<int>(query.real()));
        std::vector<cplx> work(static_cast<std::size_t>(lwork));
        zheev_("N", "U", &M, a.data(), &M, w.data(), work.data(), &lwork, rwork.data(), &info, 1, 1);
        if (info != 0) throw Error("LAPACK zheev failed on the Gram matrix (info " + std::to_string(info) + ")");
        lambda = w.back();  // ascending order
    }
    std::span<double> value(&lambda, 1);
    layout_.world().broadcast(value);
    return lambda;
}

void GramReducer::shell_mult(const double* x_local, double* y_local)
{
    const std::size_t c = layout_.count();
    const std::size_t lp = static_cast<std::size_t>(grid_.local_points());
    // The group root owns this group's entries of x: share them with the group.
    std::vector<cplx> x(c);
    if (layout_.group().rank() == 0)
        for (std::size_t j = 0; j < c; ++j) x[j] = cplx(x_local[2 * j], x_local[2 * j + 1]);
    layout_.group().broadcast({reinterpret_cast<double*>(x.data()), 2 * c});
    // Ψ = Σ_j √(w_j dV) x_j φ_j over all samples: local samples, then a sum over the groups.
    const std::size_t first = layout_.first();
    psi_.assign(lp, cplx(0.0));
    for (std::size_t j = 0; j < c; ++j) {
        const cplx a = scale_[first + j] * x[j];
        const cplx* phi = own_.data + static_cast<std::ptrdiff_t>(j) * own_.stride;
        for (std::size_t i = 0; i < lp; ++i) psi_[i] += a * phi[i];
    }
    layout_.cross().sum_in_place({as_doubles(psi_), 2 * lp});
    // y_i = ⟨√(w_i dV) φ_i, Ψ⟩, summed over the group's slabs.
    std::vector<cplx> y(c, cplx(0.0));
    const int ld = leading_dimension(own_);
    inner_products(static_cast<int>(lp), ld, static_cast<int>(c), 1, own_.data, psi_.data(), y.data());
    for (std::size_t j = 0; j < c; ++j) y[j] *= scale_[first + j];
    layout_.group().sum_in_place({reinterpret_cast<double*>(y.data()), 2 * c});
    if (layout_.group().rank() == 0)
        for (std::size_t j = 0; j < c; ++j) {
            y_local[2 * j] = y[j].real();
            y_local[2 * j + 1] = y[j].imag();
        }
}

std::vector<cplx> GramReducer::apply(std::span<const cplx> x)
{
    const std::size_t c = layout_.count();
    std::vector<double> xl(2 * c), yl(2 * c, 0.0);
    for (std::size_t j = 0; j < c; ++j) {
        xl[2 * j] = x[layout_.first() + j].real();
        xl[2 * j + 1] = x[layout_.first() + j].imag();
    }
    shell_mult(xl.data(), yl.data());
    std::vector<cplx> y(layout_.samples(), cplx(0.0));
    if (layout_.group().rank() == 0)
        for (std::size_t j = 0; j < c; ++j) y[layout_.first() + j] = cplx(yl[2 * j], yl[2 * j + 1]);
    layout_.world().sum_in_place({as_doubles(y), 2 * y.size()});
    return y;
}

namespace {

PetscErrorCode shell_mult_callback(Mat A, Vec x, Vec y)
{
    void* context = nullptr;
    PetscCall(MatShellGetContext(A, &context));
    auto* self = static_cast<std::function<void(const double*, double*)>*>(context);
    return petsc_apply(x, y, nullptr, *self);
}

}  // namespace

double GramReducer::lambda_iterative()
{
    const PetscInt n_local = layout_.group().rank() == 0 ? static_cast<PetscInt>(2 * layout_.count()) : 0;
    const PetscInt n_global = static_cast<PetscInt>(2 * layout_.samples());
    std::function<void(const double*, double*)> mult = [this](const double* x, double* y) { shell_mult(x, y); };
    Mat raw = nullptr;
    DFE_PETSC(MatCreateShell(layout_.world().get(), n_local, n_local, n_global, n_global, &mult, &raw));
    PetscMat shell(raw);
    DFE_PETSC(MatShellSetOperation(shell.get(), MATOP_MULT, reinterpret_cast<void (*)(void)>(&shell_mult_callback)));
    DFE_PETSC(MatSetOption(shell.get(), MAT_SYMMETRIC, PETSC_TRUE));
    EPS raw_eps = nullptr;
    DFE_PETSC(EPSCreate(layout_.world().get(), &raw_eps));
    SlepcEps eps(raw_eps);
    DFE_PETSC(EPSSetOperators(eps.get(), shell.get(), nullptr));
    DFE_PETSC(EPSSetProblemType(eps.get(), EPS_HEP));
    DFE_PETSC(EPSSetWhichEigenpairs(eps.get(), EPS_LARGEST_REAL));
    DFE_PETSC(EPSSetDimensions(eps.get(), 1, PETSC_DEFAULT, PETSC_DEFAULT));
    // Relative residual 1e-13: the eigenvalue is then correct to about that relative accuracy
    // (for a symmetric operator the eigenvalue error is quadratic in the residual).
    DFE_PETSC(EPSSetTolerances(eps.get(), 1e-13, 10000));
    DFE_PETSC(EPSSolve(eps.get()));
    PetscInt converged = 0;
    DFE_PETSC(EPSGetConverged(eps.get(), &converged));
    if (converged < 1) throw Error("SLEPc did not converge to the largest eigenvalue of the Gram matrix");
    PetscScalar kr = 0, ki = 0;
    DFE_PETSC(EPSGetEigenvalue(eps.get(), 0, &kr, &ki));
    return static_cast<double>(kr);
}

GramResult GramReducer::reduce(SampleBlock own)
{
    own_ = own;
    GramResult out;
    if (method_ == EigenMethod::dense) {
        out.purity = ring_pass(true);
        out.lambda_max = lambda_dense();
    } else {
        gram_.clear();
        out.purity = ring_pass(false);
        out.lambda_max = lambda_iterative();
    }
    return out;
}

}  // namespace dfe
