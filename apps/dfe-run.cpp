// dfe-run: evolve a de Finetti ensemble by the Hartree flow and write its observables.
// This file turns options into a dfe::RunConfig and a measure, runs the ensemble, writes its outputs
// and reports. Like the other applications (not the library), it names MPI_COMM_WORLD.
#include "app_common.hpp"
#include "dfe/run/checkpoint.hpp"
#include "dfe/ensemble/ensemble.hpp"
#include "dfe/core/atomic_file.hpp"
#include "dfe/core/environment.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/host_memory.hpp"
#include "dfe/ensemble/resources.hpp"
#include "dfe/core/root_output.hpp"
#include "dfe/core/timer.hpp"
#include "dfe/core/error.hpp"
#include "dfe/physics/hypothesis.hpp"
#include "dfe/physics/radial_ground_state.hpp"
#include "dfe/io/run_file.hpp"
#include "dfe/run/run_record.hpp"
#include "dfe/io/samples_file.hpp"
#include "dfe/spectral/wisdom.hpp"
#include "dfe/core/signals.hpp"
#include "dfe/io/timeseries.hpp"
#include "dfe/run/verdicts.hpp"
#include "dfe/version.hpp"

#include <boost/program_options.hpp>

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_input_error = 2;
/// Stopped by SIGUSR1 or SIGTERM after writing a checkpoint: resume with --restart.
constexpr int exit_checkpointed = 3;
/// Stopped because a sample became under-resolved (--on-underresolved stop): outputs complete up to
/// there, and a checkpoint to continue from with another --on-underresolved.
constexpr int exit_underresolved = 4;

/// Option values that need checks or conversions before they enter the RunConfig.
struct RawOptions {
    std::string config_file;
    dfe_app::RawRunOptions common;
    std::string checkpoint;       ///< --checkpoint; default DIR/checkpoint.h5
    double checkpoint_every = 0;  ///< --checkpoint-every (simulated time; 0: on signals only)
    std::string restart;          ///< --restart
    std::string wisdom;           ///< --fftw-wisdom
    long check_steps = 100;       ///< --check-steps
    std::string max_memory;       ///< --max-memory (per rank); empty: what the node has
};

po::options_description make_options(dfe::RunConfig& c, RawOptions& raw)
{
    po::options_description measure = dfe_app::measure_options(c, raw.common);
    dfe_app::add_samples_options(measure, c);
    measure.add_options()("write-samples", po::value(&c.write_samples), "write the initial measure to this HDF5 samples file");
    po::options_description time = dfe_app::integrator_options(c);
    dfe_app::add_schedule_options(time, c);
    po::options_description output("Output");
    output.add_options()
        ("out", dfe_app::with_default(&c.out), "output directory; receives timeseries.csv, run.h5, timing.csv (and verdicts.csv with --R)")
        ("max-memory", po::value(&raw.max_memory),
         "memory per rank the run may use (e.g. 512M, 4G, 1.5G, or bytes); default: MemAvailable (or the cgroup's "
         "limit, if lower) shared by the ranks on the node. A run whose estimate exceeds it is refused");
    po::options_description checkpoints("Checkpoints (on SIGUSR1 or SIGTERM the run checkpoints and exits with code 3)");
    checkpoints.add_options()
        ("checkpoint", po::value(&raw.checkpoint), "checkpoint file (default: OUT/checkpoint.h5), written to FILE.tmp and renamed")
        ("checkpoint-every", dfe_app::with_default(&raw.checkpoint_every),
         "simulated time between checkpoints, a multiple of --output-dt; 0: only on signals")
        ("restart", po::value(&raw.restart), "continue the run of this checkpoint; give the run's other options again "
                                             "(physics options must match the checkpoint; --t-end may grow; --out, --ranks-per-sample, "
                                             "--fftw-planner, --on-underresolved may change); the run's record in --out is continued")
        ("fftw-wisdom", po::value(&raw.wisdom), "FFTW wisdom file: read before planning when it exists (runs that read the same "
                                                "file make the same plans and agree bit for bit), written after planning when not")
        ("check-steps", dfe_app::with_default(&raw.check_steps),
         "steps between checks for a stop signal (the run stops within this many steps per sample of a rank)");
    po::options_description all;
    all.add(dfe_app::general_options(raw.config_file)).add(dfe_app::grid_options(c)).add(dfe_app::physics_options(c)).add(measure).add(time)
        .add(dfe_app::parallel_options(c, raw.common)).add(dfe_app::localized_options(c, raw.common)).add(output).add(checkpoints);
    return all;
}

/// Parses argv and the config file into `config`; returns false when the run should stop (help).
/// `explicit_grid` receives the names among d, N, L that the user set (they must match a samples file).
bool parse(int argc, char** argv, dfe::RunConfig& config, RawOptions& raw, std::vector<std::string>& explicit_grid, bool root)
{
    const auto options = make_options(config, raw);
    po::variables_map vm;
    if (!dfe_app::parse_command_line(argc, argv, options, vm, "dfe-run", "", root, &config.petsc_options)) return false;
    if (!config.petsc_options.empty() && config.integrator != dfe::Integrator::petsc)
        throw dfe::InputError("PETSc options (" + config.petsc_options + ") apply to --integrator petsc only");
    dfe_app::apply(raw.common, config);
    if (!std::isfinite(raw.checkpoint_every) || raw.checkpoint_every < 0)
        throw dfe::InputError("--checkpoint-every must be >= 0 (got " + std::to_string(raw.checkpoint_every) + ")");
    if (!raw.max_memory.empty()) (void)dfe::parse_size(raw.max_memory, "--max-memory");
    if (raw.check_steps < 1) throw dfe::InputError("--check-steps must be >= 1 (got " + std::to_string(raw.check_steps) + ")");
    if (raw.checkpoint.empty()) raw.checkpoint = (fs::path(config.out) / "checkpoint.h5").string();
    explicit_grid = dfe_app::apply_samples(vm, config);
    dfe_app::apply_measure(vm, config);
    return true;
}

/// The parameters a checkpoint must agree on, as "name = value" lines: every run attribute except
/// the build (checked on its own) and what may change between runs (ranks, layout, planner).
std::string checkpoint_parameters(const std::vector<dfe::Attribute>& attributes)
{
    std::string out;
    for (const auto& a : attributes) {
        if (a.name == "version" || a.name == "git_revision" || a.name == "ranks" || a.name == "ranks-per-sample" ||
            a.name == "fftw-planner" || a.name == "on-underresolved")
            continue;
        std::visit(
            [&](const auto& v) {
                using V = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<V, double>) out += a.name + " = " + dfe::digits17(v) + "\n";
                else if constexpr (std::is_same_v<V, long long>) out += a.name + " = " + std::to_string(v) + "\n";
                else out += a.name + " = " + v + "\n";
            },
            a.value);
    }
    return out;
}

/// DIR/timing.csv: one header line and one row of the run's timing figures (root only; tmp + rename).
void write_timing(const fs::path& path, const std::vector<std::pair<std::string, double>>& values)
{
    dfe::write_text_file(path, [&](std::ostream& out) {
        for (std::size_t i = 0; i < values.size(); ++i) out << (i ? "," : "") << values[i].first;
        out << '\n';
        for (std::size_t i = 0; i < values.size(); ++i) out << (i ? "," : "") << dfe::strf("%.9g", values[i].second);
        out << '\n';
    });
}

/// Runs `f` on every rank and agrees on its input errors (app_common.hpp).
template <class F>
bool agree(const dfe::Comm& world, F&& f)
{
    return dfe_app::agree(world, "dfe-run", std::forward<F>(f));
}

/// Prints the columns `show` of `rows` (at most about 12 rows, evenly spaced, always the last).
void print_table(const std::vector<std::vector<double>>& rows, const std::vector<std::string>& columns,
                 const std::vector<std::string>& show)
{
    std::vector<std::size_t> index;
    for (const auto& name : show)
        index.push_back(static_cast<std::size_t>(std::find(columns.begin(), columns.end(), name) - columns.begin()));
    const std::size_t every = std::max<std::size_t>(1, (rows.size() + 10) / 11);
    std::string line;
    for (const auto& c : show) {
        char cell[32];
        std::snprintf(cell, sizeof cell, "%16s", c.c_str());
        line += cell;
    }
    std::printf("%s\n", line.c_str());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (r % every != 0 && r + 1 != rows.size()) continue;
        line.clear();
        for (std::size_t i : index) {
            char cell[32];
            std::snprintf(cell, sizeof cell, "%16.9g", rows[r][i]);
            line += cell;
        }
        std::printf("%s\n", line.c_str());
    }
}

/// The samples' under-resolution times and the adaptive steps, on stdout (Collective on the world).
void report_resolution(const dfe::Ensemble& ensemble, const dfe::RunConfig& config)
{
    const auto& layout = ensemble.layout();
    const dfe::Comm& world = layout.world();
    // Every sample's time, −1 for never, gathered by an elementwise max (times are >= 0).
    std::vector<double> times(layout.samples(), -1.0);
    const auto& local = ensemble.underresolved_times();
    for (std::size_t j = 0; j < local.size(); ++j)
        if (!std::isnan(local[j])) times[layout.first() + j] = local[j];
    DFE_MPI(MPI_Allreduce(MPI_IN_PLACE, times.data(), static_cast<int>(times.size()), MPI_DOUBLE, MPI_MAX, world.get()));
    const dfe::StepStats& s = ensemble.step_stats();
    // Each group's ranks hold the same counts: group roots add theirs.
    const bool root = layout.group().is_root();
    std::vector<double> counts{root ? static_cast<double>(s.accepted) : 0.0, root ? static_cast<double>(s.rejected) : 0.0};
    world.sum_in_place(counts);
    const double smallest = -world.max(-s.min_step);
    if (!world.is_root()) return;
    std::size_t marked = 0, first = 0;
    for (std::size_t j = 0; j < times.size(); ++j)
        if (times[j] >= 0.0 && (marked++ == 0 || times[j] < times[first])) first = j;
    if (marked == 0) {
        std::printf("resolution: no sample under-resolved (spectral tail <= %g and boundary mass <= %g at every check)\n",
                    config.tail_tol, config.boundary_tol);
    } else {
        std::printf("resolution: %zu of %zu sample(s) under-resolved; the first, sample %zu, at t = %.6g:", marked, times.size(),
                    first, times[first]);
        for (std::size_t j = 0, shown = 0; j < times.size() && shown < 16; ++j)
            if (times[j] >= 0.0) std::printf("%s j = %zu: t = %.6g", shown++ ? "," : "", j, times[j]);
        std::printf("%s\n", marked > 16 ? ", ..." : "");
    }
    if (ensemble.adaptive())
        std::printf("adaptive steps: %.0f accepted, %.0f rejected over all samples; smallest step taken %.3g "
                    "(counting steps shortened to land on check and output times)\n",
                    counts[0], counts[1], smallest);
}

/// What set_up() builds before any file is created.
struct Setup {
    std::optional<dfe::Ensemble> ensemble;
    std::optional<dfe::CheckpointInfo> resume;  ///< --restart's checkpoint
    dfe::RecordPosition keep;                    ///< with --restart: the rows and snapshots of the record kept
    std::string provenance, parameters;          ///< the measure's provenance; the checkpoint parameters
    long checkpoint_rows = 0;                    ///< output rows between checkpoints (0: on signals only)
    bool write_wisdom = false;                   ///< --fftw-wisdom names a file that does not exist yet
    dfe::ResourceEstimate memory, output;        ///< the largest rank's memory and the output files, estimated
    double available = 0.0;                      ///< memory per rank (--max-memory, or the node's share; 0: unknown)
    std::string available_source;
    std::string layout_note;                     ///< what --ranks-per-sample auto chose ("" for a number)
};

/// The value of `name` in a checkpoint's "name = value" parameter lines.
std::string parameter_value(const std::string& parameters, const std::string& name)
{
    const std::string key = "\n" + name + " = ";
    const std::string text = "\n" + parameters;
    const auto at = text.find(key);
    if (at == std::string::npos) return {};
    const auto begin = at + key.size();
    return text.substr(begin, text.find('\n', begin) - begin);
}

/**
 * A restart's rows to keep. A run continued to a later --t-end (the checkpoint's run ended earlier)
 * must equal a run made to the later time in one go: its checkpoint must sit at a regular output row,
 * and when that row forms γ^(2) in one run but not the other (`last` in --gamma2-times), it is
 * observed again from the checkpoint's fields, which are that row's.
 */
void plan_continuation(const dfe::RunConfig& config, const std::string& checkpoint, Setup& s)
{
    auto& info = *s.resume;
    s.keep = info.record;
    const dfe::Schedule now = dfe::validate(config);
    const double stored_end = std::stod(parameter_value(info.parameters, "t-end"));
    if (config.t_end < info.t - 1e-12 * std::max(1.0, info.t))
        throw dfe::InputError("checkpoint '" + checkpoint + "' is at t = " + dfe::shortest(info.t) + ", after --t-end " +
                              dfe::shortest(config.t_end) + ": give a --t-end of at least " + dfe::shortest(info.t));
    if (dfe::digits17(stored_end) == dfe::digits17(config.t_end)) return;
    dfe::RunConfig before = config;
    before.t_end = stored_end;
    const dfe::Schedule then = dfe::validate(before);
    const long row = info.state.next_row - 1;
    if (info.state.step != row * now.steps_per_output)
        throw dfe::InputError("checkpoint '" + checkpoint + "' is at t = " + dfe::shortest(info.t) + ", the end of a run whose "
                              "--t-end was not a multiple of --output-dt: a longer run has no row there; continue from an "
                              "earlier checkpoint");
    const auto old_rows = dfe::gamma2_rows(before, then);
    const auto new_rows = dfe::gamma2_rows(config, now);
    auto has = [&](const std::vector<long>& rows) { return std::find(rows.begin(), rows.end(), row) != rows.end(); };
    if (has(old_rows) != has(new_rows)) {
        info.state.next_row = row;
        s.keep.rows = row;
        s.keep.gamma2_snapshots = static_cast<long>(std::count_if(old_rows.begin(), old_rows.end(), [&](long r) { return r < row; }));
    }
}

/// FFTW wisdom before planning: --fftw-wisdom's file, then the checkpoint's own (Collective on world).
void import_wisdom(const dfe::Comm& world, const RawOptions& raw, Setup& s)
{
    if (!raw.wisdom.empty()) {
        std::string text;
        const bool exists = world.all(!world.is_root() || fs::exists(raw.wisdom));
        if (exists && world.is_root()) {
            std::ifstream in(raw.wisdom);
            text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        std::vector<double> length{static_cast<double>(text.size())};
        world.broadcast(length);
        text.resize(static_cast<std::size_t>(length[0]));
        DFE_MPI(MPI_Bcast(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, world.get()));
        if (!world.all(dfe::import_wisdom(text)))
            throw dfe::InputError("--fftw-wisdom '" + raw.wisdom + "' is not FFTW wisdom (remove it to make a new one)");
        s.write_wisdom = !exists;
    }
    // A restart on as many ranks as the checkpoint's run makes every plan as that run made it.
    if (s.resume && s.resume->ranks == world.size()) {
        const std::string own = dfe::read_wisdom(world, raw.restart, world.rank());
        if (!world.all(dfe::import_wisdom(own))) throw dfe::InputError("checkpoint '" + raw.restart + "': unreadable FFTW wisdom");
    }
}

/// The memory and disk the run needs, against what there is: refused with one line when it does not
/// fit (Collective on world; before anything big is allocated and before any file is created).
void check_resources(const dfe::Comm& world, const dfe::RunConfig& config, const RawOptions& raw,
                     const dfe::Schedule& schedule, std::size_t samples, Setup& s)
{
    s.memory = dfe::largest_memory_estimate(config, schedule, world.size(), samples, world.max(dfe::peak_rss_bytes()));
    s.output = dfe::estimate_output(config, schedule, samples);
    const dfe_app::MemoryLimit limit = dfe_app::memory_limit(world, raw.max_memory);
    s.available = limit.bytes;
    s.available_source = limit.source;
    dfe::require_memory(s.memory, s.available, s.available_source);
    dfe::require_message_sizes(config, world.size(), samples);
    // The smallest figure over the ranks, so that every rank reaches the same verdict.
    dfe::require_disk(s.output, -world.max(-dfe::free_disk_bytes(config.out)), config.out);
}

/// Validates, makes the measure (or reads the checkpoint) and builds the ensemble (Collective on world).
void set_up(const dfe::Comm& world, dfe::RunConfig& config, const RawOptions& raw,
            const std::vector<std::string>& explicit_grid, Setup& s)
{
    const dfe::Schedule schedule = dfe::validate(config);  // every rank reaches the same verdict
    if (raw.checkpoint_every > 0) {
        const double ratio = raw.checkpoint_every / config.output_dt;
        s.checkpoint_rows = std::lround(ratio);
        if (s.checkpoint_rows < 1 || std::abs(ratio - static_cast<double>(s.checkpoint_rows)) > 1e-9 * ratio)
            throw dfe::InputError("--checkpoint-every must be a whole multiple of --output-dt");
    }
    auto measure = dfe_app::make_measure(world, config, explicit_grid);
    s.layout_note = dfe_app::resolve_ranks_per_sample(raw.common, config, world.size(), measure->size());
    dfe::require_radii_inside_box(config);  // the box is known now (a samples file fixes L)
    s.provenance = measure->provenance();
    s.parameters = checkpoint_parameters(
        dfe::run_attributes(config, world.size(), measure->size(), dfe::gamma2_points(config), s.provenance));
    if (!raw.restart.empty()) {
        s.resume = dfe::read_checkpoint_info(world, raw.restart);
        if (s.resume->version != dfe::version || s.resume->git_revision != dfe::git_revision)
            throw dfe::InputError("checkpoint '" + raw.restart + "' was made by dfe-run " + s.resume->version + " (" +
                                  s.resume->git_revision + "), this is " + dfe::version + " (" + dfe::git_revision + ")");
        // --t-end may grow: the run goes on to the later time.
        dfe::require_same_parameters(s.resume->parameters, s.parameters, raw.restart, {"t-end"});
        plan_continuation(config, raw.restart, s);
        dfe::collectively(world, [&] {
            if (world.is_root()) dfe::require_record(config.out, s.resume->record.directory);
        });
        // The fields at the checkpoint replace the initial measure (same weights, same size).
        measure = dfe::make_file_measure(raw.restart, s.resume->samples);
    }
    check_resources(world, config, raw, schedule, measure->size(), s);
    import_wisdom(world, raw, s);
    // -ts_* options go into PETSc's options database before the integrator reads it.
    if (!config.petsc_options.empty()) DFE_PETSC(PetscOptionsInsertString(nullptr, config.petsc_options.c_str()));
    s.ensemble.emplace(world, config, std::move(measure));
    if (!s.resume) s.ensemble->require_resolved_start();  // the measure fits the box and the grid
    if (!config.petsc_options.empty()) dfe_app::require_used_petsc_options(config.petsc_options);

    if (s.resume) {
        s.ensemble->restore(s.resume->state);
        s.ensemble->restore(dfe::read_sample_state(raw.restart, s.ensemble->layout()));
    }
}

/// Every output path is writable, and --out exists (root only; found now, not hours later).
void check_output_paths(const dfe::RunConfig& config, const RawOptions& raw)
{
    const fs::path out_dir = config.out;
    if (!config.write_samples.empty()) {
        const fs::path target = fs::absolute(config.write_samples);
        if (!fs::is_directory(target.parent_path()) || access(target.parent_path().c_str(), W_OK) != 0)
            throw dfe::InputError("--write-samples '" + config.write_samples + "': its directory does not exist or is not writable");
    }
    // Found now, not at the first checkpoint hours later, and before anything is created.
    const fs::path checkpoint_dir = fs::absolute(raw.checkpoint).parent_path();
    if (checkpoint_dir != fs::absolute(out_dir) &&
        (!fs::is_directory(checkpoint_dir) || access(checkpoint_dir.c_str(), W_OK) != 0))
        throw dfe::InputError("--checkpoint '" + raw.checkpoint + "': its directory does not exist or is not writable");
    dfe_app::require_writable_out(out_dir);
}

/// The run's header on stdout, the hypothesis report and the layers of ψ_R (root only).
void print_header(const dfe::RunConfig& config, const dfe::Ensemble& ensemble, const dfe::HypothesisReport& hypotheses,
                  int ranks, const Setup& setup)
{
    const auto& grid = ensemble.grid();
    const auto& layout = ensemble.layout();
    std::printf("dfe-run %s: d = %d, N = %ld, L = %g, mu = %g, potential %s, %s, dt = %g, "
                "t_end = %g\n  measure: %s\n  %d rank(s) in %d group(s) of %d, %zu sample(s)\n",
                dfe::version, grid.d(), static_cast<long>(grid.N()), grid.L(), config.mu,
                ensemble.potential().describe().c_str(), std::string(dfe::name(config.integrator)).c_str(), config.dt,
                config.t_end, ensemble.measure().provenance().c_str(), ranks, layout.groups(), layout.ranks_per_sample(),
                layout.samples());
    if (!setup.layout_note.empty()) std::printf("  %s\n", setup.layout_note.c_str());
    if (ensemble.adaptive()) std::printf("  integrator: %s\n", ensemble.adaptive()->describe().c_str());
    if (config.measure.kind == dfe::MeasureKind::pseudo_conformal) {
        // The sample is normalized on the grid; how far that is from the continuous mass 1 says how
        // well the grid holds S(0) (docs/physics.md §10).
        const double T = config.measure.blowup_time;
        const double mass = dfe::pseudo_conformal_grid_mass(T, grid.N(), grid.L());
        const auto& cc = dfe::critical_coupling_power2();
        std::printf("  pseudo-conformal collapse: lambda set to lambda_c = %.12f (error %.1e); blows up at T = %g; "
                    "grid mass of S(0) before normalization %.15g, normalization factor 1 %+.3e\n",
                    cc.lambda_c, cc.error, T, mass, 1.0 / std::sqrt(mass) - 1.0);
    } else if (dfe::has_collapse_component(config.measure)) {
        const auto& cc = dfe::critical_coupling_power2();
        std::printf("  pseudo-conformal collapse component(s): lambda set to lambda_c = %.12f (error %.1e)\n", cc.lambda_c,
                    cc.error);
    }
    std::printf("  memory: estimate %s per rank (%s); %s available per rank\n  output: estimate %s (%s)\n",
                dfe::format_bytes(setup.memory.total()).c_str(), setup.memory.largest().c_str(),
                setup.available > 0 ? dfe::format_bytes(setup.available).c_str() : "unknown",
                dfe::format_bytes(setup.output.total()).c_str(), setup.output.largest().c_str());
    std::printf("  %s%s\n", ensemble.reduction_plan().describe().c_str(),
                config.reduce_every > 1 ? dfe::strf(", at every %ld-th output row", config.reduce_every).c_str() : "");
    std::printf("  resolution monitor: a sample is under-resolved once its spectral tail beyond 2/3 of Nyquist exceeds %g "
                "or its mass within %d grid spacings of the box's faces exceeds %g; then: %s\n",
                config.tail_tol, dfe::boundary_layer_spacings, config.boundary_tol,
                std::string(dfe::name(config.on_underresolved)).c_str());
    std::printf("%s", dfe::format_hypothesis_report(hypotheses).c_str());
    if (config.R.empty()) return;
    const dfe::Cutoff cutoff(config.cutoff_order, config.cutoff_width);
    std::printf("  cutoff psi_R: profile order k = %d, half-width h = %g; transition layer of psi_R in grid spacings:",
                config.cutoff_order, config.cutoff_width);
    // One decimal as usual; %g's exponent for the huge widths of a huge R (no 150-digit numbers).
    auto spacings = [&](double R) {
        const double v = cutoff.layer_spacings(R, grid.dx());
        return v < 1e5 ? dfe::strf("%.1f", v) : dfe::strf("%.3g", v);
    };
    for (double R : config.R) std::printf(" R = %g: %s", R, spacings(R).c_str());
    std::printf("\n");
    for (double R : config.R)
        if (cutoff.layer_spacings(R, grid.dx()) < dfe::min_layer_spacings)
            std::fprintf(stderr, "dfe-run: warning: R = %g: psi_R's transition layer is %s grid spacings wide "
                                 "(< %g); its localized terms are under-resolved (increase N or R)\n",
                         R, spacings(R).c_str(), dfe::min_layer_spacings);
}

/// Evolves to t_end: every output row into the record, checkpoints every `checkpoint_rows` rows,
/// progress on stderr, a stop at a signal (Collective on the world). `output_seconds` accumulates
/// the time spent writing.
dfe::RunEnd evolve(dfe::Ensemble& ensemble, dfe::RunRecord& record, const RawOptions& raw, const Setup& setup,
                   double start, double& output_seconds)
{
    const dfe::Comm& world = ensemble.layout().world();
    const dfe::RootOutput out(world);
    double last_progress = MPI_Wtime();
    return ensemble.run(
        [&](const dfe::EnsembleValues& v) {
            const dfe::ScopedTimer timer(output_seconds);
            record.add(v, ensemble);
            // Periodic checkpoints, and one at the end: a finished run can be continued to a later --t-end.
            if (setup.checkpoint_rows > 0 && v.row > 0 &&
                (v.row % setup.checkpoint_rows == 0 || v.row + 1 == ensemble.schedule().rows())) {
                dfe::write_checkpoint(raw.checkpoint, ensemble, setup.parameters, record.position());
                out.note("  checkpoint at t = %g written to %s\n", v.t, raw.checkpoint.c_str());
            }
            const double now = MPI_Wtime();
            const long total_steps = ensemble.schedule().total_steps;
            if (out.active() && now - last_progress > 2.0 && ensemble.step_count() < total_steps) {
                const double done = static_cast<double>(ensemble.step_count()) / static_cast<double>(total_steps);
                out.note("  t = %-10g %5.1f%%  elapsed %.1f s  remaining ~%.0f s\n", v.t, 100.0 * done, now - start,
                         (now - start) * (1.0 - done) / done);
                last_progress = now;
            }
        },
        [&] { return world.max(static_cast<double>(dfe::StopSignals::received())) > 0.0; }, raw.check_steps);
}

/// The tables, the verdicts, timing.csv and the time line (Collective on the world: the slowest rank's
/// figures are the run's; the root prints and writes).
void report(const dfe::Ensemble& ensemble, const dfe::RunRecord& record, const dfe::RunConfig& config, double total,
            double output_seconds, double memory_estimate)
{
    const auto& layout = ensemble.layout();
    const dfe::Comm& world = layout.world();
    const double evolution = world.max(ensemble.evolution_seconds());
    const double observables = world.max(ensemble.observable_seconds());
    const double reductions = world.max(ensemble.reduction_seconds());
    const double wait = world.max(ensemble.wait_seconds());
    const double output = world.max(output_seconds);
    const double peak = world.max(dfe::peak_rss_bytes());
    if (!world.is_root()) return;
    const fs::path out_dir = config.out;
    const auto rows = record.digest().rows();
    const auto& columns = record.columns();
    print_table(rows, columns, {"t", "mass", "energy", "V1", "d2V1", "vterm", "purity", "lambda_max", "fact_defect"});
    if (!config.R.empty()) {
        std::vector<std::string> show{"t", "energy", "vterm"};
        for (double R : config.R) show.push_back(dfe::localized_column(dfe::margin_column_spec.name, R));
        print_table(rows, columns, show);
        std::printf("%s", dfe::format_verdicts(record.verdicts()).c_str());
    }
    std::printf("wrote %s and %s%s\n", (out_dir / "timeseries.csv").c_str(), (out_dir / "run.h5").c_str(),
                config.R.empty() ? "" : (" and " + (out_dir / "verdicts.csv").string()).c_str());
    if (config.random_draw)
        std::printf("wrote the sampling error of every row to %s and the drawn-from measure's estimates to %s\n",
                    (out_dir / "timeseries_stderr.csv").c_str(), (out_dir / "timeseries_estimate.csv").c_str());
    const long steps = ensemble.schedule().total_steps;
    const double per_step =
        steps > 0 ? 1e3 * evolution / static_cast<double>(steps) / static_cast<double>(layout.count(0)) : 0.0;
    const auto& grid = ensemble.grid();
    write_timing(out_dir / "timing.csv", {{"ranks", world.size()}, {"ranks_per_sample", layout.ranks_per_sample()},
                                         {"groups", static_cast<double>(layout.groups())}, {"samples", static_cast<double>(layout.samples())},
                                         {"d", grid.d()}, {"N", static_cast<double>(grid.N())}, {"steps", static_cast<double>(steps)},
                                         {"total_s", total}, {"evolution_s", evolution}, {"observables_s", observables},
                                         {"reductions_s", reductions}, {"wait_s", wait}, {"output_s", output},
                                         {"ms_per_step_per_sample", per_step}, {"peak_rss_bytes", peak},
                                         {"memory_estimate_bytes", memory_estimate}});
    // The slowest rank's time in each phase; they need not add up to the total exactly.
    std::printf("time: total %.3f s: evolution %.3f s, per-sample observables %.3f s, ensemble reductions "
                "%.3f s (%.1f%% of the run), waiting for other ranks %.3f s, output %.3f s; "
                "%.3f ms per step per sample\n",
                total, evolution, observables, reductions, total > 0 ? 100.0 * reductions / total : 0.0, wait, output,
                per_step);
    std::printf("memory: peak %s per rank (estimate %s)\n", dfe::format_bytes(peak).c_str(),
                dfe::format_bytes(memory_estimate).c_str());
}

/// --write-samples, then the run record; a restart first writes the checkpoint's rows again, as the
/// run first wrote them (Collective on the world).
void open_record(std::optional<dfe::RunRecord>& record, const dfe::RunConfig& config, const RawOptions& raw,
                 Setup& setup, const dfe::HypothesisReport& hypotheses)
{
    dfe::Ensemble& ensemble = *setup.ensemble;
    const auto& layout = ensemble.layout();
    const dfe::RootOutput out(layout.world());
    if (!config.write_samples.empty()) {
        dfe::write_samples_file(config.write_samples, layout, ensemble.grid(), ensemble.measure().weights(),
                                ensemble.fields());
        out.print("wrote %s\n", config.write_samples.c_str());
    }
    if (!setup.resume) {
        record.emplace(config.out, ensemble, config, setup.provenance, hypotheses);
        return;
    }
    record.emplace(config.out, ensemble, config, setup.provenance, hypotheses, *setup.resume, setup.keep);
    out.print("  restarted from %s at t = %g (step %ld); continuing the record in %s after its first %ld rows\n",
              raw.restart.c_str(), ensemble.time(), ensemble.step_count(), config.out.c_str(), setup.keep.rows);
}

int run(int argc, char** argv)
{
    // From the start: a stop signal during set-up stops the run after its first chunk of steps.
    const dfe::StopSignals signals;
    const dfe::Comm world(MPI_COMM_WORLD);
    dfe::RunConfig config;
    std::vector<std::string> explicit_grid;
    bool go = true;
    RawOptions raw;
    if (!agree(world, [&] { go = parse(argc, argv, config, raw, explicit_grid, world.is_root()); })) return exit_input_error;
    if (!go) return 0;

    // Validate and build everything before any file is created: bad input leaves no output.
    Setup setup;
    if (!agree(world, [&] { set_up(world, config, raw, explicit_grid, setup); })) return exit_input_error;
    if (!agree(world, [&] {
            if (world.is_root()) check_output_paths(config, raw);
        }))
        return exit_input_error;
    if (setup.write_wisdom) {
        // The plans this run made, for runs that should make the same ones (tmp + rename on the root).
        const std::string merged = dfe::gather_wisdom(world);
        if (world.is_root()) dfe::write_text_file(raw.wisdom, [&](std::ostream& out) { out << merged; });
    }
    dfe::Ensemble& ensemble = *setup.ensemble;
    // The hypotheses of Theorem 1.2 for this potential and these radii (docs/physics.md §8); the same on
    // every rank (serial and deterministic).
    const auto hypotheses = dfe::hypothesis_report(ensemble.potential(), config.R,
                                                   1e3 * dfe::natural_length_scale(ensemble.potential()));
    if (world.is_root()) print_header(config, ensemble, hypotheses, world.size(), setup);

    double output_seconds = 0.0;
    const double start = MPI_Wtime();
    std::optional<dfe::RunRecord> record;
    {
        const dfe::ScopedTimer timer(output_seconds);
        if (!agree(world, [&] { open_record(record, config, raw, setup, hypotheses); })) return exit_input_error;
    }
    auto checkpoint = [&] { dfe::write_checkpoint(raw.checkpoint, ensemble, setup.parameters, record->position()); };
    const dfe::RunEnd end = evolve(ensemble, *record, raw, setup, start, output_seconds);
    if (end == dfe::RunEnd::stopped) {
        // Stopped by a signal at a chunk boundary: the same state on every rank. timeseries.csv and
        // run.h5 keep their temporary names, complete up to the last row; --restart continues them.
        checkpoint();
        dfe::RootOutput(world).note("dfe-run: stopped by signal %s at t = %g (step %ld of %ld); checkpoint written to %s; "
                                    "resume with --restart %s (exit code %d)\n",
                                    dfe::StopSignals::name(dfe::StopSignals::received()), ensemble.time(),
                                    ensemble.step_count(), ensemble.schedule().total_steps, raw.checkpoint.c_str(),
                                    raw.checkpoint.c_str(), exit_checkpointed);
        return exit_checkpointed;
    }
    if (end == dfe::RunEnd::underresolved) checkpoint();
    {
        const dfe::ScopedTimer timer(output_seconds);
        record->commit();
    }
    report_resolution(ensemble, config);
    report(ensemble, *record, config, MPI_Wtime() - start, output_seconds, setup.memory.total());
    if (end == dfe::RunEnd::underresolved) {
        dfe::RootOutput(world).note("dfe-run: stopped at t = %g: a sample is under-resolved (--on-underresolved stop); outputs "
                                 "hold the rows up to there; checkpoint written to %s (continue with --restart %s "
                                 "--on-underresolved freeze|continue) (exit code %d)\n",
                         ensemble.time(), raw.checkpoint.c_str(), raw.checkpoint.c_str(), exit_underresolved);
        return exit_underresolved;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return dfe_app::mpi_main(argc, argv, "dfe-run", run); }
