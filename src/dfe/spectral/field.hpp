#pragma once
/**
 * @file field.hpp
 * @brief Helpers on one field φ on the grid: its discrete L² normalization and the built-in Gaussian.
 */
#include "dfe/spectral/fft_plan.hpp"

namespace dfe {

/** @brief Multiplies φ by 1/‖φ‖ so that (L/N)^d Σ|φ|² = 1 (Collective). Returns the old norm. */
double normalize(const Grid& grid, cplx* phi);

/**
 * @brief φ(x) = (πσ²)^{−d/4} exp(−|x|²/(2σ²)), the real Gaussian centred at 0, then normalized with
 * the discrete L² norm (docs/physics.md §2). Collective on the grid's communicator.
 */
void fill_gaussian(const Grid& grid, double sigma, cplx* phi);

}  // namespace dfe
