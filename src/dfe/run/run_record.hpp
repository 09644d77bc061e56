#pragma once
/**
 * @file run_record.hpp
 * @brief Everything a run writes at its output times, in one place: DIR/timeseries.csv (and for a
 * random draw DIR/timeseries_stderr.csv and DIR/timeseries_estimate.csv), DIR/run.h5
 * (rows, γ^(1), per-sample values, γ^(2) snapshots, the hypothesis report, the verdicts) and
 * DIR/verdicts.csv. dfe-run writes its outputs through it, and dfe-bench times the same writes.
 *
 * Rows are streamed: each output row goes to both files and onto the storage before add() returns,
 * and nothing of it stays in memory but the verdicts' running state and a few rows for the closing
 * table (RowDigest), so memory does not grow with the run's length. While the run goes the files
 * have their temporary names (`<name>.tmp`); commit() renames them. A restarted run continues the
 * same files from the row its checkpoint records (the rows after it are written again), and a
 * finished run continued to a later --t-end reopens its committed files.
 *
 * DIR/run.xmf, the XDMF sidecar of run.h5 (io/xdmf.hpp), describes the run.h5 beside it, row for
 * row. commit() writes it as run.xmf.tmp, every row written with its time as run.h5 holds it, and
 * renames it right after run.h5. A finished run that is continued loses its run.xmf before run.h5
 * goes back to run.h5.tmp, and gets a new one, with every row, at its own commit(). Nothing of it is
 * written at rows or checkpoints: until commit() there is no run.h5 to point at, only run.h5.tmp,
 * which a run killed or stopped at any moment leaves as it is, with no run.xmf (or the previous
 * run's, beside the previous run's run.h5).
 */
#include "dfe/physics/hypothesis.hpp"
#include "dfe/io/run_file.hpp"
#include "dfe/io/timeseries.hpp"
#include "dfe/io/xdmf.hpp"
#include "dfe/run/checkpoint.hpp"
#include "dfe/run/verdicts.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dfe {

struct EnsembleValues;

/**
 * @brief Evenly spaced rows of a run and always the last one, at most 2 × capacity + 1 of them, in
 * memory that does not grow with the number of rows: what the table at the end of a run shows.
 */
class RowDigest {
public:
    explicit RowDigest(std::size_t capacity = 12) : capacity_(capacity) {}
    /** @brief Takes row `row` (rows arrive in order 0, 1, 2, …). */
    void add(long row, std::vector<double> values);
    /** @brief The rows kept, in order, the last row included. */
    [[nodiscard]] std::vector<std::vector<double>> rows() const;

private:
    std::size_t capacity_;
    long stride_ = 1;
    std::vector<std::vector<double>> kept_;  ///< rows 0, stride, 2·stride, …
    std::vector<double> last_;
    long last_row_ = -1;
};

/**
 * @brief Throws InputError unless a run's record (timeseries.csv and run.h5, in progress or finished)
 * is in `dir`, or else in `origin` (the directory a checkpoint names): what a restart continues
 * (Not Collective: call on one rank).
 */
void require_record(const std::filesystem::path& dir, const std::filesystem::path& origin);

class RunRecord {
public:
    /**
     * @brief Creates DIR/timeseries.csv and DIR/run.h5 under their temporary names, with the run's
     * attributes, a new run id and the hypothesis report (Collective on the ensemble's world).
     */
    RunRecord(const std::filesystem::path& dir, const Ensemble& ensemble, const RunConfig& config,
              const std::string& provenance, const HypothesisReport& hypotheses);
    /**
     * @brief Continues the record of the run that wrote `checkpoint`, keeping its first `keep.rows`
     * rows and `keep.gamma2_snapshots` snapshots (Collective). The record is taken from DIR
     * (`<name>.tmp`, or the committed files of a finished run, renamed back), or else copied from the
     * directory the checkpoint names. Throws InputError (on every rank) when there is none, when it
     * is another run's, or when it holds fewer rows or other γ^(2) snapshot times than the kept ones.
     * The verdicts and the closing table are rebuilt from the kept rows.
     */
    RunRecord(const std::filesystem::path& dir, const Ensemble& ensemble, const RunConfig& config,
              const std::string& provenance, const HypothesisReport& hypotheses, const CheckpointInfo& checkpoint,
              const RecordPosition& keep);
    ~RunRecord();
    RunRecord(const RunRecord&) = delete;
    RunRecord& operator=(const RunRecord&) = delete;

    /** @brief One output row: both files, flushed to the storage, and the verdicts (Collective). */
    void add(const EnsembleValues& values, const Ensemble& ensemble);
    /**
     * @brief The verdicts (with radii), the samples' under-resolution times and the renames into place
     * that end a run (Collective). A run that stopped before its last row (--on-underresolved stop)
     * gets a run.h5 cut to the rows it wrote. run.xmf comes into place right after run.h5.
     */
    void commit();

    /** @brief Where the record stands: what a checkpoint written now records. */
    [[nodiscard]] RecordPosition position() const;
    [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }
    [[nodiscard]] const Verdicts& verdicts() const { return verdicts_.verdicts(); }
    [[nodiscard]] const RowDigest& digest() const { return digest_; }

private:
    /** @brief The run's attributes with the run id. */
    [[nodiscard]] std::vector<Attribute> attributes() const;
    void write_hypotheses();
    void check_gamma2_times(long snapshots) const;
    /** @brief DIR/run.xmf.tmp for the rows written, complete and closed, into `sidecar` on the root (Collective). */
    void write_sidecar(std::optional<XdmfSidecar>& sidecar) const;

    std::filesystem::path dir_;
    const Ensemble& ensemble_;
    const RunConfig& config_;
    std::string provenance_;
    HypothesisReport hypotheses_;
    const Comm& world_;
    std::vector<std::string> columns_;
    std::string run_id_;
    std::optional<TimeSeriesWriter> writer_;
    /// timeseries_stderr.csv and timeseries_estimate.csv, for random draws only (docs/physics.md §12).
    std::optional<TimeSeriesWriter> error_writer_, estimate_writer_;
    std::unique_ptr<RunFile> run_file_;
    VerdictTracker verdicts_;
    RowDigest digest_;
    long rows_written_ = 0;
    long gamma2_written_ = 0;
};

}  // namespace dfe
