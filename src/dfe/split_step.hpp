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
#include "dfe/convolution.hpp"

#include <string>
#include <vector>

namespace dfe {

/** @brief Coefficients of a symmetric composition: K(a_0) N(b_0) … N(b_{s−1}) K(a_s). */
struct Composition {
    std::string name;
    std::vector<double> a;  ///< kinetic fractions, size s + 1
    std::vector<double> b;  ///< nonlinear fractions, size s
    int order = 2;
};

/** @brief "strang" or "order4"; throws InputError otherwise. */
Composition make_composition(const std::string& name);

/**
 * @brief The nonlinear flow e^{τB}: φ ← e^{−iμ (V*|φ|²) τ} φ with τ = fraction·h, shared by SplitStep
 * and AdaptiveSplitStep. Holds the scratch arrays of one step (|φ|² and the phases of one row).
 */
class NonlinearStep {
public:
    NonlinearStep(const Convolver& convolver, double mu);

    /**
     * @brief φ (physical complex layout, in place) ← e^{−iμ (V*|φ|²) fraction·h} φ (Collective).
     * The phase per unit potential is computed as −μ·fraction·h in this order, so that a caller
     * passing (fraction, h) gets the same floating-point result whatever step it is part of.
     */
    void apply(cplx* phi, double fraction, double h);

private:
    const Convolver& convolver_;
    double mu_;
    Buffer<double> rho_;  ///< |φ|², then V*|φ|², physical real layout
    Buffer<double> cos_, sin_;  ///< cos and sin of the nonlinear phase along one row
};

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
    const Buffer<cplx>& phase(double fraction);
    void kinetic(cplx* phi, double fraction);

    const FftPlans& plans_;
    Composition composition_;
    double h_;
    /// e^{−i|k|² f h}/N^d for every kinetic fraction f the composition uses, in spectral layout.
    std::vector<std::pair<double, Buffer<cplx>>> phases_;
    NonlinearStep nonlinear_;
};

namespace detail {
/**
 * @brief c_j = cos(angle·u_j), s_j = sin(angle·u_j), j < n: the vectorized sincos of the nonlinear
 * step, within a few ulp of std::cos/std::sin for |angle·u_j| < 1e6. Returns true when some
 * |angle·u_j| ≥ 1e6, where the values are not accurate (the step then takes std::cos/std::sin for
 * that row). Exposed for its test.
 */
bool sincos_row(double* __restrict c, double* __restrict s, const double* __restrict u, double angle, std::ptrdiff_t n);
/** @brief out_j = |z_j|², z as (re, im) pairs, vectorized. */
void norm_row(double* __restrict out, const double* __restrict z, std::ptrdiff_t n);
/** @brief z_j ← z_j·(c_j + i s_j), z as (re, im) pairs, vectorized. */
void rotate_row(double* __restrict z, const double* __restrict c, const double* __restrict s, std::ptrdiff_t n);
/** @brief z_j ← z_j·t_j, j < n, complex numbers as (re, im) pairs, vectorized (split_step.cpp). */
void multiply_complex(double* __restrict z, const double* __restrict t, std::ptrdiff_t n);
}  // namespace detail

}  // namespace dfe
