#pragma once
/**
 * @file samples_file.hpp
 * @brief The HDF5 samples file: a discrete de Finetti measure on a grid. Public interface:
 *
 *   root attributes  d (int), N (int), L (float64)
 *   /weights         float64 (M,)                every w_j > 0, Σ w_j = 1 (to 1e-12 + 2·M·eps)
 *   /samples/real    float64 (M, N[, N[, N]])    C order, axis 1 = the first coordinate,
 *   /samples/imag    float64 (M, N[, N[, N]])    grid x_n = −L/2 + n·L/N
 * Every sample has discrete L² norm 1: |(L/N)^d Σ|φ_j|² − 1| ≤ 1e-10. Nothing is renormalized:
 * a file that breaks any rule is refused with a message naming the field or the sample.
 */
#include "dfe/core/groups.hpp"
#include "dfe/ensemble/measure.hpp"

#include <filesystem>
#include <span>
#include <vector>

namespace dfe {

/** @brief What a samples file says about its grid and its weights. */
struct SamplesFileInfo {
    int d = 0;
    long N = 0;
    double L = 0.0;
    std::vector<double> weights;
};

/**
 * @brief Opens `path` and validates everything but the sample values: attributes d, N, L (present,
 * of integer / float type, in range: d ∈ {1,2,3}, N even ≥ 4, L finite > 0), /weights (float64,
 * shape (M,), M ≥ 1, finite, > 0, sum 1 to weight_sum_tolerance(M) of measure.hpp), /samples/real and /samples/imag (float64, shape
 * (M, N, …) with d grid axes). Collective on `comm`. Throws InputError naming the file and the field.
 */
SamplesFileInfo read_samples_info(const Comm& comm, const std::filesystem::path& path);

/**
 * @brief The measure stored in a samples file whose info was read by read_samples_info. Its fill()
 * reads this rank's slab of each requested sample, refuses non-finite values and norms off 1 by more
 * than 1e-10, naming the sample (index j), and is Collective on grid.comm().
 */
std::unique_ptr<Measure> make_file_measure(const std::filesystem::path& path, SamplesFileInfo info);

/**
 * @brief Writes a measure in the schema above to `path`, through `path`.tmp renamed when complete.
 * `fields` are this group's samples (layout.count() of them, samples layout.first() …) on this
 * rank's slab of `grid`. Collective on layout.world().
 */
void write_samples_file(const std::filesystem::path& path, const GroupLayout& layout, const Grid& grid,
                        std::span<const double> weights, std::span<const cplx* const> fields);

}  // namespace dfe
