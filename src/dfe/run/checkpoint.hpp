#pragma once
/**
 * @file checkpoint.hpp
 * @brief Checkpoints: everything a run needs to continue exactly, in one HDF5 file. Public interface:
 *
 *   the samples-file schema (samples_file.hpp): attributes d, N, L, /weights, /samples/real,
 *                    /samples/imag, holding every sample's field at the checkpoint
 *   attributes       format = "dfe-checkpoint 2", version, git_revision, measure (provenance),
 *                    parameters (every run parameter that must match on restart, one
 *                    "name = value" line each), step, next_row, t, energy0, V1_0, dV1_0,
 *                    radial_defect0 (the t = 0 values behind glassey_T, margin_R and the verdicts)
 *   /history/timeseries  float64 (rows, columns), attribute `columns`: the rows already written
 *   /history/gamma1      float64 (rows, N[, N[, N]])
 *   /history/mass, /history/energy, /history/grad_norm, /history/tail_fraction  float64 (rows, M)
 *   /state/h, /state/underresolved_t  float64 (M,): Ensemble::SampleState
 *   /history/gamma2_values  float64 (snapshots, n^d, n^d); /history/gamma2_times (snapshots)
 *
 * Written collectively to `path`.tmp and renamed over `path` when complete, so the previous
 * checkpoint survives until the new one is whole. Reading validates the format, every attribute and
 * every shape before anything is used, and the fields through the samples-file reader (finite, unit
 * norm); a truncated file does not open as HDF5 and is refused.
 */
#include "dfe/core/groups.hpp"
#include "dfe/ensemble/ensemble_state.hpp"
#include "dfe/io/samples_file.hpp"
#include "dfe/run/run_history.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace dfe {

class Ensemble;
class Grid;

inline constexpr const char* checkpoint_format = "dfe-checkpoint 2";

/** @brief Everything read from a checkpoint except the fields (the same on every rank). */
struct CheckpointInfo {
    SamplesFileInfo samples;     ///< d, N, L, weights
    std::string version, git_revision, measure, parameters;
    EnsembleState state;
    std::vector<std::string> columns;
    long rows = 0;               ///< rows of the history
    long gamma2_snapshots = 0;
    long gamma2_points = 0;      ///< n^d
};

/**
 * @brief Writes a checkpoint of `ensemble` (its fields and state) with the run record's history
 * (Collective on the ensemble's world).
 */
void write_checkpoint(const std::filesystem::path& path, Ensemble& ensemble, const std::string& parameters,
                      const std::vector<std::string>& columns, const RunHistory& history);

/**
 * @brief Opens and validates a checkpoint (Collective on `comm`). Throws InputError naming the file
 * and what is wrong: missing, not a complete HDF5 file (truncated or corrupt), not a checkpoint, or
 * a field of the wrong type or shape.
 */
CheckpointInfo read_checkpoint_info(const Comm& comm, const std::filesystem::path& path);

/** @brief This group's per-sample state, for the layout it runs with now (Collective on the world). */
SampleState read_sample_state(const std::filesystem::path& path, const GroupLayout& layout);

/** @brief This rank's parts of the history, for the layout it runs with now (Collective on the world). */
RunHistory read_history(const std::filesystem::path& path, const CheckpointInfo& info, const GroupLayout& layout,
                        const Grid& grid);

/**
 * @brief Throws InputError naming the first difference between a checkpoint's `stored` parameters
 * and the `current` ones ("name = value" lines), e.g. "N = 32 in the checkpoint, 64 now".
 */
void require_same_parameters(const std::string& stored, const std::string& current, const std::filesystem::path& path);

}  // namespace dfe
