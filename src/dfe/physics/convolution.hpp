#pragma once
/**
 * @file convolution.hpp
 * @brief Convolution of a real density with the kernels of a potential: V (the flow, the energy),
 * ∇V (d2V1, d2loc_R, III_R) and W = z·∇V (vterm, III_R).
 *
 * Periodic potentials (none, gaussian): (K*ρ)(x_n) = backward[ K̂(k) · forward[ρ] ](x_n) / N^d, which
 * equals Σ_m K_per(x_n − x_m) ρ_m (L/N)^d for the band-limited periodization K_per of K: the 1/N^d
 * and the (L/N)^d of the quadrature combine with the 1/L^d of the Fourier series. The 1/N^d is
 * folded into the stored multipliers. Valid when the periodic images of K are negligible on the box.
 * (∂_aV)*ρ uses the multiplier i k_a V̂ (Nyquist component zeroed).
 *
 * Free-space potentials (soft-power, power) go through FreeSpaceConvolution (free_space.hpp).
 */
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/physics/free_space.hpp"
#include "dfe/physics/potential.hpp"

#include <array>
#include <memory>
#include <span>
#include <vector>

namespace dfe {

class Convolver {
public:
    /** @brief Tabulates the kernels on the grid (Collective on the grid's communicator). */
    Convolver(const FftPlans& plans, const Potential& potential);
    ~Convolver();
    Convolver(const Convolver&) = delete;
    Convolver& operator=(const Convolver&) = delete;

    /** @brief In place: `data` holds ρ in the physical real layout on entry and V*ρ on exit (Collective). */
    void potential(double* data) const;

    /**
     * @brief Every convolution the observables need, for one density (Collective).
     * @param rho_hat  forward r2c of ρ (spectral half layout, unnormalized)
     * @param rho      ρ in the physical real layout
     * @param grad     grad[a], a < d, physical real layout: on entry ∂_aρ when free_space() (ignored
     *                 otherwise), on exit (∂_aV)*ρ
     * @return this rank's parts of Σ_n ρ_n (V*ρ)_n and Σ_n ρ_n (W*ρ)_n (no cell volume)
     */
    ConvolutionSums convolve_all(const cplx* rho_hat, const double* rho, std::span<double* const> grad) const;

    /** @brief True when the potential needs the aperiodic convolution (and ∂_aρ in convolve_all). */
    [[nodiscard]] bool free_space() const { return static_cast<bool>(free_); }

    [[nodiscard]] const FftPlans& plans() const { return plans_; }
    [[nodiscard]] const Potential& potential_function() const { return potential_; }
    /** @brief Per mode of grid.spectral_half(): 2 when it stands for itself and its conjugate partner, else 1. */
    [[nodiscard]] const std::vector<double>& half_weights() const { return half_weight_; }

private:
    const FftPlans& plans_;
    const Potential& potential_;
    std::unique_ptr<FreeSpaceConvolution> free_;  ///< set for free-space potentials
    // Periodic multipliers on the half spectrum, 1/N^d folded in.
    Buffer<double> v_hat_;                        ///< V̂
    Buffer<double> w_hat_;                        ///< (z·∇V)^
    std::vector<double> half_weight_;             ///< 1 or 2: modes standing for a conjugate pair count twice
    std::array<std::vector<double>, 3> grad_kernel_;  ///< k_a V̂ (Nyquist zeroed)
};

}  // namespace dfe
