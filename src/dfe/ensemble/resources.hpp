#pragma once
/**
 * @file resources.hpp
 * @brief What a run will need, estimated from its configuration before anything big is allocated:
 * the memory of every rank, item by item, and the size of its output files.
 *
 * The model follows the allocations of the ensemble (ensemble.hpp) and what it owns, per rank:
 *
 * | item | bytes (c: samples of the rank's group, M: all samples, Ac/Ar/S/H/Lp: the grid's local sizes) |
 * |---|---|
 * | samples | c · ⌈Ac/4⌉·4 · 16 (one block, stride rounded to 64 bytes) |
 * | FFT plans | Ac·16 + Ar·8 (the planning scratch; FFTW-MPI's own buffers are of this size) |
 * | integrator | split step: Ar·8 (ρ); step doubling: + 2·Ac·16; PETSc TS (RK5DP): Ar·8 + Ac·16 + 19·S·16 |
 * | convolution | periodic: (3 + d)·H·8; free space: H·8 + the padded 2N grid's 2·Ar'·8 + 3·H'·8 (+ the power kernel table) |
 * | observables | (1 + d)·Ac·16 + (1 + d)·Ar·8 + (3 + d)·Lp·8 + S·(9 + 8d), the resolution monitor Ac·16 + 9·S, per radius 4·Lp·8 + 2·H·8 |
 * | pair terms | with --R: (1 + #R)·N^d·8 + 2·(2N)^{d−1}·2(N+1)·8 + the kernel spectra (N+1)^d·8 each |
 * | γ^(1) | Lp·8 |
 * | γ^(1) matrix | the held columns (reductions/plan.hpp, reduction_bytes): sample form this rank's share of its group's columns of G, ⌈c/g⌉·M·16; grid form ⌈N^d/P⌉·N^d·16 |
 * | γ^(1) pass | sample form: the ring's visiting block ⌈M/G⌉·stride·16 (and from G = 4 the incoming one), a tile piece and its completed part (≤ 4 MiB each), the mirror exchange's two pieces; grid form: two pieces |
 * | eigenvalues | dense: on the root only, the gathered matrix dim²·16 and LAPACK's work 34·dim·16 (dim = M or N^d); iterative: x gathered 2·dim·8 and SLEPc's vectors 20·2·share·8 |
 * | γ^(2) diagnostics | δ at this rank's observation points for the group's samples, lpo·c·8; the sample form's ring blocks and pieces, or the grid form's pieces |
 * | γ^(2) factor | at --gamma2-times only: r·M·8 (r: this rank's observation rows, ≈ n^d/P), made at the first such row and kept; loading it: 16–24 bytes per value sent and received |
 * | γ^(2) matrix | at --gamma2-times: r·n^d·8 four times (product, output copy, symmetry exchange) and, on several ranks, PETSc's gathered factor n^d·M·8 |
 * | run record | (2·12 + 2) · columns · 8 + 4c · 8: the row in flight and the closing table, not the rows written (streamed) |
 * | process | what the process holds already (libraries, MPI), measured by the caller |
 *
 * Items of one *phase* are alive together and only then (the reductions at an output time, one
 * after another); the total is the items without a phase plus the largest phase. Every size is a
 * double: N = 10⁶ in 3D gives about 10^19 bytes, a finite number, never a wrapped integer.
 *
 * The model lives in estimate_memory() only: change it there when an allocation changes.
 */
#include "dfe/config/run_config.hpp"
#include "dfe/reductions/plan.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace dfe {

class Grid;

/** @brief One rank's share of a grid, in elements (doubles: never wraps). */
struct GridSizes {
    double local_points = 0.0;   ///< physical points on this rank (Grid::local_points)
    double alloc_complex = 0.0;  ///< complex elements of an in-place complex transform (Grid::alloc_complex)
    double alloc_real = 0.0;     ///< real elements of an in-place r2c transform (Grid::alloc_real)
    double spectral = 0.0;       ///< modes of the spectral layout
    double spectral_half = 0.0;  ///< modes of the half-spectrum layout
};

/**
 * @brief The sizes an N^d grid will have on rank `rank` of `ranks`, FFTW-MPI's default block
 * distribution (what fftw_mpi_local_size_transposed returns), computed in doubles without FFTW.
 * Not Collective.
 */
GridSizes planned_grid_sizes(int d, double N, int ranks, int rank);

/** @brief The sizes of a built grid. */
GridSizes grid_sizes(const Grid& grid);

/** @brief Which rank of which run: the numbers the group layout is made from (groups.hpp). */
struct RankPlace {
    int world_size = 1;        ///< P
    int ranks_per_sample = 1;  ///< g
    int world_rank = 0;
    std::size_t samples = 1;   ///< M

    [[nodiscard]] int groups() const { return world_size / ranks_per_sample; }
    [[nodiscard]] int group_index() const { return world_rank / ranks_per_sample; }
    [[nodiscard]] int group_rank() const { return world_rank % ranks_per_sample; }
    /** @brief Samples of this rank's group: ⌊M/G⌋ + (k < M mod G). */
    [[nodiscard]] double group_samples() const;
    /** @brief Samples of the largest group: ⌈M/G⌉. */
    [[nodiscard]] double largest_group() const;
};

struct ResourceItem {
    std::string name;
    double bytes = 0.0;
    std::string phase;  ///< empty: alive for the whole run; else alive with the other items of its phase only
};

struct ResourceEstimate {
    std::vector<ResourceItem> items;
    /** @brief The items without a phase plus the largest phase. */
    [[nodiscard]] double total() const;
    /** @brief The largest items (by bytes, a phase's items one by one), `count` at most: "samples 1.2 GiB, Gram 300 MiB". */
    [[nodiscard]] std::string largest(std::size_t count = 3) const;
    /** @brief The item named `name`, 0 if there is none. */
    [[nodiscard]] double bytes(const std::string& name) const;
};

/**
 * @brief The memory of one rank (Not Collective). `sizes` are the grid's sizes on this rank (its
 * group's communicator, rank place.group_rank()); `process` is what the process already holds.
 * The reductions' items follow their plan (plan_reductions, from config.reduction_form and
 * config.eigensolver). config.N, d and the other options must have passed validate().
 */
ResourceEstimate estimate_memory(const RunConfig& config, const Schedule& schedule, const RankPlace& place,
                                 const GridSizes& sizes, double process = 0.0);

/** @brief The rank with the largest estimate over the whole world, with planned_grid_sizes (Not Collective). */
ResourceEstimate largest_memory_estimate(const RunConfig& config, const Schedule& schedule, int world_size,
                                         std::size_t samples, double process = 0.0);

/**
 * @brief The output files' sizes: run.h5 (rows × (columns + N^d + 4M) × 8 + snapshots × n^{2d} × 8),
 * timeseries.csv (~24 bytes a number), the checkpoint (M × N^d × 16, when one is written) and
 * --write-samples. Not Collective.
 */
ResourceEstimate estimate_output(const RunConfig& config, const Schedule& schedule, std::size_t samples);

/**
 * @brief Throws InputError with one line when `memory.total()` exceeds `available` (> 0; 0: unknown,
 * nothing checked): the estimate, its largest items, the available memory (`source`: where the
 * figure comes from) and what to change.
 */
void require_memory(const ResourceEstimate& memory, double available, const std::string& source);

/**
 * @brief Throws InputError when a reduction would pass more values in one MPI call than MPI's int
 * count holds (2^31 − 1): the ring's blocks (2 · c · local points, c the samples of the largest
 * group) and, for the dense eigensolver, the whole matrix gathered on the root (dim², dim = M or
 * N^d as the plan chooses). Every other message of the reductions is a piece of at most
 * reduction_piece_bytes or a vector of the matrix's dimension. Not Collective (the same verdict on
 * every rank).
 */
void require_message_sizes(const RunConfig& config, int world_size, std::size_t samples);

/** @brief Throws InputError with one line when `output.total()` exceeds `free_bytes` (≥ 0; < 0: unknown). */
void require_disk(const ResourceEstimate& output, double free_bytes, const std::string& out_dir);

}  // namespace dfe
