#include "dfe/split_step.hpp"

#include "dfe/error.hpp"

#include <cmath>

namespace dfe {

Composition make_composition(const std::string& name)
{
    if (name == "strang") return Composition{"strang", {0.5, 0.5}, {1.0}, 2};
    if (name == "order4") {
        const double w1 = 1.0 / (2.0 - std::cbrt(2.0));
        const double w0 = 1.0 - 2.0 * w1;
        return Composition{"order4", {0.5 * w1, 0.5 * (w1 + w0), 0.5 * (w0 + w1), 0.5 * w1}, {w1, w0, w1}, 4};
    }
    throw InputError("--integrator must be strang or order4 (got '" + name + "')");
}

SplitStep::SplitStep(const Convolver& convolver, double mu, Composition composition, double h)
    : convolver_(convolver), plans_(convolver.plans()), mu_(mu), composition_(std::move(composition)), h_(h),
      rho_(convolver.plans().grid().alloc_real())
{
    const auto& a = composition_.a;
    std::vector<double> fractions(a.begin(), a.end());
    fractions.push_back(a.back() + a.front());  // the fused boundary between two steps
    const Grid& grid = plans_.grid();
    const double scale = 1.0 / grid.global_points();
    for (double f : fractions) {
        bool known = false;
        for (const auto& entry : phases_) known = known || entry.first == f;
        if (known) continue;
        Buffer<cplx> table(grid.spectral().count());
        grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
            const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
            table[i] = std::polar(scale, -k2 * f * h_);
        });
        phases_.emplace_back(f, std::move(table));
    }
}

const Buffer<cplx>& SplitStep::phase(double fraction)
{
    for (const auto& entry : phases_)
        if (entry.first == fraction) return entry.second;
    throw Error("split step: no kinetic phase tabulated for this fraction");
}

void SplitStep::kinetic(cplx* phi, double fraction)
{
    const Buffer<cplx>& table = phase(fraction);
    const std::ptrdiff_t n = table.size();
    for (std::ptrdiff_t i = 0; i < n; ++i) phi[i] *= table[i];
}

void SplitStep::nonlinear(cplx* phi, double fraction)
{
    if (convolver_.potential_function().is_zero()) return;
    const Grid& grid = plans_.grid();
    double* rho = rho_.data();
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const auto&) { rho[ir] = std::norm(phi[ic]); });
    convolver_.potential(rho);
    const double angle = -mu_ * fraction * h_;
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const auto&) {
        phi[ic] *= std::polar(1.0, angle * rho[ir]);
    });
}

void SplitStep::advance(cplx* phi, long steps)
{
    if (steps <= 0) return;
    const auto& a = composition_.a;
    const auto& b = composition_.b;
    const std::size_t s = b.size();
    plans_.forward(phi);
    kinetic(phi, a.front());
    for (long step = 0; step < steps; ++step) {
        for (std::size_t i = 0; i < s; ++i) {
            plans_.backward(phi);
            nonlinear(phi, b[i]);
            plans_.forward(phi);
            const bool fuse = (i + 1 == s) && (step + 1 < steps);
            kinetic(phi, fuse ? a.back() + a.front() : a[i + 1]);
        }
    }
    plans_.backward(phi);
}

}  // namespace dfe
