#pragma once
/**
 * @file ring.hpp
 * @brief The ring pass: every pair of samples' inner product once, without any rank holding other
 * groups' samples whole or any M × M array; and the exchange that completes a Hermitian matrix held
 * as columns from the tiles the pass computed.
 *
 * Each group k holds its samples' slabs as a block (one column per sample, `points` rows on this
 * rank, leading dimension ld). The block visits the other groups over the cross communicator, one
 * shift at a time (s = 1 … G/2); group k computes the tiles
 *
 *   shift 0   its own block, Hermitian: in pieces of rows [a, b), a square (a..b) × (a..b) (zherk,
 *             both triangles) and a strip rows (a..b) × columns (b..c) whose transpose is its mirror;
 *   s < G/2   rows: all samples of group k + s, columns: all of its own;
 *   s = G/2   (G even) the pair met by both groups is split: group k < G/2 takes its own first
 *             ⌈c_k/2⌉ columns against all rows of k + G/2, group k ≥ G/2 all its columns against
 *             the rows of k − G/2 from ⌈c_{k−G/2}/2⌉ on.
 *
 * so that every unordered pair {i, j} is in exactly one tile: as (j, i) with a mirror (i, j) that
 * nobody computes, or in a square that holds both. A tile's value at (j, i) is
 * Σ_x conj(b_j(x)) a_i(x) (complex) or Σ_x b_j(x) a_i(x) (real) over the slab, a partial sum: it is
 * completed over the group by one MPI_Reduce_scatter that gives each rank of the group the columns
 * of its share (column_share). Tiles are cut into pieces of at most reduction_piece_bytes (plan.hpp;
 * a parameter, so that tests can cut small tiles).
 *
 * Why the columns are split over the group's ranks, not kept on its rank 0: the held matrix
 * (Gram form) and the products of the eigensolver are then spread evenly, and no rank of a group
 * holds or multiplies more than its share while the others wait; a reduce-scatter costs no more than
 * a reduce.
 */
#include "dfe/core/groups.hpp"
#include "dfe/reductions/plan.hpp"
#include "dfe/spectral/cplx.hpp"

#include <cstddef>
#include <functional>
#include <vector>

namespace dfe {

/** @brief A contiguous range of samples (or points). */
struct Share {
    std::size_t first = 0, count = 0;
    [[nodiscard]] std::size_t end() const { return first + count; }
    /** @brief The overlap with another range (count 0 when there is none). */
    [[nodiscard]] Share operator&(const Share& other) const;
};

/** @brief The samples of group k of G when M samples are split as GroupLayout splits them. */
Share group_samples(std::size_t samples, int groups, int k);

/** @brief Share q of `total` items split into `parts` contiguous blocks balanced to within one. */
Share balanced_share(std::size_t total, int parts, int q);

/**
 * @brief The columns (own samples) rank `group_rank` of group k holds after a ring pass: the group's
 * samples split evenly over its ranks, in rank order (so over the world the shares are in world-rank
 * order and cover 0..M).
 */
Share column_share(std::size_t samples, int groups, int ranks_per_sample, int k, int group_rank);

/** @brief One tile of a ring pass. */
struct RingTile {
    int shift = 0;   ///< 0: rows from the group's own block; s: from the block of group k + s
    Share rows;      ///< samples j of the visiting block
    Share columns;   ///< own samples i
    bool mirror = false;  ///< the transposed tile (columns × rows) is computed by nobody
};

/**
 * @brief The tiles group k computes, in the order of the pass, cut into pieces of at most
 * `piece_bytes` (at least one row) for scalars of `scalar_bytes` (Not Collective; the same list on
 * every rank).
 */
std::vector<RingTile> ring_tiles(std::size_t samples, int groups, int k, std::size_t scalar_bytes,
                                 std::size_t piece_bytes = reduction_piece_bytes);

/**
 * @brief Receives each completed tile: `tile`, the columns `mine` of it that this rank holds, and the
 * values, tile.rows.count × mine.count, column-major (column i − mine.first). Not called when mine
 * is empty.
 */
template <class T>
using TileSink = std::function<void(const RingTile& tile, Share mine, const T* values)>;

/**
 * @brief The ring pass over `own` (this group's layout.count() samples, `points` rows each on this
 * rank, leading dimension ld ≥ max(points, 1)), T = double or cplx. Collective on layout.world().
 */
template <class T>
void ring_pass(const GroupLayout& layout, const T* own, std::ptrdiff_t ld, std::ptrdiff_t points, const TileSink<T>& sink,
               std::size_t piece_bytes = reduction_piece_bytes);

/**
 * @brief Completes a Hermitian (symmetric for T = double) M × M matrix held as columns: `columns`
 * holds this rank's column_share, column-major with leading dimension M, every value a ring pass's
 * sink stored (row j, column i); the mirrors (i, j) = conj(value) are sent to the owners of column j,
 * pairwise, in messages of at most `piece_bytes`. Collective on layout.world(); the same
 * `piece_bytes` as the ring pass.
 */
template <class T>
void exchange_mirrors(const GroupLayout& layout, T* columns, std::size_t piece_bytes = reduction_piece_bytes);

/// Where grid_pass puts this rank's columns [offset, offset + w) of the matrix (n × w, column-major),
/// or null for a scratch piece.
template <class T>
using PieceDestination = std::function<T*(std::size_t offset, std::size_t w)>;
/// Receives this rank's completed columns [offset, offset + w) (n × w, column-major).
template <class T>
using PieceSink = std::function<void(std::size_t offset, std::size_t w, const T* values)>;

/**
 * @brief The grid form's pass: the n × n matrix Σ_j scale_j a_j a_j† (a_jᵀ for T = double) over the
 * samples of every rank, each rank holding its `count` samples whole (a_j = own + j·ld, n values;
 * ranks_per_sample 1, so that the cross communicator is the world). Column pieces of at most
 * `piece_bytes` are formed with the samples in chunks (the scaled rows within a piece too: the
 * samples are read n/width times in all, and the products stay compute-bound when count ≫ n) and
 * summed onto the rank owning their columns (balanced_share(n, P, rank)), into `destination` or a
 * scratch piece, then handed to `arrived`. Collective on `world`; `scale` holds count values.
 */
template <class T>
void grid_pass(const Comm& world, const T* own, std::ptrdiff_t ld, std::size_t n, std::size_t count,
               const std::vector<double>& scale, const PieceDestination<T>& destination, const PieceSink<T>& arrived,
               std::size_t piece_bytes = reduction_piece_bytes);

/**
 * @brief x_k† H x_k (x_kᵀ H x_k for T = double) for every rank's own `K` vectors x_k = x + k·ld
 * (n values each, whole), where H (n × n, Hermitian or symmetric) is held as column slabs over
 * `comm`: rank r holds columns [first_r, first_r + count_r) of `slabs`, n × count_r column-major in
 * `held`. The slabs travel once around the ring (two slabs in flight on each rank); each rank
 * multiplies the visiting columns with its vectors' matching entries, at most `piece_bytes` of
 * products at a time: n² K flops in all, as many as forming H. Collective on `comm`.
 */
template <class T>
std::vector<double> ring_quadratic_forms(const Comm& comm, const std::vector<Share>& slabs, std::size_t n, const T* held,
                                         const T* x, std::ptrdiff_t ld, std::size_t K,
                                         std::size_t piece_bytes = reduction_piece_bytes);

}  // namespace dfe
