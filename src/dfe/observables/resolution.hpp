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
 * A sample is *under-resolved* from the first check at which tail_fraction > --tail-tol (default
 * 1e-10); the mark is permanent. Checks run at every output time and after every chunk of
 * --check-steps steps (ensemble.hpp).
 */
#include "dfe/spectral/fft_plan.hpp"

#include <array>
#include <vector>

namespace dfe {

/** @brief One sample's resolution at one time. */
struct Resolution {
    double tail_fraction = 0.0;
    double grad_norm = 0.0;
};

/** @brief True when the mode with wave vector k lies in the monitored tail T (some |m_a| > N/3). */
bool in_spectral_tail(const Grid& grid, const std::array<double, 3>& k);

class ResolutionMonitor {
public:
    /** @brief Tabulates |k|² and the tail mask on the spectral layout (Not Collective). */
    explicit ResolutionMonitor(const FftPlans& plans);

    /** @brief The resolution of φ (physical layout, unchanged): one forward FFT (Collective). */
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
    Buffer<cplx> work_;
};

}  // namespace dfe
