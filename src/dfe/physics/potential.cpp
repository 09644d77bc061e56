#include "dfe/physics/potential.hpp"

#include "dfe/core/error.hpp"
#include "dfe/physics/quadrature.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>

namespace dfe {

Potential::Potential(const PotentialParams& params, int d) : params_(params), d_(d), kind_(params.kind)
{
    require(std::isfinite(params.lambda), "--lambda must be a finite number");
    if (kind_ == Kind::gaussian) {
        require(std::isfinite(params.s) && params.s > 0.0, "--s (gaussian width) must be positive and finite");
        prefactor_ = params.lambda * std::pow(2.0 * std::numbers::pi * params.s * params.s, 0.5 * d_);
    } else if (kind_ == Kind::soft_power) {
        require(std::isfinite(params.epsilon) && params.epsilon > 0.0, "--epsilon (soft-power regularization) must be positive and finite");
        require(std::isfinite(params.gamma) && params.gamma > 0.0, "--gamma (soft-power exponent) must be positive and finite");
    } else if (kind_ == Kind::power) {
        require(d == 3, "--potential power (lambda |x|^-gamma) is implemented in d = 3 only");
        require(std::isfinite(params.gamma) && params.gamma > 0.0 && params.gamma < 3.0,
                "--gamma for the power potential must satisfy 0 < gamma < 3 (locally integrable in 3D)");
    }
}

double Potential::value(double r) const
{
    const double l = params_.lambda;
    switch (kind_) {
    case Kind::none: return 0.0;
    case Kind::gaussian: return l * std::exp(-r * r / (2.0 * params_.s * params_.s));
    case Kind::soft_power: return l * std::pow(r * r + params_.epsilon * params_.epsilon, -0.5 * params_.gamma);
    case Kind::power: return l * std::pow(r, -params_.gamma);
    }
    return 0.0;
}

double Potential::radial_derivative(double r) const
{
    switch (kind_) {
    case Kind::none: return 0.0;
    case Kind::gaussian: return -r / (params_.s * params_.s) * value(r);
    case Kind::soft_power: {
        const double e2 = params_.epsilon * params_.epsilon;
        return -params_.gamma * r / (r * r + e2) * value(r);
    }
    case Kind::power: return -params_.gamma / r * value(r);
    }
    return 0.0;
}

double Potential::z_grad(double r) const
{
    switch (kind_) {
    case Kind::none: return 0.0;
    case Kind::gaussian: return -(r * r) / (params_.s * params_.s) * value(r);
    case Kind::soft_power: {
        const double e2 = params_.epsilon * params_.epsilon;
        return -params_.gamma * r * r / (r * r + e2) * value(r);
    }
    case Kind::power: return -params_.gamma * value(r);
    }
    return 0.0;
}

double Potential::hat(double k2) const
{
    require_logic(periodic(), "Potential::hat called for a free-space potential");
    if (kind_ == Kind::gaussian) return prefactor_ * std::exp(-0.5 * params_.s * params_.s * k2);
    return 0.0;
}

double Potential::hat_z_grad(double k2) const
{
    require_logic(periodic(), "Potential::hat_z_grad called for a free-space potential");
    // −(d + k·∇_k)V̂ with k·∇_k V̂ = −s²|k|² V̂ for the Gaussian.
    if (kind_ == Kind::gaussian) return -(static_cast<double>(d_) - params_.s * params_.s * k2) * hat(k2);
    return 0.0;
}

std::string Potential::describe() const
{
    char buf[256];
    const double l = params_.lambda;
    switch (kind_) {
    case Kind::none: return "none (V = 0)";
    case Kind::gaussian: std::snprintf(buf, sizeof buf, "gaussian V = %g exp(-|x|^2/(2*%g^2))", l, params_.s); break;
    case Kind::soft_power:
        std::snprintf(buf, sizeof buf, "soft-power V = %g (|x|^2 + %g^2)^(-%g/2)", l, params_.epsilon, params_.gamma);
        break;
    case Kind::power: std::snprintf(buf, sizeof buf, "power V = %g |x|^(-%g)", l, params_.gamma); break;
    }
    return buf;
}

// ---------------------------------------------------------------------------------------------
// The truncated transform of the power potential (free-space convolution, Vico–Greengard–Ferrando).

namespace {

/** @brief sin(x)/x, with its Taylor polynomial near 0 (error x⁴/120 < 1e-18 there). */
double sinc(double x)
{
    if (std::abs(x) < 1e-4) return 1.0 - x * x / 6.0;
    return std::sin(x) / x;
}

/**
 * @brief Si(x)/x for x ≥ 0 (→ 1 at x = 0), relative accuracy ~1e-15.
 * x ≤ 4: the power series Σ (−1)^n x^{2n} / ((2n+1)(2n+1)!), whose largest term is < 2.3 times the
 * sum there, so cancellation costs less than one digit. x > 4: Si(x) = π/2 + Im E1(ix), with E1(ix)
 * = e^{−ix} / (1 + ix − 1²/(3 + ix − 2²/(5 + ix − …))) evaluated by the modified Lentz method
 * (converges in < 100 terms for x > 4).
 */
double si_over_x(double x)
{
    if (x <= 4.0) {
        const double x2 = x * x;
        double term = 1.0;  // (−1)^n x^{2n} / (2n+1)!
        double sum = 1.0;
        for (int n = 1; n < 60; ++n) {
            term *= -x2 / (static_cast<double>(2 * n) * static_cast<double>(2 * n + 1));
            const double add = term / static_cast<double>(2 * n + 1);
            sum += add;
            if (std::abs(add) < 1e-18 * std::abs(sum)) break;
        }
        return sum;
    }
    using C = std::complex<double>;
    constexpr double tiny = 1e-300;
    C b(1.0, x);
    C c(1.0 / tiny, 0.0);
    C d = 1.0 / b;
    C h = d;
    for (int i = 2; i < 1000; ++i) {
        const double a = -static_cast<double>(i - 1) * static_cast<double>(i - 1);
        b += 2.0;
        d = 1.0 / (a * d + b);
        c = b + a / c;
        const C del = c * d;
        h *= del;
        if (std::abs(del.real() - 1.0) + std::abs(del.imag()) < 1e-17) break;
    }
    const C e1 = C(std::cos(x), -std::sin(x)) * h;  // E1(ix)
    return (0.5 * std::numbers::pi + e1.imag()) / x;
}

}  // namespace

namespace detail {

double sine_integral(double x) { return x * si_over_x(x); }

double truncated_power_transform_quadrature(double gamma, double k, double Lt)
{
    require_logic(gamma > 0.0 && gamma < 3.0 && k >= 0.0 && Lt > 0.0 && std::isfinite(k),
                  "truncated_power_transform_quadrature: needs 0 < gamma < 3, k >= 0, Lt > 0");
    const double p = 2.0 - gamma;  // 4π ∫_0^Lt r^p sinc(kr) dr, p ∈ (−1, 2)
    constexpr double pi = std::numbers::pi;
    if (k == 0.0) return 4.0 * pi * std::pow(Lt, p + 1.0) / (p + 1.0);

    // With u = kr the integral is 4π k^{−(p+1)} F(X), F(X) = ∫_0^X u^{p−1} sin u du, X = k Lt.
    // Working in u lets every full panel be an exact half-period [jπ, (j+1)π], on which
    // sin(jπ + t) = (−1)^j sin t is evaluated from the small offset t: the phase of a node never
    // carries the rounding error eps·X it would have as k·r (1e-13 at X = 4000).
    //  - [0, ε], ε = a·0.15^30 with a = min(π, X/16): sin u = u − u³/6 to round-off (ε ≤ 6e-25),
    //    integrated in closed form; this holds the integrable endpoint singularity u^{p−1}.
    //  - [a q^{l+1}, a q^l], l = 0..29, q = 0.15: geometrically graded panels toward u = 0,
    //    24-point Gauss–Legendre. The branch point of u^{p−1} at 0 lies 1.35 half-widths from the
    //    panel centre (Bernstein ellipse ρ = 2.26, error ~ρ^{−48} ~ 1e-17 of each panel).
    //  - [a, X]: panels of width a (half a period when X ≥ 16π), 12-point Gauss–Legendre. The
    //    branch point is ≥ 3 half-widths away (ρ ≥ 5.8, ρ^{−24} < 1e-18) and sin over half a period
    //    is integrated by 12 nodes to ~1e-19.
    static const GaussLegendreRule uniform_rule = gauss_legendre(12);
    static const GaussLegendreRule graded_rule = gauss_legendre(24);
    constexpr double q = 0.15;
    constexpr int levels = 30;
    const double X = k * Lt;
    const double a = std::min(pi, X / 16.0);
    const auto g = [&](double u) { return std::pow(u, p - 1.0) * std::sin(u); };

    const double eps = a * std::pow(q, levels);
    double F = std::pow(eps, p + 1.0) / (p + 1.0) - std::pow(eps, p + 3.0) / (6.0 * (p + 3.0));
    double hi = eps / q;
    for (int l = levels - 1; l >= 0; --l, hi /= q) F += graded_rule.integrate(g, hi * q, hi);

    if (a < pi) {
        // X < 16π: 15 panels of width X/16, phases below 16π.
        for (int i = 1; i < 16; ++i) F += uniform_rule.integrate(g, a * i, i == 15 ? X : a * (i + 1));
    } else {
        // Half-periods [jπ, (j+1)π], j = 1..J−1, then [Jπ, X]. π = pi_hi + pi_lo (Cody–Waite), and
        // X − Jπ by one fma, so that the last panel's width is exact to ~eps·π.
        constexpr double pi_hi = pi;
        constexpr double pi_lo = 1.2246467991473531772e-16;  // π − pi_hi
        auto J = static_cast<long>(std::floor(X / pi));
        auto rest = [&](long j) { return std::fma(-static_cast<double>(j), pi_hi, X) - static_cast<double>(j) * pi_lo; };
        double t_end = rest(J);
        if (t_end < 0.0) t_end = rest(--J);
        // On [jπ, (j+1)π]: Σ_i w_i (jπ + t_i)^{p−1} (−1)^j sin t_i, with the nodes t_i ∈ (0, π).
        std::array<double, 12> t{};
        std::array<double, 12> ws{};  // weight × sin t_i × π/2
        for (std::size_t i = 0; i < 12; ++i) {
            t[i] = 0.5 * pi * (1.0 + uniform_rule.x[i]);
            ws[i] = 0.5 * pi * uniform_rule.w[i] * std::sin(t[i]);
        }
        for (long j = 1; j < J; ++j) {
            const double base = static_cast<double>(j) * pi_hi + static_cast<double>(j) * pi_lo;
            double s = 0.0;
            for (std::size_t i = 0; i < 12; ++i) s += ws[i] * std::pow(base + t[i], p - 1.0);
            F += (j % 2 == 0) ? s : -s;
        }
        const double base = static_cast<double>(J) * pi_hi + static_cast<double>(J) * pi_lo;
        const double sign = (J % 2 == 0) ? 1.0 : -1.0;
        F += sign * uniform_rule.integrate([&](double tt) { return std::pow(base + tt, p - 1.0) * std::sin(tt); },
                                           0.0, t_end);
    }
    return 4.0 * pi * std::pow(k, -(p + 1.0)) * F;
}

}  // namespace detail

double Potential::truncated_hat(double k, double Lt) const
{
    require_logic(kind_ == Kind::power, "Potential::truncated_hat called for a potential other than power");
    const double l = params_.lambda;
    const double g = params_.gamma;
    k = std::abs(k);
    if (g == 1.0) {
        // 4πλ/k ∫_0^Lt sin(kr) dr = 8πλ sin²(kLt/2)/k² = 2πλ Lt² sinc²(kLt/2).
        const double s = sinc(0.5 * k * Lt);
        return 2.0 * std::numbers::pi * l * Lt * Lt * s * s;
    }
    if (g == 2.0) {
        // 4πλ/k ∫_0^Lt sin(kr)/r dr = 4πλ Si(kLt)/k = 4πλ Lt · Si(kLt)/(kLt).
        return 4.0 * std::numbers::pi * l * Lt * si_over_x(k * Lt);
    }
    return l * detail::truncated_power_transform_quadrature(g, k, Lt);
}

}  // namespace dfe
