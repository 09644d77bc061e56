#include "dfe/run/checkpoint.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/ensemble/ensemble.hpp"
#include "dfe/io/samples_file_h5.hpp"

#include "dfe/core/error.hpp"
#include "dfe/backend/hdf5.hpp"
#include "dfe/version.hpp"

#include <array>
#include <optional>
#include <sstream>
#include <system_error>

namespace dfe {

namespace fs = std::filesystem;

namespace {

hsize_t to_hsize(long n) { return static_cast<hsize_t>(n); }

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
    return out;
}

std::vector<std::string> split(const std::string& text, char sep)
{
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, sep)) out.push_back(item);
    return out;
}

/// The global shape of γ^(1) history rows: (rows, N, …).
std::vector<hsize_t> field_dims(long rows, const Grid& grid)
{
    std::vector<hsize_t> dims(1 + static_cast<std::size_t>(grid.d()), to_hsize(grid.N()));
    dims[0] = to_hsize(rows);
    return dims;
}

/// This rank's slab of one γ^(1) row (group 0 only).
h5::Slab gamma1_slab(long row, const GroupLayout& layout, const Grid& grid)
{
    if (layout.group_index() != 0) return {};
    const Axis& a0 = grid.physical().axes[0];
    h5::Slab slab{{to_hsize(row), to_hsize(a0.start)}, {1, to_hsize(a0.n)}};
    for (int a = 1; a < grid.d(); ++a) {
        slab.start.push_back(0);
        slab.count.push_back(to_hsize(grid.N()));
    }
    return slab;
}

void write_file(const fs::path& tmp, Ensemble& ensemble, const std::string& parameters,
                const std::vector<std::string>& columns, const RunHistory& history)
{
    const GroupLayout& layout = ensemble.layout();
    const Grid& grid = ensemble.grid();
    const Comm& world = layout.world();
    h5::Handle file = h5::create_file(world, tmp);
    const hid_t f = file.get();
    const auto fields = ensemble.fields();
    std::vector<const cplx*> constant(fields.begin(), fields.end());
    write_samples(f, layout, grid, ensemble.measure().weights(), constant);

    const Ensemble::State st = ensemble.state();
    h5::write_attribute(f, "format", std::string(checkpoint_format));
    h5::write_attribute(f, "version", std::string(version));
    h5::write_attribute(f, "git_revision", std::string(git_revision));
    h5::write_attribute(f, "measure", ensemble.measure().provenance());
    h5::write_attribute(f, "parameters", parameters);
    h5::write_attribute(f, "step", static_cast<long long>(st.step));
    h5::write_attribute(f, "next_row", static_cast<long long>(st.next_row));
    h5::write_attribute(f, "t", ensemble.time());
    h5::write_attribute(f, "energy0", st.energy0);
    h5::write_attribute(f, "V1_0", st.V1_0);
    h5::write_attribute(f, "dV1_0", st.dV1_0);
    h5::write_attribute(f, "radial_defect0", st.radial_defect0);

    h5::Handle group = h5::create_group(f, "history");
    const long rows = static_cast<long>(history.rows.size());
    const hsize_t C = columns.size();
    {
        h5::Handle ts = h5::create_dataset(group.get(), "timeseries", std::array{to_hsize(rows), C});
        h5::write_attribute(ts.get(), "columns", joined(columns));
        for (long r = 0; r < rows; ++r) {
            const auto& row = history.rows[static_cast<std::size_t>(r)];
            if (row.size() != C) throw Error("checkpoint: a history row has the wrong number of columns");
            h5::write_slab(ts.get(), world.is_root() ? h5::Slab{{to_hsize(r), 0}, {1, C}} : h5::Slab{}, row.data());
        }
    }
    {
        h5::Handle g1 = h5::create_dataset(group.get(), "gamma1", field_dims(rows, grid));
        for (long r = 0; r < rows; ++r) {
            const h5::Slab slab = gamma1_slab(r, layout, grid);
            h5::write_slab(g1.get(), slab, slab.elements() ? history.gamma1.at(static_cast<std::size_t>(r)).data() : nullptr);
        }
    }
    const hsize_t M = layout.samples();
    const bool writes = layout.group().is_root();
    for (std::size_t k = 0; k < sample_series.size(); ++k) {
        const auto& values = history.samples[k];
        h5::Handle set = h5::create_dataset(group.get(), std::string(sample_series[k]), std::array{to_hsize(rows), M});
        for (long r = 0; r < rows; ++r) {
            const h5::Slab slab = writes ? h5::Slab{{to_hsize(r), layout.first()}, {1, layout.count()}} : h5::Slab{};
            h5::write_slab(set.get(), slab, writes ? values.at(static_cast<std::size_t>(r)).data() : nullptr);
        }
    }
    {
        h5::Handle state = h5::create_group(f, "state");
        const Ensemble::SampleState ss = ensemble.sample_state();
        const std::array<std::pair<const char*, const std::vector<double>*>, 2> sets{
            {{"h", &ss.h}, {"underresolved_t", &ss.underresolved_t}}};
        for (const auto& [name, values] : sets) {
            h5::Handle set = h5::create_dataset(state.get(), name, std::array{M});
            h5::write_slab(set.get(), writes ? h5::Slab{{layout.first()}, {layout.count()}} : h5::Slab{}, values->data());
        }
    }
    {
        const auto snapshots = static_cast<long>(history.gamma2.size());
        const long P = ensemble.gamma2().points();
        h5::Handle values = h5::create_dataset(group.get(), "gamma2_values", std::array{to_hsize(snapshots), to_hsize(P), to_hsize(P)});
        h5::Handle times = h5::create_dataset(group.get(), "gamma2_times", std::array{to_hsize(snapshots)});
        for (long k = 0; k < snapshots; ++k) {
            const auto& s = history.gamma2[static_cast<std::size_t>(k)];
            h5::write_slab(values.get(), h5::Slab{{to_hsize(k), to_hsize(s.row_start), 0}, {1, to_hsize(s.row_count), to_hsize(P)}},
                           s.values.data());
            h5::write_slab(times.get(), world.is_root() ? h5::Slab{{to_hsize(k)}, {1}} : h5::Slab{}, &s.t);
        }
        values.close();
        times.close();
    }
    group.close();
    file.close();
}

}  // namespace

void write_checkpoint(const fs::path& path, Ensemble& ensemble, const std::string& parameters,
                      const std::vector<std::string>& columns, const RunHistory& history)
{
    // Whichever rank sees a failure, no partial file may survive: every rank removes (idempotent).
    TemporaryFile tmp(path);
    write_file(tmp.path(), ensemble, parameters, columns, history);
    h5::rename_into_place(ensemble.layout().world(), tmp.path(), path);
    tmp.release();
}

CheckpointInfo read_checkpoint_info(const Comm& comm, const fs::path& path)
{
    const std::string where = "checkpoint '" + path.string() + "'";
    CheckpointInfo info;
    std::vector<double> numbers;
    std::string text;
    collectively(comm, [&] {
        if (!comm.is_root()) return;
        if (!fs::exists(path)) throw InputError(where + " does not exist");
        h5::Handle file = h5::open_file(path);
        if (!file) throw InputError(where + " is not a complete HDF5 file (truncated or corrupt)");
        const hid_t f = file.get();
        auto string_attribute = [&](const char* name) {
            if (!h5::has_attribute(f, name)) throw InputError(where + " has no attribute '" + name + "': not a dfe checkpoint");
            try {
                return h5::read_string_attribute(f, name);
            } catch (const Error&) {
                throw InputError(where + ": attribute '" + name + "' is not a string");
            }
        };
        auto number_attribute = [&](const char* name) {
            if (!h5::has_attribute(f, name)) throw InputError(where + " has no attribute '" + name + "'");
            return h5::read_double_attribute(f, name);
        };
        if (string_attribute("format") != checkpoint_format)
            throw InputError(where + " has format '" + string_attribute("format") + "', expected '" + checkpoint_format + "'");
        // Strings travel as one text, '\x1f'-separated (none of them contains that character).
        text = string_attribute("version") + '\x1f' + string_attribute("git_revision") + '\x1f' +
               string_attribute("measure") + '\x1f' + string_attribute("parameters");
        for (const char* name : {"step", "next_row", "energy0", "V1_0", "dV1_0", "radial_defect0"})
            numbers.push_back(number_attribute(name));
        // rank 0: any rank of at least 2.
        const auto check = [&](const char* name, std::size_t rank) {
            if (h5::object_type(f, name) != H5I_DATASET) throw InputError(where + " has no dataset " + name);
            h5::Handle set = h5::open_dataset(f, name);
            const auto d = h5::describe_dataset(set.get());
            if (d.type_class != H5T_FLOAT || d.type_size != 8 || (rank ? d.dims.size() != rank : d.dims.size() < 2))
                throw InputError(where + ": " + name + " is not a float64 array of the right rank");
            return d.dims;
        };
        const auto ts = check("/history/timeseries", 2);
        h5::Handle ts_set = h5::open_dataset(f, "/history/timeseries");
        if (!h5::has_attribute(ts_set.get(), "columns")) throw InputError(where + ": /history/timeseries has no columns");
        text += '\x1f' + h5::read_string_attribute(ts_set.get(), "columns");
        numbers.push_back(static_cast<double>(ts[0]));
        numbers.push_back(static_cast<double>(ts[1]));
        const auto g2 = check("/history/gamma2_values", 3);
        numbers.push_back(static_cast<double>(g2[0]));
        numbers.push_back(static_cast<double>(g2[1]));
        check("/history/gamma2_times", 1);
        for (auto name : sample_series) check(("/history/" + std::string(name)).c_str(), 2);
        for (const char* name : {"/state/h", "/state/underresolved_t"}) check(name, 1);
        const auto g1 = check("/history/gamma1", 0);
        if (g1.empty() || g1[0] != ts[0]) throw InputError(where + ": /history/gamma1 does not match the time series");
    });
    // Everything the root read, to every rank.
    std::array<double, 10> header{};
    if (comm.is_root())
        for (std::size_t i = 0; i < header.size(); ++i) header[i] = numbers[i];
    comm.broadcast(header);
    std::vector<double> length{static_cast<double>(text.size())};
    comm.broadcast(length);
    text.resize(static_cast<std::size_t>(length[0]));
    DFE_MPI(MPI_Bcast(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, comm.get()));
    const auto parts = split(text, '\x1f');
    if (parts.size() != 5) throw Error("checkpoint: malformed header broadcast");
    info.version = parts[0];
    info.git_revision = parts[1];
    info.measure = parts[2];
    info.parameters = parts[3];
    info.columns = split(parts[4], ',');
    info.state.step = static_cast<long>(header[0]);
    info.state.next_row = static_cast<long>(header[1]);
    info.state.energy0 = header[2];
    info.state.V1_0 = header[3];
    info.state.dV1_0 = header[4];
    info.state.radial_defect0 = header[5];
    info.rows = static_cast<long>(header[6]);
    info.gamma2_snapshots = static_cast<long>(header[8]);
    info.gamma2_points = static_cast<long>(header[9]);
    if (static_cast<std::size_t>(header[7]) != info.columns.size())
        throw InputError("checkpoint '" + path.string() + "': /history/timeseries has " + std::to_string(static_cast<long>(header[7])) +
                         " columns but names " + std::to_string(info.columns.size()));
    if (info.rows != info.state.next_row)
        throw InputError("checkpoint '" + path.string() + "': " + std::to_string(info.rows) + " history rows for next row " +
                         std::to_string(info.state.next_row));
    // The fields: the samples-file reader validates attributes, weights and shapes.
    info.samples = read_samples_info(comm, path);
    return info;
}

RunHistory read_history(const fs::path& path, const CheckpointInfo& info, const GroupLayout& layout, const Grid& grid)
{
    RunHistory h;
    const Comm& world = layout.world();
    h5::Handle file = h5::open_file(world, path);
    if (!file) throw InputError("checkpoint '" + path.string() + "' cannot be opened");
    const hid_t f = file.get();
    const hsize_t C = info.columns.size();
    {
        h5::Handle ts = h5::open_dataset(f, "/history/timeseries");
        for (long r = 0; r < info.rows; ++r) {
            std::vector<double> row(C);
            h5::read_slab(ts.get(), h5::Slab{{to_hsize(r), 0}, {1, C}}, row.data());
            h.rows.push_back(std::move(row));
        }
    }
    {
        h5::Handle g1 = h5::open_dataset(f, "/history/gamma1");
        const auto local = static_cast<std::size_t>(grid.local_points());
        for (long r = 0; r < info.rows; ++r) {
            const h5::Slab slab = gamma1_slab(r, layout, grid);  // empty off group 0, which alone writes γ^(1)
            std::vector<double> values(slab.elements() ? local : 0, 0.0);
            h5::read_slab(g1.get(), slab, values.data());
            h.gamma1.push_back(std::move(values));
        }
    }
    for (std::size_t k = 0; k < sample_series.size(); ++k) {
        auto& values = h.samples[k];
        h5::Handle set = h5::open_dataset(f, "/history/" + std::string(sample_series[k]));
        for (long r = 0; r < info.rows; ++r) {
            std::vector<double> block(layout.count());
            h5::read_slab(set.get(), h5::Slab{{to_hsize(r), layout.first()}, {1, layout.count()}}, block.data());
            values.push_back(std::move(block));
        }
    }
    {
        h5::Handle values = h5::open_dataset(f, "/history/gamma2_values");
        h5::Handle times = h5::open_dataset(f, "/history/gamma2_times");
        const auto P = to_hsize(info.gamma2_points);
        for (long k = 0; k < info.gamma2_snapshots; ++k) {
            // Rank 0 carries whole snapshots; it replays them as its rows.
            RunHistory::Snapshot s;
            const bool root = world.is_root();
            s.row_start = 0;
            s.row_count = root ? info.gamma2_points : 0;
            s.values.resize(root ? P * P : 0);
            h5::read_slab(values.get(), root ? h5::Slab{{to_hsize(k), 0, 0}, {1, P, P}} : h5::Slab{}, s.values.data());
            h5::read_slab(times.get(), h5::Slab{{to_hsize(k)}, {1}}, &s.t);
            h.gamma2.push_back(std::move(s));
        }
    }
    return h;
}

Ensemble::SampleState read_sample_state(const fs::path& path, const GroupLayout& layout)
{
    h5::Handle file = h5::open_file(layout.world(), path);
    if (!file) throw InputError("checkpoint '" + path.string() + "' cannot be opened");
    Ensemble::SampleState s;
    for (auto [name, values] : {std::pair{"/state/h", &s.h}, std::pair{"/state/underresolved_t", &s.underresolved_t}}) {
        h5::Handle set = h5::open_dataset(file.get(), name);
        if (h5::describe_dataset(set.get()).dims != std::vector<hsize_t>{layout.samples()})
            throw InputError("checkpoint '" + path.string() + "': " + name + " does not have one value per sample");
        values->resize(layout.count());
        h5::read_slab(set.get(), h5::Slab{{layout.first()}, {layout.count()}}, values->data());
    }
    return s;
}

void require_same_parameters(const std::string& stored, const std::string& current, const fs::path& path)
{
    const auto a = split(stored, '\n');
    const auto b = split(current, '\n');
    auto value_of = [](const std::vector<std::string>& lines, const std::string& name) -> std::optional<std::string> {
        for (const auto& line : lines)
            if (line.compare(0, name.size() + 3, name + " = ") == 0) return line.substr(name.size() + 3);
        return std::nullopt;
    };
    for (const auto& line : b) {
        const auto eq = line.find(" = ");
        if (eq == std::string::npos) continue;
        const std::string name = line.substr(0, eq);
        const auto old = value_of(a, name);
        const std::string now = line.substr(eq + 3);
        if (!old)
            throw InputError("checkpoint '" + path.string() + "' does not record " + name + " (made by another version?)");
        if (*old != now)
            throw InputError("checkpoint '" + path.string() + "' does not match this run: " + name + " = " + *old +
                             " in the checkpoint, " + now + " now");
    }
    if (a.size() != b.size())
        throw InputError("checkpoint '" + path.string() + "' records other parameters than this run (made by another version?)");
}

}  // namespace dfe
