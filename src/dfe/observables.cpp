#include "dfe/observables.hpp"

#include "dfe/error.hpp"

#include <algorithm>
#include <cmath>

namespace dfe {

ObservableEvaluator::ObservableEvaluator(const Convolver& convolver, double mu)
    : convolver_(convolver), plans_(convolver.plans()), mu_(mu),
      spectrum_(plans_.grid().alloc_complex()), work_(plans_.grid().alloc_complex()),
      rho_hat_(plans_.grid().alloc_real()), conv_(plans_.grid().alloc_real()), rho_(plans_.grid().alloc_real())
{
}

SampleObservables ObservableEvaluator::evaluate(const cplx* phi)
{
    const Grid& grid = plans_.grid();
    const int d = grid.d();
    const std::ptrdiff_t n_phys = grid.local_points();

    // Local partial sums, reduced in one allreduce at the end.
    enum { mass, v1, grad2, x_grad_im, interaction, x_dv, virial, count };
    std::array<double, count> part{};

    double* rho = rho_.data();
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const std::array<double, 3>& x) {
        const double r = std::norm(phi[ic]);
        rho[ir] = r;
        part[mass] += r;
        part[v1] += (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) * r;
    });

    // Spectrum of φ: ‖∇φ‖² by Parseval, Σ_n |g_n|² = N^{−d} Σ_k |ĝ_k|².
    std::copy_n(phi, n_phys, spectrum_.data());
    plans_.forward(spectrum_.data());
    grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
        part[grad2] += (k[0] * k[0] + k[1] * k[1] + k[2] * k[2]) * std::norm(spectrum_[i]);
    });
    part[grad2] /= grid.global_points();

    // x·∇φ, one spectral derivative per dimension.
    const double inv_points = 1.0 / grid.global_points();
    for (int a = 0; a < d; ++a) {
        cplx* g = work_.data();
        grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const auto&, const std::array<double, 3>& odd) {
            g[i] = spectrum_[i] * cplx(0.0, odd[static_cast<std::size_t>(a)] * inv_points);
        });
        plans_.backward(g);
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            part[x_grad_im] += x[static_cast<std::size_t>(a)] * (std::conj(phi[ic]) * g[ic]).imag();
        });
    }

    // Convolutions of ρ with V, ∂_a V and V + ½ z·∇V from one r2c of ρ.
    double* rho_hat = rho_hat_.data();
    double* conv = conv_.data();
    grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const auto&) { rho_hat[ir] = rho[ir]; });
    convolver_.to_spectrum(rho_hat);
    convolver_.potential_from_spectrum(rho_hat, conv);
    grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const auto&) { part[interaction] += conv[ir] * rho[ir]; });
    for (int a = 0; a < d; ++a) {
        convolver_.gradient_from_spectrum(a, rho_hat, conv);
        grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const std::array<double, 3>& x) {
            part[x_dv] += x[static_cast<std::size_t>(a)] * conv[ir] * rho[ir];
        });
    }
    convolver_.virial_from_spectrum(rho_hat, conv);
    grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const auto&) { part[virial] += conv[ir] * rho[ir]; });

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
