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

#include <array>
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
 * and AdaptiveSplitStep. Holds the scratch array of one step (|φ|², then V*|φ|²).
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
};

/**
 * @brief The kinetic multiplier scale·e^{−i|k|²τ} on grid.spectral(), stored separably as
 * e^{−ik_0²τ}·e^{−ik_1²τ}·… with one 1D table per memory axis: applying it streams the field only,
 * not an N^d table. The k per axis are Grid::for_each_mode's on the full spectral layout.
 */
class KineticPhase {
public:
    explicit KineticPhase(const Grid& grid);
    KineticPhase(const Grid& grid, double tau, double scale) : KineticPhase(grid) { set(tau, scale); }

    /** @brief Tabulates the multiplier for time τ and factor `scale` (Not Collective). */
    void set(double tau, double scale);
    /** @brief out = multiplier × in on this rank's part of grid.spectral(); in == out is allowed. */
    void apply(const cplx* in, cplx* out) const;

private:
    const Grid* grid_;
    double scale_ = 1.0;
    std::array<std::vector<cplx>, 3> table_;  ///< e^{−ik²τ} along each memory axis (unused axes: {1})
};

/**
 * @brief The substeps of `steps` compositions after their leading K(a_0 h): N(b_i h), then
 * kinetic(a_{i+1}), with K(a_s h)K(a_0 h) between consecutive steps fused into kinetic(a_s + a_0).
 * φ is in spectral space on entry and exit; `kinetic(fraction)` applies K(fraction·h) to it there.
 * Shared by SplitStep and AdaptiveSplitStep.
 */
template <class Kinetic>
void compose_substeps(const FftPlans& plans, NonlinearStep& nonlinear, const Composition& c, long steps, double h,
                      cplx* phi, Kinetic&& kinetic)
{
    const std::size_t s = c.b.size();
    for (long step = 0; step < steps; ++step) {
        for (std::size_t i = 0; i < s; ++i) {
            plans.backward(phi);
            nonlinear.apply(phi, c.b[i], h);
            plans.forward(phi);
            const bool fuse = (i + 1 == s) && (step + 1 < steps);
            kinetic(fuse ? c.a.back() + c.a.front() : c.a[i + 1]);
        }
    }
}

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

namespace detail {
/** @brief out_j = |z_j|², z as (re, im) pairs, vectorized. */
void norm_row(double* __restrict out, const double* __restrict z, std::ptrdiff_t n);
/**
 * @brief z_j ← z_j·e^{i angle·u_j} for j < n, z as (re, im) pairs: the vectorized sincos of the
 * nonlinear step, within a few ulp of std::cos/std::sin, applied in the same loop. Entries with
 * |angle·u_j| ≥ 1e6, beyond the reduction's accuracy, are left unchanged and the call returns true;
 * the caller rotates those with std::cos/std::sin. Exposed for its test.
 */
bool rotate_phase_row(double* __restrict z, const double* __restrict u, double angle, std::ptrdiff_t n);
/** @brief y_j = (c·t_j)·x_j, j < n, complex numbers as (re, im) pairs, c = cr + i·ci; x == y allowed. Vectorized. */
void phase_row(const double* x, double* y, const double* __restrict t, double cr, double ci, std::ptrdiff_t n);
}  // namespace detail

}  // namespace dfe
