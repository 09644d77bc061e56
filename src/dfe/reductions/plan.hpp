#pragma once
/**
 * @file plan.hpp
 * @brief Which exact form each ensemble reduction takes, chosen by a cost model before anything is
 * allocated (docs/physics.md §5).
 *
 * γ^(1) = A A† and the Gram matrix G = A† A, A = [√(w_j dV) φ_j] (N^d × M), have the same non-zero
 * spectrum, so purity = ‖G‖_F² = ‖γ^(1)‖_F² and lambda_max = λ_max of either. Two exact forms:
 *
 * | form | matrix held | cost of one output (all ranks) | memory (all ranks) |
 * |---|---|---|---|
 * | samples (Gram) | G, M × M, columns over the ranks | ~4 M² N^d flops (each pair once) | 16 M² bytes |
 * | grid | Γ = γ^(1)(x,x'), N^d × N^d, columns over the ranks | ~8 M N^{2d} flops | 16 N^{2d} bytes |
 *
 * The grid form is chosen when N^d < M and ranks_per_sample == 1 (each rank then holds whole
 * samples; with ranks_per_sample > 1 a rank holds only slabs of its samples, and the grid is large
 * anyway); else the sample form. fact_defect has the same two forms on the observation grid (n^d
 * points): the sample form Σ_ij w_i w_j (δ_i·δ_j)², tile by tile from the same ring pass, never held
 * as M × M; the grid form ‖C‖_F², C = Σ_j w_j δ_j δ_jᵀ (n^d × n^d, columns over the ranks, never
 * held either: each completed piece is squared and dropped). The grid form is chosen when
 * n^d < M and ranks_per_sample == 1.
 *
 * lambda_max: `dense` gathers the chosen matrix (M × M or N^d × N^d) on the root and calls LAPACK
 * zheev there (the one serial step, and its memory on the root); `iterative` runs SLEPc's
 * Krylov–Schur on the held columns; `auto` is dense when the chosen matrix has dimension ≤ 256.
 *
 * The costs below are estimates for the run header and for the choice; the memory of every rank,
 * item by item, is in ensemble/resources (which takes its reduction items from reduction_bytes()).
 */
#include "dfe/config/run_config.hpp"

#include <cstddef>
#include <string>

namespace dfe {

/** @brief How lambda_max is found. */
enum class EigenMethod { dense, iterative };

/// `auto` picks the dense solver up to this dimension of the chosen matrix.
inline constexpr std::size_t dense_eigen_limit = 256;

/**
 * @brief "dense" | "iterative" | "auto" (dense when `dimension` ≤ 256, the dimension of the matrix
 * whose eigenvalue is sought: M for the sample form, N^d for the grid form); throws InputError
 * otherwise.
 */
EigenMethod parse_eigen_method(const std::string& name, std::size_t dimension);

/** @brief The two exact forms of a reduction. */
enum class ReductionForm { samples, grid };

/** @brief What `--reduction-form` asks for. */
enum class FormRequest { automatic, samples, grid };

/** @brief "auto" | "samples" | "grid"; throws InputError with one line otherwise. */
FormRequest parse_reduction_form(const std::string& name);

/** @brief "samples" or "grid". */
const char* form_name(ReductionForm form);

/** @brief What the choice depends on. */
struct ReductionShape {
    std::size_t samples = 1;   ///< M
    long N = 4;                ///< grid points per dimension
    long n = 4;                ///< observation grid points per dimension
    int d = 1;
    int ranks_per_sample = 1;  ///< g
    int world_size = 1;        ///< P
    /// The sampling error of a random draw is computed (RunConfig::random_draw): in the grid forms
    /// the held columns of Γ and C travel around the ranks, and C's are held while they do.
    bool sampling_error = false;
};

/** @brief Estimated cost of one output on the busiest rank. */
struct ReductionCost {
    double flops = 0.0;
    double bytes = 0.0;  ///< the reduction's own arrays (held and transient) on that rank
};

/// Size in bytes of the pieces the reductions work in: a tile of the ring pass, a slice of the
/// grid form's product, a message of the mirror exchange. Bounds the transient memory.
inline constexpr std::size_t reduction_piece_bytes = std::size_t{4} << 20;

struct ReductionPlan {
    ReductionShape shape;
    ReductionForm gamma1 = ReductionForm::samples;  ///< purity and lambda_max
    ReductionForm gamma2 = ReductionForm::samples;  ///< fact_defect
    EigenMethod eigen = EigenMethod::dense;
    bool forced = false;  ///< the forms were asked for (--reduction-form), not chosen
    /// The pieces' size (reduction_piece_bytes; the tests make it tiny to cut every product into many pieces).
    std::size_t piece_bytes = reduction_piece_bytes;
    ReductionCost gamma1_cost, eigen_cost, gamma2_cost;

    /** @brief The dimension of the matrix held for γ^(1): M (samples) or N^d (grid). */
    [[nodiscard]] std::size_t gamma1_dimension() const;
    /** @brief n^d, the observation points. */
    [[nodiscard]] std::size_t observation_points() const;
    /** @brief Sums of the three costs (the flops add; the bytes of the largest one, they are not alive together). */
    [[nodiscard]] ReductionCost total() const;
    /**
     * @brief One line for the run header: "reductions: gamma1 grid form (N^d = 1024 < M = 8192),
     * fact_defect grid form (n^d = 1024 < M), lambda_max iterative; per output ≈ 34 GFlop, 21 MB per rank".
     */
    [[nodiscard]] std::string describe() const;
};

/**
 * @brief The plan for a run (Not Collective; the same on every rank). `eigensolver` is the word of
 * --eigensolver, `form` that of --reduction-form. Throws InputError for a bad word, or for the grid
 * form asked for with ranks_per_sample > 1.
 */
ReductionPlan plan_reductions(const ReductionShape& shape, const std::string& eigensolver = "auto",
                              FormRequest form = FormRequest::automatic);

/**
 * @brief The plan of a run: M = `samples`, N, d, n = gamma2_points(config), config.ranks_per_sample,
 * `world_size`, config.eigensolver and config.reduction_form (Not Collective). Throws InputError
 * for the grid form asked for with ranks_per_sample > 1.
 */
ReductionPlan plan_reductions(const RunConfig& config, std::size_t samples, int world_size);

/** @brief The reduction arrays of one rank, in bytes (doubles: never wrap). */
struct ReductionBytes {
    double gamma1_matrix = 0.0;  ///< the held columns of G or Γ (kept from one output to the next)
    double gamma1_pass = 0.0;    ///< transient: the ring pass or the grid product, and the mirror exchange
    double eigen = 0.0;          ///< transient: the dense matrix and LAPACK's work (root), or SLEPc's vectors
    double gamma2_pass = 0.0;    ///< transient: δ at the observation points, the ring or grid pieces
};

/**
 * @brief What rank `world_rank` holds for the reductions of `plan` (Not Collective). `stride` is
 * the distance between samples in the ensemble's block, in complex numbers (0: the local points).
 */
ReductionBytes reduction_bytes(const ReductionPlan& plan, int world_rank, double stride = 0.0);

}  // namespace dfe
