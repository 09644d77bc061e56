#include "dfe/physics/free_space.hpp"

#include "dfe/core/error.hpp"

#include <fftw3.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numbers>

namespace dfe {

namespace {

/**
 * @brief Where the runs of a dimension-0 row sit in a physical real layout: run s (s < N^{d−2}
 * in d = 3, s = 0 otherwise) of local row r starts at (r·runs_alloc + s)·stride.
 */
struct RowGeometry {
    std::ptrdiff_t runs_alloc = 1;
    std::ptrdiff_t stride = 1;
    [[nodiscard]] std::ptrdiff_t offset(std::ptrdiff_t r, std::ptrdiff_t s) const { return (r * runs_alloc + s) * stride; }
};

RowGeometry row_geometry(const Grid& g)
{
    const int d = g.d();
    return {d == 3 ? g.N() : 1, d == 1 ? 1 : g.physical_real().stride_last};
}

int to_int(std::ptrdiff_t n)
{
    require_logic(n >= 0 && n <= INT_MAX, "FreeSpaceConvolution: an MPI count exceeds INT_MAX (grid too large per rank)");
    return static_cast<int>(n);
}

}  // namespace

FreeSpaceConvolution::FreeSpaceConvolution(const Grid& grid, const Potential& potential, PlannerEffort effort)
    : grid_(grid), d_(grid.d()), N_(grid.N())
{
    require_logic(potential.kind() == Potential::Kind::soft_power || potential.kind() == Potential::Kind::power,
                  "FreeSpaceConvolution: only the soft-power and power potentials use the free-space convolution");
    require_logic(potential.kind() != Potential::Kind::power || d_ == 3,
                  "FreeSpaceConvolution: the power potential is implemented in d = 3 only");

    padded_ = std::make_unique<Grid>(grid.comm(), d_, 2 * N_, 2.0 * grid.L());
    plans_ = std::make_unique<FftPlans>(*padded_, effort, FftPlans::Transforms::real_only);
    work_ = Buffer<double>(padded_->alloc_real());

    // Half-spectrum weights of the padded grid, as in convolution.cpp: a mode stands for itself and
    // its conjugate partner unless its half index is 0 or the Nyquist index (2N)/2 = N.
    const Layout& half = padded_->spectral_half();
    half_weight_ = Buffer<double>(half.count());
    std::size_t half_axis = 0;
    for (std::size_t a = 0; a < 3; ++a)
        if (half.axes[a].half) half_axis = a;
    const std::array<std::ptrdiff_t, 3> strides{half.axes[1].n * half.axes[2].n, half.axes[2].n, 1};
    for (std::ptrdiff_t i = 0; i < half.count(); ++i) {
        const std::ptrdiff_t h = half.axes[half_axis].start + (i / strides[half_axis]) % half.axes[half_axis].n;
        half_weight_[i] = (h == 0 || h == N_) ? 1.0 : 2.0;
    }

    // Row redistribution between the N-grid's and the padded grid's slab splits.
    row_len_ = 1;
    for (int a = 1; a < d_; ++a) row_len_ *= N_;
    const Comm& comm = grid.comm();
    const Axis& box_axis = grid.physical().axes[0];
    const Axis& pad_axis = padded_->physical().axes[0];
    padded_box_rows_ = std::max<std::ptrdiff_t>(0, std::min(N_, pad_axis.start + pad_axis.n) - pad_axis.start);
    if (comm.size() > 1) {
        const auto P = static_cast<std::size_t>(comm.size());
        const std::array<long long, 4> mine{box_axis.start, box_axis.n, pad_axis.start, pad_axis.n};
        std::vector<long long> all(4 * P);
        DFE_MPI(MPI_Allgather(mine.data(), 4, MPI_LONG_LONG, all.data(), 4, MPI_LONG_LONG, comm.get()));
        auto overlap = [](long long lo1, long long n1, long long lo2, long long n2, long long end) {
            const long long lo = std::max(lo1, lo2);
            const long long hi = std::min({lo1 + n1, lo2 + n2, end});
            return static_cast<std::ptrdiff_t>(std::max(0LL, hi - lo));
        };
        box_counts_.assign(P, 0);
        box_displs_.assign(P, 0);
        padded_counts_.assign(P, 0);
        padded_displs_.assign(P, 0);
        std::ptrdiff_t box_total = 0, padded_total = 0;
        for (std::size_t q = 0; q < P; ++q) {
            const long long* other = all.data() + 4 * q;
            // Ranks own increasing, contiguous row ranges in both splits, so the rows exchanged with
            // rank q follow those exchanged with rank q − 1 in global order on either side.
            const std::ptrdiff_t sent = overlap(box_axis.start, box_axis.n, other[2], other[3], N_);
            const std::ptrdiff_t received = overlap(pad_axis.start, pad_axis.n, other[0], other[1], N_);
            box_counts_[q] = to_int(sent * row_len_);
            box_displs_[q] = to_int(box_total);
            padded_counts_[q] = to_int(received * row_len_);
            padded_displs_[q] = to_int(padded_total);
            box_total += sent * row_len_;
            padded_total += received * row_len_;
        }
        require_logic(box_total == box_axis.n * row_len_ && padded_total == padded_box_rows_ * row_len_,
                      "FreeSpaceConvolution: the row exchange does not cover the box");
        box_rows_ = Buffer<double>(box_total);
        padded_rows_ = Buffer<double>(padded_total);
    }

    // Kernels.
    if (potential.kind() == Potential::Kind::power) {
        tabulate_power(potential);
        w_over_v_ = -potential.params().gamma;
        return;
    }
    const double h = grid.dx();
    const double scale = grid.cell_volume() / padded_->global_points();
    auto radius = [h](std::ptrdiff_t m0, std::ptrdiff_t m1, std::ptrdiff_t m2) {
        return h * std::sqrt(static_cast<double>(m0 * m0 + m1 * m1 + m2 * m2));
    };
    tabulate([&](std::ptrdiff_t m0, std::ptrdiff_t m1, std::ptrdiff_t m2) { return scale * potential.value(radius(m0, m1, m2)); },
             v_hat_);
    tabulate([&](std::ptrdiff_t m0, std::ptrdiff_t m1, std::ptrdiff_t m2) { return scale * potential.z_grad(radius(m0, m1, m2)); },
             w_hat_);
}

FreeSpaceConvolution::~FreeSpaceConvolution() = default;

template <class F>
void FreeSpaceConvolution::tabulate(F&& f, Buffer<double>& out)
{
    // Padded index j ↦ offset m = j for j < N, j − 2N otherwise (|m| = N stands for ±N; those pair
    // offsets never occur between points of the box).
    const std::ptrdiff_t M = 2 * N_;
    auto fold = [&](std::ptrdiff_t j) { return j < N_ ? j : j - M; };
    const RowGeometry geo = row_geometry(*padded_);
    const Axis& rows = padded_->physical_real().axes[0];
    const std::ptrdiff_t runs = d_ == 3 ? M : 1;
    const std::ptrdiff_t len = d_ == 1 ? 1 : M;
    std::fill_n(work_.data(), work_.size(), 0.0);
    for (std::ptrdiff_t r = 0; r < rows.n; ++r) {
        const std::ptrdiff_t m0 = fold(rows.start + r);
        for (std::ptrdiff_t s = 0; s < runs; ++s) {
            double* run = work_.data() + geo.offset(r, s);
            for (std::ptrdiff_t t = 0; t < len; ++t) {
                if (d_ == 1) run[t] = f(m0, 0, 0);
                else if (d_ == 2) run[t] = f(m0, fold(t), 0);
                else run[t] = f(m0, fold(s), fold(t));
            }
        }
    }
    plans_->r2c(work_.data());
    // The kernel is even in every offset, so its transform is real up to round-off.
    const auto* c = reinterpret_cast<const cplx*>(work_.data());
    const std::ptrdiff_t n = padded_->spectral_half().count();
    out = Buffer<double>(n);
    for (std::ptrdiff_t i = 0; i < n; ++i) out[i] = c[i].real();
}

void FreeSpaceConvolution::tabulate_power(const Potential& potential)
{
    // K(h·m) = (4L)^{−3} Σ_j V̂_t(|k_j|) e^{i k_j·h m}, k_j = (2π/(4L)) j, j_a ∈ {−2N..2N−1}, for
    // m_a ∈ {0..N}. Since k_j·h m = 2π j·m/(4N) and V̂_t is radial, the sum over each j_a is
    // X_0 + (−1)^m X_{2N} + 2 Σ_{j=1}^{2N−1} X_j cos(π j m/(2N)): FFTW's REDFT00 of size 2N+1.
    const Comm& comm = grid_.comm();
    const double L = grid_.L();
    const double Lt = std::sqrt(3.0) * L;  // ≥ every pair distance in the box
    const double dk = 2.0 * std::numbers::pi / (4.0 * L);
    const std::ptrdiff_t J = 2 * N_;  // j_a = 0..J
    const std::ptrdiff_t M = J + 1;

    // V̂_t depends on j only through s = j0² + j1² + j2² ≤ 3J²; each needed s is evaluated once,
    // the evaluations dealt out round-robin over the ranks and summed.
    const std::ptrdiff_t smax = 3 * J * J;
    std::vector<char> needed(static_cast<std::size_t>(smax + 1), 0);
    for (std::ptrdiff_t j0 = 0; j0 <= J; ++j0)
        for (std::ptrdiff_t j1 = j0; j1 <= J; ++j1)
            for (std::ptrdiff_t j2 = j1; j2 <= J; ++j2) needed[static_cast<std::size_t>(j0 * j0 + j1 * j1 + j2 * j2)] = 1;
    std::vector<double> hat(static_cast<std::size_t>(smax + 1), 0.0);
    long long count = 0;
    for (std::ptrdiff_t s = 0; s <= smax; ++s) {
        if (!needed[static_cast<std::size_t>(s)]) continue;
        if (count++ % comm.size() == comm.rank())
            hat[static_cast<std::size_t>(s)] = potential.truncated_hat(dk * std::sqrt(static_cast<double>(s)), Lt);
    }
    comm.sum_in_place(hat);

    Buffer<double> table(M * M * M);
    const int m = static_cast<int>(M);
    const Plan plan(fftw_plan_r2r_3d(m, m, m, table.data(), table.data(), FFTW_REDFT00, FFTW_REDFT00, FFTW_REDFT00,
                                     FFTW_ESTIMATE),
                    "the truncated-kernel REDFT00");
    for (std::ptrdiff_t j0 = 0; j0 < M; ++j0)
        for (std::ptrdiff_t j1 = 0; j1 < M; ++j1)
            for (std::ptrdiff_t j2 = 0; j2 < M; ++j2)
                table[(j0 * M + j1) * M + j2] = hat[static_cast<std::size_t>(j0 * j0 + j1 * j1 + j2 * j2)];
    fftw_execute(plan.get());

    // (4L)^{−3} of the Fourier sum, h³ of the quadrature, 1/(2N)³ of the padded FFT pair.
    const double scale = grid_.cell_volume() / padded_->global_points() / std::pow(4.0 * L, 3);
    tabulate(
        [&](std::ptrdiff_t m0, std::ptrdiff_t m1, std::ptrdiff_t m2) {
            return scale * table[(std::abs(m0) * M + std::abs(m1)) * M + std::abs(m2)];
        },
        v_hat_);
}

void FreeSpaceConvolution::to_padded(const double* data) const
{
    const RowGeometry box = row_geometry(grid_);
    const RowGeometry pad = row_geometry(*padded_);
    const std::ptrdiff_t runs = d_ == 3 ? N_ : 1;
    const std::ptrdiff_t len = d_ == 1 ? 1 : N_;
    const auto bytes = static_cast<std::size_t>(len) * sizeof(double);
    std::fill_n(work_.data(), work_.size(), 0.0);
    if (grid_.comm().size() == 1) {
        for (std::ptrdiff_t r = 0; r < N_; ++r)
            for (std::ptrdiff_t s = 0; s < runs; ++s)
                std::memcpy(work_.data() + pad.offset(r, s), data + box.offset(r, s), bytes);
        return;
    }
    const std::ptrdiff_t local_rows = grid_.physical().axes[0].n;
    for (std::ptrdiff_t r = 0; r < local_rows; ++r)
        for (std::ptrdiff_t s = 0; s < runs; ++s)
            std::memcpy(box_rows_.data() + (r * runs + s) * len, data + box.offset(r, s), bytes);
    DFE_MPI(MPI_Alltoallv(box_rows_.data(), box_counts_.data(), box_displs_.data(), MPI_DOUBLE, padded_rows_.data(),
                          padded_counts_.data(), padded_displs_.data(), MPI_DOUBLE, grid_.comm().get()));
    for (std::ptrdiff_t r = 0; r < padded_box_rows_; ++r)
        for (std::ptrdiff_t s = 0; s < runs; ++s)
            std::memcpy(work_.data() + pad.offset(r, s), padded_rows_.data() + (r * runs + s) * len, bytes);
}

void FreeSpaceConvolution::from_padded(double* data) const
{
    const RowGeometry box = row_geometry(grid_);
    const RowGeometry pad = row_geometry(*padded_);
    const std::ptrdiff_t runs = d_ == 3 ? N_ : 1;
    const std::ptrdiff_t len = d_ == 1 ? 1 : N_;
    const auto bytes = static_cast<std::size_t>(len) * sizeof(double);
    if (grid_.comm().size() == 1) {
        for (std::ptrdiff_t r = 0; r < N_; ++r)
            for (std::ptrdiff_t s = 0; s < runs; ++s)
                std::memcpy(data + box.offset(r, s), work_.data() + pad.offset(r, s), bytes);
        return;
    }
    for (std::ptrdiff_t r = 0; r < padded_box_rows_; ++r)
        for (std::ptrdiff_t s = 0; s < runs; ++s)
            std::memcpy(padded_rows_.data() + (r * runs + s) * len, work_.data() + pad.offset(r, s), bytes);
    DFE_MPI(MPI_Alltoallv(padded_rows_.data(), padded_counts_.data(), padded_displs_.data(), MPI_DOUBLE,
                          box_rows_.data(), box_counts_.data(), box_displs_.data(), MPI_DOUBLE, grid_.comm().get()));
    const std::ptrdiff_t local_rows = grid_.physical().axes[0].n;
    for (std::ptrdiff_t r = 0; r < local_rows; ++r)
        for (std::ptrdiff_t s = 0; s < runs; ++s)
            std::memcpy(data + box.offset(r, s), box_rows_.data() + (r * runs + s) * len, bytes);
}

void FreeSpaceConvolution::apply(const Buffer<double>& multiplier) const
{
    plans_->r2c(work_.data());
    auto* c = reinterpret_cast<cplx*>(work_.data());
    const std::ptrdiff_t n = padded_->spectral_half().count();
    const double* m = multiplier.data();
    for (std::ptrdiff_t i = 0; i < n; ++i) c[i] *= m[i];
    plans_->c2r(work_.data());
}

void FreeSpaceConvolution::potential(double* data) const
{
    to_padded(data);
    apply(v_hat_);
    from_padded(data);
}

ConvolutionSums FreeSpaceConvolution::convolve_all(const double* rho, std::span<double* const> grad) const
{
    require_logic(grad.size() >= static_cast<std::size_t>(d_), "FreeSpaceConvolution::convolve_all: needs d gradient fields");
    // Parseval on the padded half spectrum: Σ_n ρ_n (K*ρ)_n = (2N)^{−d} Σ_k K̂_k |ρ̂_k|² over the padded
    // grid, which is the sum over the box because padded ρ vanishes outside it.
    to_padded(rho);
    plans_->r2c(work_.data());
    const auto* c = reinterpret_cast<const cplx*>(work_.data());
    const std::ptrdiff_t n = padded_->spectral_half().count();
    ConvolutionSums sums;
    if (w_hat_.size() == 0) {
        for (std::ptrdiff_t i = 0; i < n; ++i) sums.v += v_hat_[i] * half_weight_[i] * std::norm(c[i]);
        sums.w = w_over_v_ * sums.v;
    } else {
        for (std::ptrdiff_t i = 0; i < n; ++i) {
            const double p = half_weight_[i] * std::norm(c[i]);
            sums.v += v_hat_[i] * p;
            sums.w += w_hat_[i] * p;
        }
    }
    for (std::size_t a = 0; a < static_cast<std::size_t>(d_); ++a) {
        to_padded(grad[a]);
        apply(v_hat_);
        from_padded(grad[a]);
    }
    return sums;
}

}  // namespace dfe
