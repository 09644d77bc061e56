#include "dfe/physics/convolution.hpp"

#include <algorithm>

namespace dfe {

Convolver::Convolver(const FftPlans& plans, const Potential& potential) : plans_(plans), potential_(potential)
{
    const Grid& grid = plans.grid();
    const Layout& half = grid.spectral_half();
    const auto nh = static_cast<std::size_t>(half.count());
    // The half axis is the one layout axis marked `half`; a mode stands for itself and its
    // conjugate partner unless its half index is 0 or N/2.
    half_weight_.resize(nh);
    std::size_t half_axis = 0;
    for (std::size_t a = 0; a < 3; ++a)
        if (half.axes[a].half) half_axis = a;
    const std::array<std::ptrdiff_t, 3> strides{half.axes[1].n * half.axes[2].n, half.axes[2].n, 1};
    for (std::size_t m = 0; m < nh; ++m) {
        const auto i = static_cast<std::ptrdiff_t>(m);
        const std::ptrdiff_t h = half.axes[half_axis].start + (i / strides[half_axis]) % half.axes[half_axis].n;
        half_weight_[m] = (h == 0 || h == grid.N() / 2) ? 1.0 : 2.0;
    }
    if (!potential.periodic()) {
        free_ = std::make_unique<FreeSpaceConvolution>(grid, potential, plans.effort());
        return;
    }
    v_hat_ = Buffer<double>(half.count());
    w_hat_ = Buffer<double>(half.count());
    const int d = grid.d();
    for (int a = 0; a < d; ++a) grad_kernel_[static_cast<std::size_t>(a)].resize(nh);
    const double scale = 1.0 / grid.global_points();
    grid.for_each_mode(half, [&](std::ptrdiff_t i, const std::array<double, 3>& k, const std::array<double, 3>& odd) {
        const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        const auto m = static_cast<std::size_t>(i);
        v_hat_[i] = potential.hat(k2) * scale;
        w_hat_[i] = potential.hat_z_grad(k2) * scale;
        for (std::size_t a = 0; a < static_cast<std::size_t>(d); ++a) grad_kernel_[a][m] = odd[a] * v_hat_[i];
    });
}

Convolver::~Convolver() = default;

void Convolver::potential(double* data) const
{
    if (free_) {
        free_->potential(data);
        return;
    }
    plans_.r2c(data);
    auto* c = reinterpret_cast<cplx*>(data);
    const std::ptrdiff_t n = plans_.grid().spectral_half().count();
    const double* m = v_hat_.data();
    for (std::ptrdiff_t i = 0; i < n; ++i) c[i] *= m[i];
    plans_.c2r(data);
}

ConvolutionSums Convolver::convolve_all(const cplx* rho_hat, const double* rho, std::span<double* const> grad) const
{
    if (free_) return free_->convolve_all(rho, grad);

    // Parseval on the half spectrum: Σ_n ρ_n (K*ρ)_n = N^{−d} Σ_k K̂(k) |ρ̂_k|².
    // Real arithmetic throughout: std::complex's product checks for NaN and does not vectorize.
    const std::size_t nh = half_weight_.size();
    const auto* rh = reinterpret_cast<const double*>(rho_hat);
    const double* hw = half_weight_.data();
    const double* vh = v_hat_.data();
    const double* wh = w_hat_.data();
    double sv = 0.0, sw = 0.0;
#pragma omp simd reduction(+ : sv, sw)
    for (std::size_t i = 0; i < nh; ++i) {
        const double p = hw[i] * (rh[2 * i] * rh[2 * i] + rh[2 * i + 1] * rh[2 * i + 1]);
        sv += vh[i] * p;
        sw += wh[i] * p;
    }
    const auto d = static_cast<std::size_t>(plans_.grid().d());
    for (std::size_t a = 0; a < d; ++a) {
        double* c = grad[a];  // i·K̂_a·ρ̂ on the half spectrum, in place of the real array
        const double* kernel = grad_kernel_[a].data();
#pragma omp simd
        for (std::size_t i = 0; i < nh; ++i) {
            c[2 * i] = -rh[2 * i + 1] * kernel[i];
            c[2 * i + 1] = rh[2 * i] * kernel[i];
        }
        plans_.c2r(grad[a]);
    }
    return {sv, sw};
}

}  // namespace dfe
