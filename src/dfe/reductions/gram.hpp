#pragma once
/**
 * @file gram.hpp
 * @brief purity = Tr((γ^(1))²) and lambda_max = the largest eigenvalue of γ^(1), in one of two exact
 * forms (plan.hpp says which and why). With A = [√(w_j dV) φ_j] (N^d × M), ⟨f, g⟩ = dV Σ_n conj(f_n) g_n:
 *
 *   sample form   the Gram matrix G = A†A, G_ij = √(w_i w_j) ⟨φ_i, φ_j⟩ (M × M);
 *   grid form     γ^(1) itself, Γ = AA†, Γ(x, x') = Σ_j w_j φ_j(x) conj(φ_j(x')) dV (N^d × N^d).
 *
 * Both have the non-zero eigenvalues of γ^(1), so purity = ‖G‖_F² = ‖Γ‖_F² = Σ_ij w_i w_j |⟨φ_i, φ_j⟩|²
 * and lambda_max = λ_max(G) = λ_max(Γ). The chosen matrix is held as columns spread over all ranks
 * (hermitian_slab.hpp), never whole on one rank (except for the dense eigensolver, on the root).
 *
 * Sample form: the ring pass (ring.hpp) computes every pair of blocks once, completes its tiles over
 * the group and stores them into the columns of this rank's share of the group's samples; the
 * mirrored tiles go to their owners (exchange_mirrors). No M × M array on any rank: a rank holds
 * about M²/P entries.
 *
 * Grid form (ranks_per_sample 1: a rank holds its samples whole): column x of Γ is
 * Σ_j φ_j (w_j dV conj φ_j(x)), a product of this rank's block with a few of its rows; every rank
 * forms its part for the columns of rank q, piece by piece, and MPI_Reduce sums the pieces into rank
 * q's columns. A rank holds about N^{2d}/P entries.
 */
#include "dfe/core/groups.hpp"
#include "dfe/reductions/hermitian_slab.hpp"
#include "dfe/reductions/plan.hpp"
#include "dfe/spectral/fft_plan.hpp"

#include <limits>
#include <span>
#include <string>
#include <vector>

namespace dfe {

/** @brief A group's samples stored one after another: sample j of the group at data + j·stride. */
struct SampleBlock {
    const cplx* data = nullptr;
    std::ptrdiff_t stride = 0;  ///< ≥ grid.local_points(); the same on every rank of a layout
    std::size_t count = 0;
};

struct GramResult {
    double purity = 0.0;
    double lambda_max = 0.0;
    /// With the sampling error (reduce(own, true); docs/physics.md §12), NaN otherwise: the
    /// U-statistic Σ_{i≠j} w_i w_j |⟨φ_i, φ_j⟩|² / ((Σw)² − Σw²), unbiased for the purity of the
    /// measure the samples were drawn from, and its standard error 2 SE(ĥ), ĥ_j = Σ_{i≠j} w_i
    /// |⟨φ_i, φ_j⟩|² / (Σw − w_j) (Hoeffding's first projection); lambda_max's standard error from its
    /// influence values λ |u_j|²/w_j (u the unit top eigenvector of G) or |⟨v, φ_j⟩|² (v that of Γ).
    double purity_estimate = std::numeric_limits<double>::quiet_NaN();
    double purity_stderr = std::numeric_limits<double>::quiet_NaN();
    double lambda_max_stderr = std::numeric_limits<double>::quiet_NaN();
};

class GramReducer {
public:
    /**
     * @brief Not Collective. `weights` are all M weights; `plan` gives the form (plan.gamma1) and the
     * eigensolver (plan.eigen). Throws InputError for the grid form with ranks_per_sample > 1.
     */
    GramReducer(const GroupLayout& layout, const Grid& grid, std::span<const double> weights, const ReductionPlan& plan);
    /** @brief The sample form with `method` (the constructor before plans; kept for callers that pass no plan). */
    GramReducer(const GroupLayout& layout, const Grid& grid, std::span<const double> weights, EigenMethod method);
    GramReducer(const GramReducer&) = delete;
    GramReducer& operator=(const GramReducer&) = delete;

    /**
     * @brief purity and lambda_max of the measure whose group-local samples are `own` (this group's
     * layout.count() samples on this rank's slab). Collective on layout.world().
     */
    GramResult reduce(SampleBlock own, bool sampling_error = false);

    [[nodiscard]] ReductionForm form() const { return form_; }
    [[nodiscard]] EigenMethod method() const { return method_; }
    /** @brief M (sample form) or N^d (grid form). */
    [[nodiscard]] std::size_t dimension() const { return matrix_.dimension(); }

    /** @brief The held matrix (G or Γ) as the last reduce() left it, whole, column-major, on every rank (Collective; tests). */
    [[nodiscard]] std::vector<cplx> gather_matrix() const { return matrix_.gather_everywhere(); }
    /** @brief The held matrix times x (dimension() values on every rank), on every rank (Collective; tests). */
    [[nodiscard]] std::vector<cplx> apply(std::span<const cplx> x) const { return matrix_.apply(x); }

private:
    void fill_samples(SampleBlock own);
    void fill_grid(SampleBlock own);
    /// The samples this rank accounts for in the sampling error: weights, ĥ_j, lambda_max's influence
    /// values, and the part of Σ_j w_j Σ_{i≠j} w_i K_ij.
    struct SampleInfluence {
        std::vector<double> w, h, x;
        double off_total = 0.0;
    };
    /// lambda_max and the three sampling-error values of `out` (Collective on layout.world()).
    void sampling_error_samples(GramResult& out) const;
    void sampling_error_grid(SampleBlock own, GramResult& out) const;
    void finish_sampling_error(GramResult& out, const SampleInfluence& v) const;

    const GroupLayout& layout_;
    const Grid& grid_;
    std::vector<double> weights_;
    ReductionForm form_;
    EigenMethod method_;
    std::size_t piece_bytes_;  ///< plan.piece_bytes
    std::vector<double> scale_;  ///< √(w_j dV) for all M samples
    double total_weight_ = 0.0;  ///< Σw
    double shares_ = 0.0;        ///< Σ (w_j/Σw)², 1/n_eff
    HermitianSlab matrix_;
};

}  // namespace dfe
