#pragma once
/**
 * @file split_step.hpp
 * @brief Time integration of the Hartree equation i∂_tφ + Δφ = μ (V*|φ|²) φ by operator splitting.
 *
 * Write the equation as ∂_tφ = (A + B)φ with the kinetic part A = iΔ and the nonlinear part
 * Bφ = −iμ (V*|φ|²) φ. Both flows are exact:
 *   kinetic    e^{τA}:  φ̂_k ← e^{−i|k|²τ} φ̂_k                         (Fourier multiplier)
 *   nonlinear  e^{τB}:  φ ← e^{−iμ U τ} φ,  U = V*|φ|²                  (|φ| is invariant under B,
 *                                                                       so U is constant along it)
 * A *composition* is the symmetric product
 *   K(a_0 h) N(b_0 h) K(a_1 h) … N(b_{s−1} h) K(a_s h),   Σa = Σb = 1,
 * e.g. Strang: a = (½, ½), b = (1). Between output times consecutive steps are fused: the trailing
 * K(a_s h) of one step and the leading K(a_0 h) of the next become one K((a_s + a_0) h), so a Strang
 * step costs one complex FFT pair and one r2c/c2r pair.
 *
 * order4 is Yoshida's triple jump S(w₁h) S(w₀h) S(w₁h) of Strang steps S, with
 * w₁ = 1/(2 − 2^{1/3}), w₀ = 1 − 2w₁ (H. Yoshida, Phys. Lett. A 150 (1990) 262).
 */
#include "dfe/evolution/composition.hpp"
#include "dfe/evolution/nonlinear_step.hpp"
#include "dfe/spectral/kinetic_phase.hpp"

#include <array>
#include <string>
#include <vector>

namespace dfe {

class SplitStep {
public:
    /** @brief Tabulates the kinetic phases the composition needs for step h. Not Collective. */
    SplitStep(const Convolver& convolver, double mu, Composition composition, double h);

    /**
     * @brief Advances φ (physical layout, in place) by `steps` steps of size h (Collective).
     * Half steps of consecutive steps are fused; φ is in physical space on entry and exit.
     */
    void advance(cplx* phi, long steps);

    [[nodiscard]] const Composition& composition() const { return composition_; }
    [[nodiscard]] double step() const { return h_; }

private:
    void kinetic(cplx* phi, double fraction) const;

    const FftPlans& plans_;
    Composition composition_;
    double h_;
    /// e^{−i|k|² f h}/N^d for every kinetic fraction f the composition uses.
    std::vector<std::pair<double, KineticPhase>> phases_;
    NonlinearStep nonlinear_;
};

}  // namespace dfe
