#pragma once
/**
 * @file free_space.hpp
 * @brief Aperiodic (free-space) convolution of a density on the box with a slowly decaying or
 * singular potential, by zero padding to 2N points per dimension (physics.md §2).
 *
 * (To be implemented: soft-power by the sampled kernel (Hockney), power by the truncated kernel
 * of Vico, Greengard and Ferrando.)
 */
#include "dfe/fft_plan.hpp"
#include "dfe/potential.hpp"

#include <span>

namespace dfe {

/** @brief This rank's parts of the grid sums Σ_n ρ_n (V*ρ)_n and Σ_n ρ_n (W*ρ)_n, W = z·∇V. */
struct ConvolutionSums {
    double v = 0.0;
    double w = 0.0;
};

class FreeSpaceConvolution {
public:
    /** @brief Tabulates the padded kernels of `potential` on `grid` (Collective on grid.comm()). */
    FreeSpaceConvolution(const Grid& grid, const Potential& potential, PlannerEffort effort);
    ~FreeSpaceConvolution();
    FreeSpaceConvolution(const FreeSpaceConvolution&) = delete;
    FreeSpaceConvolution& operator=(const FreeSpaceConvolution&) = delete;

    /** @brief In place, physical real layout of the grid: ρ → V*ρ (Collective). */
    void potential(double* data) const;

    /**
     * @brief Collective. `rho`: ρ in the physical real layout. `grad[a]`, a < d: on entry ∂_aρ, on
     * exit (∂_aV)*ρ = V*(∂_aρ), both in the physical real layout. Returns this rank's parts of the
     * pair sums (unscaled: no cell volume).
     */
    ConvolutionSums convolve_all(const double* rho, std::span<double* const> grad) const;
};

}  // namespace dfe
