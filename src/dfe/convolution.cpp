#include "dfe/convolution.hpp"

#include <algorithm>

namespace dfe {

Convolver::Convolver(const FftPlans& plans, const Potential& potential)
    : plans_(plans), potential_(potential)
{
    const Grid& grid = plans.grid();
    const Layout& half = grid.spectral_half();
    v_hat_ = Buffer<double>(half.count());
    virial_hat_ = Buffer<double>(half.count());
    const double scale = 1.0 / grid.global_points();
    grid.for_each_mode(half, [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
        const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        v_hat_[i] = potential.hat(k2) * scale;
        virial_hat_[i] = potential.hat_virial(k2) * scale;
    });
}

void Convolver::apply(const double* multiplier, double* data) const
{
    plans_.r2c(data);
    auto* c = reinterpret_cast<cplx*>(data);
    const std::ptrdiff_t n = plans_.grid().spectral_half().count();
    for (std::ptrdiff_t i = 0; i < n; ++i) c[i] *= multiplier[i];
    plans_.c2r(data);
}

void Convolver::to_spectrum(double* data) const
{
    plans_.r2c(data);
}

}  // namespace dfe
