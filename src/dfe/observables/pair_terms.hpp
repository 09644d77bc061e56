#pragma once
/**
 * @file pair_terms.hpp
 * @brief IIIa_R and IIIb_R (6.8): pair sums of |a_R(x,y)·∇V(x−y)| γ^(2)(x,y,x,y) over the full
 * simulation grid.
 *
 * The definition (docs/physics.md §5) is a sum over all pairs (x, y) of simulation-grid points, quadrature
 * weight (L/N)^{2d}, pair difference z = x − y taken plainly:
 *     IIIa_R = 2 Σ_{|z|² > R} |a_R(x,y)·∇V(z)| γ^(2)(x,y),   IIIb_R = 2 Σ_{|z|² ≤ R} (same),
 * both restricted to A_R = {max(|x|,|y|) ≥ √R}. Evaluated pair by pair that is N^{2d} work per R
 * and output; this class computes the same sums exactly (to round-off) in O((2N)^d log N) per sample:
 *
 * 1. a_R = q(x) − q(y) with q = ∇Φ = F_R(x) x, Φ = ½(|x|² − ψ_R) convex (Hess Φ = F I + (2/R) ρ_cut x xᵀ
 *    ≥ 0), so a_R·z ≥ 0 for every pair; and ∇V(z) = V'(|z|) ẑ with V' of one sign for every potential
 *    here. Hence |a_R·∇V(z)| = a_R·K(z) with K(z) = |V'(|z|)| ẑ: the absolute value is a fixed sign.
 * 2. q = 0 exactly where |x|² ≤ (2−h)R (F_R ≡ 0 there), a subset of the complement of A_R, so the
 *    A_R restriction is automatic and every term of the sums lives where F_R > 0: a state whose mass
 *    is inside that ball gives sums of the size of the mass outside it, never a difference of large
 *    numbers (docs/physics.md §5, "Evaluating without cancellation").
 * 3. K is odd and χ (|z|² ≶ R) even, so by the x ↔ y symmetry of γ^(2)
 *        Σ_{x,y} χ (q(x) − q(y))·K(z) ρ(x)ρ(y) = 2 Σ_a Σ_x f_a(x) ((K_a χ)*ρ)(x),   f_a = ρ F_R x_a,
 *    an aperiodic lattice convolution, exact after zero padding to 2N per dimension. By Parseval on
 *    the padded grid it is (2N)^{−d} Σ_k conj(f̂_a) K̂_aχ ρ̂: one r2c of ρ per sample and one r2c of
 *    f_a per radius and component, against kernel spectra transformed once.
 * The per-pair definition is checked against this form in tests/observables/test_pair_terms.cpp.
 *
 * Memory: two padded real arrays ((2N)^d doubles each), ρ and F_R on the whole grid (N^d (1 + #R)),
 * and the kernel spectra this rank needs, folded by their parity: (N+1)^d doubles each.
 * Work split: ρ of a sample is gathered on every rank of its group (N^d numbers); the #R·d tasks
 * (radius, component) are dealt round-robin over the group's ranks. Every value returned is this
 * rank's part: the sum over the group is the sample's value.
 */
#include "dfe/core/comm.hpp"
#include "dfe/physics/cutoff.hpp"
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/physics/potential.hpp"

#include <array>
#include <span>
#include <vector>

namespace dfe {

class PairTerms {
public:
    /**
     * @brief Tabulates the kernels on the simulation grid for the radii `R`. Not Collective (plans
     * are serial, with the planner effort of the run); sizes come from the grid's communicator.
     */
    PairTerms(const Grid& grid, const Potential& potential, const Cutoff& cutoff, std::vector<double> R,
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

private:
    // The steps of the constructor, in its order.
    /** @brief The allgatherv of ρ over the group: counts_, displs_, and gathered_ sized N^d. */
    void set_up_gather();
    /** @brief x_, and F_R at every grid point for every radius (F_). */
    void tabulate_cutoff(const Cutoff& cutoff);
    /** @brief rows_, work_, spectrum_ and the pruned padded r2c (passes_). */
    void plan_padded_transform(PlannerEffort effort);
    /** @brief padded_row_ and row_index_, the row bookkeeping of add(). */
    void index_rows();
    /** @brief The folded kernel spectra this rank's tasks need (kernel_), through work_. */
    void tabulate_kernels(const Potential& potential);
    /** @brief work_ = K_a on the padded grid, for the offsets with |z|² ≤ R2 (INFINITY: every one). */
    void fill_kernel(const Potential& potential, std::size_t a, double R2);
    /** @brief table = the folded Im K̂ × scale from the transformed kernel in work_. */
    void fold_kernel_spectrum(double scale, std::vector<double>& table) const;

    /** @brief The padded r2c of `data` in place (real layout in, half spectrum out), pruned. */
    void transform(double* data) const;
    /**
     * @brief Σ_k w κ (f_i ρ_r − f_r ρ_i) over the padded half spectrum for the kernel tables `all`
     * and `inner` of component a (the spectrum of ρ is spectrum_).
     */
    [[nodiscard]] std::array<double, 2> parseval(const double* f_hat, const double* all, const double* inner, int a) const;
    [[nodiscard]] bool mine(std::size_t task) const;

    const Grid& grid_;
    long N_;
    int d_;
    std::vector<double> R_;
    long padded_;                        ///< 2N
    long half_;                          ///< N + 1: the padded half axis, and the folded extent of every axis
    std::ptrdiff_t rows_ = 0;            ///< rows of the padded real array, (2N)^{d−1}
    std::vector<int> counts_, displs_;   ///< allgatherv of ρ over the group
    std::vector<double> gathered_;       ///< ρ on the whole grid, C order
    std::vector<double> F_;              ///< F_R(x) per grid point and radius: [r·N^d + p]
    std::vector<double> x_;              ///< x_a of grid index i: −L/2 + i·dx
    std::vector<double> half_weight_;    ///< 1 or 2 per index of the padded half axis
    std::vector<std::ptrdiff_t> padded_row_;  ///< offset of unpadded row u in the padded real array
    std::vector<std::size_t> row_index_;      ///< indices of row u along the axes before the last: [u·(d−1) + b]
    bool has_tasks_ = false;                  ///< this rank has at least one (radius, component) task
    /// Folded kernel spectra Im K̂_aχ × dv/(2N)^d, (N+1)^d each: [(set·d + a)], empty where not needed.
    /// Set 0 takes every |z|, set 1 + r only |z|² ≤ R_r.
    std::vector<std::vector<double>> kernel_;
    Buffer<double> work_;                ///< padded real array / its half spectrum
    Buffer<double> spectrum_;            ///< ρ̂ on the padded grid
    std::vector<Plan> passes_;           ///< the pruned padded r2c: rows, then one complex pass per other axis
};

}  // namespace dfe
