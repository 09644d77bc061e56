// Evolves one sample through dfe's public API, the way dfe-run builds a one-sample ensemble, and
// prints its energy and kinetic energy at the end with 17 significant digits (install.downstream
// compares them with dfe-run's). The problem, fixed here and given to dfe-run by check_install.sh:
//   d = 2, N = 32, L = 10, focusing (mu = -1) Gaussian potential lambda = 5, s = 0.5,
//   one Gaussian of width sigma = 1, Strang splitting, 10 steps of dt = 1e-3 (t = 0.01),
//   FFTW planner ESTIMATE.
#include "dfe/config/params.hpp"
#include "dfe/core/comm.hpp"
#include "dfe/core/environment.hpp"
#include "dfe/evolution/composition.hpp"
#include "dfe/evolution/split_step.hpp"
#include "dfe/observables/observables.hpp"
#include "dfe/physics/convolution.hpp"
#include "dfe/physics/potential.hpp"
#include "dfe/spectral/fft_plan.hpp"
#include "dfe/spectral/field.hpp"
#include "dfe/spectral/grid.hpp"
#include "dfe/version.hpp"

#include <mpi.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    dfe::Environment environment(argc, argv);  // MPI, FFTW-MPI, PETSc: first in, last out
    try {
        const dfe::Comm world(MPI_COMM_WORLD);
        // As dfe::Ensemble builds it: with FFTW_ESTIMATE a one-rank group takes FFTW-MPI's plans.
        const dfe::Grid grid(world, 2, 32, 10.0, dfe::Grid::OneRank::distributed);
        const dfe::FftPlans plans(grid, dfe::PlannerEffort::estimate);
        const dfe::Potential potential(dfe::PotentialParams{dfe::PotentialKind::gaussian, 5.0, 0.5}, 2);
        const dfe::Convolver convolver(plans, potential);
        const double mu = -1.0;

        dfe::Buffer<dfe::cplx> phi(grid.alloc_complex());
        dfe::fill_gaussian(grid, 1.0, phi.data());

        dfe::SplitStep step(convolver, mu, dfe::make_composition(dfe::Integrator::strang), 1e-3);
        step.advance(phi.data(), 10);

        dfe::ObservableEvaluator evaluator(convolver, mu);
        const dfe::SampleObservables o = evaluator.evaluate(phi.data());
        if (world.rank() == 0) {
            std::printf("dfe %s (%s)\n", dfe::version, dfe::git_revision);
            std::printf("energy %.17g\n", o.energy);
            std::printf("kinetic %.17g\n", o.kinetic);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "evolve_one: %s\n", e.what());
        return 1;
    }
    return 0;
}
