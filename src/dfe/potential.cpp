#include "dfe/potential.hpp"

#include "dfe/error.hpp"

#include <cmath>
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
    } else {
        throw InputError("--potential must be none or gaussian (got '" + params.name + "')");
    }
}

double Potential::value(double r) const
{
    if (kind_ == Kind::gaussian) return params_.lambda * std::exp(-r * r / (2.0 * params_.s * params_.s));
    return 0.0;
}

double Potential::hat(double k2) const
{
    if (kind_ == Kind::gaussian) return prefactor_ * std::exp(-0.5 * params_.s * params_.s * k2);
    return 0.0;
}

double Potential::hat_z_grad(double k2) const
{
    // −(d + k·∇_k)V̂ with k·∇_k V̂ = −s²|k|² V̂ for the Gaussian.
    if (kind_ == Kind::gaussian) return -(static_cast<double>(d_) - params_.s * params_.s * k2) * hat(k2);
    return 0.0;
}

}  // namespace dfe
