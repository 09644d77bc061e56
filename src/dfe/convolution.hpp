#pragma once
/**
 * @file convolution.hpp
 * @brief Periodic convolution of a real density with the kernels of a potential.
 *
 * (K*ρ)(x_n) = backward[ K̂(k) · forward[ρ] ](x_n) / N^d, which equals Σ_m K_per(x_n − x_m) ρ_m (L/N)^d
 * for the band-limited periodization K_per of K: the 1/N^d and the (L/N)^d of the quadrature combine
 * with the 1/L^d of the Fourier series. The 1/N^d is folded into the stored multipliers. Valid when
 * the periodic images of K are negligible on the box (physics.md §2).
 */
#include "dfe/fft_plan.hpp"
#include "dfe/potential.hpp"

namespace dfe {

class Convolver {
public:
    /** @brief Tabulates V̂ and the virial kernel on the grid's half spectrum. Not Collective. */
    Convolver(const FftPlans& plans, const Potential& potential);

    /** @brief In place: `data` holds ρ in the physical real layout on entry and V*ρ on exit (Collective). */
    void potential(double* data) const { apply(v_hat_.data(), data); }
    /** @brief In place: ρ → forward(ρ) (unnormalized) in the spectral half layout (Collective). */
    void to_spectrum(double* data) const;

    /** @brief V̂(k)/N^d on the half spectrum, for Parseval sums. */
    [[nodiscard]] std::span<const double> potential_multiplier() const { return v_hat_.span(); }
    /** @brief (V + ½ z·∇V)^(k)/N^d on the half spectrum, for Parseval sums. */
    [[nodiscard]] std::span<const double> virial_multiplier() const { return virial_hat_.span(); }

    [[nodiscard]] const FftPlans& plans() const { return plans_; }
    [[nodiscard]] const Potential& potential_function() const { return potential_; }

private:
    void apply(const double* multiplier, double* data) const;

    const FftPlans& plans_;
    const Potential& potential_;
    Buffer<double> v_hat_;       ///< V̂(k)/N^d per half-spectrum mode
    Buffer<double> virial_hat_;  ///< (V̂ + ½ (z·∇V)^)(k)/N^d per half-spectrum mode
};

}  // namespace dfe
