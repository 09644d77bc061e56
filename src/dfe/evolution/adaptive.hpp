#pragma once
/**
 * @file adaptive.hpp
 * @brief The interface of the adaptive integrators: each advances one sample over a given time span
 * with steps it chooses itself, landing exactly on the end of the span.
 *
 * Two implementations:
 * - AdaptiveSplitStep (adaptive_split.hpp): the strang/order4 compositions of split_step.hpp with
 *   step doubling (`--tol`);
 * - InteractionPictureTS (interaction_ts.hpp): PETSc TS on the interaction-picture form of the
 *   Hartree equation (`--integrator petsc`).
 *
 * The ensemble calls advance() for every sample over every chunk between check points and output
 * times, carrying each sample's proposed step `h` from one call to the next (and through
 * checkpoints), so that where the spans are cut does not change the step sequence inside them beyond
 * the shortened last step of a span.
 */
#include "dfe/spectral/cplx.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace dfe {

/** @brief What an integrator did over one or more spans. */
struct StepStats {
    long accepted = 0;  ///< steps taken
    long rejected = 0;  ///< steps tried and rejected by the error control
    double min_step = std::numeric_limits<double>::infinity();  ///< smallest accepted step
    double max_step = 0.0;                                       ///< largest accepted step

    /** @brief Records one accepted step of size h. */
    void accept(double h)
    {
        ++accepted;
        min_step = std::min(min_step, h);
        max_step = std::max(max_step, h);
    }
    void merge(const StepStats& o)
    {
        accepted += o.accepted;
        rejected += o.rejected;
        min_step = std::min(min_step, o.min_step);
        max_step = std::max(max_step, o.max_step);
    }
};

class AdaptiveIntegrator {
public:
    virtual ~AdaptiveIntegrator() = default;

    /**
     * @brief Advances φ (physical complex layout of the grid, in place) by exactly `span` > 0 time
     * units (Collective on the grid's communicator).
     * @param h      on entry the step to try first; on exit the step the controller proposes for the
     *               next call (its proposal, not the last step shortened to land on the span's end)
     * @param stats  accumulates the accepted and rejected steps
     * @throws Error when the step size falls below the integrator's minimum (the run cannot go on)
     */
    virtual void advance(cplx* phi, double span, double& h, StepStats& stats) = 0;

    /** @brief One line for the run's header: method, tolerance, controller. */
    [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace dfe
