#include "dfe/observables/observables.hpp"

#include "dfe/core/error.hpp"
#include "dfe/observables/resolution.hpp"
#include "dfe/core/simd.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dfe {

ObservableEvaluator::ObservableEvaluator(const Convolver& convolver, double mu, LocalizedSpec localized)
    : convolver_(convolver), plans_(convolver.plans()), mu_(mu), spec_(std::move(localized)),
      spectrum_(plans_.grid().alloc_complex()), rho_hat_(plans_.grid().alloc_real())
{
    const Grid& grid = plans_.grid();
    const int d = grid.d();
    for (int a = 0; a < d; ++a) {
        grad_[static_cast<std::size_t>(a)] = Buffer<double>(grid.alloc_real());
        work_[static_cast<std::size_t>(a)] = Buffer<cplx>(grid.alloc_complex());
    }
    if (convolver.free_space()) rho_real_ = Buffer<double>(grid.alloc_real());
    const auto n = static_cast<std::size_t>(grid.local_points());
    // Rows of the last axis: back to back in the complex layout, padded in the real one (one row in 1D).
    rows_ = grid.local_points() / grid.N();
    pad_ = d == 1 ? grid.N() : grid.physical_real().stride_last;
    rho_.resize(n);
    xdv_.resize(n);
    x2_.resize(n);
    for (int a = 0; a < d; ++a) x_[static_cast<std::size_t>(a)].resize(n);
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const std::array<double, 3>& x) {
        const auto i = static_cast<std::size_t>(ic);
        require_logic(ir == (ic / grid.N()) * pad_ + ic % grid.N(), "observables: unexpected real layout");
        x2_[i] = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        for (std::size_t a = 0; a < static_cast<std::size_t>(d); ++a) x_[a][i] = x[a];
    });
    edge_ = boundary_mask(grid);

    const double inv_points = 1.0 / grid.global_points();
    const auto ns = static_cast<std::size_t>(grid.spectral().count());
    k2_.resize(ns);
    tail_.resize(ns);
    for (int a = 0; a < d; ++a) k_odd_[static_cast<std::size_t>(a)].resize(ns);
    grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const std::array<double, 3>& odd) {
        const auto m = static_cast<std::size_t>(i);
        k2_[m] = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        tail_[m] = in_spectral_tail(grid, k) ? 1 : 0;
        for (std::size_t a = 0; a < static_cast<std::size_t>(d); ++a) k_odd_[a][m] = odd[a] * inv_points;
    });

    const std::size_t nr = spec_.R.size();
    if (nr == 0) return;
    for (double R : spec_.R) require(std::isfinite(R) && R > 0.0, "--R: every radius must be positive and finite");
    psi_.resize(nr * n);
    dpsi_.resize(nr * n);
    F_.resize(nr * n);
    h2_.resize(nr * n);
    for (std::size_t r = 0; r < nr; ++r) {
        const double R = spec_.R[r];
        for (std::size_t i = 0; i < n; ++i) {
            const double s = x2_[i] / R;
            psi_[r * n + i] = spec_.cutoff.psi_R(x2_[i], R);
            dpsi_[r * n + i] = spec_.cutoff.dpsi(s);
            F_[r * n + i] = spec_.cutoff.F(s);  // 1 − ψ', but exactly 0 inside |x|² ≤ (2−h)R
            h2_[r * n + i] = -16.0 / R * spec_.cutoff.rho(s);  // (16/R) ψ''(s), ψ'' = −ρ_cut
        }
    }
    // IV_R = −∫ ψ_R Δ²ρ with Δ²ρ spectral, by Parseval: Σ_n ψ_n (Δ²ρ)_n = N^{−d} Σ_k |k|⁴ ρ̂_k conj(ψ̂_k),
    // on the half spectrum with weights w_k (ψ and ρ real). ψ̂_R by one r2c each, here.
    const auto nh = static_cast<std::size_t>(grid.spectral_half().count());
    std::vector<double> k4(nh);
    grid.for_each_mode(grid.spectral_half(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
        const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        k4[static_cast<std::size_t>(i)] = k2 * k2 * inv_points;
    });
    const auto& weights = convolver_.half_weights();
    iv_kernel_.resize(nr * 2 * nh);
    double* buf = rho_hat_.data();
    for (std::size_t r = 0; r < nr; ++r) {
        std::fill(buf, buf + grid.alloc_real(), 0.0);
        for (std::ptrdiff_t row = 0; row < rows_; ++row)
            std::copy_n(psi_.data() + r * n + static_cast<std::size_t>(row * grid.N()), grid.N(), buf + row * pad_);
        plans_.r2c(buf);
        const auto* psi_hat = reinterpret_cast<const cplx*>(buf);
        double* kern = iv_kernel_.data() + r * 2 * nh;
        for (std::size_t i = 0; i < nh; ++i) {
            const cplx a = weights[i] * k4[i] * std::conj(psi_hat[i]);
            kern[2 * i] = a.real();
            kern[2 * i + 1] = a.imag();
        }
    }
    im_xg_.resize(n);
    grad_pt_.resize(n);
    xg2_.resize(n);
    pair_out_.resize(2 * nr);
    pairs_ = std::make_unique<PairTerms>(grid, convolver.potential_function(), spec_.cutoff, spec_.R, plans_.effort());
}

ObservableEvaluator::~ObservableEvaluator() = default;

namespace {

/// Sums of the pass over ∇φ: Im conj(φ) x·∇φ, Σ_{a<b}|x_a∂_bφ − x_b∂_aφ|², |x|²|∇φ|².
struct GradientSums {
    double x_grad_im = 0, ang2 = 0, xgrad2 = 0;
};

/**
 * @brief One pass over the points with ∂_aφ (g[a], physical complex layout): the sums, and per point
 * (when `keep`) Im conj(φ) x·∇φ, |∇φ|² and |x·∇φ|² for the localized terms. Real arithmetic with
 * the dimension fixed at compile time, so that the loop vectorizes.
 */
template <int D>
[[gnu::always_inline]] inline GradientSums gradient_pass(std::size_t n, const double* __restrict z, std::array<const double*, 3> g,
                           std::array<const double*, 3> x, const double* __restrict x2, bool keep,
                           double* __restrict im_xg, double* __restrict grad_pt, double* __restrict xg2)
{
    double s_im = 0, s_ang = 0, s_xg = 0;
#pragma omp simd reduction(+ : s_im, s_ang, s_xg)
    for (std::size_t i = 0; i < n; ++i) {
        double xr = 0, xi = 0, gg = 0, ang = 0;
        for (int a = 0; a < D; ++a) {
            const double gr = g[static_cast<std::size_t>(a)][2 * i], gim = g[static_cast<std::size_t>(a)][2 * i + 1];
            xr += x[static_cast<std::size_t>(a)][i] * gr;
            xi += x[static_cast<std::size_t>(a)][i] * gim;
            gg += gr * gr + gim * gim;
            for (int b = a + 1; b < D; ++b) {
                // x_a ∂_bφ − x_b ∂_aφ
                const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
                const double lr = x[ua][i] * g[ub][2 * i] - x[ub][i] * g[ua][2 * i];
                const double li = x[ua][i] * g[ub][2 * i + 1] - x[ub][i] * g[ua][2 * i + 1];
                ang += lr * lr + li * li;
            }
        }
        const double im = z[2 * i] * xi - z[2 * i + 1] * xr;
        s_im += im;
        s_ang += ang;
        s_xg += x2[i] * gg;
        if (keep) {
            im_xg[i] = im;
            grad_pt[i] = gg;
            xg2[i] = xr * xr + xi * xi;
        }
    }
    return {s_im, s_ang, s_xg};
}

DFE_VECTOR_CLONES GradientSums gradient_pass_1(std::size_t n, const double* z, std::array<const double*, 3> g,
                                               std::array<const double*, 3> x, const double* x2, bool keep, double* im_xg,
                                               double* grad_pt, double* xg2)
{
    return gradient_pass<1>(n, z, g, x, x2, keep, im_xg, grad_pt, xg2);
}

DFE_VECTOR_CLONES GradientSums gradient_pass_2(std::size_t n, const double* z, std::array<const double*, 3> g,
                                               std::array<const double*, 3> x, const double* x2, bool keep, double* im_xg,
                                               double* grad_pt, double* xg2)
{
    return gradient_pass<2>(n, z, g, x, x2, keep, im_xg, grad_pt, xg2);
}

DFE_VECTOR_CLONES GradientSums gradient_pass_3(std::size_t n, const double* z, std::array<const double*, 3> g,
                                               std::array<const double*, 3> x, const double* x2, bool keep, double* im_xg,
                                               double* grad_pt, double* xg2)
{
    return gradient_pass<3>(n, z, g, x, x2, keep, im_xg, grad_pt, xg2);
}

/// ρ_j = |z_j|² into `rho` and `padded`; returns (Σρ, Σ|x|²ρ).
DFE_VECTOR_CLONES std::array<double, 3> density_row(std::size_t n, const double* __restrict z, double* __restrict rho,
                                                    double* __restrict padded, const double* __restrict x2,
                                                    const unsigned char* __restrict edge)
{
    double s_mass = 0, s_v1 = 0, s_edge = 0;
#pragma omp simd reduction(+ : s_mass, s_v1, s_edge)
    for (std::size_t j = 0; j < n; ++j) {
        const double r = z[2 * j] * z[2 * j] + z[2 * j + 1] * z[2 * j + 1];
        rho[j] = r;
        padded[j] = r;
        s_mass += r;
        s_v1 += x2[j] * r;
        s_edge += edge[j] ? r : 0.0;
    }
    return {s_mass, s_v1, s_edge};
}

/// Over the spectrum φ̂ (as (re, im)): (Σ|k|²|φ̂|², Σ|φ̂|², Σ_tail |φ̂|²).
DFE_VECTOR_CLONES std::array<double, 3> spectrum_sums(std::size_t n, const double* __restrict sp, const double* __restrict k2,
                                                      const unsigned char* __restrict tail)
{
    double s_g = 0, s_all = 0, s_tail = 0;
#pragma omp simd reduction(+ : s_g, s_all, s_tail)
    for (std::size_t i = 0; i < n; ++i) {
        const double p = sp[2 * i] * sp[2 * i] + sp[2 * i + 1] * sp[2 * i + 1];
        s_g += k2[i] * p;
        s_all += p;
        s_tail += tail[i] ? p : 0.0;
    }
    return {s_g, s_all, s_tail};
}

/// out_j (+)= x_j·g_j.
DFE_VECTOR_CLONES void multiply_add_row(std::size_t n, bool add, const double* __restrict x, const double* __restrict g,
                                        double* __restrict out)
{
    if (add) {
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) out[j] += x[j] * g[j];
    } else {
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) out[j] = x[j] * g[j];
    }
}

/// Σ_j a_j·b_j.
DFE_VECTOR_CLONES double dot(std::size_t n, const double* __restrict a, const double* __restrict b)
{
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (std::size_t j = 0; j < n; ++j) s += a[j] * b[j];
    return s;
}

/// Adds to q the localized sums of one block of points for one radius (q[5], IV_R's, is not touched).
DFE_VECTOR_CLONES void localized_sums(std::size_t n, const double* __restrict psi, const double* __restrict dp,
                                      const double* __restrict F, const double* __restrict h2,
                                      const double* __restrict rho, const double* __restrict im_xg,
                                      const double* __restrict gp, const double* __restrict xg2,
                                      const double* __restrict xdv, double* __restrict q)
{
    double s_loc = 0, s_dloc = 0, s_g = 0, s_xg = 0, s_int = 0, s_Fg = 0, s_Fint = 0;
#pragma omp simd reduction(+ : s_loc, s_dloc, s_g, s_xg, s_int, s_Fg, s_Fint)
    for (std::size_t i = 0; i < n; ++i) {
        s_loc += psi[i] * rho[i];
        s_dloc += dp[i] * im_xg[i];
        s_g += dp[i] * gp[i];
        s_xg += h2[i] * xg2[i];
        s_int += dp[i] * rho[i] * xdv[i];
        s_Fg += F[i] * gp[i];
        s_Fint += F[i] * rho[i] * xdv[i];
    }
    q[0] += s_loc;
    q[1] += s_dloc;
    q[2] += s_g;
    q[3] += s_xg;
    q[4] += s_int;
    q[6] += s_Fg;
    q[7] += s_Fint;
}

/// Σ_i Re(a_i·b_i), complex numbers as (re, im).
DFE_VECTOR_CLONES double real_dot(std::size_t n, const double* __restrict a, const double* __restrict b)
{
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = 0; i < n; ++i) s += a[2 * i] * b[2 * i] - a[2 * i + 1] * b[2 * i + 1];
    return s;
}

}  // namespace

namespace {

// The local partial sums of one evaluation, reduced in one allreduce: the fixed ones, then
// per_radius per radius (loc, dloc, ψ'|∇φ|², h2|x·∇φ|², ρψ'x·(∇V*ρ), ψ_RΔ²ρ, F|∇φ|², ρF x·(∇V*ρ)),
// then IIIa, IIIb per radius.
enum Part : std::size_t { mass, v1, grad2, x_grad_im, interaction, x_dv, w_sum, ang2, xgrad2, tail, spectrum, edge, fixed };
constexpr std::size_t per_radius = 8;

}  // namespace

SampleObservables ObservableEvaluator::evaluate(const cplx* phi, std::span<double> density, double weight)
{
    part_.assign(fixed + (per_radius + 2) * spec_.R.size(), 0.0);
    density_pass(phi, density, weight);
    spectrum_pass(phi);
    gradient_pass(phi);
    const cplx* rho_hat = convolution_pass();
    if (!spec_.R.empty()) localized_pass(rho_hat);
    plans_.grid().comm().sum_in_place(part_);
    return assemble();
}

void ObservableEvaluator::density_pass(const cplx* phi, std::span<double> density, double weight)
{
    // ρ = |φ|², row by row into the padded real layout for the r2c.
    const auto N = static_cast<std::size_t>(plans_.grid().N());
    const auto* z = reinterpret_cast<const double*>(phi);
    double* padded = rho_hat_.data();
    for (std::ptrdiff_t row = 0; row < rows_; ++row) {
        const std::size_t o = static_cast<std::size_t>(row) * N;
        const auto sums = density_row(N, z + 2 * o, rho_.data() + o, padded + row * pad_, x2_.data() + o, edge_.data() + o);
        part_[mass] += sums[0];
        part_[v1] += sums[1];
        part_[edge] += sums[2];
        if (convolver_.free_space()) std::copy_n(rho_.data() + o, N, rho_real_.data() + row * pad_);
    }
    if (!density.empty())
        for (std::size_t i = 0; i < rho_.size(); ++i) density[i] += weight * rho_[i];
}

void ObservableEvaluator::spectrum_pass(const cplx* phi)
{
    // ‖∇φ‖² by Parseval on the spectrum of φ, Σ_n |g_n|² = N^{−d} Σ_k |ĝ_k|².
    std::copy_n(phi, rho_.size(), spectrum_.data());
    plans_.forward(spectrum_.data());
    const auto* sp = reinterpret_cast<const double*>(spectrum_.data());
    // The same pass gives the resolution monitor's tail fraction (resolution.hpp).
    const auto sums = spectrum_sums(k2_.size(), sp, k2_.data(), tail_.data());
    part_[grad2] = sums[0] / plans_.grid().global_points();
    part_[spectrum] = sums[1];
    part_[tail] = sums[2];
}

void ObservableEvaluator::gradient_pass(const cplx* phi)
{
    const Grid& grid = plans_.grid();
    const auto d = static_cast<std::size_t>(grid.d());
    const auto n = rho_.size();
    const auto ns = k2_.size();
    const auto N = static_cast<std::size_t>(grid.N());
    const auto* z = reinterpret_cast<const double*>(phi);
    const auto* sp = reinterpret_cast<const double*>(spectrum_.data());
    // ∂_aφ, one spectral derivative per dimension: i·k_a·φ̂, in real arithmetic.
    for (std::size_t a = 0; a < d; ++a) {
        auto* gd = reinterpret_cast<double*>(work_[a].data());
        const double* ka = k_odd_[a].data();
#pragma omp simd
        for (std::size_t i = 0; i < ns; ++i) {
            gd[2 * i] = -sp[2 * i + 1] * ka[i];
            gd[2 * i + 1] = sp[2 * i] * ka[i];
        }
        plans_.backward(work_[a].data());
    }
    // One pass over the points: x·∇φ, |∇φ|², the angular momentum.
    std::array<const double*, 3> g{}, x{};
    for (std::size_t a = 0; a < d; ++a) {
        g[a] = reinterpret_cast<const double*>(work_[a].data());
        x[a] = x_[a].data();
    }
    const bool keep = !spec_.R.empty();
    GradientSums gs;
    if (d == 1) gs = gradient_pass_1(n, z, g, x, x2_.data(), keep, im_xg_.data(), grad_pt_.data(), xg2_.data());
    else if (d == 2) gs = gradient_pass_2(n, z, g, x, x2_.data(), keep, im_xg_.data(), grad_pt_.data(), xg2_.data());
    else gs = gradient_pass_3(n, z, g, x, x2_.data(), keep, im_xg_.data(), grad_pt_.data(), xg2_.data());
    part_[x_grad_im] = gs.x_grad_im;
    part_[ang2] = gs.ang2;
    part_[xgrad2] = gs.xgrad2;
    if (d == 1) {
        // Evenness: x_n ↦ −x_n is n ↦ (N − n) mod N (one rank in 1D).
        double odd = 0.0, all = 0.0;
        for (std::size_t i = 0; i < N; ++i) {
            odd += std::norm(phi[i] - phi[(N - i) % N]);
            all += std::norm(phi[i]);
        }
        part_[ang2] = odd;
        part_[xgrad2] = 4.0 * all;
    }
    if (convolver_.free_space())
        for (std::size_t a = 0; a < d; ++a)
            // ∂_aρ = 2 Re(conj(φ) ∂_aφ), for (∂_aV)*ρ = V*(∂_aρ) without a kink at the padded wrap.
            for (std::ptrdiff_t row = 0; row < rows_; ++row) {
                const std::size_t o = static_cast<std::size_t>(row) * N;
                const double* zr = z + 2 * o;
                const double* gr = g[a] + 2 * o;
                double* out = grad_[a].data() + row * pad_;
                for (std::size_t j = 0; j < N; ++j) out[j] = 2.0 * (zr[2 * j] * gr[2 * j] + zr[2 * j + 1] * gr[2 * j + 1]);
            }
}

const cplx* ObservableEvaluator::convolution_pass()
{
    const Grid& grid = plans_.grid();
    const auto d = static_cast<std::size_t>(grid.d());
    const auto N = static_cast<std::size_t>(grid.N());
    // One r2c of ρ; the convolver gives the Parseval sums of V and W and (∂_aV)*ρ.
    double* padded = rho_hat_.data();
    plans_.r2c(padded);
    const auto* rho_hat = reinterpret_cast<const cplx*>(padded);
    std::array<double*, 3> grad{grad_[0].data(), grad_[1].data(), grad_[2].data()};
    const ConvolutionSums conv = convolver_.convolve_all(rho_hat, convolver_.free_space() ? rho_real_.data() : nullptr,
                                                         std::span<double* const>(grad.data(), d));
    part_[interaction] = conv.v;
    part_[w_sum] = conv.w;
    // x·((∇V)*ρ) per point, row by row out of the real layout.
    for (std::ptrdiff_t row = 0; row < rows_; ++row) {
        const std::size_t o = static_cast<std::size_t>(row) * N;
        for (std::size_t a = 0; a < d; ++a) multiply_add_row(N, a > 0, x_[a].data() + o, grad[a] + row * pad_, xdv_.data() + o);
        part_[x_dv] += dot(N, xdv_.data() + o, rho_.data() + o);
    }
    return rho_hat;
}

void ObservableEvaluator::localized_pass(const cplx* rho_hat)
{
    const auto n = rho_.size();
    const std::size_t nr = spec_.R.size();
    double* part = part_.data();
    const std::size_t nh = iv_kernel_.size() / (2 * nr);
    const auto* rh = reinterpret_cast<const double*>(rho_hat);
    // In blocks of points that stay in the L1 cache while every radius reads them.
    constexpr std::size_t block = 1024;
    for (std::size_t b = 0; b < n; b += block) {
        const std::size_t m = std::min(block, n - b);
        for (std::size_t r = 0; r < nr; ++r)
            localized_sums(m, psi_.data() + r * n + b, dpsi_.data() + r * n + b, F_.data() + r * n + b,
                           h2_.data() + r * n + b, rho_.data() + b, im_xg_.data() + b, grad_pt_.data() + b,
                           xg2_.data() + b, xdv_.data() + b, part + fixed + per_radius * r);
    }
    for (std::size_t r = 0; r < nr; ++r) part[fixed + per_radius * r + 5] = real_dot(nh, iv_kernel_.data() + r * 2 * nh, rh);
    std::fill(pair_out_.begin(), pair_out_.end(), 0.0);
    pairs_->add(rho_, pair_out_);
    std::copy(pair_out_.begin(), pair_out_.end(), part + fixed + per_radius * nr);
}

SampleObservables ObservableEvaluator::assemble() const
{
    const double* part = part_.data();
    const std::size_t nr = spec_.R.size();
    const double dv = plans_.grid().cell_volume();
    SampleObservables out;
    out.mass = dv * part[mass];
    out.kinetic = 0.5 * dv * part[grad2];
    out.interaction = 0.25 * mu_ * dv * part[interaction];
    out.energy = out.kinetic + out.interaction;
    out.V1 = dv * part[v1];
    out.dV1 = 4.0 * dv * part[x_grad_im];
    out.d2V1 = 8.0 * dv * part[grad2] - 4.0 * mu_ * dv * part[x_dv];
    out.vterm = -4.0 * mu_ * dv * (part[interaction] + 0.5 * part[w_sum]);
    out.tail_fraction = part[spectrum] > 0.0 ? part[tail] / part[spectrum] : 0.0;
    out.boundary_mass = part[mass] > 0.0 ? part[edge] / part[mass] : 0.0;
    out.radial_defect = part[xgrad2] > 0.0 ? std::sqrt(part[ang2] / part[xgrad2]) : 0.0;
    if (nr == 0) return out;
    out.localized.resize(localized_count * nr);
    for (std::size_t r = 0; r < nr; ++r) {
        const double* q = part + fixed + per_radius * r;
        double* o = out.localized.data() + localized_count * r;
        const double interaction_term = -4.0 * mu_ * dv * q[4];  // −2μ ∫ ρ ∇ψ_R·((∇V)*ρ)
        o[loc_i] = dv * q[0];
        o[dloc_i] = 4.0 * dv * q[1];
        o[IV_i] = -dv * q[5];
        // II_R and III_R from their integrands where F_R > 0 (docs/physics.md §5), not as
        // 8‖∇φ‖² − 8∫ψ'|∇φ|² and 2μ∫ρ(W*ρ) − 4μ∫ρψ'x·((∇V)*ρ).
        o[II_i] = -8.0 * dv * q[6] + dv * q[3];
        o[III_i] = 4.0 * mu_ * dv * q[7];
        o[d2loc_i] = 8.0 * dv * q[2] + dv * q[3] + o[IV_i] + interaction_term;
        o[IIIa_i] = part[fixed + per_radius * nr + 2 * r];
        o[IIIb_i] = part[fixed + per_radius * nr + 2 * r + 1];
        o[lemma61_i] = o[d2loc_i] - (16.0 * out.energy + o[II_i] + out.vterm + o[III_i] + o[IV_i]);
    }
    return out;
}

}  // namespace dfe
