#pragma once
/**
 * @file phase_times.hpp
 * @brief Where an ensemble's wall time goes, phase by phase (timed with core/timer.hpp's ScopedTimer).
 */

namespace dfe {

struct PhaseTimes {
    double evolution = 0.0;    ///< the steps of the integrator
    double observables = 0.0;  ///< the per-sample observables and resolution checks (each group on its own samples)
    double reductions = 0.0;   ///< sums over groups, γ^(1), Gram matrix, γ^(2)
    double wait = 0.0;         ///< waiting at output times for slower ranks (load imbalance), before the reductions
};

}  // namespace dfe
