// dfe-bench: what one step of a dfe-run costs, against the FFT floor of its grid.
//
// It builds an Ensemble exactly as dfe-run does, warms it up, then times --steps steps taken in
// chunks of --output-every with an observe() (and what dfe-run would write: timeseries.csv and
// run.h5, into a temporary directory that is deleted afterwards) between chunks. In the same process,
// on the same grid and with the same planner effort, it times the four transforms of a Strang step
// (complex forward + backward, r2c + c2r): the floor. With --backend vulkan it also times, on a
// second stepper of the same batch on the same device, the steps on the device alone, VkFFT's floor
// (the same four transforms over the batch) and the host transfers of one output row. It reports every figure for the slowest rank,
// and peak resident memory per rank. Like the other applications (not the library), it names
// MPI_COMM_WORLD.
#include "app_common.hpp"
#include "dfe/backend/blas.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/host_memory.hpp"
#include "dfe/core/timer.hpp"
#include "dfe/ensemble/resources.hpp"
#include "dfe/run/checkpoint.hpp"
#include "dfe/ensemble/ensemble.hpp"
#include "dfe/core/environment.hpp"
#include "dfe/core/error.hpp"
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/physics/hypothesis.hpp"
#include "dfe/io/run_file.hpp"
#include "dfe/run/run_record.hpp"
#include "dfe/evolution/split_step.hpp"
#include "dfe/io/timeseries.hpp"
#include "dfe/run/verdicts.hpp"
#include "dfe/version.hpp"

#include <boost/program_options.hpp>

#include <mpi.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_input_error = 2;

/// Options of the benchmark itself, and those that need checks before they enter the RunConfig.
struct BenchOptions {
    std::string config_file;
    dfe_app::RawRunOptions common;
    long steps = 200;         ///< timed steps
    long output_every = 10;   ///< steps between observe() calls; 0: never
    long warmup = 5;          ///< steps of the untimed warm-up
    std::string repeat = "auto";  ///< FFT-floor loop count
    std::string csv;          ///< append one line here
    bool json = false;        ///< print one JSON line after the table
    std::string tmp_dir = "/tmp";  ///< where the temporary output directory goes
    std::string label;        ///< case description (default: made from the options)
};

po::options_description make_options(dfe::RunConfig& c, BenchOptions& b)
{
    po::options_description bench("Benchmark");
    bench.add_options()
        ("steps", dfe_app::with_default(&b.steps), "timed steps (>= 1)")
        ("output-every", dfe_app::with_default(&b.output_every),
         "steps between observe() calls and output rows, as dfe-run's --output-dt / --dt; 0: never observe, no output")
        ("warmup", dfe_app::with_default(&b.warmup),
         "steps of one untimed advance before the timed run (the fields are then reset to the initial measure)")
        ("repeat", dfe_app::with_default(&b.repeat),
         "FFT-floor loop count: a positive integer, or auto (the loops last >= 0.5 s)")
        ("csv", po::value(&b.csv), "append one line of results to this CSV file (with a header if the file is new)")
        ("json", po::bool_switch(&b.json), "print one JSON line of results on stdout after the table")
        ("label", po::value(&b.label), "case description in the table, CSV and JSON (default: made from the options)")
        ("tmp-dir", dfe_app::with_default(&b.tmp_dir),
         "directory for the temporary output directory (must be shared by all ranks of a multi-node run)");
    po::options_description all;
    all.add(dfe_app::general_options(b.config_file)).add(bench).add(dfe_app::grid_options(c)).add(dfe_app::physics_options(c))
        .add(dfe_app::measure_options(c, b.common)).add(dfe_app::integrator_options(c)).add(dfe_app::parallel_options(c, b.common))
        .add(dfe_app::localized_options(c, b.common));
    return all;
}

/// Parses argv and the config file; returns false when the program should stop (help, version).
bool parse(int argc, char** argv, dfe::RunConfig& config, BenchOptions& b, long& repeat, bool root)
{
    const auto options = make_options(config, b);
    po::variables_map vm;
    if (!dfe_app::parse_command_line(argc, argv, options, vm, "dfe-bench",
                                     "Times the steps of a dfe-run ensemble against the FFT floor of its grid.\n", root))
        return false;
    dfe_app::apply(b.common, config);
    dfe_app::apply_measure(vm, config);
    if (config.measure.kind == dfe::MeasureKind::file)
        throw dfe::InputError("--measure file is not supported by dfe-bench: use a built-in measure");
    if (config.integrator == dfe::Integrator::petsc || config.tol > 0.0)
        throw dfe::InputError("dfe-bench times the fixed-step integrators (strang, order4 without --tol): a step of "
                              "an adaptive one has no fixed cost to set against the FFT floor");
    if (b.steps < 1) throw dfe::InputError("--steps must be >= 1 (got " + std::to_string(b.steps) + ")");
    if (b.output_every < 0)
        throw dfe::InputError("--output-every must be >= 0 (got " + std::to_string(b.output_every) + ")");
    if (b.warmup < 0) throw dfe::InputError("--warmup must be >= 0 (got " + std::to_string(b.warmup) + ")");
    if (b.repeat == "auto") {
        repeat = 0;
    } else {
        char* stop = nullptr;
        const long long n = std::strtoll(b.repeat.c_str(), &stop, 10);
        if (b.repeat.empty() || *stop != '\0' || n < 1)
            throw dfe::InputError("--repeat must be a positive integer or auto (got '" + b.repeat + "')");
        repeat = static_cast<long>(n);
    }
    if (b.label.find_first_of("\n\r") != std::string::npos) throw dfe::InputError("--label must be one line");
    // The run the Ensemble schedules: --steps steps, an output row every --output-every steps.
    config.t_end = static_cast<double>(b.steps) * config.dt;
    config.output_dt = static_cast<double>(b.output_every > 0 ? b.output_every : b.steps) * config.dt;
    return true;
}

/// Runs `f` on every rank and agrees on its input errors (app_common.hpp).
template <class F>
bool agree(const dfe::Comm& world, F&& f)
{
    return dfe_app::agree(world, "dfe-bench", std::forward<F>(f));
}

/// A directory made by the root with mkdtemp and removed by the root when this is destroyed; every
/// rank knows its path (Collective construction).
class TempDir {
public:
    TempDir(const dfe::Comm& world, const std::string& base) : root_(world.is_root())
    {
        std::vector<char> name(4096, '\0');
        int ok = 1;
        if (root_) {
            const std::string pattern = (fs::path(base) / "dfe-bench.XXXXXX").string();
            if (pattern.size() + 1 > name.size()) {
                ok = 0;
            } else {
                std::copy(pattern.begin(), pattern.end(), name.begin());
                ok = mkdtemp(name.data()) != nullptr ? 1 : 0;
            }
        }
        MPI_Bcast(&ok, 1, MPI_INT, 0, world.get());
        if (!ok) throw dfe::Error("cannot create a temporary directory in '" + base + "'");
        MPI_Bcast(name.data(), static_cast<int>(name.size()), MPI_CHAR, 0, world.get());
        path_ = fs::path(std::string(name.data()));
    }
    ~TempDir()
    {
        if (!root_) return;
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    bool root_;
    fs::path path_;
};

/// What dfe-run writes at its output times (dfe::RunRecord), written into a temporary directory, and
/// the time that took (this rank's).
class OutputReplica {
public:
    OutputReplica(const dfe::Comm& world, const std::string& tmp_base, dfe::Ensemble& ensemble,
                  const dfe::RunConfig& config, const dfe::HypothesisReport& hypotheses)
        : ensemble_(ensemble)
    {
        const dfe::ScopedTimer timer(seconds_);
        dir_.emplace(world, tmp_base);
        record_.emplace(dir_->path(), ensemble, config, ensemble.measure().provenance(), hypotheses);
    }

    /// One output row, as dfe-run writes it.
    void row(const dfe::EnsembleValues& v)
    {
        const dfe::ScopedTimer timer(seconds_);
        record_->add(v, ensemble_);
    }

    /// The verdicts and the renames that end a dfe-run (Collective).
    void finish()
    {
        const dfe::ScopedTimer timer(seconds_);
        record_->commit();
    }

    [[nodiscard]] double seconds() const { return seconds_; }
    [[nodiscard]] const std::vector<std::string>& columns() const { return record_->columns(); }
    [[nodiscard]] long rows() const { return record_->position().rows; }
    [[nodiscard]] std::vector<double> last_row() const
    {
        const auto rows = record_->digest().rows();
        return rows.empty() ? std::vector<double>{} : rows.back();
    }

private:
    dfe::Ensemble& ensemble_;
    std::optional<TempDir> dir_;  // declared before the record: removed after its files are closed
    std::optional<dfe::RunRecord> record_;
    double seconds_ = 0.0;
};

/// The FFT floor of one Strang step on `grid`: ms per (1 forward + 1 backward complex, 1 r2c + 1 c2r).
struct Floor {
    double complex_ms = 0.0;  ///< forward + backward complex pair
    double real_ms = 0.0;     ///< r2c + c2r pair
    double total_ms = 0.0;
    long repeat = 0;
};

/// Plans the four transforms again on the ensemble's grid with the same effort (FFTW's wisdom from the
/// ensemble's planning applies) and times them in loops on one sample-sized buffer of each kind
/// (Collective on `world`; the transforms are collective on the grid's group). The slowest rank's time.
Floor measure_floor(const dfe::Comm& world, const dfe::Grid& grid, dfe::PlannerEffort effort, long repeat)
{
    const dfe::FftPlans plans(grid, effort);
    // The buffers hold zeros: unnormalized forward/backward pairs multiply data by N^d, so any other
    // content would overflow to inf within ~60 pairs. FFTW's arithmetic does not depend on the values,
    // and zeros never produce denormals.
    dfe::Buffer<dfe::cplx> c(grid.alloc_complex());
    dfe::Buffer<double> r(grid.alloc_real());
    auto complex_pairs = [&](long n) {
        for (long i = 0; i < n; ++i) {
            plans.forward(c.data());
            plans.backward(c.data());
        }
    };
    auto real_pairs = [&](long n) {
        for (long i = 0; i < n; ++i) {
            plans.r2c(r.data());
            plans.c2r(r.data());
        }
    };
    auto timed = [&](auto&& loop, long n) {
        world.barrier();
        const double t0 = MPI_Wtime();
        loop(n);
        return world.max(MPI_Wtime() - t0);
    };
    complex_pairs(2);  // first executions: page faults, caches
    real_pairs(2);
    if (repeat <= 0) {
        // Double the count until both loops take 50 ms, then scale to 0.5 s (the same on every rank).
        long n = 1;
        for (;;) {
            const double t = timed([&](long k) { complex_pairs(k); real_pairs(k); }, n);
            if (t >= 0.05 || n >= (1L << 30)) {
                repeat = std::max(1L, static_cast<long>(std::ceil(0.5 * static_cast<double>(n) / std::max(t, 1e-9))));
                break;
            }
            n *= 2;
        }
    }
    const double tc = timed(complex_pairs, repeat);
    const double tr = timed(real_pairs, repeat);
    const double per = 1e3 / static_cast<double>(repeat);
    return {tc * per, tr * per, (tc + tr) * per, repeat};
}

/// --backend vulkan: the device's figures per sample of this rank's batch (NaN with --backend cpu).
struct GpuFigures {
    double step_ms = NAN;      ///< one step on the device, no transfers
    double floor_ms = NAN;     ///< VkFFT: complex forward + inverse and r2c + c2r over the batch
    double transfer_ms = NAN;  ///< the fields to the device and back, once (what each output row costs)
    std::string device;
};

/// Times a VulkanStepper of the ensemble's batch on the same device, `steps` steps (Collective on
/// `world`: the slowest rank's figures).
GpuFigures measure_gpu(const dfe::Comm& world, dfe::Ensemble& ensemble, const dfe::RunConfig& config, long steps)
{
    GpuFigures g;
#ifdef DFE_HAVE_VULKAN
    if (config.backend != "vulkan") return g;
    const auto fields = ensemble.fields();
    const double samples = static_cast<double>(std::max<std::size_t>(fields.size(), 1));
    dfe::gpu::VulkanStepper stepper(ensemble.grid(), ensemble.potential(), config.mu, dfe::make_composition(config.integrator),
                                    config.dt, fields.size(), dfe::gpu::device_index(config, dfe_app::node_rank()));
    g.device = stepper.device_name();
    const std::span<const dfe::cplx* const> in(const_cast<const dfe::cplx* const*>(fields.data()), fields.size());
    double t0 = MPI_Wtime();
    stepper.upload(in);
    stepper.download(fields, {});  // the same values back: the fields are unchanged
    g.transfer_ms = world.max(1e3 * (MPI_Wtime() - t0) / samples);
    stepper.run(2);  // first submissions
    t0 = MPI_Wtime();
    stepper.run(steps);
    g.step_ms = world.max(1e3 * (MPI_Wtime() - t0) / static_cast<double>(steps) / samples);
    // The floor in loops of at least 0.3 s (the same count on every rank).
    const double once = world.max(stepper.fft_floor_seconds(1));
    const int repeat = static_cast<int>(std::clamp(std::ceil(0.3 / std::max(once, 1e-9)), 1.0, 10000.0));
    g.floor_ms = world.max(1e3 * stepper.fft_floor_seconds(repeat) / samples);
#else
    (void)world, (void)ensemble, (void)config, (void)steps;
#endif
    return g;
}

/// Peak resident memory of this process so far, MiB (ru_maxrss is KiB on Linux).
double peak_rss_mib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

std::string number(double v, int digits = 6)
{
    if (!std::isfinite(v)) return "nan";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

std::string json_string(const std::string& s)
{
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (static_cast<unsigned char>(ch) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string csv_field(const std::string& s)
{
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

/// One result: a name and a number or a string.
struct Field {
    std::string name;
    double value = 0.0;
    std::string text;
    bool is_text = false;
    int digits = 6;  ///< significant digits of a number
};

Field num(std::string name, double v, int digits = 6) { return {std::move(name), v, {}, false, digits}; }
Field str(std::string name, std::string v) { return {std::move(name), 0.0, std::move(v), true, 0}; }

std::string csv_header(const std::vector<Field>& fields)
{
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        out += fields[i].name;
    }
    return out;
}

/// The CSV must be new, or have our header: checked before the run (root; throws InputError).
void check_csv(const std::string& path, const std::string& header)
{
    const fs::path p = fs::absolute(path);
    std::error_code ec;
    if (fs::exists(p, ec)) {
        if (!fs::is_regular_file(p) || access(p.c_str(), W_OK) != 0)
            throw dfe::InputError("--csv '" + path + "' is not a writable file");
        std::ifstream in(p);
        std::string first;
        std::getline(in, first);
        if (!first.empty() && first != header)
            throw dfe::InputError("--csv '" + path + "' has another header than dfe-bench " + dfe::version +
                                  " writes; use a new file");
        return;
    }
    if (!fs::is_directory(p.parent_path()) || access(p.parent_path().c_str(), W_OK) != 0)
        throw dfe::InputError("--csv '" + path + "': its directory does not exist or is not writable");
}

void append_csv(const std::string& path, const std::vector<Field>& fields)
{
    std::error_code ec;
    const bool fresh = !fs::exists(path, ec) || fs::file_size(path, ec) == 0;
    std::ofstream out(path, std::ios::app);
    if (fresh) out << csv_header(fields) << '\n';
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out << ',';
        out << (fields[i].is_text ? csv_field(fields[i].text) : number(fields[i].value, fields[i].digits));
    }
    out << '\n';
    if (!out.flush()) throw dfe::Error("cannot write " + path);
}

std::string json_line(const std::vector<Field>& fields, const std::vector<double>& rss_per_rank)
{
    std::string out = "{";
    for (const auto& f : fields) {
        out += json_string(f.name) + ":";
        out += f.is_text ? json_string(f.text) : (std::isfinite(f.value) ? number(f.value, f.digits) : std::string("null"));
        out += ",";
    }
    out += "\"rss_mib_per_rank\":[";
    for (std::size_t i = 0; i < rss_per_rank.size(); ++i) {
        if (i) out += ',';
        out += number(rss_per_rank[i]);
    }
    return out + "]}";
}

/**
 * @brief The rate of this machine's BLAS on the reductions' kind of product: zgemm C = A†B with A and
 * B of 256 columns of `points` complex values (the shape of a Gram tile over a sample's points), in
 * GFlop/s per rank (8 flops per complex multiply-add), timed in loops of at least 0.2 s on every rank
 * at once (Collective on `world`; the slowest rank's rate).
 */
double measure_blas_gflops(const dfe::Comm& world, long points)
{
    const int m = 256, k = static_cast<int>(std::max(1L, points));
    std::vector<dfe::cplx> a(static_cast<std::size_t>(m) * static_cast<std::size_t>(k)), tile(static_cast<std::size_t>(m) * m);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = dfe::cplx(std::sin(0.1 * static_cast<double>(i)), std::cos(0.3 * static_cast<double>(i)));
    const dfe::cplx one(1.0), zero(0.0);
    auto products = [&](long n) {
        for (long i = 0; i < n; ++i) zgemm_("C", "N", &m, &m, &k, &one, a.data(), &k, a.data(), &k, &zero, tile.data(), &m, 1, 1);
    };
    products(1);
    long n = 1;
    double t = 0.0;
    for (;;) {
        world.barrier();
        const double t0 = MPI_Wtime();
        products(n);
        t = world.max(MPI_Wtime() - t0);
        if (t >= 0.2 || n >= (1L << 20)) break;
        n *= 2;
    }
    return 8.0 * static_cast<double>(m) * m * k * static_cast<double>(n) / t / 1e9;
}

/**
 * @brief The reductions' floor per output row: the multiply-adds of the cheaper exact form of the
 * γ^(1) reductions (the Gram matrix, M²/2 products of N^d points, or the grid matrix, N^{2d}/2 products
 * of M samples; Hermitian: half of each), spread over all ranks at the BLAS rate, in seconds.
 */
double reduction_floor_s(double samples, double points, int ranks, double gflops)
{
    const double macs = 0.5 * std::min(samples * samples * points, samples * points * points);
    return 8.0 * macs / (static_cast<double>(ranks) * gflops * 1e9);
}

/// Everything dfe-bench reports for one case.
struct Results {
    std::string case_name, potential, integrator, planner, measure;
    int d = 0, ranks = 0, ranks_per_sample = 0, groups = 0;
    long N = 0, samples = 0, samples_per_group = 0, steps = 0, output_every = 0, rows = 0, substeps = 0;
    double L = 0, dt = 0;
    double setup_s = 0, total_s = 0, evolution_s = 0, observables_s = 0, reductions_s = 0, wait_s = 0, output_s = 0;
    double ms_per_step_per_sample = 0, ms_per_strang_step_per_sample = 0, ns_per_step_point_sample = 0;
    Floor floor;
    double ratio = 0, observables_pct = 0, reductions_pct = 0, wait_pct = 0, output_pct = 0;
    double sample_steps_per_s = 0, peak_rss_mib = 0, start_rss_mib = 0;
    double estimate_mib = 0;  ///< the resource estimate (ensemble/resources.hpp); printed, not in the CSV
    double reductions_per_row_s = NAN;  ///< reductions_s / rows
    double blas_gflops = 0;             ///< measure_blas_gflops
    double reduction_floor_s = NAN;     ///< reduction_floor_s() per output row
    std::string reduction_plan;         ///< the reductions' plan, as the run header says it (printed only)
    double final_t = NAN, final_mass = NAN, final_kinetic = NAN, final_interaction = NAN, final_energy = NAN;
    std::string backend = "cpu";
    GpuFigures gpu;  ///< --backend vulkan
};

/// The results in the order of the CSV columns and JSON keys (the names are the public interface).
std::vector<Field> fields(const Results& r)
{
    return {str("case", r.case_name), str("version", std::string(dfe::version)),
            num("d", r.d), num("N", static_cast<double>(r.N)), num("L", r.L, 17),
            str("potential", r.potential), str("measure", r.measure), str("integrator", r.integrator), num("dt", r.dt, 17),
            str("fftw_planner", r.planner),
            num("ranks", r.ranks), num("ranks_per_sample", r.ranks_per_sample), num("groups", r.groups),
            num("samples", static_cast<double>(r.samples)), num("samples_per_group", static_cast<double>(r.samples_per_group)),
            num("steps", static_cast<double>(r.steps)), num("output_every", static_cast<double>(r.output_every)),
            num("rows", static_cast<double>(r.rows)), num("strang_steps_per_step", static_cast<double>(r.substeps)),
            num("setup_s", r.setup_s), num("total_s", r.total_s), num("evolution_s", r.evolution_s),
            num("observables_s", r.observables_s), num("reductions_s", r.reductions_s), num("wait_s", r.wait_s),
            num("output_s", r.output_s),
            num("ms_per_step_per_sample", r.ms_per_step_per_sample),
            num("ms_per_strang_step_per_sample", r.ms_per_strang_step_per_sample),
            num("ns_per_step_point_sample", r.ns_per_step_point_sample),
            num("floor_complex_ms", r.floor.complex_ms), num("floor_real_ms", r.floor.real_ms),
            num("floor_ms", r.floor.total_ms), num("floor_repeat", static_cast<double>(r.floor.repeat)),
            num("ratio", r.ratio),
            num("observables_pct", r.observables_pct), num("reductions_pct", r.reductions_pct),
            num("wait_pct", r.wait_pct), num("output_pct", r.output_pct),
            num("sample_steps_per_s", r.sample_steps_per_s), num("peak_rss_mib", r.peak_rss_mib),
            num("start_rss_mib", r.start_rss_mib),
            num("reductions_per_row_s", r.reductions_per_row_s), num("blas_gflops", r.blas_gflops),
            num("reduction_floor_s", r.reduction_floor_s),
            // The last output row's values, exact doubles (to compare with reference values).
            num("final_t", r.final_t, 17), num("final_mass", r.final_mass, 17), num("final_kinetic", r.final_kinetic, 17),
            num("final_interaction", r.final_interaction, 17), num("final_energy", r.final_energy, 17),
            // --backend vulkan (NaN with cpu): per sample, the device's step, VkFFT's floor, their
            // ratio per Strang step, and the host transfers of one output row.
            str("backend", r.backend), num("gpu_step_ms_per_sample", r.gpu.step_ms),
            num("gpu_floor_ms_per_sample", r.gpu.floor_ms),
            num("gpu_ratio", r.gpu.step_ms / static_cast<double>(std::max(r.substeps, 1L)) / r.gpu.floor_ms),
            num("gpu_transfer_ms_per_sample", r.gpu.transfer_ms)};
}

void print_report(const Results& r, const std::vector<double>& rss)
{
    std::printf("dfe-bench %s: %s\n", dfe::version, r.case_name.c_str());
    std::printf("  %dD N = %ld, L = %g, potential %s, %s (%ld Strang step(s) per step), dt = %g, measure %s\n", r.d, r.N,
                r.L, r.potential.c_str(), r.integrator.c_str(), r.substeps, r.dt, r.measure.c_str());
    std::printf("  %d rank(s) in %d group(s) of %d, %ld sample(s), %ld per group; FFTW planner %s; set-up %.3f s\n",
                r.ranks, r.groups, r.ranks_per_sample, r.samples, r.samples_per_group, r.planner.c_str(), r.setup_s);
    if (r.output_every > 0)
        std::printf("  timed: %ld steps, observe() and output every %ld steps (%ld rows)\n", r.steps, r.output_every, r.rows);
    else
        std::printf("  timed: %ld steps, no observe() and no output\n", r.steps);
    std::printf("  slowest rank: total %.4f s = evolution %.4f s + observables %.4f s + reductions %.4f s + waiting %.4f s "
                "+ output %.4f s\n",
                r.total_s, r.evolution_s, r.observables_s, r.reductions_s, r.wait_s, r.output_s);
    std::printf("  %s\n", r.reduction_plan.c_str());
    std::printf("  FFT floor: complex fwd+bwd %.4f ms + r2c+c2r %.4f ms = %.4f ms (%ld repeats)\n", r.floor.complex_ms,
                r.floor.real_ms, r.floor.total_ms, r.floor.repeat);
    if (std::isfinite(r.reductions_per_row_s))
        std::printf("  reductions per output row %.4f s; the cheaper exact form's multiply-adds at the BLAS rate "
                    "(%.2f GFlop/s per rank) %.4f s: ratio %.2f\n",
                    r.reductions_per_row_s, r.blas_gflops, r.reduction_floor_s, r.reductions_per_row_s / r.reduction_floor_s);
    if (r.backend == "vulkan")
        std::printf("  Vulkan (%s), per sample of the batch: step on the device %.4f ms (%.4f ms per Strang step); VkFFT "
                    "floor (complex fwd+inv, r2c+c2r) %.4f ms: ratio %.2f; host transfers per output row %.4f ms\n",
                    r.gpu.device.c_str(), r.gpu.step_ms, r.gpu.step_ms / static_cast<double>(r.substeps), r.gpu.floor_ms,
                    r.gpu.step_ms / static_cast<double>(r.substeps) / r.gpu.floor_ms, r.gpu.transfer_ms);
    std::printf("  throughput %.1f sample-steps/s; peak RSS per rank (MiB):", r.sample_steps_per_s);
    for (double v : rss) std::printf(" %.1f", v);
    std::printf(" (of which %.1f before the ensemble: libraries, MPI, PETSc); estimate %.1f\n", r.start_rss_mib,
                r.estimate_mib);
    if (std::isfinite(r.final_t))
        std::printf("  last row: t = %.10g  mass = %.14g  kinetic = %.14g  interaction = %.14g  energy = %.14g\n",
                    r.final_t, r.final_mass, r.final_kinetic, r.final_interaction, r.final_energy);
    std::printf("%-36s %5s %3s %7s %14s %10s %12s %9s %6s %6s %6s %6s %10s %8s\n", "case", "ranks", "g", "samples",
                "ms/step/sample", "ms/Strang", "ns/(st.pt.s)", "floor ms", "ratio", "obs %", "red %", "out %",
                "smp.step/s", "RSS MiB");
    std::printf("%-36s %5d %3d %7ld %14.4f %10.4f %12.2f %9.4f %6.2f %6.1f %6.1f %6.1f %10.1f %8.1f\n",
                r.case_name.c_str(), r.ranks, r.ranks_per_sample, r.samples, r.ms_per_step_per_sample,
                r.ms_per_strang_step_per_sample, r.ns_per_step_point_sample, r.floor.total_ms, r.ratio,
                r.observables_pct, r.reductions_pct, r.output_pct, r.sample_steps_per_s, r.peak_rss_mib);
}

/// The timed run's own figures, on this rank.
struct Timed {
    double total_local = 0.0, output_local = 0.0;
    std::vector<std::string> columns;
    std::vector<double> last_row;
    long rows = 0;
};

/// The timed run: --steps steps, observing and writing dfe-run's outputs every --output-every steps
/// into a temporary directory, or only advancing (Collective on the world).
Timed timed_run(const dfe::Comm& world, dfe::Ensemble& ensemble, const dfe::RunConfig& config, const BenchOptions& bench,
                const std::optional<dfe::HypothesisReport>& hypotheses)
{
    Timed t;
    world.barrier();
    const double start = MPI_Wtime();
    if (bench.output_every > 0) {
        OutputReplica output(world, bench.tmp_dir, ensemble, config, *hypotheses);
        ensemble.run([&](const dfe::EnsembleValues& v) { output.row(v); });
        output.finish();
        t.total_local = MPI_Wtime() - start;  // deleting the temporary directory is not dfe-run's cost
        t.output_local = output.seconds();
        t.columns = output.columns();
        t.rows = output.rows();
        t.last_row = output.last_row();
    } else {
        ensemble.advance(bench.steps);
        t.total_local = MPI_Wtime() - start;
    }
    return t;
}

/// The case's description and the figures derived from the measured ones (root only).
void describe(Results& r, const dfe::RunConfig& config, const dfe::Ensemble& ensemble, const BenchOptions& bench,
              const Timed& t)
{
    const auto& grid = ensemble.grid();
    const auto& layout = ensemble.layout();
    r.d = grid.d();
    r.N = static_cast<long>(grid.N());
    r.L = grid.L();
    r.potential = dfe::name(config.potential.kind);
    r.measure = dfe::name(config.measure.kind);
    r.integrator = dfe::name(config.integrator);
    r.planner = dfe::name(config.fftw_planner);
    r.dt = config.dt;
    r.ranks = layout.world().size();
    r.ranks_per_sample = layout.ranks_per_sample();
    r.groups = layout.groups();
    r.samples = static_cast<long>(layout.samples());
    r.samples_per_group = static_cast<long>(layout.count(0));  // the largest block: the slowest group's
    r.steps = bench.steps;
    r.output_every = bench.output_every;
    r.rows = t.rows;
    r.substeps = static_cast<long>(dfe::make_composition(config.integrator).b.size());
    r.case_name = bench.label.empty() ? dfe::strf("%dD %ld^%d %s %s dt=%g", r.d, r.N, r.d, r.potential.c_str(),
                                                  r.integrator.c_str(), r.dt)
                                      : bench.label;
    const double steps = static_cast<double>(r.steps);
    r.ms_per_step_per_sample = 1e3 * r.evolution_s / steps / static_cast<double>(r.samples_per_group);
    r.ms_per_strang_step_per_sample = r.ms_per_step_per_sample / static_cast<double>(r.substeps);
    r.ns_per_step_point_sample = 1e6 * r.ms_per_step_per_sample / grid.global_points();
    r.ratio = r.ms_per_strang_step_per_sample / r.floor.total_ms;
    const double pct = r.total_s > 0 ? 100.0 / r.total_s : 0.0;
    r.observables_pct = pct * r.observables_s;
    r.reductions_pct = pct * r.reductions_s;
    r.wait_pct = pct * r.wait_s;
    r.output_pct = pct * r.output_s;
    r.reduction_plan = ensemble.reduction_plan().describe();
    r.sample_steps_per_s = r.total_s > 0 ? static_cast<double>(r.samples) * steps / r.total_s : 0.0;
    if (r.rows > 0) {
        r.reductions_per_row_s = r.reductions_s / static_cast<double>(r.rows);
        r.reduction_floor_s = reduction_floor_s(static_cast<double>(r.samples), static_cast<double>(grid.global_points()),
                                                r.ranks, r.blas_gflops);
    }
    if (t.last_row.empty()) return;
    auto at = [&](const char* name) {
        const auto it = std::find(t.columns.begin(), t.columns.end(), name);
        return it == t.columns.end() ? NAN : t.last_row[static_cast<std::size_t>(it - t.columns.begin())];
    };
    r.final_t = at("t");
    r.final_mass = at("mass");
    r.final_kinetic = at("kinetic");
    r.final_interaction = at("interaction");
    r.final_energy = at("energy");
}

/// The table, and with --json / --csv the machine-readable line (root only).
void publish(const Results& r, const std::vector<double>& rss, const BenchOptions& bench)
{
    print_report(r, rss);
    const auto out = fields(r);
    if (bench.json) std::printf("%s\n", json_line(out, rss).c_str());
    if (!bench.csv.empty()) {
        append_csv(bench.csv, out);
        std::printf("appended to %s\n", bench.csv.c_str());
    }
    std::fflush(stdout);
}

/// The configuration, the memory the run needs against the node's, and on the root the CSV file and
/// the temporary directory (Throws InputError). Returns the memory estimate per rank in bytes.
double check_inputs(const dfe::Comm& world, dfe::RunConfig& config, const BenchOptions& bench)
{
    const dfe::Schedule schedule = dfe::validate(config);
    const std::size_t samples = dfe::make_builtin_measure(config.measure, config.d)->size();
    (void)dfe_app::resolve_ranks_per_sample(bench.common, config, world.size(), samples);  // the table says g
    const auto memory = dfe::largest_memory_estimate(config, schedule, world.size(), samples, world.max(dfe::peak_rss_bytes()));
    dfe::require_memory(memory, dfe::available_memory_per_rank(world),
                        "MemAvailable or the cgroup limit, over the ranks on this node");
    if (!world.is_root()) return memory.total();
    if (!bench.csv.empty()) check_csv(bench.csv, csv_header(fields(Results{})));
    if (bench.output_every > 0 && (!fs::is_directory(bench.tmp_dir) || access(bench.tmp_dir.c_str(), W_OK) != 0))
        throw dfe::InputError("--tmp-dir '" + bench.tmp_dir + "' is not a writable directory");
    return memory.total();
}

int run(int argc, char** argv)
{
    const double process_start = MPI_Wtime();
    const double start_rss = peak_rss_mib();  // after MPI, FFTW-MPI, PETSc and SLEPc are initialized
    const dfe::Comm world(MPI_COMM_WORLD);
    dfe::RunConfig config;
    config.measure.kind = dfe::MeasureKind::random_gaussians;  // a benchmark wants M samples: --count sets M
    BenchOptions bench;
    long repeat = 0;
    bool go = true;
    if (!agree(world, [&] { go = parse(argc, argv, config, bench, repeat, world.is_root()); })) return exit_input_error;
    if (!go) return 0;

    // Everything the user gave is checked before the (slow) planning: files first, then the ensemble.
    double estimate = 0.0;
    if (!agree(world, [&] { estimate = check_inputs(world, config, bench); })) return exit_input_error;
    std::optional<dfe::Ensemble> ensemble;
    if (!agree(world, [&] { ensemble.emplace(world, config, dfe::make_builtin_measure(config.measure, config.d)); }))
        return exit_input_error;
    const double setup = world.max(MPI_Wtime() - process_start);

    // dfe-run evaluates the hypothesis report before its clock starts; it is only written here.
    std::optional<dfe::HypothesisReport> hypotheses;
    if (bench.output_every > 0)
        hypotheses = dfe::hypothesis_report(ensemble->potential(), config.R,
                                            1e3 * dfe::natural_length_scale(ensemble->potential()));

    // Warm-up (caches, page faults, lazy set-up), then back to the initial measure and t = 0 so that
    // the timed run is the run dfe-run would do (its last row is at t = steps x dt).
    if (bench.warmup > 0) {
        ensemble->advance(bench.warmup);
        ensemble->measure().fill(ensemble->grid(), ensemble->layout().first(), ensemble->fields());
        ensemble->restore(dfe::Ensemble::State{});
    }

    const double evolution0 = ensemble->evolution_seconds(), observables0 = ensemble->observable_seconds();
    const double reductions0 = ensemble->reduction_seconds(), wait0 = ensemble->wait_seconds();
    const Timed t = timed_run(world, *ensemble, config, bench, hypotheses);

    // Peak memory of the run, before the floor's buffers and plans are allocated.
    const double rss_local = peak_rss_mib();
    std::vector<double> rss(static_cast<std::size_t>(world.size()), 0.0);
    MPI_Gather(&rss_local, 1, MPI_DOUBLE, rss.data(), 1, MPI_DOUBLE, 0, world.get());

    Results r;
    r.floor = measure_floor(world, ensemble->grid(), config.fftw_planner, repeat);
    r.blas_gflops = measure_blas_gflops(world, ensemble->grid().local_points());
    r.total_s = world.max(t.total_local);
    r.evolution_s = world.max(ensemble->evolution_seconds() - evolution0);
    r.observables_s = world.max(ensemble->observable_seconds() - observables0);
    r.reductions_s = world.max(ensemble->reduction_seconds() - reductions0);
    r.wait_s = world.max(ensemble->wait_seconds() - wait0);
    r.output_s = world.max(t.output_local);
    r.peak_rss_mib = world.max(rss_local);
    r.start_rss_mib = world.max(start_rss);
    r.estimate_mib = estimate / (1024.0 * 1024.0);
    r.setup_s = setup;
    r.backend = config.backend;
    r.gpu = measure_gpu(world, *ensemble, config, bench.steps);
    if (!world.is_root()) return 0;
    describe(r, config, *ensemble, bench, t);
    publish(r, rss, bench);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return dfe_app::mpi_main(argc, argv, "dfe-bench", run); }
