#include "dfe/run/checkpoint.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/ensemble/ensemble.hpp"
#include "dfe/io/samples_file_h5.hpp"
#include "dfe/spectral/wisdom.hpp"

#include "dfe/core/error.hpp"
#include "dfe/backend/hdf5.hpp"
#include "dfe/version.hpp"

#include <array>
#include <limits>
#include <optional>
#include <sstream>
#include <system_error>
#include <tuple>

namespace dfe {

namespace fs = std::filesystem;

namespace {

hsize_t to_hsize(long n) { return static_cast<hsize_t>(n); }

std::vector<std::string> split(const std::string& text, char sep)
{
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, sep)) out.push_back(item);
    return out;
}

void write_file(const fs::path& tmp, Ensemble& ensemble, const std::string& parameters, const RecordPosition& record)
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
    h5::write_attribute(f, "run_id", record.run_id);
    h5::write_attribute(f, "record", record.directory.string());
    h5::write_attribute(f, "rows", static_cast<long long>(record.rows));
    h5::write_attribute(f, "gamma2_snapshots", static_cast<long long>(record.gamma2_snapshots));
    h5::write_attribute(f, "ranks", static_cast<long long>(world.size()));
    h5::write_attribute(f, "ranks_per_sample", static_cast<long long>(layout.ranks_per_sample()));

    const hsize_t M = layout.samples();
    const bool writes = layout.group().is_root();
    {
        h5::Handle state = h5::create_group(f, "state");
        const Ensemble::SampleState ss = ensemble.sample_state();
        const std::array<std::pair<const char*, const std::vector<double>*>, 5> sets{
            {{"h", &ss.h}, {"underresolved_t", &ss.underresolved_t}, {"energy0", &ss.energy0}, {"V1_0", &ss.V1_0},
             {"dV1_0", &ss.dV1_0}}};
        for (const auto& [name, values] : sets) {
            h5::Handle set = h5::create_dataset(state.get(), name, std::array{M});
            h5::write_slab(set.get(), writes ? h5::Slab{{layout.first()}, {layout.count()}} : h5::Slab{}, values->data());
        }
    }
    {
        // Each rank's wisdom in its own entry: a restart on the same layout makes every plan as this
        // part of the run made it.
        const std::string wisdom = export_wisdom();
        const auto width = static_cast<std::size_t>(world.max(static_cast<double>(wisdom.size())));
        h5::Handle set = h5::create_string_dataset(f, "wisdom", to_hsize(world.size()), std::max<std::size_t>(width, 1));
        h5::write_strings(set.get(), h5::Slab{{to_hsize(world.rank())}, {1}}, {wisdom});
    }
    file.close();
}

}  // namespace

void write_checkpoint(const fs::path& path, Ensemble& ensemble, const std::string& parameters, const RecordPosition& record)
{
    const fs::path tmp = temporary_path(path);
    write_file(tmp, ensemble, parameters, record);
    h5::rename_into_place(ensemble.layout().world(), tmp, path);
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
        const std::string format = string_attribute("format");
        if (format == "dfe-checkpoint 2")
            throw InputError(where + " was written by an earlier dfe-run (format 'dfe-checkpoint 2', with the history "
                                     "inside); continue it with that version, or start the run anew");
        if (format != checkpoint_format)
            throw InputError(where + " has format '" + format + "', expected '" + checkpoint_format + "'");
        // Strings travel as one text, '\x1f'-separated (none of them contains that character).
        text = string_attribute("version") + '\x1f' + string_attribute("git_revision") + '\x1f' +
               string_attribute("measure") + '\x1f' + string_attribute("parameters") + '\x1f' +
               string_attribute("run_id") + '\x1f' + string_attribute("record");
        for (const char* name : {"step", "next_row", "energy0", "V1_0", "dV1_0", "radial_defect0", "rows",
                                 "gamma2_snapshots", "t", "ranks", "ranks_per_sample"})
            numbers.push_back(number_attribute(name));
        for (const char* name : {"/state/h", "/state/underresolved_t"}) {
            if (h5::object_type(f, name) != H5I_DATASET) throw InputError(where + " has no dataset " + name);
            h5::Handle set = h5::open_dataset(f, name);
            const auto d = h5::describe_dataset(set.get());
            if (d.type_class != H5T_FLOAT || d.type_size != 8 || d.dims.size() != 1)
                throw InputError(where + ": " + name + " is not a float64 array of one axis");
        }
        if (h5::object_type(f, "/wisdom") != H5I_DATASET) throw InputError(where + " has no dataset /wisdom");
    });
    // Everything the root read, to every rank.
    std::array<double, 11> header{};
    if (comm.is_root())
        for (std::size_t i = 0; i < header.size(); ++i) header[i] = numbers[i];
    comm.broadcast(header);
    std::vector<double> length{static_cast<double>(text.size())};
    comm.broadcast(length);
    text.resize(static_cast<std::size_t>(length[0]));
    DFE_MPI(MPI_Bcast(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, comm.get()));
    const auto parts = split(text, '\x1f');
    if (parts.size() != 6) throw Error("checkpoint: malformed header broadcast");
    info.version = parts[0];
    info.git_revision = parts[1];
    info.measure = parts[2];
    info.parameters = parts[3];
    info.record.run_id = parts[4];
    info.record.directory = parts[5];
    info.state.step = static_cast<long>(header[0]);
    info.state.next_row = static_cast<long>(header[1]);
    info.state.energy0 = header[2];
    info.state.V1_0 = header[3];
    info.state.dV1_0 = header[4];
    info.state.radial_defect0 = header[5];
    info.record.rows = static_cast<long>(header[6]);
    info.record.gamma2_snapshots = static_cast<long>(header[7]);
    info.t = header[8];
    info.ranks = static_cast<long>(header[9]);
    info.ranks_per_sample = static_cast<long>(header[10]);
    if (info.record.rows != info.state.next_row || info.state.next_row < 1 || info.record.gamma2_snapshots < 0)
        throw InputError(where + ": " + std::to_string(info.record.rows) + " rows written for next row " +
                         std::to_string(info.state.next_row));
    // The fields: the samples-file reader validates attributes, weights and shapes.
    info.samples = read_samples_info(comm, path);
    return info;
}

std::string read_wisdom(const Comm& comm, const fs::path& path, int rank)
{
    h5::Handle file = h5::open_file(comm, path);
    if (!file) throw InputError("checkpoint '" + path.string() + "' cannot be opened");
    h5::Handle set = h5::open_dataset(file.get(), "wisdom");
    const auto ranks = static_cast<int>(h5::describe_dataset(set.get()).dims.at(0));
    const bool has = rank >= 0 && rank < ranks;
    const auto words = h5::read_strings(set.get(), has ? h5::Slab{{to_hsize(rank)}, {1}} : h5::Slab{});
    return has && !words.empty() ? words.front() : std::string();
}

Ensemble::SampleState read_sample_state(const fs::path& path, const GroupLayout& layout)
{
    h5::Handle file = h5::open_file(layout.world(), path);
    if (!file) throw InputError("checkpoint '" + path.string() + "' cannot be opened");
    Ensemble::SampleState s;
    // The per-sample t = 0 values may be missing (checkpoints written before they were stored): the
    // sampling error of margin_R and glassey_T is then NaN after the restart.
    const std::array<std::tuple<const char*, std::vector<double>*, bool>, 5> sets{
        {{"/state/h", &s.h, false}, {"/state/underresolved_t", &s.underresolved_t, false},
         {"/state/energy0", &s.energy0, true}, {"/state/V1_0", &s.V1_0, true}, {"/state/dV1_0", &s.dV1_0, true}}};
    for (const auto& [name, values, optional] : sets) {
        if (optional && h5::object_type(file.get(), name) != H5I_DATASET) {
            values->assign(layout.count(), std::numeric_limits<double>::quiet_NaN());
            continue;
        }
        h5::Handle set = h5::open_dataset(file.get(), name);
        if (h5::describe_dataset(set.get()).dims != std::vector<hsize_t>{layout.samples()})
            throw InputError("checkpoint '" + path.string() + "': " + name + " does not have one value per sample");
        values->resize(layout.count());
        h5::read_slab(set.get(), h5::Slab{{layout.first()}, {layout.count()}}, values->data());
    }
    return s;
}

void require_same_parameters(const std::string& stored, const std::string& current, const fs::path& path,
                             const std::vector<std::string>& may_differ)
{
    const auto skip = [&](const std::string& line) {
        for (const auto& name : may_differ)
            if (line.compare(0, name.size() + 3, name + " = ") == 0) return true;
        return false;
    };
    std::vector<std::string> a, b;
    for (const auto& line : split(stored, '\n'))
        if (!skip(line)) a.push_back(line);
    for (const auto& line : split(current, '\n'))
        if (!skip(line)) b.push_back(line);
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
