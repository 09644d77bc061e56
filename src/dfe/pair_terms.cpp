#include "dfe/pair_terms.hpp"

#include "dfe/error.hpp"

#include <fftw3.h>

#include <cmath>

namespace dfe {

PairTerms::PairTerms(const Grid& grid, long n, const Potential& potential, const Cutoff& cutoff, std::vector<double> R,
                     PlannerEffort effort)
    : grid_(grid), n_(n), stride_(grid.N() / n), d_(grid.d()), R_(std::move(R)), padded_(2 * n)
{
    require(n >= 2 && grid.N() % n == 0, "the observation grid must have n >= 2 points dividing N");
    const auto d = static_cast<std::size_t>(d_);
    const auto nr = R_.size();
    const double ho = grid.L() / static_cast<double>(n);
    const double dvo = std::pow(ho, d_);

    // Local observation points: slab rows that are multiples of the stride, then every stride-th
    // point of the other dimensions.
    const Layout& phys = grid.physical();
    const std::ptrdiff_t n1 = phys.axes[1].n, n2 = phys.axes[2].n;
    for (std::ptrdiff_t i0 = 0; i0 < phys.axes[0].n; ++i0) {
        if ((phys.axes[0].start + i0) % stride_ != 0) continue;
        for (std::ptrdiff_t i1 = 0; i1 < n1; i1 += (d_ >= 2 ? stride_ : 1))
            for (std::ptrdiff_t i2 = 0; i2 < n2; i2 += (d_ == 3 ? stride_ : 1)) local_index_.push_back((i0 * n1 + i1) * n2 + i2);
    }
    const Comm& comm = grid.comm();
    counts_.assign(static_cast<std::size_t>(comm.size()), 0);
    int mine = static_cast<int>(local_index_.size());
    DFE_MPI(MPI_Allgather(&mine, 1, MPI_INT, counts_.data(), 1, MPI_INT, comm.get()));
    displs_.assign(counts_.size(), 0);
    for (std::size_t r = 1; r < counts_.size(); ++r) displs_[r] = displs_[r - 1] + counts_[r - 1];
    long total = 1;
    for (int a = 0; a < d_; ++a) total *= n;
    gathered_.assign(static_cast<std::size_t>(total), 0.0);

    // Coordinates and ψ' of every observation point, C order.
    x_.resize(gathered_.size());
    dpsi_.resize(nr * gathered_.size());
    for (std::size_t p = 0; p < gathered_.size(); ++p) {
        std::array<double, 3> x{0.0, 0.0, 0.0};
        std::size_t rest = p;
        for (int a = d_ - 1; a >= 0; --a) {
            x[static_cast<std::size_t>(a)] = -0.5 * grid.L() + static_cast<double>(rest % static_cast<std::size_t>(n)) * ho;
            rest /= static_cast<std::size_t>(n);
        }
        x_[p] = x;
        const double x2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        for (std::size_t r = 0; r < nr; ++r) dpsi_[r * gathered_.size() + p] = cutoff.dpsi(x2 / R_[r]);
    }

    // Serial in-place r2c/c2r plans on the padded (2n)^d grid.
    const long P = padded_;
    const long half = P / 2 + 1;
    std::ptrdiff_t real_alloc = 2 * half, rows = 1;
    for (int a = 0; a + 1 < d_; ++a) rows *= P;
    real_alloc *= rows;
    half_count_ = rows * half;
    work_ = Buffer<double>(real_alloc);
    spectrum_ = Buffer<double>(real_alloc);
    std::array<int, 3> dims{static_cast<int>(P), static_cast<int>(P), static_cast<int>(P)};
    auto* hc = reinterpret_cast<fftw_complex*>(work_.data());
    r2c_ = Plan(fftw_plan_dft_r2c(d_, dims.data(), work_.data(), hc, planner_flags(effort)), "observation-grid r2c");
    c2r_ = Plan(fftw_plan_dft_c2r(d_, dims.data(), hc, work_.data(), planner_flags(effort)), "observation-grid c2r");

    half_weight_.resize(static_cast<std::size_t>(half_count_));
    for (std::ptrdiff_t m = 0; m < half_count_; ++m) {
        const long h = m % half;
        half_weight_[static_cast<std::size_t>(m)] = (h == 0 || h == P / 2) ? 1.0 : 2.0;
    }

    // Where observation point p (C order over n^d) sits in the padded real array.
    padded_pos_.resize(gathered_.size());
    for (std::size_t p = 0; p < gathered_.size(); ++p) {
        std::size_t rest = p;
        const auto last = static_cast<std::ptrdiff_t>(rest % static_cast<std::size_t>(n));
        rest /= static_cast<std::size_t>(n);
        std::ptrdiff_t row = 0, mult = 1;
        for (int a = d_ - 2; a >= 0; --a) {
            row += static_cast<std::ptrdiff_t>(rest % static_cast<std::size_t>(n)) * mult;
            rest /= static_cast<std::size_t>(n);
            mult *= P;
        }
        padded_pos_[p] = row * 2 * half + last;
    }
    rho_xg_.resize(gathered_.size());

    // Kernels K1 = |z||V'(|z|)| and K2 = |V'(|z|)| z/|z| at the offsets z = m·ho of the padded grid
    // (m = j for j < n, j − 2n otherwise), zero at z = 0 where a_R = 0. Set 0 takes every |z|,
    // set 1 + r only |z|² ≤ R_r. Multipliers carry ho^d (the convolution's quadrature) and 1/(2n)^d.
    const std::size_t sets = 1 + nr;
    k1_.assign(sets * static_cast<std::size_t>(half_count_), 0.0);
    k2_.assign(sets * d * static_cast<std::size_t>(half_count_), 0.0);
    const double scale = dvo / std::pow(static_cast<double>(P), d_);
    const std::ptrdiff_t row_len = 2 * half;
    auto tabulate = [&](std::size_t set, int comp) {
        // comp < 0: K1; otherwise K2_comp.
        double* w = work_.data();
        std::fill(w, w + real_alloc, 0.0);
        const double R2 = set == 0 ? INFINITY : R_[set - 1];
        for (std::ptrdiff_t row = 0; row < rows; ++row)
            for (long j = 0; j < P; ++j) {
                std::array<double, 3> z{0.0, 0.0, 0.0};
                std::ptrdiff_t rest = row;
                z[static_cast<std::size_t>(d_ - 1)] = static_cast<double>(j < n ? j : j - P) * ho;
                for (int a = d_ - 2; a >= 0; --a) {
                    const long i = static_cast<long>(rest % P);
                    rest /= P;
                    z[static_cast<std::size_t>(a)] = static_cast<double>(i < n ? i : i - P) * ho;
                }
                const double z2 = z[0] * z[0] + z[1] * z[1] + z[2] * z[2];
                if (z2 == 0.0 || z2 > R2) continue;
                const double r = std::sqrt(z2);
                const double dv = std::abs(potential.radial_derivative(r));
                w[row * row_len + j] = comp < 0 ? r * dv : dv * z[static_cast<std::size_t>(comp)] / r;
            }
        fftw_execute_dft_r2c(r2c_.get(), w, reinterpret_cast<fftw_complex*>(w));
        const auto* c = reinterpret_cast<const cplx*>(w);
        for (std::ptrdiff_t m = 0; m < half_count_; ++m) {
            const auto i = static_cast<std::size_t>(m);
            if (comp < 0) k1_[set * static_cast<std::size_t>(half_count_) + i] = c[m].real() * scale;
            else k2_[(set * d + static_cast<std::size_t>(comp)) * static_cast<std::size_t>(half_count_) + i] = c[m].imag() * scale;
        }
    };
    for (std::size_t set = 0; set < sets; ++set) {
        tabulate(set, -1);
        for (int a = 0; a < d_; ++a) tabulate(set, a);
    }
}

PairTerms::~PairTerms() = default;

void PairTerms::add(std::span<const double> rho, std::span<double> out)
{
    const auto d = static_cast<std::size_t>(d_);
    const auto nr = R_.size();
    const auto np = gathered_.size();
    const Comm& comm = grid_.comm();
    std::vector<double> mine(local_index_.size());
    for (std::size_t i = 0; i < local_index_.size(); ++i) mine[i] = rho[static_cast<std::size_t>(local_index_[i])];
    DFE_MPI(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, gathered_.data(), counts_.data(),
                           displs_.data(), MPI_DOUBLE, comm.get()));

    // ρ on the padded grid, then its half spectrum (kept in spectrum_).
    double* w = work_.data();
    std::fill(w, w + work_.size(), 0.0);
    for (std::size_t p = 0; p < np; ++p) w[padded_pos_[p]] = gathered_[p];
    fftw_execute_dft_r2c(r2c_.get(), w, reinterpret_cast<fftw_complex*>(w));
    std::copy(w, w + work_.size(), spectrum_.data());
    const auto* rho_hat = reinterpret_cast<const cplx*>(spectrum_.data());

    const double dvo = std::pow(grid_.L() / static_cast<double>(n_), d_);
    const auto hc = static_cast<std::size_t>(half_count_);
    if (comm.rank() == 0) {
        // Σ_{x,y} ρρ K1χ by Parseval, for every set.
        for (std::size_t set = 0; set <= nr; ++set) {
            const double* k1 = k1_.data() + set * hc;
            const auto* rh = reinterpret_cast<const double*>(rho_hat);
            const double* hw = half_weight_.data();
            double s = 0.0;
#pragma omp simd reduction(+ : s)
            for (std::size_t m = 0; m < hc; ++m) s += hw[m] * k1[m] * (rh[2 * m] * rh[2 * m] + rh[2 * m + 1] * rh[2 * m + 1]);
            if (set == 0) {
                for (std::size_t r = 0; r < nr; ++r) out[2 * r] += 2.0 * dvo * s;
            } else {
                out[2 * (set - 1)] -= 2.0 * dvo * s;
                out[2 * (set - 1) + 1] += 2.0 * dvo * s;
            }
        }
    }
    // −2 Σ_x ρ(x) p(x)·((K2χ)*ρ)(x): one c2r per (set, component), dealt round-robin over the group.
    std::size_t task = 0;
    for (std::size_t set = 0; set <= nr; ++set)
        for (std::size_t a = 0; a < d; ++a, ++task) {
            if (static_cast<int>(task % static_cast<std::size_t>(comm.size())) != comm.rank()) continue;
            const double* k2 = k2_.data() + (set * d + a) * hc;
            // i·K2·ρ̂ in real arithmetic (std::complex's product checks for NaN and does not vectorize).
            const auto* rh = reinterpret_cast<const double*>(rho_hat);
#pragma omp simd
            for (std::size_t m = 0; m < hc; ++m) {
                w[2 * m] = -rh[2 * m + 1] * k2[m];
                w[2 * m + 1] = rh[2 * m] * k2[m];
            }
            fftw_execute_dft_c2r(c2r_.get(), reinterpret_cast<fftw_complex*>(w), w);
            // G at observation point p sits at the same padded position ρ was put.
            for (std::size_t p = 0; p < np; ++p) rho_xg_[p] = gathered_[p] * x_[p][a] * w[padded_pos_[p]];
            auto t_of = [&](std::size_t r) {
                const double* dp = dpsi_.data() + r * np;
                const double* q = rho_xg_.data();
                double t = 0.0;
#pragma omp simd reduction(+ : t)
                for (std::size_t p = 0; p < np; ++p) t += dp[p] * q[p];
                return t;
            };
            if (set == 0) {
                for (std::size_t r = 0; r < nr; ++r) out[2 * r] += -4.0 * dvo * t_of(r);
            } else {
                const double t = t_of(set - 1);
                out[2 * (set - 1)] -= -4.0 * dvo * t;
                out[2 * (set - 1) + 1] += -4.0 * dvo * t;
            }
        }
}

}  // namespace dfe
