#pragma once
/**
 * @file checkpoint.hpp
 * @brief Checkpoints: the fields and the state a run needs to continue exactly, in one HDF5 file.
 * The rows already written are not in it: they are in the run's record (run_record.hpp), which a
 * restarted run continues. Public interface:
 *
 *   the samples-file schema (samples_file.hpp): attributes d, N, L, /weights, /samples/real,
 *                    /samples/imag, holding every sample's field at the checkpoint
 *   attributes       format = "dfe-checkpoint 3", version, git_revision, measure (provenance),
 *                    parameters (every run parameter that must match on restart, one
 *                    "name = value" line each), step, next_row, t, energy0, V1_0, dV1_0,
 *                    radial_defect0 (the t = 0 values behind glassey_T, margin_R and the verdicts),
 *                    run_id (the run's record carries the same), record (the directory of the record
 *                    when the checkpoint was written), rows (rows of the record already on the
 *                    storage, = next_row), gamma2_snapshots (γ^(2) snapshots already written),
 *                    ranks, ranks_per_sample (the layout that wrote it)
 *   /state/h, /state/underresolved_t  float64 (M,): Ensemble::SampleState
 *   /state/energy0, /state/V1_0, /state/dV1_0  float64 (M,): each sample's E, V1, dV1 at t = 0,
 *                    behind the sampling error of margin_R and glassey_T (docs/physics.md §12);
 *                    optional on reading (NaN when absent: checkpoints written before them)
 *   /wisdom          fixed-length strings (ranks,): each rank's FFTW wisdom (spectral/wisdom.hpp)
 *
 * Written collectively to `path`.tmp and renamed over `path` when complete, so the previous
 * checkpoint survives until the new one is whole. Its size does not grow with the run's length.
 * Reading validates the format, every attribute and every shape before anything is used, and the
 * fields through the samples-file reader (finite, unit norm); a truncated file does not open as
 * HDF5 and is refused.
 */
#include "dfe/core/groups.hpp"
#include "dfe/ensemble/ensemble_state.hpp"
#include "dfe/io/samples_file.hpp"

#include <filesystem>
#include <string>

namespace dfe {

class Ensemble;

inline constexpr const char* checkpoint_format = "dfe-checkpoint 3";

/** @brief Where the run's record stood when a checkpoint was written. */
struct RecordPosition {
    std::string run_id;                ///< the record's run_id attribute
    std::filesystem::path directory;   ///< the record's directory (absolute)
    long rows = 0;                     ///< rows on the storage
    long gamma2_snapshots = 0;         ///< γ^(2) snapshots on the storage
};

/** @brief Everything read from a checkpoint except the fields and the wisdom (the same on every rank). */
struct CheckpointInfo {
    SamplesFileInfo samples;     ///< d, N, L, weights
    std::string version, git_revision, measure, parameters;
    EnsembleState state;
    RecordPosition record;
    double t = 0.0;
    long ranks = 0, ranks_per_sample = 0;  ///< the layout that wrote it
};

/**
 * @brief Writes a checkpoint of `ensemble` (its fields, its state, every rank's FFTW wisdom) and of
 * the record's position (Collective on the ensemble's world).
 */
void write_checkpoint(const std::filesystem::path& path, Ensemble& ensemble, const std::string& parameters,
                      const RecordPosition& record);

/**
 * @brief Opens and validates a checkpoint (Collective on `comm`). Throws InputError naming the file
 * and what is wrong: missing, not a complete HDF5 file (truncated or corrupt), not a checkpoint of
 * this format, or a field of the wrong type or shape.
 */
CheckpointInfo read_checkpoint_info(const Comm& comm, const std::filesystem::path& path);

/** @brief This group's per-sample state, for the layout it runs with now (Collective on the world). */
SampleState read_sample_state(const std::filesystem::path& path, const GroupLayout& layout);

/**
 * @brief The FFTW wisdom rank `rank` wrote into the checkpoint, on every rank of `comm` that asks for
 * one (Collective on `comm`); empty when the checkpoint has fewer ranks.
 */
std::string read_wisdom(const Comm& comm, const std::filesystem::path& path, int rank);

/**
 * @brief Throws InputError naming the first difference between a checkpoint's `stored` parameters
 * and the `current` ones ("name = value" lines), e.g. "N = 32 in the checkpoint, 64 now". Names in
 * `may_differ` are skipped.
 */
void require_same_parameters(const std::string& stored, const std::string& current, const std::filesystem::path& path,
                             const std::vector<std::string>& may_differ = {});

}  // namespace dfe
