#pragma once
/**
 * @file gamma2.hpp
 * @brief γ^(2)(x,y,x,y) = Σ_j w_j ρ_j(x) ρ_j(y) on the observation grid (docs/physics.md §5).
 *
 * The observation grid is the simulation grid subsampled every N/n points per dimension from index
 * 0: the points of an n-point grid on the same box, quadrature weight (L/n)^d, C order.
 *
 * γ^(2) = R W Rᵀ with the factor R (n^d × M, R_xj = ρ_j(x)) held as a PETSc parallel dense matrix,
 * rows (observation points) distributed over the world, and W = diag(w). The time-series columns
 * come from the factor at every output, at O(n^d M) cost:
 *   fact_defect            ‖γ^(2) − γ^(1)⊗γ^(1)‖_{L²} = dV (Σ_ij w_i w_j (δ_i·δ_j)²)^{1/2}, δ_j = ρ_j − γ^(1),
 *                          because γ^(2) − γ^(1)⊗γ^(1) = Σ_j w_j δ_j ⊗ δ_j when Σ w_j = 1: a sum of
 *                          non-negative terms with no cancellation, exactly 0 for M = 1;
 *   admissibility_residual max_x |Σ_j w_j ρ_j(x) m_j − γ^(1)(x,x)|, m_j = dV Σ_y ρ_j(y), which is
 *                          max_x |∫ γ^(2)(x,y,x,y) dy − γ^(1)(x,x)| on the observation grid.
 * The explicit n^d × n^d matrix costs O(n^{2d} M) and n^{2d} memory (134 MB for n = 64 in 2D), so it
 * is formed by the matrix–matrix product R W Rᵀ (MatMatTransposeMult) only when asked (the
 * `--gamma2-times`), where the symmetry residual, the minimum entry and the two columns above are
 * evaluated on it directly.
 */
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/backend/petsc.hpp"

#include <span>
#include <vector>

namespace dfe {


class Gamma2 {
public:
    /**
     * @brief Not Collective. Throws InputError unless 2 ≤ n ≤ N and n divides N.
     * @param weights all M weights
     */
    Gamma2(const GroupLayout& layout, const Grid& grid, long n, std::span<const double> weights);

    /** @brief Loads ρ_j at the observation points of this group's `fields` into R (Collective on world). */
    void load(std::span<const cplx* const> fields);

    struct FactorValues {
        double fact_defect = 0.0;
        double admissibility_residual = 0.0;
    };
    /** @brief The diagnostics from the factor (Collective on world). */
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
    /** @brief Forms γ^(2) = R W Rᵀ and evaluates it (Collective on world). */
    [[nodiscard]] Explicit form() const;

    [[nodiscard]] long points_per_dim() const { return n_; }
    [[nodiscard]] long points() const { return total_; }
    [[nodiscard]] double cell_volume() const { return dv_; }

private:
    const GroupLayout& layout_;
    const Grid& grid_;
    long n_;
    long stride_;
    long total_;
    double dv_;
    std::vector<double> weights_;
    std::vector<PetscInt> local_obs_;       ///< observation index of each local observation point …
    std::vector<std::ptrdiff_t> local_at_;  ///< … and its index in the physical layout
    PetscMat factor_;
};

}  // namespace dfe
