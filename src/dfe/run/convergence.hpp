#pragma once
/**
 * @file convergence.hpp
 * @brief A convergence study (dfe-converge, docs/convergence.md): one configuration run at its own
 * resolution (the *base* run) and again with one numerical parameter refined at a time, and from the
 * differences an estimate of each error of every time-series value and of every verdict's margin.
 *
 * The runs (StudyRun), each a RunConfig made by variant_config() from the base's:
 * | run   | what changes                                                                            |
 * |-------|-----------------------------------------------------------------------------------------|
 * | base  | nothing                                                                                 |
 * | space | N → 2N, same L (the spacing halved)                                                     |
 * | time  | fixed step: dt → dt/2; adaptive (--tol > 0, or petsc): tol → tol/2, dt (the first step) kept |
 * | box   | N → N' = N + 2⌈N/4⌉ and L → L·N'/N: the box about 1.5× larger, the spacing kept          |
 * Every run has the base's output times (dt/2 keeps --t-end and --output-dt multiples of the step).
 * A built-in measure is evaluated again on each run's grid; a samples file's measure is carried to
 * it (CarriedMeasure): by trigonometric interpolation to 2N, by zero padding to the larger box.
 *
 * **Error estimates** of a base value v (sign convention: the value minus the refined value, so
 * v − err is the better estimate):
 *   err_space = v_N − v_2N: spectral convergence makes the refined run far more accurate, so the
 *               difference is the base's spatial error itself;
 *   err_time  = (v_dt − v_dt/2)·2^p/(2^p − 1), Richardson's estimate of the base's temporal error
 *               for the integrator's order p (strang 2, order4 4); for the adaptive integrators the
 *               plain difference v_tol − v_tol/2 (the order in tol is not known: for step doubling,
 *               whose global error is about proportional to tol, it is about half the error);
 *   err_box   = v_L − v_L': the part of the value that depends on the box (mass at or across the
 *               faces, the periodic images of the Gaussian potential's convolution).
 * An error that was not estimated (the run was not part of the study, or has no such row) is NaN.
 * The box run is made for every potential: all four see the box through the field (the kinetic flow
 * is periodic, and a free-space convolution takes ρ as 0 outside the box), and `none` and `gaussian`
 * also through their periodic convolution, whose images move with L.
 *
 * **Verdicts** (convergence_verdicts.csv). For every check of verdicts.hpp (vterm ≤ 0 once, the four
 * bounds per R) the margin is the distance of the bound from its quantity, bound − quantity (≥ 0 where
 * the check holds), at the base's resolved row where it is smallest (all rows when none is resolved);
 * its errors are those of the same margin at the same row in the other runs, as above. A verdict is
 * `robust` when its word is the same in every run, is not `unresolved`, and the margin's distance
 * from the verdict's slack, |margin + slack|, exceeds |err_space| + |err_time| + |err_box| (the
 * errors estimated) plus, for a random draw, 2 standard errors of the margin.
 */
#include "dfe/config/run_config.hpp"
#include "dfe/ensemble/measure.hpp"
#include "dfe/run/verdicts.hpp"

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dfe {

/** @brief The runs of a study: the base and its three refinements. */
enum class StudyRun { base, space, time, box };
inline constexpr std::array<StudyRun, 4> study_runs{StudyRun::base, StudyRun::space, StudyRun::time, StudyRun::box};
/** @brief "base", "space", "time", "box": public (the subdirectories of OUT, the columns' suffixes). */
const char* study_run_name(StudyRun run);

/**
 * @brief The refinements of `--variants`: a comma list of space, time, box (each at most once), or
 * `none`. Throws InputError naming `option` and the bad item.
 */
std::vector<StudyRun> parse_study_runs(const std::string& text, const std::string& option);

/** @brief The box run's points per dimension: N + 2⌈N/4⌉ (even, about 1.5 N). */
[[nodiscard]] long enlarged_points(long N);

/**
 * @brief The configuration of `run` made from the base's (the table above); out becomes
 * base.out/<run name>, and no run writes a samples file. Not Collective.
 */
[[nodiscard]] RunConfig variant_config(const RunConfig& base, StudyRun run);

/** @brief The order p of the fixed-step integrator (strang 2, order4 4); 0 for the adaptive ones. */
[[nodiscard]] int fixed_step_order(const RunConfig& config);

/** @brief The factor of err_time: 2^p/(2^p − 1) for a fixed step of order p, 1 for the adaptive integrators. */
[[nodiscard]] double time_error_factor(const RunConfig& config);

/**
 * @brief A samples file's measure (any Measure on the base grid) carried to a study run's grid: to
 * 2N by refine_spectral, to the enlarged box by pad_box (spectral/interpolate.hpp). fill() makes each
 * sample on the base grid over the target grid's communicator, gathers it whole on every rank of
 * that communicator (memory: one field of the target grid per rank), carries it and keeps this
 * rank's slab. A refined sample is renormalized to discrete norm 1 (the Nyquist split loses at most
 * half its Nyquist modes' weight); a padded one keeps its norm exactly.
 */
class CarriedMeasure final : public Measure {
public:
    /** @brief `base` lives on the grid (d, N, L); `run` is StudyRun::space or StudyRun::box. */
    CarriedMeasure(std::unique_ptr<Measure> base, int d, long N, double L, StudyRun run);
    [[nodiscard]] std::size_t size() const override { return base_->size(); }
    [[nodiscard]] std::span<const double> weights() const override { return base_->weights(); }
    /** @brief Collective on grid.comm(); the grid must be variant_config's for this run. */
    void fill(const Grid& grid, std::size_t first, std::span<cplx* const> fields) const override;
    [[nodiscard]] std::string provenance() const override;

private:
    std::unique_ptr<Measure> base_;
    int d_;
    long N_;
    double L_;
    StudyRun run_;
};

/**
 * @brief Throws InputError (on every rank of `comm`) when a sample of `measure` on the grid (d, N, L)
 * has more than `boundary_tol` of its mass within boundary_layer_spacings spacings of the box's faces:
 * zero padding it into a larger box would cut it there. Reads every sample on the root (Collective).
 */
void require_paddable(const Comm& comm, const Measure& measure, int d, long N, double L, double boundary_tol);

/** @brief What one run of a study reported: its rows, their standard errors, its verdicts. */
struct StudyRecord {
    std::vector<std::vector<double>> rows;     ///< time-series rows, in the order of ColumnSchema(config.R)
    std::vector<std::vector<double>> stderrs;  ///< EnsembleValues::stderr_row per row (empty unless a random draw)
    double energy0 = 0.0;                      ///< E(0)
    Verdicts verdicts;
};

/** @brief One line of convergence_verdicts.csv (docs/convergence.md). */
struct CheckStudy {
    double R = 0.0;                         ///< NaN for vterm ≤ 0, which does not depend on R
    std::size_t check = 0;                  ///< position in check_names
    std::array<std::optional<Verdict>, 4> verdicts;  ///< per StudyRun; empty when the run was not made
    bool same = true;                       ///< the same word in every run made
    double t = 0.0;                         ///< the base row where the margin is smallest
    double margin = 0.0;                    ///< bound − quantity there (≥ 0: holds)
    double slack = 0.0;                     ///< the verdict's slack there
    double err_space = 0.0, err_time = 0.0, err_box = 0.0;  ///< NaN when not estimated
    double error = 0.0;                     ///< the sum of the estimated errors' magnitudes
    double std_error = 0.0;                 ///< standard error of the margin (0 unless a random draw)
    bool robust = false;
};

/**
 * @brief The records of a study's runs and the estimates made from them. The base's record is
 * required before the others' estimates mean anything; each run's rows are matched to the base's by
 * position, and a row whose time differs from the base's (beyond 1e-9 relative) has no estimate.
 */
class ConvergenceStudy {
public:
    /** @brief For the base configuration (after its grid is known: a samples file fixes d, N, L). */
    explicit ConvergenceStudy(const RunConfig& base);

    /** @brief Takes the record of `run`. */
    void add(StudyRun run, StudyRecord record);

    /** @brief The column names of convergence.csv's `column` field: every time-series column but t. */
    [[nodiscard]] std::vector<std::string> columns() const;
    /**
     * @brief The estimate of `run`'s error (space, time or box) of the base's value at `row`, column
     * position `column` in ColumnSchema order; NaN when not estimated.
     */
    [[nodiscard]] double error(StudyRun run, std::size_t row, std::size_t column) const;
    /** @brief The verdicts' study, vterm first, then the four bounds per R. */
    [[nodiscard]] std::vector<CheckStudy> checks() const;

    /** @brief convergence.csv: `column,t,value,err_space,err_time,err_box`, per column, per base row (tmp + rename). */
    void write_errors_csv(const std::filesystem::path& path) const;
    /** @brief convergence_verdicts.csv, one line per CheckStudy (tmp + rename). */
    void write_verdicts_csv(const std::filesystem::path& path) const;
    /** @brief The verdicts' study as a plain-text table. */
    [[nodiscard]] std::string format_checks() const;

private:
    [[nodiscard]] const StudyRecord* record(StudyRun run) const;
    /** @brief The row of `run` at the base's row `row`, or null when it has none at that time. */
    [[nodiscard]] const std::vector<double>* matching_row(StudyRun run, std::size_t row) const;

    RunConfig base_;
    double time_factor_ = 1.0;
    std::array<std::optional<StudyRecord>, 4> records_;
    CheckColumns columns_;  ///< the checks' columns and bounds, as the verdicts read them
};

}  // namespace dfe
