#pragma once
/**
 * @file potential.hpp
 * @brief Interaction potentials V (radial, even, real): values, radial derivatives and the spectral
 * kernels the code needs from them.
 *
 * Conventions (docs/physics.md §2–3): V̂(k) = ∫ V(x) e^{−i k·x} dx, the *continuous* transform. Three
 * kernels enter the observables:
 *   V               (the Hartree term and the energy),
 *   ∇V(z) = V'(|z|) z/|z|            (d2V1, d2loc_R, III_R),
 *   W(z) = z·∇V(z) = |z| V'(|z|)      (vterm through V + ½ z·∇V, III_R).
 *
 * | name       | V(r)                   | r V'(r)                              | convolution          |
 * |------------|------------------------|--------------------------------------|----------------------|
 * | none       | 0                      | 0                                    | —                    |
 * | gaussian   | λ exp(−r²/(2s²))       | −(r²/s²) V                           | periodic, V̂ closed   |
 * | soft-power | λ (r² + ε²)^{−γ/2}     | −γ r² (r² + ε²)^{−1} V               | free space (Hockney) |
 * | power      | λ r^{−γ}, d = 3, 0<γ<3 | −γ V                                 | free space (Vico–Greengard truncated kernel) |
 *
 * Gaussian: V̂ = λ(2πs²)^{d/2} exp(−s²|k|²/2) and k·∇_k V̂ = −s²|k|² V̂, so (z·∇V)^ = −(d − s²|k|²)V̂.
 * The periodic transforms `hat`, `hat_z_grad` exist only for potentials with `periodic()` true.
 */
#include "dfe/config/params.hpp"

#include <string>

namespace dfe {

/** @brief Parameters of a potential as the user gives them. */

class Potential {
public:
    using Kind = PotentialKind;

    /** @brief Validates the parameters for dimension d; throws InputError naming the bad option. */
    Potential(const PotentialParams& params, int d);

    [[nodiscard]] const PotentialParams& params() const { return params_; }
    [[nodiscard]] Kind kind() const { return kind_; }
    [[nodiscard]] int d() const { return d_; }
    /** @brief True for V ≡ 0: the nonlinear flow is the identity. */
    [[nodiscard]] bool is_zero() const { return kind_ == Kind::none || params_.lambda == 0.0; }
    /** @brief True when the periodic convolution with V̂ is used (none, gaussian). */
    [[nodiscard]] bool periodic() const { return kind_ == Kind::none || kind_ == Kind::gaussian; }
    /** @brief True when V is unbounded at r = 0 (power). */
    [[nodiscard]] bool singular() const { return kind_ == Kind::power; }

    /** @brief V at distance r = |x| (r > 0 for the singular power potential). */
    [[nodiscard]] double value(double r) const;
    /** @brief dV/dr at r (r > 0 for the power potential). */
    [[nodiscard]] double radial_derivative(double r) const;
    /** @brief W = z·∇V at |z| = r, i.e. r V'(r). Finite at r = 0 except for the power potential. */
    [[nodiscard]] double z_grad(double r) const;

    /** @brief V̂(k) as a function of |k|² (periodic potentials only). */
    [[nodiscard]] double hat(double k2) const;
    /** @brief Transform of z·∇V(z): −(d + k·∇_k) V̂(k), as a function of |k|² (periodic only). */
    [[nodiscard]] double hat_z_grad(double k2) const;
    /** @brief Transform of V + ½ z·∇V, the kernel of vterm (periodic only). */
    [[nodiscard]] double hat_virial(double k2) const { return hat(k2) + 0.5 * hat_z_grad(k2); }

    /**
     * @brief Power potential only: the transform of V truncated to the ball |x| < Lt,
     * 4π ∫_0^Lt V(r) sin(kr)/(kr) r² dr at |k| = k (3D). Closed forms for γ = 1
     * (8πλ sin²(kLt/2)/k²) and γ = 2 (4πλ Si(kLt)/k); other γ by graded Gauss–Legendre quadrature.
     */
    [[nodiscard]] double truncated_hat(double k, double Lt) const;

    /** @brief One line: the formula with its parameter values, e.g. "gaussian 5 exp(-|x|^2/(2*0.5^2))". */
    [[nodiscard]] std::string describe() const;

private:
    PotentialParams params_;
    int d_;
    Kind kind_;
    double prefactor_ = 0.0;  ///< λ (2π s²)^{d/2} for gaussian
};

namespace detail {
/**
 * @brief 4π ∫_0^Lt r^{2−γ} sin(kr)/(kr) dr by graded Gauss–Legendre quadrature (λ = 1), for any
 * 0 < γ < 3 and k ≥ 0: the general path of Potential::truncated_hat, exposed so that tests can run it
 * at the γ with closed forms. Relative accuracy ~1e-13 (to the size of the oscillation when the
 * value passes through zero).
 */
double truncated_power_transform_quadrature(double gamma, double k, double Lt);

/** @brief The sine integral Si(x) = ∫_0^x sin(t)/t dt, x ≥ 0, relative accuracy ~1e-15. */
double sine_integral(double x);
}  // namespace detail

}  // namespace dfe
