#pragma once
/**
 * @file run_file.hpp
 * @brief run.h5, the complete record of a run, written collectively. Public interface:
 *
 *   root attributes        every run parameter (name = option name) and `version`, `git_revision`,
 *                          `measure` (the measure's provenance)
 *   /weights               float64 (M,)
 *   /timeseries/<column>   float64 (rows,)            one dataset per time-series column, same names
 *                                                     as timeseries.csv; attribute `columns` on
 *                                                     /timeseries lists them in order
 *   /timeseries_stderr/<column>, /timeseries_estimate/<column>
 *                          float64 (rows,)            random draws only (--random-draw): the
 *                                                     sampling error of each column and the estimate
 *                                                     of the drawn-from measure's value, as
 *                                                     timeseries_stderr.csv and timeseries_estimate.csv
 *                                                     (docs/physics.md §12)
 *   /gamma1                float64 (rows, N[, N[, N]]) γ^(1)(x,x) at every output time
 *   /samples/mass          float64 (rows, M)          per-sample mass
 *   /samples/energy        float64 (rows, M)          per-sample energy
 *   /samples/grad_norm     float64 (rows, M)          per-sample ‖∇φ_j‖ (resolution.hpp)
 *   /samples/tail_fraction float64 (rows, M)          per-sample spectral tail fraction (resolution.hpp)
 *   /samples/underresolved_time  float64 (M,)         when each sample was marked under-resolved; NaN: never
 *   /gamma2/values         float64 (T2, n^d, n^d)     γ^(2)(x,y,x,y) on the observation grid, points
 *                                                     in C order (axis 1 = first coordinate)
 *   /gamma2/times          float64 (T2,)
 *   /gamma2/x              float64 (n,)               observation grid coordinates per axis
 *   /hypotheses            the potential's hypothesis report (hypothesis.hpp): datasets R, sup_1_7,
 *                          ratio_1_8 (one entry per radius); attributes for (1.6), V >= 0, the text
 *   /verdicts              the verdicts per radius (verdicts.hpp): one dataset per verdicts.csv column
 * Every dataset with a rows axis (and /gamma2/values, /gamma2/times along snapshots) is chunked and
 * extendible, allocated at creation for the rows the run will write: writing a row moves raw data
 * only, and flush() puts it on the storage. The file is written as `path`.tmp and renamed by
 * commit(); a RunFile destroyed without commit leaves `path`.tmp as it is, so that a restarted run
 * continues it (Mode::resume): a file at `path` is always complete.
 */
#include "dfe/core/groups.hpp"
#include "dfe/spectral/grid.hpp"
#include "dfe/config/run_config.hpp"
#include "dfe/io/table.hpp"

#include <array>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dfe {

/** @brief The per-sample series of run.h5 /samples (rows, M), in the order write_sample_values takes them. */
inline constexpr std::array<std::string_view, 4> sample_series{"mass", "energy", "grad_norm", "tail_fraction"};

/** @brief A root attribute of run.h5. */
struct Attribute {
    std::string name;
    std::variant<long long, double, std::string> value;
};

/** @brief The radii as the comma list --R takes, each as %g prints it ("1,2.5,4"). */
std::string radii_text(const std::vector<double>& R);

/**
 * @brief Every run parameter as a root attribute of run.h5, named as the option: the build
 * (`version`, `git_revision`), the measure's provenance, the grid, physics, cutoff, schedule and
 * layout (`ranks`, `samples`, the observation grid `gamma2-grid` = n as used).
 */
std::vector<Attribute> run_attributes(const RunConfig& c, int ranks, std::size_t samples, long gamma2_n,
                                      const std::string& provenance);

class RunFile {
public:
    /** @brief A new record, or the continuation of the record an earlier part of the run wrote. */
    enum class Mode { create, resume };
    /**
     * @brief Creates `path`.tmp and every dataset at its size for `rows` rows and `gamma2_rows`
     * snapshots (Collective on layout.world()). With Mode::resume, opens the existing `path`.tmp
     * instead (`rows` and `gamma2_rows` are not used) and checks that it is this run's: the
     * attribute `run_id` when `attributes` has one, the columns and the shapes (InputError on every
     * rank otherwise); restart() then prepares it for writing.
     * @param columns     time-series column names, in order
     * @param rows        number of output rows
     * @param gamma2_n    observation grid points per dimension n
     * @param gamma2_rows number T2 of γ^(2) snapshots
     */
    RunFile(const std::filesystem::path& path, const GroupLayout& layout, const Grid& grid,
            std::vector<std::string> columns, long rows, std::span<const double> weights, long gamma2_n,
            long gamma2_rows, const std::vector<Attribute>& attributes, Mode mode = Mode::create);
    ~RunFile();
    RunFile(const RunFile&) = delete;
    RunFile& operator=(const RunFile&) = delete;

    /** @brief Row `row` of every time-series column; `values` is the same on every rank (Collective). */
    void write_row(long row, std::span<const double> values);
    /**
     * @brief Adds (or, resumed, opens, or creates when the file has none) /timeseries_stderr and
     * /timeseries_estimate with the time-series columns, for the sampling error (Collective).
     */
    void enable_sampling_error();
    /** @brief Row `row` of both tables (the same on every rank; enable_sampling_error() first) (Collective). */
    void write_error_row(long row, std::span<const double> stderr_values, std::span<const double> estimate);
    /**
     * @brief γ^(1)(x,x) at output row `row`. `local` is this rank's slab (grid.local_points() values,
     * physical layout); every group holds the same γ^(1), and group 0 writes it; other groups may pass an
     * empty span (Collective).
     */
    void write_gamma1(long row, std::span<const double> local);
    /**
     * @brief The per-sample series (sample_series order) at output row `row` for this group's samples
     * (layout.count() values each, the same on every rank of the group; ranks other than the group
     * root may pass empty vectors) (Collective).
     */
    void write_sample_values(long row, std::span<const std::vector<double>> series);
    /** @brief /samples/underresolved_time of this group's samples (as write_sample_values) (Collective). */
    void write_underresolved_times(std::span<const double> times);
    /**
     * @brief Snapshot k of γ^(2) at time t: this rank's rows [row_start, row_start + row_count) of the
     * n^d × n^d matrix, row-major in `values` (ranks may own no rows) (Collective).
     */
    void write_gamma2(long k, double t, long row_start, long row_count, std::span<const double> values);
    /**
     * @brief A group `name` of 1D float64 datasets (one per column, all the same length) and
     * attributes; the values must be the same on every rank (Collective).
     */
    void write_table(const std::string& name, const std::vector<TableColumn>& columns,
                     const std::vector<Attribute>& attributes);
    /**
     * @brief Prepares a resumed file for the rest of the run: writes `attributes` again, removes
     * /verdicts and /hypotheses, and sets the datasets to `rows` rows and `gamma2_rows` snapshots
     * (Collective).
     */
    void restart(const std::vector<Attribute>& attributes, long rows, long gamma2_rows);
    /** @brief Puts every row written so far on the storage (Collective). */
    void flush();
    /** @brief Sets the file to `rows` rows and `gamma2_rows` snapshots, keeping what is in both (Collective). */
    void resize(long rows, long gamma2_rows);
    [[nodiscard]] long rows() const;
    [[nodiscard]] long gamma2_rows() const;
    /** @brief Time-series rows [first, first + count), as written, on every rank (Collective). */
    [[nodiscard]] std::vector<std::vector<double>> read_rows(long first, long count) const;
    /** @brief The times of the first `count` γ^(2) snapshots, on every rank (Collective). */
    [[nodiscard]] std::vector<double> read_gamma2_times(long count) const;
    /** @brief Closes the file and renames it into place (Collective). */
    void commit();

private:
    void resume(const std::vector<Attribute>& attributes);

    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace dfe
