// dfe-run: evolve a de Finetti ensemble by the Hartree flow and write its observables.
// This file only turns options into a dfe::RunConfig, splits nothing yet, and reports.
#include "dfe/environment.hpp"
#include "dfe/error.hpp"
#include "dfe/simulation.hpp"
#include "dfe/timeseries.hpp"
#include "dfe/version.hpp"

#include <boost/program_options.hpp>

#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_input_error = 2;

po::options_description make_options(dfe::RunConfig& c, std::string& config_file)
{
    po::options_description general("General");
    general.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("config", po::value(&config_file), "INI file with any of the options below as `name = value`; "
                                            "options on the command line take precedence");
    po::options_description grid("Grid (box [-L/2, L/2)^d, periodic, N points per dimension)");
    grid.add_options()
        ("d", po::value(&c.d)->default_value(c.d), "dimension: 1, 2 or 3")
        ("N", po::value(&c.N)->default_value(c.N), "grid points per dimension (even, >= 4; every rank of a sample needs >= 1 slab plane)")
        ("L", po::value(&c.L)->default_value(c.L), "box length, in length units");
    po::options_description physics("Equation i d_t phi + Laplacian phi = mu (V * |phi|^2) phi  (hbar = 1, 2m = 1)");
    physics.add_options()
        ("mu", po::value(&c.mu)->default_value(c.mu), "-1 focusing, +1 defocusing")
        ("potential", po::value(&c.potential.name)->default_value(c.potential.name), "V: none | gaussian (lambda exp(-|x|^2/(2 s^2)))")
        ("lambda", po::value(&c.potential.lambda)->default_value(c.potential.lambda), "potential strength lambda")
        ("s", po::value(&c.potential.s)->default_value(c.potential.s), "gaussian potential width s, in length units")
        ("sigma", po::value(&c.sigma)->default_value(c.sigma), "width of the initial state (pi sigma^2)^(-d/4) exp(-|x|^2/(2 sigma^2)), in length units");
    po::options_description time("Time integration (time in length units squared)");
    time.add_options()
        ("integrator", po::value(&c.integrator)->default_value(c.integrator), "strang (2nd order) | order4 (Yoshida composition of Strang steps)")
        ("dt", po::value(&c.dt)->default_value(c.dt), "time step")
        ("t-end", po::value(&c.t_end)->default_value(c.t_end), "final time (a multiple of dt)")
        ("output-dt", po::value(&c.output_dt)->default_value(c.output_dt), "interval between output rows (a multiple of dt)")
        ("fftw-planner", po::value(&c.fftw_planner)->default_value(c.fftw_planner), "FFTW planner effort: estimate | measure | patient");
    po::options_description output("Output");
    output.add_options()
        ("out", po::value(&c.out)->default_value(c.out), "output directory; receives timeseries.csv");
    po::options_description all;
    all.add(general).add(grid).add(physics).add(time).add(output);
    return all;
}

/// Parses argv and the config file into `config`; returns false when the run should stop (help).
bool parse(int argc, char** argv, dfe::RunConfig& config, bool root)
{
    std::string config_file;
    const auto options = make_options(config, config_file);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        if (vm.count("help")) {
            if (root) std::cout << "Usage: dfe-run [options]\n" << options << '\n';
            return false;
        }
        if (vm.count("version")) {
            if (root) std::cout << "dfe-run " << dfe::version << " (" << dfe::git_revision << ")\n";
            return false;
        }
        if (vm.count("config")) {
            const auto file = vm["config"].as<std::string>();
            std::ifstream in(file);
            if (!in) throw dfe::InputError("cannot read config file '" + file + "'");
            try {
                po::store(po::parse_config_file(in, options), vm);
            } catch (const po::error& e) {
                throw dfe::InputError("config file '" + file + "': " + e.what());
            }
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw dfe::InputError(e.what());
    }
    return true;
}

/// Runs `f` on every rank; if any rank throws InputError, the lowest such rank prints its message
/// and every rank gets false, so that all ranks leave together instead of hanging in a collective.
template <class F>
bool agree(const dfe::Comm& world, F&& f)
{
    std::optional<std::string> message;
    try {
        f();
    } catch (const dfe::InputError& e) {
        message = e.what();
    }
    int mine = message ? world.rank() : world.size();
    int first = world.size();
    DFE_MPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, world.get()));
    if (first == world.size()) return true;
    if (first == world.rank()) std::fprintf(stderr, "dfe-run: error: %s\n", message->c_str());
    return false;
}

void print_table(const std::vector<std::vector<double>>& rows, const std::vector<std::string>& columns)
{
    std::string line;
    for (const auto& c : columns) {
        char cell[32];
        std::snprintf(cell, sizeof cell, "%16s", c.c_str());
        line += cell;
    }
    std::printf("%s\n", line.c_str());
    for (const auto& row : rows) {
        line.clear();
        for (double v : row) {
            char cell[32];
            std::snprintf(cell, sizeof cell, "%16.9g", v);
            line += cell;
        }
        std::printf("%s\n", line.c_str());
    }
}

int run(int argc, char** argv)
{
    const dfe::Comm world(MPI_COMM_WORLD);
    dfe::RunConfig config;
    bool go = true;
    if (!agree(world, [&] { go = parse(argc, argv, config, world.is_root()); })) return exit_input_error;
    if (!go) return 0;

    // Validate and build everything before any file is created: bad input leaves no output.
    std::optional<dfe::Simulation> sim;
    if (!agree(world, [&] { sim.emplace(world, config); })) return exit_input_error;
    const fs::path out_dir = config.out;
    if (!agree(world, [&] {
            if (!world.is_root()) return;
            std::error_code ec;
            fs::create_directories(out_dir, ec);
            if (ec || !fs::is_directory(out_dir))
                throw dfe::InputError("--out '" + out_dir.string() + "' is not a writable directory" +
                                      (ec ? ": " + ec.message() : ""));
        }))
        return exit_input_error;

    const auto& grid = sim->grid();
    if (world.is_root())
        std::printf("dfe-run %s: d = %d, N = %ld, L = %g, mu = %g, potential %s (lambda %g, s %g), %s, dt = %g, "
                    "t_end = %g, %d rank(s)\n",
                    dfe::version, grid.d(), static_cast<long>(grid.N()), grid.L(), config.mu,
                    config.potential.name.c_str(), config.potential.lambda, config.potential.s,
                    config.integrator.c_str(), config.dt, config.t_end, world.size());

    std::vector<std::string> columns{"t"};
    for (auto name : dfe::sample_columns) columns.emplace_back(name);
    dfe::TimeSeriesWriter writer(world, out_dir / "timeseries.csv", columns);
    std::vector<std::vector<double>> rows;

    const double start = MPI_Wtime();
    double output_seconds = 0.0;
    double last_progress = start;
    sim->run([&](long step, double t, const dfe::SampleObservables& o) {
        const double t0 = MPI_Wtime();
        std::vector<double> row{t};
        for (double v : o.values()) row.push_back(v);
        writer.write_row(row);
        rows.push_back(row);
        const double now = MPI_Wtime();
        output_seconds += now - t0;
        if (world.is_root() && now - last_progress > 2.0 && step < sim->schedule().total_steps) {
            const double done = static_cast<double>(step) / static_cast<double>(sim->schedule().total_steps);
            std::fprintf(stderr, "  t = %-10g %5.1f%%  elapsed %.1f s  remaining ~%.0f s\n", t, 100.0 * done,
                         now - start, (now - start) * (1.0 - done) / done);
            last_progress = now;
        }
    });
    writer.commit();
    const double total = MPI_Wtime() - start;

    if (world.is_root()) {
        print_table(rows, columns);
        std::printf("wrote %s\n", (out_dir / "timeseries.csv").c_str());
        std::printf("time: total %.3f s = evolution %.3f s + observables %.3f s + output %.3f s; %.3f ms/step\n",
                    total, sim->evolution_seconds(), sim->observable_seconds(), output_seconds,
                    sim->schedule().total_steps > 0 ? 1e3 * sim->evolution_seconds() / static_cast<double>(sim->schedule().total_steps) : 0.0);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    dfe::Environment environment(argc, argv);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        int rank = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        std::fprintf(stderr, "dfe-run: error on rank %d: %s\n", rank, e.what());
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return 1;
}
