#pragma once
// What the applications share: the option groups of a RunConfig (dfe-run and dfe-bench), parsing the
// command line and a --config INI file, and agreeing on input errors over the ranks.
#include "dfe/core/root_output.hpp"
#include "dfe/core/comm.hpp"
#include "dfe/core/environment.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/host_memory.hpp"
#include "dfe/backend/petsc.hpp"
#include "dfe/config/run_config.hpp"
#include "dfe/ensemble/measure.hpp"
#include "dfe/io/samples_file.hpp"
#include "dfe/version.hpp"
#ifdef DFE_HAVE_VULKAN
#include "dfe/gpu/batch_stepper.hpp"
#endif

#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

namespace dfe_app {

namespace po = boost::program_options;

/// Option values that need checks or conversions before they enter a RunConfig (see apply()).
struct RawRunOptions {
    long long seed = 1;
    std::string radii;
    std::string ranks_per_sample = "auto";  ///< --ranks-per-sample: auto or a number (resolve_ranks_per_sample)
};

/**
 * @brief po::value(v) with *v as its default, shown in --help as a person would type it: the
 * shortest decimal that reads back as the double (0.7, 1e-06), not lexical_cast's 17 digits.
 */
template <class T>
po::typed_value<T>* with_default(T* v)
{
    if constexpr (std::is_floating_point_v<T>)
        return po::value(v)->default_value(*v, dfe::shortest(static_cast<double>(*v)));
    else
        return po::value(v)->default_value(*v);
}

/// --help, --version and --config FILE (read by parse_command_line).
inline po::options_description general_options(std::string& config_file)
{
    po::options_description general("General");
    general.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("config", po::value(&config_file), "INI file with any of the options below as `name = value`; "
                                            "options on the command line take precedence");
    return general;
}

inline po::options_description grid_options(dfe::RunConfig& c)
{
    po::options_description grid("Grid (box [-L/2, L/2)^d, periodic, N points per dimension)");
    grid.add_options()
        ("d", with_default(&c.d), "dimension: 1, 2 or 3")
        ("N", with_default(&c.N), "grid points per dimension (even, >= 4; every rank of a sample needs >= 1 slab plane)")
        ("L", with_default(&c.L), "box length, in length units");
    return grid;
}

/**
 * @brief An option whose value is one of an enum's spellings (config/params.hpp): parsed once, when
 * the options are notified, into `*target`; a bad spelling is an InputError naming the option.
 */
template <class E>
po::typed_value<std::string>* choice(E* target, E (*parse)(std::string_view))
{
    return po::value<std::string>()
        ->default_value(std::string(dfe::name(*target)))
        ->notifier([target, parse](const std::string& text) { *target = parse(text); });
}


inline po::options_description physics_options(dfe::RunConfig& c)
{
    po::options_description physics("Equation i d_t phi + Laplacian phi = mu (V * |phi|^2) phi  (hbar = 1, 2m = 1)");
    physics.add_options()
        ("mu", with_default(&c.mu), "-1 focusing, +1 defocusing")
        ("potential", choice(&c.potential.kind, dfe::parse_potential_kind),
         "V: none | gaussian (lambda exp(-|x|^2/(2 s^2))) | soft-power (lambda (|x|^2 + epsilon^2)^(-gamma/2), "
         "free-space convolution) | power (lambda |x|^-gamma, d = 3, 0 < gamma < 3, truncated-kernel free-space convolution)")
        ("lambda", with_default(&c.potential.lambda), "potential strength lambda")
        ("s", with_default(&c.potential.s), "gaussian potential width s, in length units")
        ("epsilon", with_default(&c.potential.epsilon), "soft-power regularization epsilon, in length units")
        ("gamma", with_default(&c.potential.gamma), "soft-power and power exponent gamma")
        ("sigma", with_default(&c.measure.sigma),
         "width sigma of the Gaussian initial state (pi sigma^2)^(-d/4) exp(-|x|^2/(2 sigma^2)), and the base width of "
         "the random measures, in length units");
    return physics;
}

/// The built-in measures (dfe-run adds --samples and --write-samples).
inline po::options_description measure_options(dfe::RunConfig& c, RawRunOptions& raw)
{
    po::options_description measure("Initial de Finetti measure  sum_j w_j delta_{phi_j}");
    measure.add_options()
        ("measure", choice(&c.measure.kind, dfe::parse_measure_kind),
         "gaussian (one sample) | mixture (one sample per --component) | random-laguerre | random-gaussians | "
         "pseudo-conformal (one sample: the explicit collapse of the 3D ground state at lambda_c, blowing up at --blowup-time; "
         "needs --d 3 --potential power --gamma 2 --mu -1 and sets lambda) | file (set by --samples)")
        ("component", po::value(&c.measure.components)->composing(),
         "mixture component, repeatable: weight=W[,sigma=S][,center=X:Y:Z][,kick=KX:KY:KZ][,chirp=B] "
         "= c exp(-|x-x0|^2/(2S^2)) exp(i k.x) exp(i B |x-x0|^2); the weights must sum to 1. "
         "collapse=T instead of sigma and chirp: the pseudo-conformal collapse blowing up at T (as --measure pseudo-conformal)")
        ("count", with_default(&c.measure.count), "random measures: number of samples M (weights 1/M)")
        ("seed", with_default(&raw.seed), "random measures: seed; sample j depends only on (seed, j)")
        ("random-draw", po::value<std::string>()->default_value("auto"),
         "yes: the samples are an i.i.d. draw from a measure, and every row gets its sampling error, in "
         "timeseries_stderr.csv, and the drawn-from measure's estimate, in timeseries_estimate.csv "
         "(docs/physics.md section 12) | no | auto: yes for random-laguerre and random-gaussians, no otherwise "
         "(say yes for a mixture or samples file that is a draw)")
        ("modes", with_default(&c.measure.modes), "random-laguerre: Gauss-Laguerre functions per sample")
        ("center-spread", with_default(&c.measure.center_spread), "random-gaussians: centres uniform in the ball of this radius")
        ("kick-spread", with_default(&c.measure.kick_spread), "random-gaussians: momentum kicks uniform in the ball of this radius")
        ("width-min", with_default(&c.measure.width_min), "random-gaussians: smallest width")
        ("width-max", with_default(&c.measure.width_max), "random-gaussians: largest width")
        ("blowup-time", with_default(&c.measure.blowup_time),
         "pseudo-conformal: the blowup time T > 0 of the collapse S(t,x) = (T-t)^(-3/2) e^(i(1/(T-t)-1/T)) "
         "e^(-i|x|^2/(4(T-t))) P(x/(T-t))");
    return measure;
}

inline po::options_description parallel_options(dfe::RunConfig& c, RawRunOptions& raw)
{
    po::options_description parallel("Parallel layout and reductions");
    parallel.add_options()
        ("ranks-per-sample", with_default(&raw.ranks_per_sample),
         "g: ranks sharing one field (FFTW-MPI slabs); the world splits into size/g groups that share the samples. "
         "auto: as many groups as there are samples, up to one per rank (one sample on 16 ranks: g = 16; 64 samples: g = 1), "
         "with a g the grid's slabs accept")
        ("gamma2-grid", with_default(&c.gamma2_grid),
         "observation grid points per dimension n for gamma^(2) (divides N); 0: the largest divisor of N up to 64 in 1D/2D, up to 16 in 3D")
        ("gamma2-times", with_default(&c.gamma2_times),
         "output times at which gamma^(2) is formed and stored in run.h5: comma list of times, first, last, all, none")
        ("eigensolver", with_default(&c.eigensolver),
         "lambda_max: dense (LAPACK on the root, on the matrix of the chosen form gathered there) | iterative (SLEPc "
         "Krylov-Schur on the matrix held in column slabs over the ranks) | auto (dense when the matrix's dimension is <= 256)")
        ("reduction-form", with_default(&c.reduction_form),
         "purity, lambda_max and fact_defect from: samples (the M x M Gram matrix) | grid (the N^d x N^d matrix of "
         "gamma^(1), and n^d x n^d for fact_defect; needs --ranks-per-sample 1) | auto (the cheaper: grid when N^d < M)")
        ("reduce-every", with_default(&c.reduce_every),
         "K: purity, lambda_max, fact_defect and admissibility_residual at every K-th output row and at the --gamma2-times rows only (nan at the others)")
        ("backend", with_default(&c.backend),
         "where the steps run: cpu | vulkan (each rank's samples as one batch on a GPU: fixed strang/order4 steps, periodic "
         "potentials, --ranks-per-sample 1; needs a build with the Vulkan backend)")
        ("gpu-device", with_default(&c.gpu_device),
         "--backend vulkan: the Vulkan device of every rank; -1: the rank's index on its node, round robin over the devices");
    return parallel;
}

inline po::options_description localized_options(dfe::RunConfig& c, RawRunOptions& raw)
{
    po::options_description local("Localized virial (docs/physics.md sections 5-7): psi_R(x) = R psi(|x|^2/R)");
    local.add_options()
        ("R", po::value(&raw.radii), "comma list of radii R (e.g. 1,2.5,4): adds loc_R, dloc_R, d2loc_R, II_R, III_R, IIIa_R, "
                                     "IIIb_R, IV_R, margin_R per R and the verdicts table")
        ("cutoff-order", with_default(&c.cutoff_order), "order k of the cutoff profile c (1 - ((s-2)/h)^2)^k (>= 3)")
        ("cutoff-width", with_default(&c.cutoff_width), "half-width h of the cutoff profile's support [2-h, 2+h], 0 < h < 1")
        ("radial-tol", with_default(&c.radial_tol), "a sample counts as radial when its angular-momentum defect is below this");
    return local;
}

/// The integrator, its step and the planner (dfe-run adds --t-end and --output-dt).
inline po::options_description integrator_options(dfe::RunConfig& c)
{
    po::options_description time("Time integration (time in length units squared)");
    time.add_options()
        ("integrator", choice(&c.integrator, dfe::parse_integrator),
         "strang (2nd order) | order4 (Yoshida composition of Strang steps) | petsc (PETSc TS, adaptive Runge-Kutta "
         "on the interaction picture; -ts_* options pass through, e.g. -ts_rk_type 3bs -ts_adapt_dt_min 1e-12)")
        ("dt", with_default(&c.dt), "time step; with --tol or petsc the first step tried and the unit of --check-steps")
        ("tol", with_default(&c.tol),
         "adaptive step: strang/order4 by step doubling with an L2 error per unit time <= tol; petsc: local L2 error per step "
         "(-ts_atol; default 1e-8). 0: fixed step --dt")
        ("tail-tol", with_default(&c.tail_tol),
         "a sample is under-resolved once the fraction of sum |phi_k|^2 beyond 2/3 of the Nyquist wave number exceeds this")
        ("boundary-tol", with_default(&c.boundary_tol),
         "a sample is under-resolved once the fraction of its mass within 4 grid spacings of the box's faces exceeds this")
        ("on-underresolved", choice(&c.on_underresolved, dfe::parse_on_underresolved),
         "stop (clean stop: checkpoint, outputs, exit code 4) | freeze (the sample is no longer evolved) | continue (report only)")
        ("fftw-planner", choice(&c.fftw_planner, dfe::parse_planner_effort), "FFTW planner effort: estimate | measure | patient");
    return time;
}

/// --samples and --allow-unresolved-initial, into a measure group (dfe-run, dfe-converge).
inline void add_samples_options(po::options_description& measure, dfe::RunConfig& c)
{
    measure.add_options()
        ("samples", po::value(&c.measure.samples_file), "HDF5 samples file (schema in the README); d, N and L come from it")
        ("allow-unresolved-initial", po::bool_switch(&c.allow_unresolved_initial),
         "run even when a sample is under-resolved at t = 0 (mass at the box's faces beyond --boundary-tol, or a "
         "spectral tail beyond --tail-tol); by default such a start is refused");
}

/// --t-end and --output-dt, into the time group (dfe-run, dfe-converge).
inline void add_schedule_options(po::options_description& time, dfe::RunConfig& c)
{
    time.add_options()
        ("t-end", with_default(&c.t_end), "final time (a multiple of dt)")
        ("output-dt", with_default(&c.output_dt), "interval between output rows (a multiple of dt)");
}

/**
 * @brief --samples makes the measure `file` (refused beside another explicit --measure; `--measure
 * file` needs --samples). Returns the names among d, N, L that the user set (they must match a
 * samples file: make_measure). Throws InputError.
 */
inline std::vector<std::string> apply_samples(const po::variables_map& vm, dfe::RunConfig& config)
{
    std::vector<std::string> explicit_grid;
    for (const char* name : {"d", "N", "L"})
        if (vm.count(name) && !vm[name].defaulted()) explicit_grid.emplace_back(name);
    if (!config.measure.samples_file.empty()) {
        if (vm.count("measure") && !vm["measure"].defaulted() && config.measure.kind != dfe::MeasureKind::file)
            throw dfe::InputError("--samples and --measure " + std::string(dfe::name(config.measure.kind)) +
                                  " conflict: a samples file is the measure");
        config.measure.kind = dfe::MeasureKind::file;
    } else if (config.measure.kind == dfe::MeasureKind::file) {
        throw dfe::InputError("--measure file needs --samples FILE");
    }
    return explicit_grid;
}

/**
 * @brief The measure, and for a samples file the grid it fixes: config's d, N, L are set from the
 * file, and an explicit one (`explicit_grid`, from apply_samples) that differs is refused
 * (Collective on world; throws InputError).
 */
inline std::unique_ptr<dfe::Measure> make_measure(const dfe::Comm& world, dfe::RunConfig& config,
                                                  const std::vector<std::string>& explicit_grid)
{
    if (config.measure.kind != dfe::MeasureKind::file) return dfe::make_builtin_measure(config.measure, config.d);
    const auto& path = config.measure.samples_file;
    auto info = dfe::read_samples_info(world, path);
    auto conflict = [&](const std::string& name, const std::string& given, const std::string& stored) {
        if (std::find(explicit_grid.begin(), explicit_grid.end(), name) != explicit_grid.end() && given != stored)
            throw dfe::InputError("--" + name + " " + given + " conflicts with " + name + " = " + stored +
                                  " in samples file '" + path + "'");
    };
    conflict("d", std::to_string(config.d), std::to_string(info.d));
    conflict("N", std::to_string(config.N), std::to_string(info.N));
    conflict("L", dfe::digits17(config.L), dfe::digits17(info.L));
    config.d = info.d;
    config.N = info.N;
    config.L = info.L;
    return dfe::make_file_measure(path, std::move(info));
}

/// Moves the raw values into the config: the seed (>= 0) and the radii (a comma list). Throws InputError.
inline void apply(const RawRunOptions& raw, dfe::RunConfig& c)
{
    if (raw.ranks_per_sample != "auto") {
        int g = 0;
        const auto& s = raw.ranks_per_sample;
        const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), g);
        if (error != std::errc() || end != s.data() + s.size() || g < 1)
            throw dfe::InputError("--ranks-per-sample must be auto or a positive number of ranks (got '" + s + "')");
        c.ranks_per_sample = g;
    }
    if (c.backend != "cpu" && c.backend != "vulkan")
        throw dfe::InputError("--backend must be cpu or vulkan (got '" + c.backend + "')");
    if (c.gpu_device < -1)
        throw dfe::InputError("--gpu-device must be -1 (round robin on the node) or a device index >= 0 (got " +
                              std::to_string(c.gpu_device) + ")");
    if (raw.seed < 0) throw dfe::InputError("--seed must be >= 0 (got " + std::to_string(raw.seed) + ")");
    c.measure.seed = static_cast<std::uint64_t>(raw.seed);
    if (!raw.radii.empty()) c.R = dfe::parse_radii(raw.radii, "--R");
}

/** @brief The memory a rank may use, and where the figure comes from (for the refusal's message). */
struct MemoryLimit {
    double bytes = 0.0;
    std::string source;
};

/** @brief `--max-memory` when given (already checked), else the node's share per rank (Collective on world). */
inline MemoryLimit memory_limit(const dfe::Comm& world, const std::string& max_memory)
{
    if (!max_memory.empty()) return {dfe::parse_size(max_memory, "--max-memory"), "--max-memory"};
    return {dfe::available_memory_per_rank(world), "MemAvailable or the cgroup limit, over " +
                                                       std::to_string(dfe::ranks_on_node(world)) +
                                                       " rank(s) on this node; --max-memory to set"};
}

/** @brief Creates --out `dir` if needed; InputError unless it is then a writable directory (root only). */
inline void require_writable_out(const std::filesystem::path& dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw dfe::InputError("--out '" + dir.string() + "' is not a writable directory" + (ec ? ": " + ec.message() : ""));
    if (access(std::filesystem::absolute(dir).c_str(), W_OK) != 0)
        throw dfe::InputError("--out '" + dir.string() + "' is not writable");
}

/**
 * @brief With `--ranks-per-sample auto`, sets config.ranks_per_sample from the world size and the
 * measure's M (dfe::auto_ranks_per_sample) and returns the line the header prints about it; with a
 * number, leaves it and returns "". Throws InputError (the same on every rank).
 */
inline std::string resolve_ranks_per_sample(const RawRunOptions& raw, dfe::RunConfig& c, int world_size, std::size_t samples)
{
    if (raw.ranks_per_sample != "auto") return "";
    // The Vulkan backend holds whole samples: one rank per sample whatever the counts.
    c.ranks_per_sample = c.backend == "vulkan" ? 1 : dfe::auto_ranks_per_sample(world_size, samples, c.d, c.N);
    return "--ranks-per-sample auto: " + std::to_string(c.ranks_per_sample) + " rank(s) per sample (" +
           std::to_string(world_size) + " rank(s), " + std::to_string(samples) + " sample(s))";
}

/**
 * @brief `--measure pseudo-conformal`, or a mixture with a `collapse` component: the run-level
 * conditions (dfe::require_pseudo_conformal; an explicit --lambda is refused) and λ set to λ_c;
 * `--blowup-time` with another measure is refused.
 * Throws InputError.
 */
inline void apply_measure(const po::variables_map& vm, dfe::RunConfig& c)
{
    auto given = [&](const char* name) { return vm.count(name) && !vm[name].defaulted(); };
    if (given("blowup-time") && c.measure.kind != dfe::MeasureKind::pseudo_conformal)
        throw dfe::InputError("--blowup-time applies to --measure pseudo-conformal only (got --measure " +
                              std::string(dfe::name(c.measure.kind)) + ")");
    if (c.measure.kind == dfe::MeasureKind::pseudo_conformal || dfe::has_collapse_component(c.measure))
        dfe::require_pseudo_conformal(c, given("lambda"));
    // The random built-in measures are draws by construction.
    const std::string draw = vm.count("random-draw") ? vm["random-draw"].as<std::string>() : "auto";
    if (draw != "auto" && draw != "yes" && draw != "no")
        throw dfe::InputError("--random-draw must be yes, no or auto (got '" + draw + "')");
    const bool random = c.measure.kind == dfe::MeasureKind::random_laguerre ||
                        c.measure.kind == dfe::MeasureKind::random_gaussians;
    c.random_draw = draw == "yes" || (draw == "auto" && random);
}


/**
 * @brief Removes PETSc TS options (`-ts_name [value]`, one dash) from `args` and appends them to
 * `taken` as one string for PetscOptionsInsertString. A value is the next argument unless it starts
 * with '-' and is not a number.
 */
inline std::vector<std::string> take_petsc_options(const std::vector<std::string>& args, std::string& taken)
{
    std::vector<std::string> rest;
    auto is_value = [](const std::string& a) {
        if (a.empty() || a[0] != '-') return true;
        char* end = nullptr;
        std::strtod(a.c_str(), &end);
        return end && *end == '\0' && end != a.c_str();
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("-ts_", 0) != 0) {
            rest.push_back(args[i]);
            continue;
        }
        taken += (taken.empty() ? "" : " ") + args[i];
        if (i + 1 < args.size() && is_value(args[i + 1])) taken += " " + args[++i];
    }
    return rest;
}

/**
 * @brief Throws InputError naming the first option of `options` (the -ts_* string of the command
 * line) that PETSc did not read: a misspelled or inapplicable option would otherwise be ignored.
 * Call after the PETSc objects have read their options.
 */
inline void require_used_petsc_options(const std::string& options)
{
    if (options.empty()) return;
    PetscInt n = 0;
    char** names = nullptr;
    char** values = nullptr;
    DFE_PETSC(PetscOptionsLeftGet(nullptr, &n, &names, &values));
    std::string unused;
    for (PetscInt i = 0; i < n && unused.empty(); ++i) {
        std::string name = names[i] ? names[i] : "";
        if (!name.empty() && name[0] == '-') name.erase(0, 1);
        if (name.rfind("ts_", 0) == 0) unused = "-" + name;
    }
    DFE_PETSC(PetscOptionsLeftRestore(nullptr, &n, &names, &values));
    if (!unused.empty())
        throw dfe::InputError("PETSc option " + unused + " was not used by the TS integrator (misspelled, or not for this method?)");
}

/**
 * @brief Parses argv, then the INI file of --config (command line first: it takes precedence), into
 * `vm` and notifies. On --help or --version prints (on the root) and returns false. Throws InputError
 * with a one-line message for any parse error or an unreadable config file.
 */
inline bool parse_command_line(int argc, char** argv, const po::options_description& options, po::variables_map& vm,
                               const std::string& program, const std::string& about, bool root,
                               std::string* petsc_options = nullptr)
{
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (petsc_options) args = take_petsc_options(args, *petsc_options);
        po::store(po::command_line_parser(args).options(options).run(), vm);
        if (vm.count("help")) {
            if (root) std::cout << "Usage: " << program << " [options]\n" << about << options << '\n';
            return false;
        }
        if (vm.count("version")) {
            if (root) std::cout << program << ' ' << dfe::version << " (" << dfe::git_revision << ")\n";
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

/// Runs `f` on every rank and agrees on its input errors (dfe::collectively): if any rank threw
/// InputError, the root prints "<program>: error: <message>" once and every rank gets false, so
/// that all ranks leave together instead of hanging in a collective.
template <class F>
bool agree(const dfe::Comm& world, const char* program, F&& f)
{
    try {
        dfe::collectively(world, std::forward<F>(f));
        return true;
    } catch (const dfe::InputError& e) {
        dfe::RootOutput(world).note("%s: error: %s\n", program, e.what());
        return false;
    }
}

/// The rank's index among the ranks of its node (Collective on the world).
inline int node_rank()
{
    MPI_Comm node = MPI_COMM_NULL;
    DFE_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
    int rank = 0;
    DFE_MPI(MPI_Comm_rank(node, &rank));
    DFE_MPI(MPI_Comm_free(&node));
    return rank;
}

/**
 * @brief Makes the backends this application was built with available to --backend: the Vulkan
 * backend (when built) with the rank's index on its node, which picks its device round robin
 * (Collective on the world).
 */
inline void register_backends()
{
#ifdef DFE_HAVE_VULKAN
    dfe::gpu::register_vulkan_backend(node_rank());
#endif
}

/**
 * @brief main() of an MPI application: MPI, FFTW and PETSc up for the whole run, then `run`. An
 * exception that escapes `run` is a runtime failure on that rank: one line naming the rank, and
 * MPI_Abort with exit code 1 so that no rank is left waiting in a collective. This is the one catch
 * that aborts (src/dfe/core/comm.hpp, "Failures"): on the way here the unwinding ran no collective,
 * and the objects of `environment` are never finalized (MPI_Abort does not return).
 */
template <class Run>
int mpi_main(int argc, char** argv, const char* program, Run&& run)
{
    dfe::Environment environment(argc, argv);
    // One line, then MPI_Abort. When several ranks fail at once (the ranks of a group in one
    // collective write), the lowest reports: a rank r > 0 waits 0.2 s + r·10 ms (at most 1.2 s)
    // before it prints, and the abort of a rank that printed first ends it before then.
    auto fail = [&](const std::string& what) {
        int rank = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        if (rank > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 + 10 * std::min(rank, 100)));
        std::fprintf(stderr, "%s: error on rank %d: %s\n", program, rank, what.c_str());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    };
    try {
        register_backends();
        return run(argc, argv);
    } catch (const std::exception& e) {
        fail(e.what());
    } catch (...) {
        fail("an exception of unknown type");
    }
    return 1;
}

}  // namespace dfe_app
