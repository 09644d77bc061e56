#pragma once
/**
 * @file free_space.hpp
 * @brief Aperiodic (free-space) convolution of a density on the box with a slowly decaying or
 * singular potential, by zero padding to 2N points per dimension (docs/physics.md §2).
 *
 * What is computed. For a density ρ given at the N^d points x_n of the box (and taken to be zero
 * outside it), at every point of the box,
 *
 *     (K*ρ)(x_n) = Σ_m K(x_n − x_m) ρ_m (L/N)^d,      K = V or W = z·∇V,
 *
 * the plain (non-periodic) grid sum. Pair offsets x_n − x_m = h·m, h = L/N, have |m_a| ≤ N − 1, so
 * the sum is a cyclic convolution on a grid of 2N points per dimension and box 2L (Hockney): ρ is
 * placed in the first N rows/columns of the padded grid (index i ↦ i, zeros elsewhere), the kernel at
 * the 2N-periodic offsets h·m, padded index j ↦ m = j (j < N) or j − 2N (j ≥ N), and the cyclic
 * convolution is one r2c, a real multiplier, one c2r. The multipliers are the r2c of the sampled
 * kernels with the quadrature weight h^d and FFTW's 1/(2N)^d folded in; they are real (the kernels
 * are even in every m_a) and stored on the padded grid's spectral half layout.
 *
 * Kernels.
 *  - soft-power (any d): K(h·m) = V(h|m|) and z·∇V(h|m|), sampled. The grid sum above is then
 *    exactly the discrete sum, to FFT round-off.
 *  - power (d = 3, V = λ|x|^{−γ}, singular at 0): the truncated kernel of Vico, Greengard and
 *    Ferrando (J. Comput. Phys. 323 (2016)). V_t = V on |x| < Lt = √3 L (every pair distance in the
 *    box is below Lt, so V_t*ρ = V*ρ on the box), whose transform V̂_t(|k|) =
 *    Potential::truncated_hat(|k|, Lt) is smooth. The band-limited kernel is the 4×-oversampled
 *    Fourier sum K(h·m) = (4L)^{−3} Σ_j V̂_t(|k_j|) e^{i k_j·h m}, k_j = (2π/(4L)) j,
 *    j_a ∈ {−2N..2N−1}, evaluated by a serial 3D REDFT00 of size 2N+1 (the sum is even in every
 *    j_a). The result converges to the continuous V*ρ spectrally in the resolution of ρ: the error
 *    is set by how small ρ̂ is at |k_a| = π/h and by how small ρ is at the box's faces.
 *    For the power potential W = z·∇V = −γV, so W's multiplier is −γ times V's.
 *
 * Layouts and ranks. Data enter and leave in the N-grid's physical real layout (slabs over dimension
 * 0, last dimension padded for in-place r2c, see grid.hpp). The padded grid is an independent Grid
 * of 2N points on the same communicator, with its own FFTW-MPI slab split; N-grid row i (dimension-0
 * index) is padded row i. On more than one rank the rows are moved between the two splits by one
 * MPI_Alltoallv each way (compact rows, without the r2c padding); on one rank they are copied. All
 * buffers are allocated by the constructor; potential() and convolve_all() do not allocate.
 *
 * Cost per call: potential() two padded transforms; convolve_all() 1 + 2d. Memory: one padded real
 * field, three padded half-spectrum arrays of doubles (V and W multipliers, pair weights; power
 * keeps no W multiplier), and compact row buffers. The power kernel's construction also holds a
 * (2N+1)^3 table on every rank while it runs (17 MB at N = 64).
 */
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/physics/potential.hpp"

#include <memory>
#include <span>
#include <vector>

namespace dfe {

/** @brief This rank's parts of the grid sums Σ_n ρ_n (V*ρ)_n and Σ_n ρ_n (W*ρ)_n, W = z·∇V. */
struct ConvolutionSums {
    double v = 0.0;
    double w = 0.0;
};

class FreeSpaceConvolution {
public:
    /**
     * @brief Tabulates the padded kernels of `potential` (soft-power, or power in d = 3) on `grid`
     * (Collective on grid.comm()). Plans the padded transforms with `effort`.
     */
    FreeSpaceConvolution(const Grid& grid, const Potential& potential, PlannerEffort effort);
    ~FreeSpaceConvolution();
    FreeSpaceConvolution(const FreeSpaceConvolution&) = delete;
    FreeSpaceConvolution& operator=(const FreeSpaceConvolution&) = delete;

    /** @brief In place, physical real layout of the grid: ρ → V*ρ (Collective). */
    void potential(double* data) const;

    /**
     * @brief Collective. `rho`: ρ in the physical real layout. `grad[a]`, a < d: on entry ∂_aρ, on
     * exit (∂_aV)*ρ = V*(∂_aρ), both in the physical real layout. Returns this rank's parts of the
     * pair sums (unscaled: no cell volume), as a Parseval sum over this rank's part of the padded
     * half spectrum (its sum over the ranks is the grid sum over the box).
     */
    ConvolutionSums convolve_all(const double* rho, std::span<double* const> grad) const;

private:
    /** @brief N-grid physical real layout → padded work buffer (zeros outside the box). */
    void to_padded(const double* data) const;
    /** @brief Padded work buffer, rows 0..N−1 → N-grid physical real layout. */
    void from_padded(double* data) const;
    /** @brief work_ → r2c → × multiplier → c2r → work_. */
    void apply(const Buffer<double>& multiplier) const;
    /** @brief Fills work_ with f(m0, m1, m2) at the padded grid's offsets and stores the real part
     * of its r2c in `out` (spectral half layout). */
    template <class F>
    void tabulate(F&& f, Buffer<double>& out);
    void tabulate_power(const Potential& potential);

    const Grid& grid_;
    int d_;
    std::ptrdiff_t N_;
    std::unique_ptr<Grid> padded_;      ///< 2N points, box 2L, same spacing
    std::unique_ptr<FftPlans> plans_;   ///< r2c/c2r of padded_
    mutable Buffer<double> work_;       ///< padded field / its half spectrum, in place
    Buffer<double> v_hat_;              ///< V multiplier on padded_->spectral_half()
    Buffer<double> w_hat_;              ///< W multiplier (empty when W = w_over_v_ · V)
    double w_over_v_ = 0.0;             ///< power potential: W = −γ V
    Buffer<double> half_weight_;        ///< 1 or 2: a half-spectrum mode standing for a conjugate pair counts twice

    // Row redistribution between the two slab splits (used when the communicator has > 1 rank).
    // A row is the N^{d−1} values of one dimension-0 index inside the box, stored compactly.
    std::ptrdiff_t row_len_ = 1;         ///< N^{d−1}
    std::ptrdiff_t padded_box_rows_ = 0; ///< local padded rows with global index < N
    mutable Buffer<double> box_rows_;    ///< this rank's N-grid rows, compact
    mutable Buffer<double> padded_rows_; ///< this rank's padded rows 0..N−1, compact
    std::vector<int> box_counts_, box_displs_;        ///< per rank, in doubles: N-grid side
    std::vector<int> padded_counts_, padded_displs_;  ///< per rank, in doubles: padded side
};

}  // namespace dfe
