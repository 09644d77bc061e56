#include "dfe/io/run_file.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/backend/hdf5.hpp"
#include "dfe/version.hpp"

#include <cmath>
#include <cstdio>

#include <algorithm>
#include <array>
#include <optional>
#include <system_error>
#include <utility>

namespace dfe {

namespace {

namespace fs = std::filesystem;

hsize_t to_hsize(long n) { return static_cast<hsize_t>(n); }

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
    return out;
}

void check_index(const char* what, long index, long size)
{
    if (index < 0 || index >= size)
        throw Error(std::string("run file: ") + what + " " + std::to_string(index) + " outside [0, " +
                    std::to_string(size) + ")");
}

void check_size(const char* what, std::size_t got, std::size_t expected)
{
    if (got != expected)
        throw Error(std::string("run file: ") + what + " has " + std::to_string(got) + " values, expected " +
                    std::to_string(expected));
}

}  // namespace

struct RunFile::State {
    // Members are destroyed in reverse order: the datasets close before the file (a file opened with
    // MPI-IO refuses to close while objects in it are open).
    Comm world;  ///< for the rename on rank 0 once every rank has closed the file
    fs::path path, tmp;
    h5::Handle file;
    std::vector<h5::Handle> timeseries;
    std::vector<h5::Handle> errors, estimates;  ///< /timeseries_stderr, /timeseries_estimate (random draws)
    h5::Handle gamma1, gamma2_values, gamma2_times, underresolved;
    std::vector<h5::Handle> samples;  ///< one per sample_series

    std::vector<std::string> columns;
    long rows = 0;
    long gamma2_rows = 0;
    hsize_t gamma2_points = 0;      ///< n^d
    std::vector<hsize_t> field_dims;  ///< N per axis (the shape of one γ^(1) row)
    hsize_t samples_total = 0;      ///< M
    h5::Slab gamma1_slab;           ///< this rank's slab of one γ^(1) row (row axis at 0); empty off group 0
    h5::Slab sample_slab;           ///< this group's columns of one sample row; empty off group roots
    std::size_t local_points = 0;
    std::size_t group_samples = 0;
    bool committed = false;

    /// The datasets' shapes for `rows` rows and `gamma2_rows` snapshots.
    [[nodiscard]] std::vector<hsize_t> gamma1_dims(long r) const
    {
        std::vector<hsize_t> dims{to_hsize(r)};
        dims.insert(dims.end(), field_dims.begin(), field_dims.end());
        return dims;
    }
    /// Sets every growing dataset to `r` rows and `t2` snapshots (Collective).
    void resize(long r, long t2)
    {
        const hsize_t R = to_hsize(r);
        for (h5::Handle& set : timeseries) h5::set_extent(set.get(), std::array{R});
        for (h5::Handle& set : errors) h5::set_extent(set.get(), std::array{R});
        for (h5::Handle& set : estimates) h5::set_extent(set.get(), std::array{R});
        h5::set_extent(gamma1.get(), gamma1_dims(r));
        for (h5::Handle& set : samples) h5::set_extent(set.get(), std::array{R, samples_total});
        h5::set_extent(gamma2_values.get(), std::array{to_hsize(t2), gamma2_points, gamma2_points});
        h5::set_extent(gamma2_times.get(), std::array{to_hsize(t2)});
        rows = r;
        gamma2_rows = t2;
    }
};

namespace {

/// Rows per chunk for rows of `row_bytes` bytes: chunks of about 1 MiB or one row when rows are
/// larger, at most the rows there are (at least one). Large chunks keep the chunk index, which HDF5
/// holds in memory, small: a few hundred chunks for a run of 10⁴ rows of 128² points.
hsize_t rows_per_chunk(long rows, double row_bytes)
{
    const double wanted = std::floor(1048576.0 / std::max(row_bytes, 1.0));
    return static_cast<hsize_t>(std::clamp(wanted, 1.0, static_cast<double>(std::max(rows, 1L))));
}

/// A dataset of `rows` rows of shape `tail`, growing along its rows (h5::create_extendible_dataset).
h5::Handle rows_dataset(hid_t loc, const std::string& name, long rows, const std::vector<hsize_t>& tail)
{
    double row_elements = 1.0;
    for (hsize_t n : tail) row_elements *= static_cast<double>(n);
    std::vector<hsize_t> dims{to_hsize(rows)}, chunk{rows_per_chunk(rows, 8.0 * row_elements)};
    for (hsize_t n : tail) {
        dims.push_back(n);
        chunk.push_back(std::max<hsize_t>(n, 1));
    }
    return h5::create_extendible_dataset(loc, name, dims, chunk);
}

}  // namespace

RunFile::RunFile(const std::filesystem::path& path, const GroupLayout& layout, const Grid& grid,
                 std::vector<std::string> columns, long rows, std::span<const double> weights, long gamma2_n,
                 long gamma2_rows, const std::vector<Attribute>& attributes, Mode mode)
    : state_(std::make_unique<State>())
{
    check_size("weights", weights.size(), layout.samples());
    if (rows < 1 || gamma2_n < 1 || gamma2_rows < 0)
        throw Error("run file: sizes out of range (rows " + std::to_string(rows) + ", gamma2 n " +
                    std::to_string(gamma2_n) + ", gamma2 rows " + std::to_string(gamma2_rows) + ")");
    if (grid.N() % gamma2_n != 0)
        throw Error("run file: the observation grid n = " + std::to_string(gamma2_n) + " does not divide N = " +
                    std::to_string(grid.N()));

    State& s = *state_;
    s.world = layout.world().dup();
    s.path = path;
    s.tmp = temporary_path(path);
    s.columns = std::move(columns);
    s.local_points = static_cast<std::size_t>(grid.local_points());
    s.group_samples = layout.count();
    s.samples_total = weights.size();
    s.field_dims.assign(static_cast<std::size_t>(grid.d()), to_hsize(grid.N()));
    s.gamma2_points = 1;
    for (int a = 0; a < grid.d(); ++a) s.gamma2_points *= to_hsize(gamma2_n);

    // Every group holds the same γ^(1); group 0 alone writes it, each rank its slab rows.
    if (layout.group_index() == 0) {
        const Axis& a0 = grid.physical().axes[0];
        s.gamma1_slab = h5::Slab{{0, to_hsize(a0.start)}, {1, to_hsize(a0.n)}};
        for (int a = 1; a < grid.d(); ++a) {
            s.gamma1_slab.start.push_back(0);
            s.gamma1_slab.count.push_back(to_hsize(grid.N()));
        }
    }
    // The ranks of a group share their samples' values; the group's rank 0 writes them.
    if (layout.group().is_root()) s.sample_slab = h5::Slab{{0, layout.first()}, {1, layout.count()}};

    if (mode == Mode::resume) {
        resume(attributes);
        return;
    }
    s.file = h5::create_file(s.world, s.tmp);
    s.rows = rows;
    s.gamma2_rows = gamma2_rows;
    const hid_t file = s.file.get();
    for (const Attribute& a : attributes)
        std::visit([&](const auto& value) { h5::write_attribute(file, a.name, value); }, a.value);

    const hsize_t M = s.samples_total;
    const h5::Handle weight_set = h5::create_dataset(file, "weights", std::array{M});
    h5::write_slab(weight_set.get(), s.world.is_root() ? h5::Slab{{0}, {M}} : h5::Slab{}, weights.data());

    const h5::Handle timeseries = h5::create_group(file, "timeseries");
    h5::write_attribute(timeseries.get(), "columns", joined(s.columns));
    for (const std::string& column : s.columns) s.timeseries.push_back(rows_dataset(timeseries.get(), column, rows, {}));

    s.gamma1 = rows_dataset(file, "gamma1", rows, s.field_dims);

    const h5::Handle samples = h5::create_group(file, "samples");
    for (auto name : sample_series) s.samples.push_back(rows_dataset(samples.get(), std::string(name), rows, {M}));
    s.underresolved = h5::create_dataset(samples.get(), "underresolved_time", std::array{M});

    const h5::Handle gamma2 = h5::create_group(file, "gamma2");
    // Snapshots of up to 8 MiB per chunk: whole matrices for small observation grids.
    const hsize_t P = s.gamma2_points;
    const hsize_t rows_chunk = std::clamp<hsize_t>((hsize_t{1} << 20) / P, 1, P);
    s.gamma2_values = h5::create_extendible_dataset(gamma2.get(), "values", std::array{to_hsize(gamma2_rows), P, P},
                                                    std::array{hsize_t{1}, rows_chunk, P});
    s.gamma2_times = rows_dataset(gamma2.get(), "times", gamma2_rows, {});
    // The observation grid subsamples the grid (gamma2.hpp): x_m = −L/2 + m·L/n is grid point m·N/n,
    // stored as the grid computes it so that it matches the simulation's coordinates bit for bit.
    const hsize_t n = to_hsize(gamma2_n);
    std::vector<double> x(static_cast<std::size_t>(gamma2_n));
    for (std::size_t m = 0; m < x.size(); ++m)
        x[m] = grid.coordinate(static_cast<std::ptrdiff_t>(m) * (grid.N() / gamma2_n));
    const h5::Handle x_set = h5::create_dataset(gamma2.get(), "x", std::array{n});
    h5::write_slab(x_set.get(), s.world.is_root() ? h5::Slab{{0}, {n}} : h5::Slab{}, x.data());
    // Everything that describes the file is on the storage before the first row.
    h5::flush(file);
}

void RunFile::resume(const std::vector<Attribute>& attributes)
{
    State& s = *state_;
    const std::string where = "the run's record '" + s.tmp.string() + "'";
    s.file = h5::open_file_for_writing(s.world, s.tmp);
    if (!s.file) throw InputError(where + " is not a complete HDF5 file (truncated or corrupt): the run cannot be continued");
    const hid_t file = s.file.get();
    // The record must be this run's: the same run id (when given) and the same column schema.
    for (const Attribute& a : attributes) {
        if (a.name != "run_id") continue;
        const auto* id = std::get_if<std::string>(&a.value);
        const bool same = id && h5::has_attribute(file, "run_id") && h5::read_string_attribute(file, "run_id") == *id;
        if (!same) throw InputError(where + " belongs to another run than the checkpoint (its run_id differs)");
    }
    const h5::Handle timeseries = h5::open_group(file, "timeseries");
    if (h5::read_string_attribute(timeseries.get(), "columns") != joined(s.columns))
        throw InputError(where + " has other time-series columns than this run");
    for (const std::string& column : s.columns) s.timeseries.push_back(h5::open_dataset(timeseries.get(), column));
    s.gamma1 = h5::open_dataset(file, "gamma1");
    for (auto name : sample_series) s.samples.push_back(h5::open_dataset(file, "samples/" + std::string(name)));
    s.underresolved = h5::open_dataset(file, "samples/underresolved_time");
    s.gamma2_values = h5::open_dataset(file, "gamma2/values");
    s.gamma2_times = h5::open_dataset(file, "gamma2/times");
    const auto g1 = h5::describe_dataset(s.gamma1.get()).dims;
    const auto g2 = h5::describe_dataset(s.gamma2_values.get()).dims;
    if (g1.size() != 1 + s.field_dims.size() || !std::equal(s.field_dims.begin(), s.field_dims.end(), g1.begin() + 1) ||
        h5::describe_dataset(s.underresolved.get()).dims != std::vector<hsize_t>{s.samples_total} || g2.size() != 3 ||
        g2[1] != s.gamma2_points)
        throw InputError(where + " has datasets of other shapes than this run (grid, samples or observation grid)");
    s.rows = static_cast<long>(g1[0]);
    s.gamma2_rows = static_cast<long>(g2[0]);
}

void RunFile::restart(const std::vector<Attribute>& attributes, long rows, long gamma2_rows)
{
    State& s = *state_;
    const hid_t file = s.file.get();
    // The parameters as this run has them (t-end, ranks and layout may have changed), and no
    // verdicts or hypotheses until they are written again.
    for (const Attribute& a : attributes)
        std::visit([&](const auto& value) { h5::write_attribute(file, a.name, value); }, a.value);
    h5::remove_link(file, "verdicts");
    h5::remove_link(file, "hypotheses");
    resize(rows, gamma2_rows);
    h5::flush(file);
}
RunFile::~RunFile() = default;

void RunFile::write_row(long row, std::span<const double> values)
{
    State& s = *state_;
    check_index("row", row, s.rows);
    check_size("time-series row", values.size(), s.columns.size());
    const h5::Slab slab = s.world.is_root() ? h5::Slab{{to_hsize(row)}, {1}} : h5::Slab{};
    for (std::size_t c = 0; c < values.size(); ++c) h5::write_slab(s.timeseries[c].get(), slab, &values[c]);
}

void RunFile::enable_sampling_error()
{
    State& s = *state_;
    const hid_t file = s.file.get();
    for (auto [name, sets] : {std::pair{"timeseries_stderr", &s.errors}, std::pair{"timeseries_estimate", &s.estimates}}) {
        sets->clear();
        if (h5::object_type(file, name) == H5I_GROUP) {
            const h5::Handle group = h5::open_group(file, name);
            for (const std::string& column : s.columns) sets->push_back(h5::open_dataset(group.get(), column));
            for (h5::Handle& set : *sets) h5::set_extent(set.get(), std::array{to_hsize(s.rows)});
            continue;
        }
        const h5::Handle group = h5::create_group(file, name);
        h5::write_attribute(group.get(), "columns", joined(s.columns));
        for (const std::string& column : s.columns) sets->push_back(rows_dataset(group.get(), column, s.rows, {}));
    }
}

void RunFile::write_error_row(long row, std::span<const double> stderr_values, std::span<const double> estimate)
{
    State& s = *state_;
    check_index("row", row, s.rows);
    require_logic(s.errors.size() == s.columns.size(), "RunFile::write_error_row before enable_sampling_error()");
    check_size("standard-error row", stderr_values.size(), s.columns.size());
    check_size("estimate row", estimate.size(), s.columns.size());
    const h5::Slab slab = s.world.is_root() ? h5::Slab{{to_hsize(row)}, {1}} : h5::Slab{};
    for (std::size_t c = 0; c < s.columns.size(); ++c) {
        h5::write_slab(s.errors[c].get(), slab, &stderr_values[c]);
        h5::write_slab(s.estimates[c].get(), slab, &estimate[c]);
    }
}

void RunFile::write_gamma1(long row, std::span<const double> local)
{
    State& s = *state_;
    check_index("row", row, s.rows);
    // Ranks that do not write (groups other than 0) may pass nothing.
    if (!(local.empty() && s.gamma1_slab.start.empty())) check_size("gamma1 slab", local.size(), s.local_points);
    h5::Slab slab = s.gamma1_slab;
    if (!slab.start.empty()) slab.start[0] = to_hsize(row);
    h5::write_slab(s.gamma1.get(), slab, local.data());
}

void RunFile::write_sample_values(long row, std::span<const std::vector<double>> series)
{
    State& s = *state_;
    check_index("row", row, s.rows);
    check_size("per-sample series", series.size(), sample_series.size());
    h5::Slab slab = s.sample_slab;
    if (!slab.start.empty()) slab.start[0] = to_hsize(row);
    for (std::size_t k = 0; k < series.size(); ++k) {
        // Off the group roots nothing is written and the values may be absent.
        if (!slab.start.empty()) check_size("per-sample values", series[k].size(), s.group_samples);
        h5::write_slab(s.samples[k].get(), slab, series[k].data());
    }
}

void RunFile::write_underresolved_times(std::span<const double> times)
{
    State& s = *state_;
    h5::Slab slab;
    if (!s.sample_slab.start.empty()) {
        check_size("under-resolution times", times.size(), s.group_samples);
        slab = h5::Slab{{s.sample_slab.start[1]}, {s.sample_slab.count[1]}};
    }
    h5::write_slab(s.underresolved.get(), slab, times.data());
}

void RunFile::write_gamma2(long k, double t, long row_start, long row_count, std::span<const double> values)
{
    State& s = *state_;
    check_index("gamma2 snapshot", k, s.gamma2_rows);
    const auto P = static_cast<long>(s.gamma2_points);
    if (row_start < 0 || row_count < 0 || row_start + row_count > P)
        throw Error("run file: gamma2 rows [" + std::to_string(row_start) + ", " +
                    std::to_string(row_start + row_count) + ") outside [0, " + std::to_string(P) + ")");
    check_size("gamma2 block", values.size(), static_cast<std::size_t>(row_count) * s.gamma2_points);
    h5::write_slab(s.gamma2_values.get(),
                   h5::Slab{{to_hsize(k), to_hsize(row_start), 0}, {1, to_hsize(row_count), s.gamma2_points}},
                   values.data());
    h5::write_slab(s.gamma2_times.get(), s.world.is_root() ? h5::Slab{{to_hsize(k)}, {1}} : h5::Slab{}, &t);
}

void RunFile::write_table(const std::string& name,
                          const std::vector<TableColumn>& columns, const std::vector<Attribute>& attributes)
{
    State& s = *state_;
    const h5::Handle group = h5::create_group(s.file.get(), name);
    for (const Attribute& a : attributes)
        std::visit([&](const auto& value) { h5::write_attribute(group.get(), a.name, value); }, a.value);
    for (const TableColumn& column : columns) {
        if (const auto* numbers = std::get_if<std::vector<double>>(&column.values)) {
            const hsize_t n = numbers->size();
            const h5::Handle set = h5::create_dataset(group.get(), column.name, std::array{n});
            if (n > 0)  // an empty dataset has no storage to write to
                h5::write_slab(set.get(), s.world.is_root() ? h5::Slab{{0}, {n}} : h5::Slab{}, numbers->data());
        } else {
            const auto& words = std::get<std::vector<std::string>>(column.values);
            std::size_t width = 1;
            for (const std::string& w : words) width = std::max(width, w.size());
            const auto n = static_cast<hsize_t>(words.size());
            const h5::Handle set = h5::create_string_dataset(group.get(), column.name, n, width);
            if (n > 0) h5::write_strings(set.get(), s.world.is_root() ? h5::Slab{{0}, {n}} : h5::Slab{}, words);
        }
    }
}

/// The radii as the comma list --R takes, each as %g prints it.
std::string radii_text(const std::vector<double>& R)
{
    std::string out;
    for (double r : R) out += strf("%s%g", out.empty() ? "" : ",", r);
    return out;
}

// Every run parameter as a run.h5 attribute (names are the option names).
std::vector<Attribute> run_attributes(const RunConfig& c, int ranks, std::size_t samples, long gamma2_n,
                                          const std::string& provenance)
{
    using A = Attribute;
    return {A{"version", std::string(dfe::version)},
            A{"git_revision", std::string(dfe::git_revision)},
            A{"measure", provenance},
            A{"d", static_cast<long long>(c.d)},
            A{"N", static_cast<long long>(c.N)},
            A{"L", c.L},
            A{"mu", c.mu},
            A{"potential", std::string(name(c.potential.kind))},
            A{"lambda", c.potential.lambda},
            A{"s", c.potential.s},
            A{"epsilon", c.potential.epsilon},
            A{"gamma", c.potential.gamma},
            A{"R", radii_text(c.R)},
            A{"cutoff-order", static_cast<long long>(c.cutoff_order)},
            A{"cutoff-width", c.cutoff_width},
            A{"radial-tol", c.radial_tol},
            A{"tol", c.tol},
            A{"tail-tol", c.tail_tol},
            A{"boundary-tol", c.boundary_tol},
            A{"on-underresolved", std::string(name(c.on_underresolved))},
            A{"petsc-options", c.petsc_options},
            A{"sigma", c.measure.sigma},
            A{"integrator", std::string(name(c.integrator))},
            A{"dt", c.dt},
            A{"t-end", c.t_end},
            A{"output-dt", c.output_dt},
            A{"fftw-planner", std::string(name(c.fftw_planner))},
            A{"ranks-per-sample", static_cast<long long>(c.ranks_per_sample)},
            A{"ranks", static_cast<long long>(ranks)},
            A{"samples", static_cast<long long>(samples)},
            A{"gamma2-grid", static_cast<long long>(gamma2_n)},
            A{"gamma2-times", c.gamma2_times},
            A{"eigensolver", c.eigensolver},
            A{"reduce-every", static_cast<long long>(c.reduce_every)},
            A{"random-draw", static_cast<long long>(c.random_draw ? 1 : 0)}};
}

void RunFile::flush() { h5::flush(state_->file.get()); }

void RunFile::resize(long rows, long gamma2_rows)
{
    if (rows < 1 || gamma2_rows < 0)
        throw Error("run file: cannot resize to " + std::to_string(rows) + " rows and " + std::to_string(gamma2_rows) +
                    " snapshots");
    state_->resize(rows, gamma2_rows);
}

long RunFile::rows() const { return state_->rows; }
long RunFile::gamma2_rows() const { return state_->gamma2_rows; }

std::vector<std::vector<double>> RunFile::read_rows(long first, long count) const
{
    const State& s = *state_;
    if (first < 0 || count < 0 || first + count > s.rows)
        throw Error("run file: rows [" + std::to_string(first) + ", " + std::to_string(first + count) + ") outside [0, " +
                    std::to_string(s.rows) + ")");
    std::vector<std::vector<double>> rows(static_cast<std::size_t>(count), std::vector<double>(s.columns.size()));
    std::vector<double> column(static_cast<std::size_t>(count));
    for (std::size_t c = 0; c < s.columns.size(); ++c) {
        h5::read_slab(s.timeseries[c].get(), h5::Slab{{to_hsize(first)}, {to_hsize(count)}}, column.data());
        for (std::size_t r = 0; r < rows.size(); ++r) rows[r][c] = column[r];
    }
    return rows;
}

std::vector<double> RunFile::read_gamma2_times(long count) const
{
    const State& s = *state_;
    if (count < 0 || count > s.gamma2_rows)
        throw Error("run file: " + std::to_string(count) + " snapshot times of " + std::to_string(s.gamma2_rows));
    std::vector<double> times(static_cast<std::size_t>(count));
    h5::read_slab(s.gamma2_times.get(), h5::Slab{{0}, {to_hsize(count)}}, times.data());
    return times;
}

void RunFile::commit()
{
    State& s = *state_;
    if (s.committed) return;
    // Closing explicitly, datasets before the file, reports a failed final flush as an exception.
    for (h5::Handle& column : s.timeseries) column.close();
    for (h5::Handle& column : s.errors) column.close();
    for (h5::Handle& column : s.estimates) column.close();
    s.gamma1.close();
    for (h5::Handle& set : s.samples) set.close();
    s.underresolved.close();
    s.gamma2_values.close();
    s.gamma2_times.close();
    s.file.close();
    h5::rename_into_place(s.world, s.tmp, s.path);
    s.committed = true;
}

}  // namespace dfe
