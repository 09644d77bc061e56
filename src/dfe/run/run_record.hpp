#pragma once
/**
 * @file run_record.hpp
 * @brief Everything a run writes at its output times, in one place: DIR/timeseries.csv, DIR/run.h5
 * (rows, γ^(1), per-sample values, γ^(2) snapshots, the hypothesis report, the verdicts),
 * DIR/verdicts.csv, and the history a checkpoint needs. dfe-run writes its outputs through it, and
 * dfe-bench times the same writes.
 */
#include "dfe/run/checkpoint.hpp"
#include "dfe/physics/hypothesis.hpp"
#include "dfe/io/timeseries.hpp"
#include "dfe/run/verdicts.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dfe {

class RunRecord {
public:
    /**
     * @brief Creates DIR/timeseries.csv and DIR/run.h5 under their temporary names, with the run's
     * attributes and the hypothesis report (Collective on the ensemble's world).
     */
    RunRecord(const std::filesystem::path& dir, const Ensemble& ensemble, const RunConfig& config,
              const std::string& provenance, const HypothesisReport& hypotheses);

    /** @brief Writes a restarted run's history again, as the run first wrote it (Collective). */
    void replay(RunHistory history, double energy0, double radial_defect0);
    /** @brief One output row: both files, the history, the verdicts (Collective). */
    void add(const EnsembleValues& values, const Ensemble& ensemble);
    /**
     * @brief The verdicts (with radii), the samples' under-resolution times and the renames into place
     * that end a run (Collective). A run that stopped before its last row (--on-underresolved stop)
     * gets a run.h5 sized to the rows it wrote, rewritten from the history.
     */
    void commit();

    [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }
    [[nodiscard]] const RunHistory& history() const { return history_; }
    [[nodiscard]] const Verdicts& verdicts() const { return verdicts_.verdicts(); }

private:
    /** @brief run.h5 under its temporary name, sized for `rows` rows and `gamma2` snapshots. */
    void open_run_file(long rows, long gamma2);

    std::filesystem::path dir_;
    const Ensemble& ensemble_;
    const RunConfig& config_;
    std::string provenance_;
    HypothesisReport hypotheses_;
    const Comm& world_;
    std::vector<std::string> columns_;
    TimeSeriesWriter writer_;
    std::optional<RunFile> run_file_;
    VerdictTracker verdicts_;
    RunHistory history_;
    long gamma2_written_ = 0;
    bool keeps_gamma1_ = false;
};

}  // namespace dfe
