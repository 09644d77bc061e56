#pragma once
/**
 * @file gamma2.hpp
 * @brief γ^(2)(x,y,x,y) = Σ_j w_j ρ_j(x) ρ_j(y) on the observation grid (docs/physics.md §5).
 *
 * The observation grid is the simulation grid subsampled every N/n points per dimension from index
 * 0: the points of an n-point grid on the same box, quadrature weight (L/n)^d, C order.
 *
 * The time-series columns come from the group's fields at the observation points of each rank's
 * slab (diagnostics(), every output), at O(n^d M) cost plus the fact_defect form's:
 *   fact_defect            ‖γ^(2) − γ^(1)⊗γ^(1)‖_{L²} = dV (Σ_ij w_i w_j (δ_i·δ_j)²)^{1/2}, δ_j = ρ_j − γ^(1),
 *                          because γ^(2) − γ^(1)⊗γ^(1) = Σ_j w_j δ_j ⊗ δ_j when Σ w_j = 1: a sum of
 *                          non-negative terms with no cancellation, exactly 0 for M = 1. Two exact
 *                          forms, both sums of squares (plan.hpp chooses):
 *                            samples  Σ_ij w_i w_j (δ_i·δ_j)², the tiles of δ_i·δ_j from the ring pass
 *                                     (ring.hpp) over the δ blocks (local observation points × the
 *                                     group's samples), squared as they come, never held as M × M;
 *                            grid     ‖C‖_F², C = Σ_j w_j δ_j δ_jᵀ (n^d × n^d): the pieces of rank q's
 *                                     columns summed onto q (MPI_Reduce), squared there, dropped;
 *   admissibility_residual max_x |Σ_j w_j ρ_j(x) m_j − γ^(1)(x,x)|, m_j = dV Σ_y ρ_j(y), which is
 *                          max_x |∫ γ^(2)(x,y,x,y) dy − γ^(1)(x,x)| on the observation grid: the
 *                          masses summed over the group, the x-values over the cross communicator.
 *
 * The explicit n^d × n^d matrix costs O(n^{2d} M) and n^{2d} memory (134 MB for n = 64 in 2D), so it
 * is formed only when asked (the `--gamma2-times`): load() fills the factor R (n^d × M, R_xj = ρ_j(x),
 * a PETSc parallel dense matrix, rows over the world; created at the first load) by one all-to-all,
 * and form() makes R W Rᵀ (MatMatTransposeMult) and evaluates the symmetry residual, the minimum
 * entry and the two columns above on it directly.
 */
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/backend/petsc.hpp"
#include "dfe/reductions/gram.hpp"
#include "dfe/reductions/plan.hpp"

#include <limits>
#include <span>
#include <vector>

namespace dfe {


class Gamma2 {
public:
    /**
     * @brief Not Collective. Throws InputError unless 2 ≤ n ≤ N and n divides N, or for the grid form
     * (plan.gamma2) with ranks_per_sample > 1.
     * @param weights all M weights
     */
    Gamma2(const GroupLayout& layout, const Grid& grid, long n, std::span<const double> weights, const ReductionPlan& plan);
    /** @brief The sample form of fact_defect (the constructor before plans; kept for callers that pass no plan). */
    Gamma2(const GroupLayout& layout, const Grid& grid, long n, std::span<const double> weights);

    struct FactorValues {
        double fact_defect = 0.0;
        double admissibility_residual = 0.0;
        /// With the sampling error (diagnostics(own, true); docs/physics.md §12), NaN otherwise: the
        /// standard error of fact_defect from its influence values dV a_j / √S, a_j = Σ_i w_i (δ_i·δ_j)²
        /// = δ_jᵀ C δ_j, S = Σ_j w_j a_j: from the ring's tiles (sample form), or from C's columns, then
        /// kept, passed around the ring (grid form: n^{2d}/P doubles more per rank while it lasts).
        double fact_defect_stderr = std::numeric_limits<double>::quiet_NaN();
    };
    /**
     * @brief fact_defect and admissibility_residual from this group's samples `own` (the fields, not
     * the factor), in the form of the plan. Collective on world.
     */
    [[nodiscard]] FactorValues diagnostics(SampleBlock own, bool sampling_error = false) const;

    /** @brief Loads ρ_j at the observation points of this group's `fields` into R, before form() (Collective on world). */
    void load(std::span<const cplx* const> fields);

    /**
     * @brief The diagnostics from the loaded factor R (Collective on world). Forms D = δᵀδ, M × M on
     * every rank: kept for comparison, use diagnostics().
     */
    [[nodiscard]] FactorValues from_factor() const;

    struct Explicit {
        double fact_defect = 0.0;
        double admissibility_residual = 0.0;
        double symmetry_residual = 0.0;  ///< max |γ^(2)(x,y) − γ^(2)(y,x)|
        double min_entry = 0.0;          ///< min γ^(2)(x,y)
        long row_start = 0;              ///< this rank's rows of the matrix …
        long row_count = 0;
        std::vector<double> rows;        ///< … row-major, row_count × n^d
    };
    /** @brief Forms γ^(2) = R W Rᵀ from the loaded factor and evaluates it (Collective on world). */
    [[nodiscard]] Explicit form() const;
    /** @brief load(fields), then form(): the explicit γ^(2) of this group's `fields` (Collective on world). */
    [[nodiscard]] Explicit form(std::span<const cplx* const> fields);

    [[nodiscard]] long points_per_dim() const { return n_; }
    [[nodiscard]] long points() const { return total_; }
    [[nodiscard]] double cell_volume() const { return dv_; }
    [[nodiscard]] ReductionForm form_of_fact_defect() const { return form_; }

private:
    /// Σ_ij w_i w_j (δ_i·δ_j)² over this rank's part, from δ (local observation points × own samples, leading dimension ld).
    /// With `rows` (M values, zeroed), also this rank's parts of a_j = Σ_i w_i (δ_i·δ_j)².
    double squares_samples(const std::vector<double>& delta, std::size_t ld, std::vector<double>* rows = nullptr) const;
    /// With `held`, this rank's columns of C are kept there (n^d × its balanced share) instead of dropped.
    double squares_grid(const std::vector<double>& delta, std::size_t ld, std::vector<double>* held = nullptr) const;

    const GroupLayout& layout_;
    const Grid& grid_;
    long n_;
    long stride_;
    long total_;
    double dv_;
    std::vector<double> weights_;
    double shares_;  ///< Σ (w_j/Σw)², 1/n_eff (the sampling error)
    ReductionForm form_;
    std::size_t piece_bytes_;  ///< plan.piece_bytes
    std::vector<PetscInt> local_obs_;       ///< observation index of each local observation point …
    std::vector<std::ptrdiff_t> local_at_;  ///< … and its index in the physical layout
    PetscMat factor_;  ///< created by the first load()
};

}  // namespace dfe
