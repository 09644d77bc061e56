#pragma once
/**
 * @file potential.hpp
 * @brief Interaction potentials V (even, real) and the spectral kernels the code needs from them.
 *
 * Conventions (physics.md §2–3): V̂(k) = ∫ V(x) e^{−i k·x} dx, the *continuous* transform, used on the
 * periodic grid when V decays fast enough that periodic images are negligible. Three kernels enter:
 *   V               (the Hartree term and the energy),
 *   ∇V              transform i k V̂(k)            (d2V1),
 *   z·∇V            transform −(d + k·∇_k) V̂(k)   (vterm through V + ½ z·∇V).
 *
 * | name     | V(x)                 | V̂(k)                                 | k·∇_k V̂         |
 * |----------|----------------------|---------------------------------------|------------------|
 * | none     | 0                    | 0                                     | 0                |
 * | gaussian | λ exp(−|x|²/(2s²))   | λ (2π s²)^{d/2} exp(−s²|k|²/2)        | −s²|k|² V̂       |
 */
#include <string>

namespace dfe {

/** @brief Parameters of a potential as the user gives them. */
struct PotentialParams {
    std::string name = "gaussian";  ///< none | gaussian
    double lambda = 1.0;            ///< strength λ
    double s = 0.5;                 ///< gaussian width s
};

class Potential {
public:
    /** @brief Validates the parameters for dimension d; throws InputError naming the bad option. */
    Potential(const PotentialParams& params, int d);

    [[nodiscard]] const PotentialParams& params() const { return params_; }
    /** @brief True for V ≡ 0: the nonlinear flow is the identity. */
    [[nodiscard]] bool is_zero() const { return kind_ == Kind::none || params_.lambda == 0.0; }

    /** @brief V at distance r = |x|. */
    [[nodiscard]] double value(double r) const;
    /** @brief V̂(k) as a function of |k|². */
    [[nodiscard]] double hat(double k2) const;
    /** @brief Transform of z·∇V(z): −(d + k·∇_k) V̂(k), as a function of |k|². */
    [[nodiscard]] double hat_z_grad(double k2) const;
    /** @brief Transform of V + ½ z·∇V, the kernel of vterm. */
    [[nodiscard]] double hat_virial(double k2) const { return hat(k2) + 0.5 * hat_z_grad(k2); }

private:
    enum class Kind { none, gaussian };
    PotentialParams params_;
    int d_;
    Kind kind_;
    double prefactor_ = 0.0;  ///< λ (2π s²)^{d/2} for gaussian
};

}  // namespace dfe
