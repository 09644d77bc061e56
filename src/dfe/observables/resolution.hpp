#pragma once
/**
 * @file resolution.hpp
 * @brief The resolution monitor: how much of a sample lives in the top third of the spectrum.
 *
 * For a field φ with spectrum φ̂_k (grid.hpp conventions, k = (2π/L)·m, |m| ≤ N/2):
 *   tail_fraction = Σ_{k in T} |φ̂_k|² / Σ_k |φ̂_k|²,
 *   T = { k : max_a |k_a| > (2/3)·k_Nyquist },  k_Nyquist = πN/L,  i.e. some |m_a| > N/3,
 * the modes outside the cube the 2/3 dealiasing rule keeps. A smooth resolved field has an
 * exponentially small tail; a collapsing one pushes mass to high k, and the fraction grows by orders
 * of magnitude before the solution is visibly wrong. grad_norm = ‖∇φ‖_{L²} = (Σ|k|²|φ̂_k|²·L^d/N^{2d})^{1/2}
 * (= √(2·kinetic)), which blows up with the solution.
 *
 * boundary_mass is the share of the sample's mass within w = boundary_layer_spacings grid
 * spacings of the box's faces:
 *   boundary_mass = Σ_{n in B} |φ_n|² / Σ_n |φ_n|²,
 *   B = { n : some axis a has min(n_a, N − n_a) < w },  x_a = −L/2 + n_a·L/N,
 * i.e. the points less than w spacings from a face x_a = ±L/2 (the face's own point, n_a = 0, counted
 * once: the box is periodic), 2w − 1 points per axis: the cells of the slabs L/2 − (w − ½)h ≤ |x_a|,
 * h = L/N. Everything dfe computes takes x plainly, without a periodic wrap, and the free-space
 * convolutions take ρ as 0 outside the box: mass that reaches the faces wraps around to the other
 * side, where V1, ψ_R and the pair terms see it at the wrong place and where it meets its periodic
 * image. w = 4 is thin enough that a resolved state well inside the box has nothing there (for
 * ρ ∝ e^{−|x|²/σ²}, about e^{−(L/2 − 4h)²/σ²}), and thick enough that a packet moving out is seen
 * before it crosses the face: at the fastest group velocity the grid resolves, 2|k| ≤ (4π/3)/h, it
 * needs a time 3w·h²/(4π) to cross the layer, so checks at least that often catch it in the layer.
 *
 * A sample is *under-resolved* from the first check at which tail_fraction > --tail-tol (default
 * 1e-10) or boundary_mass > --boundary-tol (default 1e-6, justified in docs/physics.md §9); the mark is permanent.
 * Checks run at every output time and after every chunk of --check-steps steps (ensemble.hpp).
 */
#include "dfe/spectral/fft_plan.hpp"

#include <array>
#include <vector>

namespace dfe {

/** @brief One sample's resolution at one time. */
struct Resolution {
    double tail_fraction = 0.0;
    double grad_norm = 0.0;
    double boundary_mass = 0.0;
};

/** @brief True when the mode with wave vector k lies in the monitored tail T (some |m_a| > N/3). */
bool in_spectral_tail(const Grid& grid, const std::array<double, 3>& k);

/** @brief w: the boundary layer is the grid points less than this many spacings from a face. */
inline constexpr int boundary_layer_spacings = 4;

/** @brief True when the grid point x (its plain coordinates) lies in the boundary layer B. */
bool in_boundary_layer(const Grid& grid, const std::array<double, 3>& x);

/** @brief 1 for the points of this rank's physical (complex) layout that lie in B, else 0. */
std::vector<unsigned char> boundary_mask(const Grid& grid);

class ResolutionMonitor {
public:
    /** @brief Tabulates |k|² and the tail mask on the spectral layout (Not Collective). */
    explicit ResolutionMonitor(const FftPlans& plans);

    /** @brief The resolution of φ (physical layout, unchanged): one forward FFT and one pass over φ (Collective). */
    [[nodiscard]] Resolution measure(const cplx* phi);

    /**
     * @brief This rank's partial sums over a spectrum φ̂ (spectral layout, unnormalized):
     * {Σ_T |φ̂|², Σ |φ̂|², Σ |k|²|φ̂|²}; add them over the grid's ranks and call finish().
     */
    [[nodiscard]] std::array<double, 3> partial(const cplx* spectrum) const;
    /** @brief The resolution from the reduced partial sums. */
    [[nodiscard]] Resolution finish(const std::array<double, 3>& sums) const;

private:
    const FftPlans& plans_;
    std::vector<double> k2_;
    std::vector<unsigned char> tail_;
    std::vector<unsigned char> boundary_;  ///< boundary_mask of the physical layout
    Buffer<cplx> work_;
};

}  // namespace dfe
