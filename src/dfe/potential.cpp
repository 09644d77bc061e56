#include "dfe/potential.hpp"

#include "dfe/error.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>

namespace dfe {

Potential::Potential(const PotentialParams& params, int d) : params_(params), d_(d), kind_(Kind::none)
{
    require(std::isfinite(params.lambda), "--lambda must be a finite number");
    if (params.name == "none") {
        kind_ = Kind::none;
    } else if (params.name == "gaussian") {
        kind_ = Kind::gaussian;
        require(std::isfinite(params.s) && params.s > 0.0, "--s (gaussian width) must be positive and finite");
        prefactor_ = params.lambda * std::pow(2.0 * std::numbers::pi * params.s * params.s, 0.5 * d_);
    } else if (params.name == "soft-power") {
        kind_ = Kind::soft_power;
        require(std::isfinite(params.epsilon) && params.epsilon > 0.0, "--epsilon (soft-power regularization) must be positive and finite");
        require(std::isfinite(params.gamma) && params.gamma > 0.0, "--gamma (soft-power exponent) must be positive and finite");
    } else if (params.name == "power") {
        kind_ = Kind::power;
        require(d == 3, "--potential power (lambda |x|^-gamma) is implemented in d = 3 only");
        require(std::isfinite(params.gamma) && params.gamma > 0.0 && params.gamma < 3.0,
                "--gamma for the power potential must satisfy 0 < gamma < 3 (locally integrable in 3D)");
    } else {
        throw InputError("--potential must be none, gaussian, soft-power or power (got '" + params.name + "')");
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

}  // namespace dfe
