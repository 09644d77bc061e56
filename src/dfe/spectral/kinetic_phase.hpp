#pragma once
/**
 * @file kinetic_phase.hpp
 * @brief The exact kinetic flow e^{iτΔ} as a Fourier multiplier, φ̂_k ← e^{−i|k|²τ} φ̂_k, applied
 * separably (docs/physics.md §4).
 */
#include "dfe/spectral/grid.hpp"
#include "dfe/spectral/cplx.hpp"

#include <array>
#include <cstddef>
#include <vector>

namespace dfe {

/**
 * @brief The kinetic multiplier scale·e^{−i|k|²τ} on grid.spectral(), stored separably as
 * e^{−ik_0²τ}·e^{−ik_1²τ}·… with one 1D table per memory axis: applying it streams the field only,
 * not an N^d table. The k per axis are Grid::for_each_mode's on the full spectral layout.
 */
class KineticPhase {
public:
    explicit KineticPhase(const Grid& grid);
    KineticPhase(const Grid& grid, double tau, double scale) : KineticPhase(grid) { set(tau, scale); }

    /**
     * @brief Tabulates the multiplier for time τ and factor `scale` (Not Collective). τ may be
     * negative: −τ gives the backward flow e^{+i|k|²τ} (the interaction picture's, InteractionPictureTS).
     */
    void set(double tau, double scale);
    /** @brief out = multiplier × in on this rank's part of grid.spectral(); in == out is allowed. */
    void apply(const cplx* in, cplx* out) const;

private:
    const Grid* grid_;
    double scale_ = 1.0;
    std::array<std::vector<cplx>, 3> table_;  ///< e^{−ik²τ} along each memory axis (unused axes: {1})
};

namespace detail {
/** @brief y_j = (c·t_j)·x_j, j < n, complex numbers as (re, im) pairs, c = cr + i·ci; x == y allowed. Vectorized. */
void phase_row(const double* x, double* y, const double* __restrict t, double cr, double ci, std::ptrdiff_t n);
}  // namespace detail

}  // namespace dfe
