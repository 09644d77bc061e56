#pragma once
/**
 * @file initial_state.hpp
 * @brief Built-in initial samples.
 */
#include "dfe/fft_plan.hpp"

namespace dfe {

/**
 * @brief φ(x) = (πσ²)^{−d/4} exp(−|x|²/(2σ²)), the real Gaussian centred at 0, then normalized with
 * the discrete L² norm (physics.md §2). Collective on the grid's communicator.
 */
void fill_gaussian(const Grid& grid, double sigma, cplx* phi);

}  // namespace dfe
