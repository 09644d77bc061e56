#include "dfe/observables/pair_terms.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/simd.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>

namespace dfe {

namespace {

/// Σ_h w_h κ_h (f_i ρ_r − f_r ρ_i) over one half-spectrum row for two kernels κ, λ at once
/// (complex numbers as (re, im)).
DFE_VECTOR_CLONES std::array<double, 2> parseval_row(std::size_t n, const double* __restrict w,
                                                     const double* __restrict kappa, const double* __restrict lambda,
                                                     const double* __restrict f, const double* __restrict r)
{
    double s = 0.0, t = 0.0;
#pragma omp simd reduction(+ : s, t)
    for (std::size_t h = 0; h < n; ++h) {
        const double c = w[h] * (f[2 * h + 1] * r[2 * h] - f[2 * h] * r[2 * h + 1]);
        s += kappa[h] * c;
        t += lambda[h] * c;
    }
    return {s, t};
}

}  // namespace

PairTerms::PairTerms(const Grid& grid, const Potential& potential, const Cutoff& cutoff, std::vector<double> R,
                     PlannerEffort effort)
    : grid_(grid), N_(grid.N()), d_(grid.d()), R_(std::move(R)), padded_(2 * grid.N()), half_(grid.N() + 1)
{
    set_up_gather();
    tabulate_cutoff(cutoff);
    // Half-spectrum weights: the modes h = 0 and h = N stand for themselves, the others for ±k.
    half_weight_.assign(static_cast<std::size_t>(half_), 2.0);
    half_weight_.front() = half_weight_.back() = 1.0;
    plan_padded_transform(effort);
    index_rows();
    tabulate_kernels(potential);
    for (std::size_t task = 0; task < R_.size() * static_cast<std::size_t>(d_); ++task) has_tasks_ = has_tasks_ || mine(task);
}

void PairTerms::index_rows()
{
    // Unpadded row u (every index but the last < N, C order): its offset in the padded real array
    // and its indices along the axes before the last.
    const auto N = static_cast<std::size_t>(N_);
    const std::size_t rows = gathered_.size() / N, axes = static_cast<std::size_t>(d_ - 1);
    padded_row_.resize(rows);
    row_index_.resize(rows * axes);
    for (std::size_t u = 0; u < rows; ++u) {
        std::size_t rest = u;
        std::ptrdiff_t row = 0, mult = 1;
        for (int b = d_ - 2; b >= 0; --b) {
            const std::size_t i = rest % N;
            rest /= N;
            row_index_[u * axes + static_cast<std::size_t>(b)] = i;
            row += static_cast<std::ptrdiff_t>(i) * mult;
            mult *= padded_;
        }
        padded_row_[u] = row * 2 * half_;
    }
}

void PairTerms::set_up_gather()
{
    // ρ of the group's ranks, gathered in rank order: the slabs of dimension 0 in order, i.e. C order.
    const Comm& comm = grid_.comm();
    counts_.assign(static_cast<std::size_t>(comm.size()), 0);
    int mine_count = static_cast<int>(grid_.local_points());
    DFE_MPI(MPI_Allgather(&mine_count, 1, MPI_INT, counts_.data(), 1, MPI_INT, comm.get()));
    displs_.assign(counts_.size(), 0);
    for (std::size_t r = 1; r < counts_.size(); ++r) displs_[r] = displs_[r - 1] + counts_[r - 1];
    std::size_t total = 1;
    for (int a = 0; a < d_; ++a) total *= static_cast<std::size_t>(N_);
    require_logic(static_cast<std::size_t>(displs_.back() + counts_.back()) == total, "pair terms: slabs do not cover the grid");
    gathered_.assign(total, 0.0);
}

void PairTerms::tabulate_cutoff(const Cutoff& cutoff)
{
    const long N = N_;
    const std::size_t total = gathered_.size();
    const auto nr = R_.size();
    const double dx = grid_.dx();
    x_.resize(static_cast<std::size_t>(N));
    for (long i = 0; i < N; ++i) x_[static_cast<std::size_t>(i)] = -0.5 * grid_.L() + static_cast<double>(i) * dx;
    // F_R at every grid point, C order: exact zeros inside |x|² ≤ (2−h)R.
    F_.resize(nr * total);
    for (std::size_t p = 0; p < total; ++p) {
        double x2 = 0.0;
        std::size_t rest = p;
        for (int a = 0; a < d_; ++a) {
            const double xa = x_[rest % static_cast<std::size_t>(N)];
            rest /= static_cast<std::size_t>(N);
            x2 += xa * xa;
        }
        for (std::size_t r = 0; r < nr; ++r) F_[r * total + p] = cutoff.F(x2 / R_[r]);
    }
}

void PairTerms::plan_padded_transform(PlannerEffort effort)
{
    const long N = N_, P = padded_;
    // Serial in-place r2c plan on the padded (2N)^d grid; rows of 2(N+1) doubles.
    rows_ = 1;
    for (int a = 0; a + 1 < d_; ++a) rows_ *= P;
    const std::ptrdiff_t real_alloc = rows_ * 2 * half_;
    work_ = Buffer<double>(real_alloc);
    spectrum_ = Buffer<double>(real_alloc);
    std::array<int, 1> dims{static_cast<int>(P)};
    // The padded transform, pruned: the input is zero wherever an index is ≥ N, so the r2c along the
    // last axis runs on the N^{d−1} rows that hold data, and each complex pass along an axis b < d−1
    // only on the lines whose indices before b are < N (the others are still zero). In 3D that is
    // 7/12 of a full (2N)³ r2c's work, in 2D 3/4. Strides in doubles for the real input, in complex
    // numbers for the half spectrum (rows of N + 1).
    auto* hc = reinterpret_cast<fftw_complex*>(work_.data());
    const unsigned flags = planner_flags(effort);
    if (d_ == 1) {
        passes_.emplace_back(fftw_plan_dft_r2c(1, dims.data(), work_.data(), hc, flags), "padded pair-sum r2c");
        return;
    }
    std::vector<fftw_iodim> many;
    std::ptrdiff_t stride = half_;  // complex numbers between consecutive entries of axis d−2
    std::vector<std::ptrdiff_t> axis_stride(static_cast<std::size_t>(d_ - 1));
    for (int b = d_ - 2; b >= 0; --b) {
        axis_stride[static_cast<std::size_t>(b)] = stride;
        stride *= P;
    }
    for (int b = 0; b + 1 < d_; ++b) {
        const int is = static_cast<int>(2 * axis_stride[static_cast<std::size_t>(b)]);
        many.push_back({static_cast<int>(N), is, is / 2});
    }
    const fftw_iodim row{static_cast<int>(P), 1, 1};
    passes_.emplace_back(fftw_plan_guru_dft_r2c(1, &row, d_ - 1, many.data(), work_.data(), hc, flags),
                         "padded pair-sum r2c rows");
    for (int b = d_ - 2; b >= 0; --b) {
        const int st = static_cast<int>(axis_stride[static_cast<std::size_t>(b)]);
        const fftw_iodim line{static_cast<int>(P), st, st};
        std::vector<fftw_iodim> lines;
        for (int c = 0; c < b; ++c) {
            const int sc = static_cast<int>(axis_stride[static_cast<std::size_t>(c)]);
            lines.push_back({static_cast<int>(N), sc, sc});  // indices before b: only those < N hold data
        }
        for (int c = b + 1; c + 1 < d_; ++c) {
            const int sc = static_cast<int>(axis_stride[static_cast<std::size_t>(c)]);
            lines.push_back({static_cast<int>(P), sc, sc});
        }
        lines.push_back({static_cast<int>(half_), 1, 1});
        passes_.emplace_back(fftw_plan_guru_dft(1, &line, static_cast<int>(lines.size()), lines.data(), hc, hc,
                                                FFTW_FORWARD, flags),
                             "padded pair-sum complex pass");
    }
}

void PairTerms::tabulate_kernels(const Potential& potential)
{
    const auto d = static_cast<std::size_t>(d_);
    const auto nr = R_.size();
    const long P = padded_;
    // Kernels K_a = |V'(|z|)| z_a/|z| at the offsets z = m·dx of the padded grid (m = j for j < N,
    // j − 2N for j > N), zero at z = 0 (where a_R = 0) and at j = N (offset ±N: no pair of the grid
    // is that far apart along an axis, and a zero there makes the kernel exactly odd, so its spectrum
    // folds exactly by parity). Set 0 takes every |z|, set 1 + r only |z|² ≤ R_r. The spectra carry
    // dv (the convolution's quadrature) and 1/(2N)^d (Parseval on the padded grid).
    // The kernels fill the whole padded grid: their transform is a full one, planned here only.
    std::array<int, 3> full_dims{static_cast<int>(P), static_cast<int>(P), static_cast<int>(P)};
    auto* hc = reinterpret_cast<fftw_complex*>(work_.data());
    const Plan full(fftw_plan_dft_r2c(d_, full_dims.data(), work_.data(), hc, FFTW_ESTIMATE), "padded kernel r2c");
    const std::size_t sets = 1 + nr;
    kernel_.resize(sets * d);
    std::vector<bool> needed(sets * d, false);
    for (std::size_t task = 0; task < nr * d; ++task)
        if (mine(task)) needed[task % d] = needed[(1 + task / d) * d + task % d] = true;
    const double scale = grid_.cell_volume() / std::pow(static_cast<double>(P), d_);
    for (std::size_t set = 0; set < sets; ++set)
        for (std::size_t a = 0; a < d; ++a) {
            if (!needed[set * d + a]) continue;
            fill_kernel(potential, a, set == 0 ? INFINITY : R_[set - 1]);
            double* w = work_.data();
            fftw_execute_dft_r2c(full.get(), w, reinterpret_cast<fftw_complex*>(w));
            fold_kernel_spectrum(scale, kernel_[set * d + a]);
        }
}

void PairTerms::fill_kernel(const Potential& potential, std::size_t a, double R2)
{
    const auto d = static_cast<std::size_t>(d_);
    const long N = N_, P = padded_;
    const double dx = grid_.dx();
    auto offset = [&](long j) { return static_cast<double>(j < N ? j : j - P) * dx; };
    double* w = work_.data();
    std::fill(w, w + work_.size(), 0.0);
    for (std::ptrdiff_t row = 0; row < rows_; ++row) {
        std::array<double, 3> z{0.0, 0.0, 0.0};
        std::ptrdiff_t rest = row;
        bool edge = false;
        for (int b = d_ - 2; b >= 0; --b) {
            const long j = static_cast<long>(rest % P);
            rest /= P;
            edge = edge || j == N;
            z[static_cast<std::size_t>(b)] = offset(j);
        }
        if (edge) continue;
        for (long j = 0; j < P; ++j) {
            if (j == N) continue;
            z[d - 1] = offset(j);
            const double z2 = z[0] * z[0] + z[1] * z[1] + z[2] * z[2];
            if (z2 == 0.0 || z2 > R2) continue;
            const double r = std::sqrt(z2);
            w[row * 2 * half_ + j] = std::abs(potential.radial_derivative(r)) * z[a] / r;
        }
    }
}

void PairTerms::fold_kernel_spectrum(double scale, std::vector<double>& table) const
{
    const long P = padded_;
    const double* w = work_.data();
    std::size_t folded = 1;
    for (int a = 0; a < d_; ++a) folded *= static_cast<std::size_t>(half_);
    // The representative of every folded index is the non-negative one (j ≤ N on every axis).
    table.resize(folded);
    for (std::size_t f = 0; f < folded; ++f) {
        std::size_t rest = f;
        const auto h = static_cast<std::ptrdiff_t>(rest % static_cast<std::size_t>(half_));
        rest /= static_cast<std::size_t>(half_);
        std::ptrdiff_t row = 0, mult = 1;
        for (int b = d_ - 2; b >= 0; --b) {
            row += static_cast<std::ptrdiff_t>(rest % static_cast<std::size_t>(half_)) * mult;
            rest /= static_cast<std::size_t>(half_);
            mult *= P;
        }
        table[f] = w[2 * (row * half_ + h) + 1] * scale;
    }
}

PairTerms::~PairTerms() = default;

bool PairTerms::mine(std::size_t task) const
{
    const Comm& comm = grid_.comm();
    return static_cast<int>(task % static_cast<std::size_t>(comm.size())) == comm.rank();
}

void PairTerms::transform(double* data) const
{
    auto* c = reinterpret_cast<fftw_complex*>(data);
    fftw_execute_dft_r2c(passes_.front().get(), data, c);
    for (std::size_t i = 1; i < passes_.size(); ++i) fftw_execute_dft(passes_[i].get(), c, c);
}

std::array<double, 2> PairTerms::parseval(const double* f_hat, const double* all, const double* inner, int a) const
{
    const auto hn = static_cast<std::size_t>(half_);
    const long P = padded_, N = N_;
    std::array<double, 2> total{0.0, 0.0};
    for (std::ptrdiff_t row = 0; row < rows_; ++row) {
        // Fold the row's indices; K̂_a is odd along axis a, even along the others.
        std::ptrdiff_t rest = row, frow = 0, mult = 1;
        double sign = 1.0;
        for (int b = d_ - 2; b >= 0; --b) {
            const long i = static_cast<long>(rest % P);
            rest /= P;
            frow += (i <= N ? i : P - i) * mult;
            mult *= half_;
            if (b == a && i > N) sign = -1.0;
        }
        const std::size_t o = static_cast<std::size_t>(row * half_);
        const std::size_t k = static_cast<std::size_t>(frow * half_);
        const auto sums = parseval_row(hn, half_weight_.data(), all + k, inner + k, f_hat + 2 * o, spectrum_.data() + 2 * o);
        total[0] += sign * sums[0];
        total[1] += sign * sums[1];
    }
    return total;
}

void PairTerms::add(std::span<const double> rho, std::span<double> out)
{
    const auto d = static_cast<std::size_t>(d_);
    const auto nr = R_.size();
    const auto np = gathered_.size();
    const Comm& comm = grid_.comm();
    DFE_MPI(MPI_Allgatherv(rho.data(), static_cast<int>(rho.size()), MPI_DOUBLE, gathered_.data(), counts_.data(),
                           displs_.data(), MPI_DOUBLE, comm.get()));
    if (!has_tasks_) return;

    const auto N = static_cast<std::size_t>(N_);
    const std::size_t unpadded_rows = padded_row_.size();

    // ρ̂ on the padded grid, in spectrum_.
    double* s = spectrum_.data();
    std::fill(s, s + spectrum_.size(), 0.0);
    for (std::size_t u = 0; u < unpadded_rows; ++u) std::copy_n(gathered_.data() + u * N, N, s + padded_row_[u]);
    transform(s);

    const double dv = grid_.cell_volume();
    double* w = work_.data();
    for (std::size_t task = 0; task < nr * d; ++task) {
        if (!mine(task)) continue;
        const std::size_t r = task / d, a = task % d;
        // f_a = ρ F_R x_a on the padded grid; all zero (the state inside the core): the sums are 0.
        std::fill(w, w + work_.size(), 0.0);
        const double* F = F_.data() + r * np;
        bool nonzero = false;
        for (std::size_t u = 0; u < unpadded_rows; ++u) {
            double* dst = w + padded_row_[u];
            const double* g = gathered_.data() + u * N;
            const double* Fu = F + u * N;
            if (a + 1 == d) {
                for (std::size_t j = 0; j < N; ++j) dst[j] = g[j] * Fu[j] * x_[j];
            } else {
                const double xa = x_[row_index_[u * (d - 1) + a]];
                for (std::size_t j = 0; j < N; ++j) dst[j] = g[j] * Fu[j] * xa;
            }
            for (std::size_t j = 0; j < N && !nonzero; ++j) nonzero = dst[j] != 0.0;
        }
        if (!nonzero) continue;
        transform(w);
        const auto [all, inner] = parseval(w, kernel_[a].data(), kernel_[(1 + r) * d + a].data(), static_cast<int>(a));
        out[2 * r] += 4.0 * dv * (all - inner);
        out[2 * r + 1] += 4.0 * dv * inner;
    }
}

}  // namespace dfe
