// dfe-converge: a convergence study of a dfe-run configuration in one command (docs/convergence.md).
// The configuration is run at its own resolution and again with N doubled, with the step (or the
// adaptive tolerance) halved and with the box enlarged, one run after another on the same ranks;
// each run writes dfe-run's outputs into OUT/<run>, and the study writes OUT/convergence.csv (every
// value's estimated errors) and OUT/convergence_verdicts.csv (which verdicts survive refinement).
// Like the other applications (not the library), it names MPI_COMM_WORLD.
#include "app_common.hpp"
#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/host_memory.hpp"
#include "dfe/core/root_output.hpp"
#include "dfe/ensemble/ensemble.hpp"
#include "dfe/ensemble/resources.hpp"
#include "dfe/io/samples_file.hpp"
#include "dfe/physics/hypothesis.hpp"
#include "dfe/run/convergence.hpp"
#include "dfe/run/run_record.hpp"

#include <boost/program_options.hpp>

#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_input_error = 2;

/// Option values that need checks or conversions before they enter the RunConfig.
struct RawOptions {
    std::string config_file;
    dfe_app::RawRunOptions common;
    std::string variants = "space,time,box";  ///< --variants
    std::string max_memory;                    ///< --max-memory (per rank); empty: what the node has
    long check_steps = 100;                    ///< --check-steps
};

po::options_description make_options(dfe::RunConfig& c, RawOptions& raw)
{
    po::options_description measure = dfe_app::measure_options(c, raw.common);
    dfe_app::add_samples_options(measure, c);
    po::options_description time = dfe_app::integrator_options(c);
    dfe_app::add_schedule_options(time, c);
    time.add_options()("check-steps", dfe_app::with_default(&raw.check_steps),
                       "steps between the resolution monitor's checks within an output interval (as dfe-run's)");
    po::options_description study("Study (docs/convergence.md)");
    study.add_options()
        ("out", dfe_app::with_default(&c.out), "output directory; receives convergence.csv, convergence_verdicts.csv and "
                                               "one directory of dfe-run's outputs per run (base, space, time, box)")
        ("variants", dfe_app::with_default(&raw.variants),
         "the refined runs beside the base run, a comma list: space (N doubled), time (dt halved; adaptive: --tol halved), "
         "box (box about 1.5x larger, same spacing); none: the base run only")
        ("max-memory", po::value(&raw.max_memory),
         "memory per rank each run may use (e.g. 4G); default: MemAvailable (or the cgroup's limit) shared by the ranks on "
         "the node. A study whose largest run exceeds it is refused");
    po::options_description all;
    all.add(dfe_app::general_options(raw.config_file)).add(dfe_app::grid_options(c)).add(dfe_app::physics_options(c)).add(measure)
        .add(time).add(dfe_app::parallel_options(c, raw.common)).add(dfe_app::localized_options(c, raw.common)).add(study);
    return all;
}

/// Parses argv and the config file; returns false when the study should stop (help).
bool parse(int argc, char** argv, dfe::RunConfig& config, RawOptions& raw, std::vector<std::string>& explicit_grid,
           std::vector<dfe::StudyRun>& runs, bool root)
{
    const auto options = make_options(config, raw);
    po::variables_map vm;
    const std::string about =
        "Runs the configuration (dfe-run's options) at its resolution, with N doubled, with dt halved and with the box "
        "enlarged, and estimates every value's errors and which verdicts survive refinement (docs/convergence.md).\n";
    if (!dfe_app::parse_command_line(argc, argv, options, vm, "dfe-converge", about, root, &config.petsc_options)) return false;
    if (!config.petsc_options.empty() && config.integrator != dfe::Integrator::petsc)
        throw dfe::InputError("PETSc options (" + config.petsc_options + ") apply to --integrator petsc only");
    dfe_app::apply(raw.common, config);
    if (!raw.max_memory.empty()) (void)dfe::parse_size(raw.max_memory, "--max-memory");
    if (raw.check_steps < 1) throw dfe::InputError("--check-steps must be >= 1 (got " + std::to_string(raw.check_steps) + ")");
    runs = dfe::parse_study_runs(raw.variants, "--variants");
    runs.insert(runs.begin(), dfe::StudyRun::base);
    explicit_grid = dfe_app::apply_samples(vm, config);
    dfe_app::apply_measure(vm, config);
    return true;
}

/// The study's runs, their configurations, and what the base's measure needs to be made again.
struct Plan {
    std::vector<dfe::StudyRun> runs;
    std::vector<dfe::RunConfig> configs;  ///< per run, in the order of runs
    std::size_t samples = 0;
    std::string layout_note;
};

/// The measure of `run` on its grid (Collective on world): a built-in measure made again, a samples
/// file's carried from the base grid (run/convergence.hpp).
std::unique_ptr<dfe::Measure> measure_for(const dfe::Comm& world, const dfe::RunConfig& base, dfe::StudyRun run)
{
    if (base.measure.kind != dfe::MeasureKind::file) return dfe::make_builtin_measure(base.measure, base.d);
    auto file = dfe::make_file_measure(base.measure.samples_file, dfe::read_samples_info(world, base.measure.samples_file));
    if (run != dfe::StudyRun::space && run != dfe::StudyRun::box) return file;
    return std::make_unique<dfe::CarriedMeasure>(std::move(file), base.d, base.N, base.L, run);
}

/// Memory and disk of every run against what there is (Collective on world).
void check_resources(const dfe::Comm& world, const RawOptions& raw, const Plan& plan)
{
    const dfe_app::MemoryLimit limit = dfe_app::memory_limit(world, raw.max_memory);
    const double peak = world.max(dfe::peak_rss_bytes());
    double disk = 0.0;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const dfe::RunConfig& c = plan.configs[i];
        const dfe::Schedule schedule = dfe::validate(c);
        const auto memory = dfe::largest_memory_estimate(c, schedule, world.size(), plan.samples, peak);
        try {
            dfe::require_memory(memory, limit.bytes, limit.source);
        } catch (const dfe::InputError& e) {
            throw dfe::InputError(std::string("the ") + dfe::study_run_name(plan.runs[i]) + " run (N = " + std::to_string(c.N) +
                                  "): " + e.what());
        }
        dfe::require_message_sizes(c, world.size(), plan.samples);
        disk += dfe::estimate_output(c, schedule, plan.samples).total();
    }
    dfe::ResourceEstimate output;
    output.items.push_back({"the study's runs' outputs", disk, ""});
    dfe::require_disk(output, -world.max(-dfe::free_disk_bytes(plan.configs[0].out)), plan.configs[0].out);
}

/// Validates every run's configuration, makes each run's measure and ensemble once and checks its
/// start, all before any file is created (Collective on world).
void set_up(const dfe::Comm& world, dfe::RunConfig& config, const RawOptions& raw, const std::vector<std::string>& explicit_grid,
            Plan& plan)
{
    const dfe::Schedule schedule = dfe::validate(config);
    auto measure = dfe_app::make_measure(world, config, explicit_grid);
    plan.samples = measure->size();
    plan.layout_note = dfe_app::resolve_ranks_per_sample(raw.common, config, world.size(), plan.samples);
    dfe::require_radii_inside_box(config);
    for (dfe::StudyRun run : plan.runs) {
        dfe::RunConfig c = dfe::variant_config(config, run);
        const dfe::Schedule s = dfe::validate(c);
        if (s.rows() != schedule.rows())
            throw dfe::Error(std::string("the ") + dfe::study_run_name(run) + " run has other output rows than the base run");
        plan.configs.push_back(std::move(c));
    }
    check_resources(world, raw, plan);
    const bool box = std::find(plan.runs.begin(), plan.runs.end(), dfe::StudyRun::box) != plan.runs.end();
    if (box && config.measure.kind == dfe::MeasureKind::file)
        dfe::require_paddable(world, *measure, config.d, config.N, config.L, config.boundary_tol);
    if (!config.petsc_options.empty()) DFE_PETSC(PetscOptionsInsertString(nullptr, config.petsc_options.c_str()));
    // Every run's start, refused now rather than after the runs before it (FFTW keeps the plans).
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        dfe::Ensemble ensemble(world, plan.configs[i], measure_for(world, config, plan.runs[i]));
        try {
            ensemble.require_resolved_start();
        } catch (const dfe::InputError& e) {
            throw dfe::InputError(std::string("the ") + dfe::study_run_name(plan.runs[i]) + " run: " + e.what());
        }
    }
    if (!config.petsc_options.empty()) dfe_app::require_used_petsc_options(config.petsc_options);
}

/// OUT exists (made now) and is writable, and no run's directory is a file (root only).
void check_output_paths(const dfe::RunConfig& config)
{
    const fs::path out_dir = config.out;
    dfe_app::require_writable_out(out_dir);
    for (dfe::StudyRun run : dfe::study_runs) {
        const fs::path dir = out_dir / dfe::study_run_name(run);
        if (fs::exists(dir) && !fs::is_directory(dir)) throw dfe::InputError("'" + dir.string() + "' exists and is not a directory");
    }
}

/// One run of the study, its outputs in its config's out (Collective on world).
dfe::StudyRecord run_one(const dfe::Comm& world, const dfe::RunConfig& base, const dfe::RunConfig& config, dfe::StudyRun run,
                         long check_steps)
{
    dfe::Ensemble ensemble(world, config, measure_for(world, base, run));
    const auto hypotheses = dfe::hypothesis_report(ensemble.potential(), config.R,
                                                   1e3 * dfe::natural_length_scale(ensemble.potential()));
    dfe::collectively(world, [&] {
        std::error_code ec;
        if (world.is_root() && (fs::create_directories(config.out, ec), ec))
            throw dfe::Error("creating " + config.out + ": " + ec.message());
    });
    dfe::RunRecord record(config.out, ensemble, config, ensemble.measure().provenance(), hypotheses);
    dfe::StudyRecord study;
    const dfe::RootOutput out(world);
    const double start = MPI_Wtime();
    double last_progress = start;
    (void)ensemble.run(
        [&](const dfe::EnsembleValues& v) {
            record.add(v, ensemble);
            study.rows.push_back(v.row_values());
            study.stderrs.push_back(v.stderr_row);
            study.energy0 = v.energy0;
            const double now = MPI_Wtime();
            const long total = ensemble.schedule().total_steps;
            if (now - last_progress > 10.0 && ensemble.step_count() < total) {
                out.note("    t = %-10g %5.1f%%  elapsed %.1f s\n", v.t,
                         100.0 * static_cast<double>(ensemble.step_count()) / static_cast<double>(total), now - start);
                last_progress = now;
            }
        },
        {}, check_steps);
    record.commit();
    study.verdicts = record.verdicts();
    out.print("    done in %.1f s%s\n", MPI_Wtime() - start, study.verdicts.samples_all_resolved ? "" : "; some sample became under-resolved");
    return study;
}

/// The largest |error| of each kind at the last row, for a few columns (root prints).
void print_summary(const dfe::ConvergenceStudy& study, const dfe::RunConfig& config, std::size_t rows)
{
    if (rows == 0) return;
    const dfe::ColumnSchema schema(config.R);
    std::printf("estimated errors at the last row (value minus refined value; nan: not estimated):\n%16s %12s %12s %12s\n",
                "column", "err_space", "err_time", "err_box");
    for (const char* name : {"mass", "kinetic", "energy", "V1", "d2V1", "vterm"}) {
        const std::size_t c = schema.index(name);
        std::printf("%16s %12.3g %12.3g %12.3g\n", name, study.error(dfe::StudyRun::space, rows - 1, c),
                    study.error(dfe::StudyRun::time, rows - 1, c), study.error(dfe::StudyRun::box, rows - 1, c));
    }
}

int run(int argc, char** argv)
{
    const dfe::Comm world(MPI_COMM_WORLD);
    dfe::RunConfig config;
    RawOptions raw;
    std::vector<std::string> explicit_grid;
    Plan plan;
    bool go = true;
    auto agree = [&](auto&& f) { return dfe_app::agree(world, "dfe-converge", f); };
    if (!agree([&] { go = parse(argc, argv, config, raw, explicit_grid, plan.runs, world.is_root()); })) return exit_input_error;
    if (!go) return 0;
    // Everything checked before any file is created: bad input leaves no output.
    if (!agree([&] { set_up(world, config, raw, explicit_grid, plan); })) return exit_input_error;
    if (!agree([&] {
            if (world.is_root()) check_output_paths(config);
        }))
        return exit_input_error;

    const dfe::RootOutput out(world);
    out.print("dfe-converge %s: %zu run(s) of d = %d, N = %ld, L = %g, %s, dt = %g%s, t_end = %g, %zu sample(s)\n", dfe::version,
              plan.runs.size(), config.d, config.N, config.L, std::string(dfe::name(config.integrator)).c_str(), config.dt,
              config.tol > 0 ? dfe::strf(", tol = %g", config.tol).c_str() : "", config.t_end, plan.samples);
    if (!plan.layout_note.empty()) out.print("  %s\n", plan.layout_note.c_str());
    const double start = MPI_Wtime();
    dfe::ConvergenceStudy study(config);
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const dfe::RunConfig& c = plan.configs[i];
        out.print("run %zu/%zu: %s: N = %ld, L = %g, dt = %g%s -> %s\n", i + 1, plan.runs.size(), dfe::study_run_name(plan.runs[i]),
                  c.N, c.L, c.dt, c.tol > 0 || c.integrator == dfe::Integrator::petsc ? dfe::strf(", tol = %g", c.tol).c_str() : "",
                  c.out.c_str());
        study.add(plan.runs[i], run_one(world, config, c, plan.runs[i], raw.check_steps));
    }
    if (world.is_root()) {
        const fs::path dir = config.out;
        study.write_errors_csv(dir / "convergence.csv");
        study.write_verdicts_csv(dir / "convergence_verdicts.csv");
        print_summary(study, config, static_cast<std::size_t>(dfe::validate(config).rows()));
        std::printf("verdicts against refinement (robust: the same word in every run, margin beyond the errors):\n%s",
                    study.format_checks().c_str());
        std::printf("wrote %s and %s; study time %.1f s\n", (dir / "convergence.csv").c_str(),
                    (dir / "convergence_verdicts.csv").c_str(), MPI_Wtime() - start);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return dfe_app::mpi_main(argc, argv, "dfe-converge", run); }
