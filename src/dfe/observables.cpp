#include "dfe/observables.hpp"

#include "dfe/error.hpp"

#include <algorithm>
#include <cmath>

namespace dfe {

ObservableEvaluator::ObservableEvaluator(const Convolver& convolver, double mu)
    : convolver_(convolver), plans_(convolver.plans()), mu_(mu),
      spectrum_(plans_.grid().alloc_complex()), work_(plans_.grid().alloc_complex()),
      rho_hat_(plans_.grid().alloc_real()), rho_real_(plans_.grid().alloc_real())
{
    for (int a = 0; a < plans_.grid().d(); ++a) grad_[static_cast<std::size_t>(a)] = Buffer<double>(plans_.grid().alloc_real());
    const Grid& grid = plans_.grid();
    const int d = grid.d();
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
    for (int a = 0; a < d; ++a) k_odd_[static_cast<std::size_t>(a)].resize(ns);
    grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const std::array<double, 3>& odd) {
        const auto m = static_cast<std::size_t>(i);
        k2_[m] = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        for (std::size_t a = 0; a < static_cast<std::size_t>(d); ++a) k_odd_[a][m] = odd[a] * inv_points;
    });

}

SampleObservables ObservableEvaluator::evaluate(const cplx* phi, std::span<double> density, double weight)
{
    const Grid& grid = plans_.grid();
    const auto d = static_cast<std::size_t>(grid.d());
    const auto n = rho_.size();
    const auto ns = k2_.size();

    // Local partial sums, reduced in one allreduce at the end.
    enum { mass, v1, grad2, x_grad_im, interaction, x_dv, virial, count };
    std::array<double, count> part{};

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
    for (std::size_t i = 0; i < ns; ++i) part[grad2] += k2_[i] * std::norm(spectrum_[static_cast<std::ptrdiff_t>(i)]);
    part[grad2] /= grid.global_points();

    // Im ∫ conj(φ) x·∇φ, one spectral derivative per dimension.
    for (std::size_t a = 0; a < d; ++a) {
        cplx* g = work_.data();
        const double* ka = k_odd_[a].data();
        for (std::size_t i = 0; i < ns; ++i) g[i] = spectrum_[static_cast<std::ptrdiff_t>(i)] * cplx(0.0, ka[i]);
        plans_.backward(g);
        const double* xa = x_[a].data();
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += xa[i] * (phi[i].real() * g[i].imag() - phi[i].imag() * g[i].real());
        part[x_grad_im] += s;
        if (convolver_.free_space()) {
            // ∂_aρ = 2 Re(conj(φ) ∂_aφ), for (∂_aV)*ρ = V*(∂_aρ) without a kink at the padded wrap.
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
    part[virial] = conv.v + 0.5 * conv.w;
    for (std::size_t a = 0; a < d; ++a) {
        const double* xa = x_[a].data();
        const double* c = grad[a];
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += xa[i] * c[real_index_[i]] * rho_[i];
        part[x_dv] += s;
    }

    grid.comm().sum_in_place(part);

    const double dv = grid.cell_volume();
    SampleObservables out;
    out.mass = dv * part[mass];
    out.kinetic = 0.5 * dv * part[grad2];
    out.interaction = 0.25 * mu_ * dv * part[interaction];
    out.energy = out.kinetic + out.interaction;
    out.V1 = dv * part[v1];
    out.dV1 = 4.0 * dv * part[x_grad_im];
    out.d2V1 = 8.0 * dv * part[grad2] - 4.0 * mu_ * dv * part[x_dv];
    out.vterm = -4.0 * mu_ * dv * part[virial];
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
