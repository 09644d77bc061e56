#pragma once
/**
 * @file hermitian_slab.hpp
 * @brief A Hermitian n × n matrix held as column slabs over a communicator: rank r holds the columns
 * [first_r, first_r + count_r), column-major with leading dimension n, the slabs in rank order and
 * covering 0..n. Its squared Frobenius norm, its largest eigenvalue and its product with a vector.
 *
 * Held columns are rows conjugated (H = H†), so a rank's part of H x is (its columns)† x: the product
 * gathers x (n values, cheap) and multiplies the local columns; no rank holds or multiplies more than
 * its slab.
 *
 * lambda_max:
 *   dense      the slabs are gathered on rank 0 (n² on that rank only) and LAPACK zheev runs there,
 *              the others wait: for small n (EigenMethod's `auto` limit, plan.hpp);
 *   iterative  SLEPc's Krylov–Schur (EPS_HEP, largest real, relative tolerance 1e-13) on a shell
 *              matrix whose product is the one above. PETSc here has real scalars, so the shell acts
 *              on (Re x_0, Im x_0, Re x_1, …), the real symmetric form [[A, −B], [B, A]] (interleaved)
 *              of H = A + iB, whose spectrum is H's with every eigenvalue doubled.
 */
#include "dfe/core/comm.hpp"
#include "dfe/reductions/plan.hpp"
#include "dfe/reductions/ring.hpp"
#include "dfe/spectral/cplx.hpp"

#include <span>
#include <utility>
#include <vector>

namespace dfe {

/** @brief The largest eigenvalue and a unit eigenvector's entries on this rank's columns. */
struct TopEigenpair {
    double value = 0.0;
    std::vector<cplx> local;  ///< entries [first(), first() + count()) of the eigenvector, ‖v‖ = 1
};

class HermitianSlab {
public:
    /**
     * @brief Not Collective. `slabs` are every rank's columns, in rank order, covering 0..dimension;
     * `comm` is kept by reference.
     */
    HermitianSlab(const Comm& comm, std::size_t dimension, const std::vector<Share>& slabs);

    [[nodiscard]] std::size_t dimension() const { return n_; }
    [[nodiscard]] std::size_t first() const { return first_; }
    [[nodiscard]] std::size_t count() const { return count_; }
    /** @brief The local columns, dimension × count, column-major (allocated on first use, kept). */
    [[nodiscard]] cplx* columns();

    /** @brief ‖H‖_F² (Collective). */
    [[nodiscard]] double frobenius_squared() const;
    /** @brief The largest eigenvalue (Collective). */
    [[nodiscard]] double lambda_max(EigenMethod method) const;
    /**
     * @brief The largest eigenvalue and a unit eigenvector (Collective; for the sampling error of
     * lambda_max, docs/physics.md §12): dense asks zheev for the vectors and scatters the top one,
     * iterative takes SLEPc's (its interleaved real form is the complex vector, up to a phase).
     */
    [[nodiscard]] TopEigenpair top_eigenpair(EigenMethod method) const;
    /** @brief For each local column c, Σ_{i ≠ first()+c} |H_{i,first()+c}|² (Not Collective). */
    [[nodiscard]] std::vector<double> off_diagonal_squares() const;
    /** @brief x_k† H x_k for this rank's `K` vectors x_k = x + k·ld (n values each, whole): ring_quadratic_forms (Collective). */
    [[nodiscard]] std::vector<double> quadratic_forms(const cplx* x, std::ptrdiff_t ld, std::size_t K,
                                                      std::size_t piece_bytes) const;
    /** @brief A vector whole on every rank from each rank's entries on its columns (Collective). */
    [[nodiscard]] std::vector<cplx> gather_entries(std::span<const cplx> local) const;
    /** @brief H x for x given whole on every rank; the result whole on every rank (Collective; tests). */
    [[nodiscard]] std::vector<cplx> apply(std::span<const cplx> x) const;
    /** @brief The whole matrix, column-major, on every rank (Collective; tests: n² on every rank). */
    [[nodiscard]] std::vector<cplx> gather_everywhere() const;

private:
    /// This rank's part of H x, from the whole x (interleaved re/im, 2n doubles) into y (2·count).
    void multiply(const double* x_whole, double* y_local) const;
    /// Gathers x's parts (2·count doubles each) into the whole x on every rank.
    void gather_vector(const double* x_local, std::vector<double>& x_whole) const;
    TopEigenpair lambda_dense(bool vector) const;
    /// Every rank's count and offset of values in a gather of its columns, `per_column` values each.
    [[nodiscard]] std::pair<std::vector<int>, std::vector<int>> column_counts(std::size_t per_column) const;
    TopEigenpair lambda_iterative(bool vector) const;

    const Comm& comm_;
    std::size_t n_, first_, count_;
    std::vector<int> counts_, offsets_;  ///< every rank's column count and first column
    std::vector<int> vector_counts_, vector_offsets_;  ///< the same in doubles of a vector (2 per column)
    std::vector<cplx> data_;
};

}  // namespace dfe
