#pragma once
/**
 * @file weighted_spread.hpp
 * @brief The sampling error of a weighted mean of i.i.d. draws (docs/physics.md §12).
 *
 * Samples φ_j drawn independently from a measure, with weights w_j fixed in advance (equal weights
 * 1/M, or any weights the user declares): the weighted mean x̄ = Σ_j p_j x_j, p_j = w_j/Σw, has
 * variance Σ_j p_j² σ², and
 *
 *   s² = Σ_j p_j (x_j − x̄)² / (1 − Σ_j p_j²)      (unbiased for σ²)
 *   SE = (Σ_j p_j² · s²)^{1/2} = s/√n_eff,        n_eff = 1/Σ_j p_j²
 *
 * (for equal weights: the sample standard deviation over √M). The deviations are taken from the
 * mean of a first pass (two passes, no E[x²] − x̄² cancellation); both passes sum compensated.
 * n_eff ≤ 1 (one sample) gives NaN.
 */
#include "dfe/core/comm.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace dfe {

/** @brief A weighted mean and its standard error. */
struct Spread {
    double mean = 0.0;
    double stderr = 0.0;
};

/** @brief Σ_j p_j² for the weights `w` (all of them), p = w/Σw: the inverse of the effective sample size. */
double sum_squared_shares(std::span<const double> w);

/**
 * @brief For K quantities of the samples this rank holds (x[j·K + k] of its sample j, weight w[j];
 * every sample held by exactly one rank of `comm`): each quantity's weighted mean over all samples
 * and its standard error, on every rank. `shares` = sum_squared_shares of all weights. Collective.
 */
std::vector<Spread> weighted_spread(const Comm& comm, std::span<const double> w, std::span<const double> x,
                                    std::size_t K, double shares);

/** @brief The same for samples all held here (no communication). */
std::vector<Spread> weighted_spread(std::span<const double> w, std::span<const double> x, std::size_t K, double shares);

}  // namespace dfe
