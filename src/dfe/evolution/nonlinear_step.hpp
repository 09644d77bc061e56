#pragma once
/**
 * @file nonlinear_step.hpp
 * @brief The nonlinear flow of the Hartree equation, φ ← e^{−iμ (V*|φ|²) τ} φ (exact: |φ| is invariant
 * under it, so U = V*|φ|² is constant along it), and its vectorized pointwise kernels.
 */
#include "dfe/physics/convolution.hpp"

#include <cstddef>

namespace dfe {

/**
 * @brief The nonlinear flow e^{τB}: φ ← e^{−iμ (V*|φ|²) τ} φ with τ = fraction·h, shared by SplitStep
 * and AdaptiveSplitStep, and its generator Bφ = −iμ (V*|φ|²) φ for InteractionPictureTS
 * (docs/physics.md §4). Holds the scratch array of one step (|φ|², then V*|φ|²).
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

    /**
     * @brief φ (physical complex layout, in place) ← Bφ = −iμ (V*|φ|²) φ, the nonlinear part of the
     * right-hand side of docs/physics.md §4 (the generator of apply(): d/dτ e^{τB}φ at τ = 0), as
     * the interaction picture's right-hand side needs it (Collective). Computed as (μ·U)·(Im φ, −Re φ).
     */
    void apply_generator(cplx* phi);

    /**
     * @brief U = V*|φ|² of φ (physical complex layout, unchanged) in the scratch array, physical real
     * layout (rows of the last axis padded as grid.physical_real()): what apply() rotates by and
     * apply_generator() multiplies by (Collective).
     */
    const double* potential_of(const cplx* phi);

private:
    const Convolver& convolver_;
    double mu_;
    Buffer<double> rho_;  ///< |φ|², then V*|φ|², physical real layout
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
}  // namespace detail

}  // namespace dfe
