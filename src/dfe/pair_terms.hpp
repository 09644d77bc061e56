#pragma once
/**
 * @file pair_terms.hpp
 * @brief IIIa_R and IIIb_R (6.8): pair sums of |a_R(x,y)·∇V(x−y)| γ^(2)(x,y,x,y) on the observation grid.
 *
 * The definition (physics.md §5) is a sum over all pairs (x, y) of observation points, quadrature
 * weight (L/n)^{2d}, pair difference z = x − y taken plainly:
 *     IIIa_R = 2 Σ_{|z| > √R} |a_R(x,y)·∇V(z)| γ^(2)(x,y),   IIIb_R = 2 Σ_{|z| ≤ √R} (same),
 * both restricted to A_R = {max(|x|,|y|) ≥ √R}. Evaluated pair by pair that is n^{2d} work per R
 * and output; this class computes the same sums exactly (to round-off) in O(n^d log n) per sample:
 *
 * 1. a_R = ∇Φ(x) − ∇Φ(y) with Φ = ½(|x|² − ψ_R) convex (Hess Φ = F(s) I + (2/R) ρ(s) x xᵀ ≥ 0), so
 *    a_R·z ≥ 0 for every pair; and ∇V(z) = V'(|z|) z/|z| with V' of one sign for every potential
 *    here. Hence |a_R·∇V(z)| = h(z) a_R·z with h = |V'(|z|)|/|z|: the absolute value is a sign.
 * 2. a_R = 0 exactly when max(|x|², |y|²) ≤ (2−h)R (ψ' ≡ 1 there), a subset of the complement of
 *    A_R, so the A_R restriction is automatic.
 * 3. With p(x) = ψ'(|x|²/R) x, h(z) a_R·z = K1(z) − p(x)·K2(z) + p(y)·K2(z), K1 = |z||V'|, K2 = |V'| ẑ
 *    (K2 odd), and by the x ↔ y symmetry of γ^(2),
 *        Σ_{x,y} χ(z) h a_R·z γ^(2) = Σ_j w_j [ Σ_{x,y} ρ_j ρ_j K1χ − 2 Σ_x ρ_j(x) p(x)·((K2χ)*ρ_j)(x) ],
 *    aperiodic convolutions on the observation grid done exactly by zero padding to 2n per dimension.
 * The per-pair definition is checked against this form in tests/mpi/test_localized.cpp.
 *
 * Work split: the observation values of a sample are gathered on every rank of its group (n^d
 * numbers); the (1 + #R)·d convolutions are dealt round-robin over the group's ranks. Every value
 * returned is this rank's part: the sum over the group is the sample's value.
 */
#include "dfe/comm.hpp"
#include "dfe/cutoff.hpp"
#include "dfe/fft_plan.hpp"
#include "dfe/potential.hpp"

#include <span>
#include <vector>

namespace dfe {

class PairTerms {
public:
    /**
     * @brief Tabulates the kernels for the observation grid of n points per dimension (n divides N)
     * and the radii `R`. Not Collective (plans are serial, with the planner effort of the run).
     */
    PairTerms(const Grid& grid, long n, const Potential& potential, const Cutoff& cutoff, std::vector<double> R,
              PlannerEffort effort);
    ~PairTerms();
    PairTerms(const PairTerms&) = delete;
    PairTerms& operator=(const PairTerms&) = delete;

    /**
     * @brief This rank's parts of IIIa_R and IIIb_R for one sample (out[2r], out[2r+1] for the
     * r-th radius are *added to*). `rho` is |φ|² on this rank's slab, physical complex-layout
     * order. Collective on the grid's communicator.
     */
    void add(std::span<const double> rho, std::span<double> out);

    [[nodiscard]] long points_per_dim() const { return n_; }

private:
    const Grid& grid_;
    long n_, stride_;
    int d_;
    std::vector<double> R_;
    long padded_;                        ///< 2n
    std::ptrdiff_t half_count_ = 0;      ///< modes of the padded half spectrum
    std::vector<std::ptrdiff_t> local_index_;   ///< physical index of each local observation point
    std::vector<int> counts_, displs_;   ///< allgatherv of the observation values over the group
    std::vector<double> gathered_;       ///< ρ on the whole observation grid, C order
    std::vector<std::array<double, 3>> x_;  ///< coordinates of the observation points
    std::vector<double> dpsi_;           ///< ψ'(|x|²/R) per observation point and radius: [r·n^d + p]
    std::vector<std::ptrdiff_t> padded_pos_;  ///< index of each observation point in the padded real array
    std::vector<double> rho_xg_;         ///< ρ x_a G_a per observation point (scratch)
    std::vector<double> half_weight_;    ///< 1 or 2 per padded half-spectrum mode
    std::vector<double> k1_;             ///< K1 spectrum (real), sets: 0 = all |z|, 1 + r = |z|² ≤ R_r
    std::vector<double> k2_;             ///< K2_a spectrum (imaginary part), [(set·d + a)·half + mode]
    Buffer<double> work_;                ///< padded real array / its half spectrum
    Buffer<double> spectrum_;            ///< ρ̂ on the padded grid
    Plan r2c_, c2r_;
};

}  // namespace dfe
