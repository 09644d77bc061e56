#pragma once
/**
 * @file gram.hpp
 * @brief purity = Tr((γ^(1))²) and lambda_max = the largest eigenvalue of γ^(1), from the Gram matrix
 *
 *   G_ij = √(w_i w_j) ⟨φ_i, φ_j⟩,   ⟨f, g⟩ = (L/N)^d Σ_n conj(f_n) g_n,
 *
 * which has the non-zero eigenvalues of γ^(1) = Σ_j w_j |φ_j⟩⟨φ_j| (γ^(1) = A A† and G = A† A for
 * A = [√w_j φ_j]), so purity = ‖G‖_F² = Σ_ij w_i w_j |⟨φ_i, φ_j⟩|² and lambda_max = λ_max(G).
 *
 * No rank ever holds other groups' samples whole. The inner products are computed by a ring pass
 * over the cross communicator: each group's slab of its samples visits the other groups in turn,
 * and each pair of blocks is computed once (for an even number G of groups, the pair at distance G/2
 * is split in halves between its two groups), then summed over the world.
 *
 * lambda_max: `dense` gathers G on every rank (M ≤ a few thousand) and calls LAPACK zheev on the
 * root; `iterative` never forms G: SLEPc's Krylov–Schur acts on a shell matrix whose product
 *   (G x)_i = √(w_i) ⟨φ_i, Ψ⟩,   Ψ = Σ_j √(w_j) x_j φ_j,
 * costs one field-sized allreduce and two passes over the local samples. PETSc here has real
 * scalars, so the shell acts on (Re x_0, Im x_0, Re x_1, …), the real symmetric form of G, whose
 * spectrum is G's with every eigenvalue doubled. In the iterative mode purity is accumulated block by
 * block from the same ring pass, without storing G.
 */
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/core/groups.hpp"

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

/** @brief How lambda_max is found. */
enum class EigenMethod { dense, iterative };

/** @brief "dense" | "iterative" | "auto" (dense for M ≤ 2000); throws InputError otherwise. */
EigenMethod parse_eigen_method(const std::string& name, std::size_t samples);

struct GramResult {
    double purity = 0.0;
    double lambda_max = 0.0;
};

class GramReducer {
public:
    /** @brief Not Collective. `weights` are all M weights. */
    GramReducer(const GroupLayout& layout, const Grid& grid, std::span<const double> weights, EigenMethod method);
    ~GramReducer();
    GramReducer(const GramReducer&) = delete;
    GramReducer& operator=(const GramReducer&) = delete;

    /**
     * @brief purity and lambda_max of the measure whose group-local samples are `own` (this
     * group's layout.count() samples on this rank's slab). Collective on layout.world().
     * The BLAS products read the fields in place; the weights scale the small result tiles.
     */
    GramResult reduce(SampleBlock own);

    /** @brief The full Gram matrix, column-major M×M, as the dense method computed it last (tests). */
    [[nodiscard]] const std::vector<cplx>& dense_matrix() const { return gram_; }

    /** @brief Applies G to x (M values on every rank, result on every rank); Collective (tests). */
    std::vector<cplx> apply(std::span<const cplx> x);

private:
    /// What one ring pass accumulates.
    struct RingTally {
        bool store = false;      ///< dense mode: the scaled blocks go into gram_
        std::vector<cplx> tile;  ///< the block of raw inner products being computed
        double squares = 0.0;    ///< Σ |G_ij|² over the entries this group owns, iterative mode
    };
    /// The ring pass over the groups (see the file comment): every block of G once. Dense mode
    /// (`store`) fills gram_ and returns ‖G‖_F²; iterative mode returns ‖G‖_F² without storing G.
    double ring_pass(bool store);
    /// Shift 0 of the ring pass: the group's own block, recorded.
    void own_block(RingTally& tally);
    /// The block of the visiting group `from` (the ring pass's visitor_): all of it (`whole`), or
    /// this group's half of the pair at distance G/2; recorded.
    void visiting_block(RingTally& tally, int from, bool whole);
    /**
     * @brief Records a computed block of raw inner products (tally.tile): rows [r0, r0+m) and
     * columns [c0, c0+n) of G after scaling by √(w_i dV) √(w_j dV); `mirror` also stands for the
     * conjugate block (c0.., r0..), which nobody computes.
     */
    void record(RingTally& tally, std::size_t r0, int m, std::size_t c0, int n, bool mirror);
    double lambda_dense();
    double lambda_iterative();
    void shell_mult(const double* x_local, double* y_local);

    const GroupLayout& layout_;
    const Grid& grid_;
    std::vector<double> weights_;
    EigenMethod method_;
    SampleBlock own_;            ///< this group's samples, as of the last reduce()
    std::vector<double> scale_;  ///< √(w_j dV) for all M samples
    std::vector<cplx> visitor_;  ///< a visiting block during the ring pass (same stride as own_)
    std::vector<cplx> gram_;     ///< M×M, dense method only
    std::vector<cplx> psi_;      ///< Ψ on this slab, iterative method
};

}  // namespace dfe
