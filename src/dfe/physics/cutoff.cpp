#include "dfe/physics/cutoff.hpp"

#include "dfe/core/error.hpp"

#include <cmath>

namespace dfe {

Cutoff::Cutoff(int order, double width) : k_(order), h_(width)
{
    require(order >= 3 && order <= 40, "--cutoff-order must be an integer from 3 (a C^2 profile) to 40");
    require(std::isfinite(width) && width > 0.0 && width < 1.0, "--cutoff-width must satisfy 0 < h < 1 (supp rho = [2-h, 2+h] inside (1, 3))");
    double binom = 1.0;
    for (int j = 0; j <= k_; ++j) {
        p_coeff_.push_back((j % 2 == 0 ? 1.0 : -1.0) * binom / (2.0 * j + 1.0));
        binom = binom * (k_ - j) / (j + 1.0);
    }
    double p1 = 0.0;
    for (double c : p_coeff_) p1 += c;
    c_ = 1.0 / (h_ * 2.0 * p1);  // ∫_{−1}^{1} (1 − v²)^k dv = 2 P(1)
}

double Cutoff::rho(double s) const
{
    const double u = (s - 2.0) / h_;
    if (!(std::abs(u) < 1.0)) return 0.0;
    return c_ * std::pow(1.0 - u * u, k_);
}

double Cutoff::drho(double s) const
{
    const double u = (s - 2.0) / h_;
    if (!(std::abs(u) < 1.0)) return 0.0;
    return c_ * k_ * std::pow(1.0 - u * u, k_ - 1) * (-2.0 * u) / h_;
}

double Cutoff::d2rho(double s) const
{
    const double u = (s - 2.0) / h_;
    if (!(std::abs(u) < 1.0)) return 0.0;
    const double w = 1.0 - u * u;
    return 2.0 * c_ * k_ / (h_ * h_) * std::pow(w, k_ - 2) * (2.0 * (k_ - 1) * u * u - w);
}

double Cutoff::F(double s) const
{
    const double u = (s - 2.0) / h_;
    if (u <= -1.0) return 0.0;
    if (u >= 1.0) return 1.0;
    // Horner in u² for the odd polynomial P(u) = u Σ_j p_j u^{2j}.
    const double u2 = u * u;
    double p = 0.0;
    for (auto it = p_coeff_.rbegin(); it != p_coeff_.rend(); ++it) p = p * u2 + *it;
    return 0.5 + c_ * h_ * u * p;
}

double Cutoff::G(double s) const
{
    const double u = (s - 2.0) / h_;
    if (u <= -1.0) return 0.0;
    if (u >= 1.0) return 2.0;
    return 2.0 * F(s) - c_ * h_ * h_ * std::pow(1.0 - u * u, k_ + 1) / (2.0 * (k_ + 1));
}

double Cutoff::psi(double s) const
{
    if (s <= 2.0 - h_) return s;
    if (s >= 2.0 + h_) return 2.0;
    return s - s * F(s) + G(s);
}

double Cutoff::bilaplacian_R(double x2, double R, int d) const
{
    const double s = x2 / R;
    // ψ'' = −ρ, ψ''' = −ρ', ψ'''' = −ρ''.
    return -(16.0 * x2 * x2 / (R * R * R) * d2rho(s) + 16.0 * (d + 2) * x2 / (R * R) * drho(s) + 4.0 * d * (d + 2) / R * rho(s));
}

std::array<double, 3> Cutoff::a_R(const std::array<double, 3>& x, const std::array<double, 3>& y, double R) const
{
    const double px = dpsi((x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) / R);
    const double py = dpsi((y[0] * y[0] + y[1] * y[1] + y[2] * y[2]) / R);
    std::array<double, 3> a{};
    for (std::size_t i = 0; i < 3; ++i) a[i] = (x[i] - y[i]) - (px * x[i] - py * y[i]);
    return a;
}

double Cutoff::inner_radius(double R) const { return std::sqrt((2.0 - h_) * R); }
double Cutoff::outer_radius(double R) const { return std::sqrt((2.0 + h_) * R); }

}  // namespace dfe
