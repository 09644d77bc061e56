#include "dfe/ensemble/resources.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/host_memory.hpp"
#include "dfe/observables/columns.hpp"
#include "dfe/reductions/plan.hpp"
#include "dfe/spectral/grid.hpp"

#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace dfe {

namespace {

constexpr double real_bytes = 8.0;      // double
constexpr double complex_bytes = 16.0;  // cplx
/// The per-sample series of run.h5 (/samples: mass, energy, grad_norm, tail_fraction; io/run_file.hpp).
constexpr double per_sample_series = 4.0;

/// FFTW-MPI's default block distribution: the entries of `n` on rank `rank` of `ranks`.
double block(double n, int ranks, int rank)
{
    const double b = std::ceil(n / ranks);
    return std::clamp(n - rank * b, 0.0, b);
}

}  // namespace

GridSizes planned_grid_sizes(int d, double N, int ranks, int rank)
{
    const double H = std::floor(N / 2) + 1;  // r2c half extent
    const double plane = std::pow(N, d - 1);
    GridSizes s;
    if (d == 1 || ranks == 1) {
        s.local_points = s.alloc_complex = s.spectral = plane * N;
        s.spectral_half = plane * H;
        s.alloc_real = 2 * s.spectral_half;
        return s;
    }
    const double n0 = block(N, ranks, rank), n1 = block(N, ranks, rank);
    s.local_points = n0 * plane;
    s.spectral = n1 * plane;
    s.alloc_complex = std::max(n0, n1) * plane;
    // The half shape (N, H) in 2D, (N, N, H) in 3D: its transposed dimension 1 is H in 2D, N in 3D.
    const double rn1 = block(d == 2 ? H : N, ranks, rank);
    const double half_rest = plane / N * H;  // N^{d−2} H
    s.spectral_half = d == 2 ? rn1 * N : rn1 * N * H;
    s.alloc_real = 2 * std::max(n0 * half_rest, s.spectral_half);
    return s;
}

GridSizes grid_sizes(const Grid& grid)
{
    return {static_cast<double>(grid.local_points()), static_cast<double>(grid.alloc_complex()),
            static_cast<double>(grid.alloc_real()), static_cast<double>(grid.spectral().count()),
            static_cast<double>(grid.spectral_half().count())};
}

double RankPlace::group_samples() const
{
    const auto G = static_cast<std::size_t>(groups());
    return static_cast<double>(samples / G + (static_cast<std::size_t>(group_index()) < samples % G ? 1 : 0));
}

double RankPlace::largest_group() const
{
    const auto G = static_cast<std::size_t>(groups());
    return static_cast<double>(samples / G + (samples % G != 0 ? 1 : 0));
}

double ResourceEstimate::total() const
{
    double always = 0.0;
    std::map<std::string, double> phases;
    for (const auto& item : items) (item.phase.empty() ? always : phases[item.phase]) += item.bytes;
    double largest = 0.0;
    for (const auto& [name, bytes] : phases) largest = std::max(largest, bytes);
    return always + largest;
}

std::string ResourceEstimate::largest(std::size_t count) const
{
    std::vector<ResourceItem> sorted = items;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.bytes > b.bytes; });
    std::string out;
    for (std::size_t i = 0; i < std::min(count, sorted.size()); ++i) {
        if (sorted[i].bytes <= 0.0) break;
        out += (i ? ", " : "") + sorted[i].name + " " + format_bytes(sorted[i].bytes);
    }
    return out;
}

double ResourceEstimate::bytes(const std::string& name) const
{
    double sum = 0.0;
    for (const auto& item : items)
        if (item.name == name) sum += item.bytes;
    return sum;
}

ResourceEstimate estimate_memory(const RunConfig& config, const Schedule& schedule, const RankPlace& place,
                                 const GridSizes& s, double process)
{
    ResourceEstimate e;
    auto add = [&](const char* name, double bytes, const char* phase = "") {
        if (bytes > 0.0) e.items.push_back({name, bytes, phase});
    };
    const int d = config.d;
    const double N = static_cast<double>(config.N);
    const double Nd = std::pow(N, d);
    const double M = static_cast<double>(place.samples);
    const double c = place.group_samples();
    const double P = place.world_size;
    const int g = place.ranks_per_sample;
    const double nr = static_cast<double>(config.R.size());
    const double Ac = s.alloc_complex, Ar = s.alloc_real, Lp = s.local_points, S = s.spectral, H = s.spectral_half;
    const double stride = std::ceil(Ac / 4) * 4;
    const bool free_space =
        config.potential.kind == PotentialKind::soft_power || config.potential.kind == PotentialKind::power;

    add("process", process);
    add("samples", c * stride * complex_bytes);
    add("FFT plans", Ac * complex_bytes + Ar * real_bytes);

    // Time integration: the nonlinear step's ρ, and what the adaptive integrators add.
    double integrator = Ar * real_bytes;
    if (config.integrator == Integrator::petsc)
        integrator += Ac * complex_bytes + 19 * S * complex_bytes;  // RK5DP: 7 stages, 7 slopes, the state and work Vecs
    else if (config.tol > 0.0)
        integrator += 2 * Ac * complex_bytes;  // the two trial results of step doubling
    add("integrator", integrator);

    // The convolution V*ρ: periodic kernels on the half spectrum, or the zero-padded 2N grid.
    if (!free_space) {
        add("convolution", (3 + d) * H * real_bytes);
    } else {
        const GridSizes p = planned_grid_sizes(d, 2 * N, g, place.group_rank());
        double bytes = H * real_bytes + 2 * p.alloc_real * real_bytes + 3 * p.spectral_half * real_bytes;
        if (g > 1) bytes += 2 * Lp * real_bytes;
        if (config.potential.kind == PotentialKind::power) bytes += std::pow(2 * N + 1, 3) * real_bytes + 12 * N * N * real_bytes;
        add("convolution", bytes);
    }

    // One sample's observables and the resolution monitor.
    double observables = (1 + d) * Ac * complex_bytes + (1 + d + (free_space ? 1 : 0)) * Ar * real_bytes +
                         (3 + d) * Lp * real_bytes + S * (9 + 8 * d) + Ac * complex_bytes + 9 * S;
    if (nr > 0) observables += nr * (4 * Lp + 2 * H) * real_bytes + 3 * Lp * real_bytes;
    add("observables", observables);
    if (nr > 0) {
        // Kernel spectra: task t = (radius t / d, component t mod d) is rank t mod g's; it needs the
        // set of every |z| and its radius's set, for its component.
        std::set<std::size_t> kernels;
        for (std::size_t t = 0; t < config.R.size() * static_cast<std::size_t>(d); ++t)
            if (static_cast<int>(t % static_cast<std::size_t>(g)) == place.group_rank()) {
                kernels.insert(t % static_cast<std::size_t>(d));
                kernels.insert((1 + t / static_cast<std::size_t>(d)) * static_cast<std::size_t>(d) + t % static_cast<std::size_t>(d));
            }
        const double padded = std::pow(2 * N, d - 1) * 2 * (N + 1);
        add("pair terms", ((1 + nr) * Nd + 2 * padded + static_cast<double>(kernels.size()) * std::pow(N + 1, d) +
                           d * std::pow(N, d - 1)) * real_bytes);
    }
    add("gamma1", Lp * real_bytes);

    // The reductions at an output (reductions/plan.hpp): the held columns of G or Γ (kept from one
    // output to the next), the pass that fills them, the eigensolver, and fact_defect's pass.
    const double n = static_cast<double>(gamma2_points(config));
    const ReductionPlan plan = plan_reductions(config, place.samples, place.world_size);
    const ReductionBytes reductions = reduction_bytes(plan, place.world_rank, stride);
    add("gamma1 matrix", reductions.gamma1_matrix);
    add("gamma1 pass", reductions.gamma1_pass, "gamma1");
    add("eigenvalues", reductions.eigen, "eigenvalues");
    add("gamma2 diagnostics", reductions.gamma2_pass, "gamma2 diagnostics");

    // The explicit γ^(2), only at --gamma2-times: the factor R (n^d × M, rows over the world as PETSc
    // splits them; made at the first such row and kept), its loading, and the n^d × n^d matrix.
    const double nd = std::pow(n, d);
    const double r = std::floor(nd / P) + (std::fmod(nd, P) > place.world_rank ? 1 : 0);
    const double entry = 2 * sizeof(PetscInt) + real_bytes;
    const double slab_obs = std::min(nd, Nd > 0 ? Lp / Nd * nd + std::pow(n, d - 1) : 0.0);
    const double snapshots = static_cast<double>(gamma2_rows(config, schedule).size());
    if (snapshots > 0) {
        add("gamma2 factor", r * M * real_bytes);
        add("gamma2 load", (slab_obs * c + r * M) * entry, "gamma2 load");
        double bytes = r * M * real_bytes + 4 * r * nd * real_bytes + nd * real_bytes;
        if (P > 1) bytes += (nd + r) * M * real_bytes;  // MatMatTransposeMult gathers the factor
        add("gamma2 matrix", bytes, "gamma2 matrix");
    }

    // The run record streams its rows (run_record.hpp): one row in flight with its per-sample series,
    // and the closing table's RowDigest (at most 2·12 + 1 rows), whatever the run's length.
    const double columns = static_cast<double>(ColumnSchema(config.R).size());
    add("run record", (2 * 12 + 2) * columns * real_bytes + per_sample_series * c * real_bytes);
    return e;
}

ResourceEstimate largest_memory_estimate(const RunConfig& config, const Schedule& schedule, int world_size,
                                         std::size_t samples, double process)
{
    ResourceEstimate worst;
    double most = -1.0;
    const int g = config.ranks_per_sample;
    // A layout GroupLayout refuses (with its own message) has nothing to estimate.
    if (g < 1 || world_size % g != 0) return worst;
    for (int rank = 0; rank < world_size; ++rank) {
        const RankPlace place{world_size, g, rank, samples};
        const auto e = estimate_memory(config, schedule, place,
                                       planned_grid_sizes(config.d, static_cast<double>(config.N), g, place.group_rank()), process);
        if (e.total() > most) {
            most = e.total();
            worst = e;
        }
    }
    return worst;
}

ResourceEstimate estimate_output(const RunConfig& config, const Schedule& schedule, std::size_t samples)
{
    ResourceEstimate e;
    const double Nd = std::pow(static_cast<double>(config.N), config.d);
    const double M = static_cast<double>(samples);
    const double nd = std::pow(static_cast<double>(gamma2_points(config)), config.d);
    const double rows = static_cast<double>(schedule.rows());
    const double columns = static_cast<double>(ColumnSchema(config.R).size());
    const double snapshots = static_cast<double>(gamma2_rows(config, schedule).size());
    e.items.push_back({"run.h5", rows * (columns + Nd + per_sample_series * M) * real_bytes + snapshots * nd * nd * real_bytes, ""});
    e.items.push_back({"timeseries.csv", rows * columns * 24.0, ""});
    e.items.push_back({"checkpoint", M * Nd * complex_bytes, ""});
    if (!config.write_samples.empty()) e.items.push_back({"--write-samples", M * Nd * complex_bytes, ""});
    return e;
}

void require_memory(const ResourceEstimate& memory, double available, const std::string& source)
{
    if (!(available > 0.0) || memory.total() <= available) return;
    throw InputError("the run needs about " + format_bytes(memory.total()) + " per rank (" + memory.largest() + ") but " +
                     format_bytes(available) + " is available per rank (" + source +
                     "); use fewer samples per rank (more ranks), a smaller N, a smaller --gamma2-grid, "
                     "or --max-memory SIZE if more memory is there");
}

void require_disk(const ResourceEstimate& output, double free_bytes, const std::string& out_dir)
{
    if (free_bytes < 0.0 || output.total() <= free_bytes) return;
    throw InputError("the outputs need about " + format_bytes(output.total()) + " (" + output.largest() + ") but the file system of --out '" +
                     out_dir + "' has " + format_bytes(free_bytes) +
                     " free; write fewer rows (a larger --output-dt), fewer --gamma2-times, or choose another --out");
}

void require_message_sizes(const RunConfig& config, int world_size, std::size_t samples)
{
    const double groups = std::max(1, world_size / std::max(1, config.ranks_per_sample));
    const double c = std::ceil(static_cast<double>(samples) / groups);
    const double points = std::pow(static_cast<double>(config.N), config.d) / std::max(1, config.ranks_per_sample);
    const double M = static_cast<double>(samples);
    constexpr double int_max = 2147483647.0;
    // The ring pass sends a group's block of samples whole (doubles); the other messages of the
    // reductions are pieces of at most reduction_piece_bytes, or vectors of the matrix's dimension.
    const double ring = 2.0 * c * points;
    if (ring > int_max)
        throw InputError("a reduction would pass " + shortest(ring) + " values in one MPI call, more than MPI's int count (" +
                         shortest(int_max) + ") allows, with " + shortest(c) + " samples in the largest group of " +
                         shortest(M) + "; use more ranks (fewer samples per group) or fewer samples");
    // The dense eigensolver gathers the whole matrix on the root (complex numbers).
    const ReductionPlan plan = plan_reductions(config, samples, world_size);
    const double dim = static_cast<double>(plan.gamma1_dimension());
    if (plan.eigen == EigenMethod::dense && dim * dim > int_max)
        throw InputError("--eigensolver dense would gather the " + shortest(dim) + " x " + shortest(dim) + " matrix (" +
                         shortest(dim * dim) + " values) on one rank in one MPI call, more than MPI's int count (" +
                         shortest(int_max) + ") allows; use --eigensolver iterative");
}

}  // namespace dfe
