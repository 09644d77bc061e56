#include "dfe/simulation.hpp"

#include <mpi.h>

#include <algorithm>

namespace dfe {

Simulation::Simulation(const Comm& comm, const RunConfig& config)
    : config_(config), schedule_(validate(config)), grid_(comm, config.d, config.N, config.L),
      plans_(grid_, parse_planner_effort(config.fftw_planner)), potential_(config.potential, config.d),
      convolver_(plans_, potential_), stepper_(convolver_, config.mu, make_composition(config.integrator), config.dt),
      evaluator_(convolver_, config.mu), phi_(grid_.alloc_complex())
{
    fill_gaussian(grid_, config.sigma, phi_.data());
}

void Simulation::advance(long steps)
{
    const double start = MPI_Wtime();
    stepper_.advance(phi_.data(), steps);
    step_ += steps;
    evolution_seconds_ += MPI_Wtime() - start;
}

SampleObservables Simulation::observe()
{
    const double start = MPI_Wtime();
    SampleObservables out = evaluator_.evaluate(phi_.data());
    observable_seconds_ += MPI_Wtime() - start;
    return out;
}

void Simulation::run(const OutputFn& on_output)
{
    on_output(step_, time(), observe());
    while (step_ < schedule_.total_steps) {
        advance(std::min(schedule_.steps_per_output, schedule_.total_steps - step_));
        on_output(step_, time(), observe());
    }
}

}  // namespace dfe
