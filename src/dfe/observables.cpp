#include "dfe/observables.hpp"

#include "dfe/error.hpp"
#include "dfe/resolution.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dfe {

std::string localized_column(std::string_view name, double R)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "_R%g", R);
    return std::string(name) + buf;
}

ObservableEvaluator::ObservableEvaluator(const Convolver& convolver, double mu, LocalizedSpec localized)
    : convolver_(convolver), plans_(convolver.plans()), mu_(mu), spec_(std::move(localized)),
      spectrum_(plans_.grid().alloc_complex()), rho_hat_(plans_.grid().alloc_real()),
      rho_real_(plans_.grid().alloc_real())
{
    const Grid& grid = plans_.grid();
    const int d = grid.d();
    for (int a = 0; a < d; ++a) {
        grad_[static_cast<std::size_t>(a)] = Buffer<double>(grid.alloc_real());
        work_[static_cast<std::size_t>(a)] = Buffer<cplx>(grid.alloc_complex());
    }
    const auto n = static_cast<std::size_t>(grid.local_points());
    rho_.resize(n);
    real_index_.resize(n);
    x2_.resize(n);
    for (int a = 0; a < d; ++a) x_[static_cast<std::size_t>(a)].resize(n);
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const std::array<double, 3>& x) {
        const auto i = static_cast<std::size_t>(ic);
        real_index_[i] = ir;
        x2_[i] = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        for (std::size_t a = 0; a < static_cast<std::size_t>(d); ++a) x_[a][i] = x[a];
    });

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
    bilap_ = Buffer<double>(grid.alloc_real());
    k4_.resize(static_cast<std::size_t>(grid.spectral_half().count()));
    grid.for_each_mode(grid.spectral_half(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
        const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        k4_[static_cast<std::size_t>(i)] = k2 * k2 * inv_points;
    });
    psi_.resize(nr * n);
    dpsi_.resize(nr * n);
    h2_.resize(nr * n);
    for (std::size_t r = 0; r < nr; ++r) {
        const double R = spec_.R[r];
        for (std::size_t i = 0; i < n; ++i) {
            const double s = x2_[i] / R;
            psi_[r * n + i] = spec_.cutoff.psi_R(x2_[i], R);
            dpsi_[r * n + i] = spec_.cutoff.dpsi(s);
            h2_[r * n + i] = -16.0 / R * spec_.cutoff.rho(s);  // (16/R) ψ''(s), ψ'' = −ρ_cut
        }
    }
    im_xg_.resize(n);
    grad_pt_.resize(n);
    xg2_.resize(n);
    xdv_.resize(n);
    pair_out_.resize(2 * nr);
    const long obs = spec_.obs_points;
    pairs_ = std::make_unique<PairTerms>(grid, obs, convolver.potential_function(), spec_.cutoff, spec_.R, plans_.effort());
}

ObservableEvaluator::~ObservableEvaluator() = default;

SampleObservables ObservableEvaluator::evaluate(const cplx* phi, std::span<double> density, double weight)
{
    const Grid& grid = plans_.grid();
    const auto d = static_cast<std::size_t>(grid.d());
    const auto n = rho_.size();
    const auto ns = k2_.size();
    const std::size_t nr = spec_.R.size();
    const bool localized = nr > 0;
    const bool free_space = convolver_.free_space();

    // Local partial sums, reduced in one allreduce at the end: the fixed ones, then 6 per radius
    // (loc, dloc, ψ'|∇φ|², h2|x·∇φ|², ρψ'x·(∇V*ρ), ψ_RΔ²ρ), then IIIa, IIIb per radius.
    enum { mass, v1, grad2, x_grad_im, interaction, x_dv, w_sum, ang2, xgrad2, tail, spectrum, fixed };
    part_.assign(fixed + 8 * nr, 0.0);
    double* part = part_.data();

    double* padded = rho_hat_.data();
    for (std::size_t i = 0; i < n; ++i) {
        const double r = std::norm(phi[i]);
        rho_[i] = r;
        padded[real_index_[i]] = r;
        rho_real_[real_index_[i]] = r;
        part[mass] += r;
        part[v1] += x2_[i] * r;
    }
    if (!density.empty())
        for (std::size_t i = 0; i < n; ++i) density[i] += weight * rho_[i];

    // ‖∇φ‖² by Parseval on the spectrum of φ, Σ_n |g_n|² = N^{−d} Σ_k |ĝ_k|².
    std::copy_n(phi, n, spectrum_.data());
    plans_.forward(spectrum_.data());
    // The same pass gives the resolution monitor's tail fraction (resolution.hpp).
    for (std::size_t i = 0; i < ns; ++i) {
        const double p = std::norm(spectrum_[static_cast<std::ptrdiff_t>(i)]);
        part[grad2] += k2_[i] * p;
        part[spectrum] += p;
        part[tail] += tail_[i] ? p : 0.0;
    }
    part[grad2] /= grid.global_points();

    // ∂_aφ, one spectral derivative per dimension.
    for (std::size_t a = 0; a < d; ++a) {
        cplx* g = work_[a].data();
        const double* ka = k_odd_[a].data();
        // i·k_a·φ̂ in real arithmetic (std::complex's product checks for NaN and does not vectorize).
        const auto* sp = reinterpret_cast<const double*>(spectrum_.data());
        auto* gd = reinterpret_cast<double*>(g);
        for (std::size_t i = 0; i < ns; ++i) {
            gd[2 * i] = -sp[2 * i + 1] * ka[i];
            gd[2 * i + 1] = sp[2 * i] * ka[i];
        }
        plans_.backward(g);
    }
    // One pass over the points: x·∇φ, |∇φ|², the angular momentum, ∂_aρ for free-space potentials.
    {
        const cplx* g0 = work_[0].data();
        const cplx* g1 = d > 1 ? work_[1].data() : nullptr;
        const cplx* g2 = d > 2 ? work_[2].data() : nullptr;
        for (std::size_t i = 0; i < n; ++i) {
            cplx xg = x_[0][i] * g0[i];
            double gg = std::norm(g0[i]);
            double ang = 0.0;
            if (g1) {
                xg += x_[1][i] * g1[i];
                gg += std::norm(g1[i]);
                ang += std::norm(x_[0][i] * g1[i] - x_[1][i] * g0[i]);
            }
            if (g2) {
                xg += x_[2][i] * g2[i];
                gg += std::norm(g2[i]);
                ang += std::norm(x_[0][i] * g2[i] - x_[2][i] * g0[i]) + std::norm(x_[1][i] * g2[i] - x_[2][i] * g1[i]);
            }
            const double im = phi[i].real() * xg.imag() - phi[i].imag() * xg.real();
            part[x_grad_im] += im;
            part[ang2] += ang;
            part[xgrad2] += x2_[i] * gg;
            if (localized) {
                im_xg_[i] = im;
                grad_pt_[i] = gg;
                xg2_[i] = std::norm(xg);
            }
        }
        if (d == 1) {
            // Evenness: x_n ↦ −x_n is n ↦ (N − n) mod N (one rank in 1D).
            const std::size_t N = n;
            double odd = 0.0, all = 0.0;
            for (std::size_t i = 0; i < N; ++i) {
                odd += std::norm(phi[i] - phi[(N - i) % N]);
                all += std::norm(phi[i]);
            }
            part[ang2] = odd;
            part[xgrad2] = 4.0 * all;
        }
        if (free_space)
            for (std::size_t a = 0; a < d; ++a) {
                // ∂_aρ = 2 Re(conj(φ) ∂_aφ), for (∂_aV)*ρ = V*(∂_aρ) without a kink at the padded wrap.
                const cplx* g = work_[a].data();
                double* gr = grad_[a].data();
                for (std::size_t i = 0; i < n; ++i) gr[real_index_[i]] = 2.0 * (phi[i].real() * g[i].real() + phi[i].imag() * g[i].imag());
            }
    }

    // One r2c of ρ; the convolver gives the Parseval sums of V and W and (∂_aV)*ρ.
    plans_.r2c(padded);
    const auto* rho_hat = reinterpret_cast<const cplx*>(padded);
    std::array<double*, 3> grad{grad_[0].data(), grad_[1].data(), grad_[2].data()};
    const ConvolutionSums conv = convolver_.convolve_all(rho_hat, rho_real_.data(), std::span<double* const>(grad.data(), d));
    part[interaction] = conv.v;
    part[w_sum] = conv.w;
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (std::size_t a = 0; a < d; ++a) s += x_[a][i] * grad[a][real_index_[i]];
        if (localized) xdv_[i] = s;
        part[x_dv] += s * rho_[i];
    }

    if (localized) {
        // Δ²ρ spectrally: |k|⁴ ρ̂ / N^d, one c2r.
        auto* c = reinterpret_cast<cplx*>(bilap_.data());
        const std::size_t nh = k4_.size();
        for (std::size_t i = 0; i < nh; ++i) c[i] = rho_hat[i] * k4_[i];
        plans_.c2r(bilap_.data());
        const double* b = bilap_.data();
        for (std::size_t r = 0; r < nr; ++r) {
            const double* psi = psi_.data() + r * n;
            const double* dp = dpsi_.data() + r * n;
            const double* h2 = h2_.data() + r * n;
            double s_loc = 0, s_dloc = 0, s_g = 0, s_xg = 0, s_int = 0, s_iv = 0;
            for (std::size_t i = 0; i < n; ++i) {
                s_loc += psi[i] * rho_[i];
                s_dloc += dp[i] * im_xg_[i];
                s_g += dp[i] * grad_pt_[i];
                s_xg += h2[i] * xg2_[i];
                s_int += dp[i] * rho_[i] * xdv_[i];
                s_iv += psi[i] * b[real_index_[i]];
            }
            double* q = part + fixed + 6 * r;
            q[0] = s_loc;
            q[1] = s_dloc;
            q[2] = s_g;
            q[3] = s_xg;
            q[4] = s_int;
            q[5] = s_iv;
        }
        std::fill(pair_out_.begin(), pair_out_.end(), 0.0);
        pairs_->add(rho_, pair_out_);
        std::copy(pair_out_.begin(), pair_out_.end(), part + fixed + 6 * nr);
    }

    grid.comm().sum_in_place(part_);

    const double dv = grid.cell_volume();
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
    out.radial_defect = part[xgrad2] > 0.0 ? std::sqrt(part[ang2] / part[xgrad2]) : 0.0;
    if (localized) {
        out.localized.resize(localized_count * nr);
        for (std::size_t r = 0; r < nr; ++r) {
            const double* q = part + fixed + 6 * r;
            double* o = out.localized.data() + localized_count * r;
            const double interaction_term = -4.0 * mu_ * dv * q[4];  // −2μ ∫ ρ ∇ψ_R·((∇V)*ρ)
            o[loc_i] = dv * q[0];
            o[dloc_i] = 4.0 * dv * q[1];
            o[IV_i] = -dv * q[5];
            o[II_i] = -8.0 * dv * (part[grad2] - q[2]) + dv * q[3];
            o[d2loc_i] = 8.0 * dv * q[2] + dv * q[3] + o[IV_i] + interaction_term;
            o[III_i] = 2.0 * mu_ * dv * part[w_sum] + interaction_term;
            o[IIIa_i] = part[fixed + 6 * nr + 2 * r];
            o[IIIb_i] = part[fixed + 6 * nr + 2 * r + 1];
        }
    }
    return out;
}

double normalize(const Grid& grid, cplx* phi)
{
    const std::ptrdiff_t n = grid.local_points();
    double local = 0.0;
    for (std::ptrdiff_t i = 0; i < n; ++i) local += std::norm(phi[i]);
    const double norm = std::sqrt(grid.cell_volume() * grid.comm().sum(local));
    if (!(norm > 0.0) || !std::isfinite(norm)) throw InputError("a sample has zero or non-finite L2 norm");
    const double inv = 1.0 / norm;
    for (std::ptrdiff_t i = 0; i < n; ++i) phi[i] *= inv;
    return norm;
}

}  // namespace dfe
