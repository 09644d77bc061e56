#include "dfe/io/run_file.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/backend/hdf5.hpp"
#include "dfe/version.hpp"

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
    // MPI-IO refuses to close while objects in it are open), and the temporary file is removed last,
    // once nothing writes to it any more.
    std::optional<TemporaryFile> tmp;  ///< removed on rank 0 unless the run file was committed
    Comm world;  ///< for the rename on rank 0 once every rank has closed the file
    fs::path path;
    h5::Handle file;
    std::vector<h5::Handle> timeseries;
    h5::Handle gamma1, gamma2_values, gamma2_times, underresolved;
    std::vector<h5::Handle> samples;  ///< one per sample_series

    std::vector<std::string> columns;
    long rows = 0;
    long gamma2_rows = 0;
    hsize_t gamma2_points = 0;      ///< n^d
    h5::Slab gamma1_slab;           ///< this rank's slab of one γ^(1) row (row axis at 0); empty off group 0
    h5::Slab sample_slab;           ///< this group's columns of one sample row; empty off group roots
    std::size_t local_points = 0;
    std::size_t group_samples = 0;
    bool committed = false;
};

RunFile::RunFile(const std::filesystem::path& path, const GroupLayout& layout, const Grid& grid,
                 std::vector<std::string> columns, long rows, std::span<const double> weights, long gamma2_n,
                 long gamma2_rows, const std::vector<Attribute>& attributes)
    : state_(std::make_unique<State>())
{
    check_size("weights", weights.size(), layout.samples());
    if (rows < 0 || gamma2_n < 0 || gamma2_rows < 0)
        throw Error("run file: negative size (rows " + std::to_string(rows) + ", gamma2 n " +
                    std::to_string(gamma2_n) + ", gamma2 rows " + std::to_string(gamma2_rows) + ")");
    if (gamma2_n > 0 && grid.N() % gamma2_n != 0)
        throw Error("run file: the observation grid n = " + std::to_string(gamma2_n) + " does not divide N = " +
                    std::to_string(grid.N()));

    State& s = *state_;
    s.world = layout.world().dup();
    s.path = path;
    s.tmp.emplace(path, s.world.is_root());
    s.columns = std::move(columns);
    s.rows = rows;
    s.gamma2_rows = gamma2_rows;
    s.local_points = static_cast<std::size_t>(grid.local_points());
    s.group_samples = layout.count();

    const int d = grid.d();
    const hsize_t N = to_hsize(grid.N());
    const hsize_t M = weights.size();
    const hsize_t R = to_hsize(rows);
    const hsize_t n = to_hsize(gamma2_n);
    s.gamma2_points = 1;
    for (int a = 0; a < d; ++a) s.gamma2_points *= n;

    // Every group holds the same γ^(1); group 0 alone writes it, each rank its slab rows.
    if (layout.group_index() == 0) {
        const Axis& a0 = grid.physical().axes[0];
        s.gamma1_slab = h5::Slab{{0, to_hsize(a0.start)}, {1, to_hsize(a0.n)}};
        for (int a = 1; a < d; ++a) {
            s.gamma1_slab.start.push_back(0);
            s.gamma1_slab.count.push_back(N);
        }
    }
    // The ranks of a group share their samples' values; the group's rank 0 writes them.
    if (layout.group().is_root()) s.sample_slab = h5::Slab{{0, layout.first()}, {1, layout.count()}};

    s.file = h5::create_file(s.world, s.tmp->path());
    const hid_t file = s.file.get();
    for (const Attribute& a : attributes)
        std::visit([&](const auto& value) { h5::write_attribute(file, a.name, value); }, a.value);

    const h5::Handle weight_set = h5::create_dataset(file, "weights", std::array{M});
    h5::write_slab(weight_set.get(), s.world.is_root() ? h5::Slab{{0}, {M}} : h5::Slab{}, weights.data());

    const h5::Handle timeseries = h5::create_group(file, "timeseries");
    h5::write_attribute(timeseries.get(), "columns", joined(s.columns));
    for (const std::string& column : s.columns)
        s.timeseries.push_back(h5::create_dataset(timeseries.get(), column, std::array{R}));

    std::vector<hsize_t> gamma1_dims(1 + static_cast<std::size_t>(d), N);
    gamma1_dims[0] = R;
    s.gamma1 = h5::create_dataset(file, "gamma1", gamma1_dims);

    const h5::Handle samples = h5::create_group(file, "samples");
    for (auto name : sample_series) s.samples.push_back(h5::create_dataset(samples.get(), std::string(name), std::array{R, M}));
    s.underresolved = h5::create_dataset(samples.get(), "underresolved_time", std::array{M});

    const h5::Handle gamma2 = h5::create_group(file, "gamma2");
    const hsize_t T2 = to_hsize(gamma2_rows);
    s.gamma2_values = h5::create_dataset(gamma2.get(), "values", std::array{T2, s.gamma2_points, s.gamma2_points});
    s.gamma2_times = h5::create_dataset(gamma2.get(), "times", std::array{T2});
    // The observation grid subsamples the grid (gamma2.hpp): x_m = −L/2 + m·L/n is grid point m·N/n,
    // stored as the grid computes it so that it matches the simulation's coordinates bit for bit.
    std::vector<double> x(static_cast<std::size_t>(gamma2_n));
    for (std::size_t m = 0; m < x.size(); ++m)
        x[m] = grid.coordinate(static_cast<std::ptrdiff_t>(m) * (grid.N() / gamma2_n));
    const h5::Handle x_set = h5::create_dataset(gamma2.get(), "x", std::array{n});
    h5::write_slab(x_set.get(), s.world.is_root() ? h5::Slab{{0}, {n}} : h5::Slab{}, x.data());
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
            A{"eigensolver", c.eigensolver}};
}

void RunFile::commit()
{
    State& s = *state_;
    if (s.committed) return;
    // Closing explicitly, datasets before the file, reports a failed final flush as an exception.
    for (h5::Handle& column : s.timeseries) column.close();
    s.gamma1.close();
    for (h5::Handle& set : s.samples) set.close();
    s.underresolved.close();
    s.gamma2_values.close();
    s.gamma2_times.close();
    s.file.close();
    h5::rename_into_place(s.world, s.tmp->path(), s.path);
    s.tmp->release();
    s.committed = true;
}

}  // namespace dfe
