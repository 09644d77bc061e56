#pragma once
/**
 * @file ensemble_state.hpp
 * @brief What a checkpoint restores of an Ensemble besides the fields (ensemble.hpp, checkpoint.hpp):
 * plain data, so that the checkpoint format needs nothing else of the ensemble.
 */
#include <vector>

namespace dfe {

/** @brief The state a checkpoint restores besides the fields. */
struct EnsembleState {
    long step = 0;           ///< steps taken
    long next_row = 0;       ///< the next output row to observe
    double energy0 = 0.0, V1_0 = 0.0, dV1_0 = 0.0;  ///< the t = 0 values behind glassey_T, margin_R
    double radial_defect0 = 0.0;                     ///< largest radial defect at t = 0
};

/**
 * @brief Per-sample state of a group's samples besides the fields (one value per local sample,
 * the same on every rank of the group): what a checkpoint stores per sample.
 */
struct SampleState {
    std::vector<double> h;                 ///< the step the adaptive integrator tries next
    std::vector<double> underresolved_t;   ///< when marked under-resolved; NaN: never
    /// Each sample's E, V1 and dV1 at t = 0, behind the sampling error of margin_R and glassey_T
    /// (docs/physics.md §12); NaN when not known (a checkpoint written before they were stored).
    std::vector<double> energy0, V1_0, dV1_0;
};

}  // namespace dfe
