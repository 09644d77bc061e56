#pragma once
// Shared helpers of the MPI tests: run a configuration, collect its output rows.
#include "dfe/ensemble/ensemble.hpp"

#include <mpi.h>

#include <vector>

namespace dfe_test {

struct Row {
    double t;
    dfe::SampleObservables o;  ///< the ensemble sums Σ_j w_j × sample values
    dfe::EnsembleValues v;     ///< everything
};

/// Runs `config` with `measure` (default: the built-in measure of config.measure) on `comm`.
inline std::vector<Row> run_rows(const dfe::Comm& comm, const dfe::RunConfig& config,
                                 std::unique_ptr<dfe::Measure> measure = nullptr)
{
    if (!measure) measure = dfe::make_builtin_measure(config.measure, config.d);
    dfe::Ensemble ensemble(comm, config, std::move(measure));
    std::vector<Row> rows;
    ensemble.run([&](const dfe::EnsembleValues& v) { rows.push_back({v.t, v.sums, v}); });
    return rows;
}

/// One sample field shared by every rank of `comm` (one group of comm.size() ranks).
inline std::vector<Row> run_one(const dfe::Comm& comm, dfe::RunConfig config)
{
    config.ranks_per_sample = comm.size();
    return run_rows(comm, config);
}

/// A small focusing problem resolved to round-off: at the Nyquist wave number the spectra of ρ
/// (e^{−k²σ²/4}) times V̂ (e^{−s²k²/2}) are below e^{−36}, so the discrete identities hold to
/// round-off. Planner ESTIMATE keeps test start-up fast.
inline dfe::RunConfig small_config(int d)
{
    dfe::RunConfig c;
    c.d = d;
    c.N = d == 3 ? 40 : 64;
    c.L = d == 3 ? 12.0 : 20.0;
    c.mu = -1.0;
    c.potential = {dfe::PotentialKind::gaussian, 5.0, 0.5};
    c.measure.sigma = 1.0;
    c.gamma2_times = "none";
    c.dt = 1e-3;
    c.t_end = 0.2;
    c.output_dt = 0.05;
    c.fftw_planner = dfe::PlannerEffort::estimate;
    return c;
}

/// The launch's communicator (the tests are the applications here: they may name MPI_COMM_WORLD).
inline dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

/// This rank alone, for comparing a distributed run with a one-rank run.
inline dfe::Comm self_comm(const dfe::Comm& world) { return world.split(world.rank(), 0); }

}  // namespace dfe_test
