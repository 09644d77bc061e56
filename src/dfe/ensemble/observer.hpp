#pragma once
/**
 * @file observer.hpp
 * @brief The ensemble's observation at an output time: every sample's observables, their weighted
 * sums over the groups, γ^(1)(x,x), the Gram reductions (purity, lambda_max) and γ^(2)'s columns
 * and snapshot (docs/physics.md §4–§5), and the t = 0 values behind glassey_T and margin_R.
 *
 * Ensemble values of the observables linear in γ (docs/physics.md §1) are Σ_j w_j × (value of sample j):
 * each group evaluates its samples on its FFTW-MPI grid, and the weighted sums are added over the
 * cross communicator. γ^(1)(x,x) = Σ_j w_j |φ_j(x)|² is reduced the same way on every slab. purity and
 * lambda_max come from the Gram matrix or the grid matrix of γ^(1), whichever the cost model picks
 * (reductions/plan.hpp); fact_defect and admissibility_residual from the fields at the observation
 * points, and the explicit γ^(2) from its distributed factor at the --gamma2-times rows (gamma2.hpp).
 */
#include "dfe/config/run_config.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/ensemble/phase_times.hpp"
#include "dfe/ensemble/resolution_tracker.hpp"
#include "dfe/ensemble/sample_set.hpp"
#include "dfe/ensemble/values.hpp"
#include "dfe/observables/observables.hpp"
#include "dfe/reductions/gamma2.hpp"
#include "dfe/reductions/gram.hpp"
#include "dfe/reductions/plan.hpp"

#include <array>
#include <limits>
#include <span>
#include <vector>

namespace dfe {

/** @brief The run's values at t = 0, behind glassey_T, margin_R and the verdicts (a restart carries them). */
struct InitialValues {
    bool recorded = false;
    double energy = 0.0, V1 = 0.0, dV1 = 0.0, radial_defect = 0.0;
};

class Observer {
public:
    /**
     * @brief Not Collective. `weights` are all M weights of the measure. `config`, `layout` and `grid`
     * are kept by reference and must outlive the observer (the Ensemble's members).
     */
    Observer(const RunConfig& config, const Schedule& schedule, const GroupLayout& layout, const Grid& grid,
             const Convolver& convolver, std::span<const double> weights);

    /**
     * @brief The values of output row `row` at time t (Collective on the world). Samples found
     * under-resolved are marked in `tracker`; the wall time goes into `times` (observables, wait,
     * reductions). `proposed_steps`: the step each sample's controller tries next, for the dt column
     * of the adaptive integrators; empty for the fixed-step ones (the column is then --dt).
     */
    [[nodiscard]] EnsembleValues observe(long row, double t, const SampleSet& samples, ResolutionTracker& tracker,
                                         std::span<const double> proposed_steps, PhaseTimes& times);
    /** @brief Samples marked by the last observe(), over all groups. */
    [[nodiscard]] long marked_now() const { return marked_now_; }

    [[nodiscard]] const InitialValues& initial() const { return initial_; }
    void restore(const InitialValues& initial) { initial_ = initial; }
    /** @brief This group's samples' E, V1, dV1 at t = 0 (SampleState's energy0, V1_0, dV1_0; NaN before the first row). */
    [[nodiscard]] const std::array<std::vector<double>, 3>& initial_samples() const { return initial_samples_; }
    /** @brief Restores them (a checkpoint's; one value per local sample each). */
    void restore_samples(std::array<std::vector<double>, 3> values);

    [[nodiscard]] const ObservableEvaluator& evaluator() const { return evaluator_; }
    [[nodiscard]] const Gamma2& gamma2() const { return gamma2_; }
    [[nodiscard]] const std::vector<long>& gamma2_rows() const { return gamma2_rows_; }
    [[nodiscard]] GramReducer& gram() { return gram_; }
    [[nodiscard]] const ReductionPlan& reduction_plan() const { return plan_; }
    /** @brief γ^(1)(x,x) on this rank's slab, as of the last observe(). */
    [[nodiscard]] std::span<const double> gamma1_local() const { return gamma1_; }
    /** @brief Per-sample observables of this group's samples, as of the last observe(). */
    [[nodiscard]] const std::vector<SampleObservables>& sample_values() const { return per_sample_; }

private:
    /** @brief This group's weighted sums and per-sample extremes at an output (before the reductions). */
    struct SampleSums {
        std::vector<double> sums;  ///< the sample columns, then the localized values
        double radial = 0.0, grad_max = 0.0, boundary_max = 0.0, marked = 0.0, newly = 0.0;
        double step = std::numeric_limits<double>::infinity();  ///< smallest proposed step of unfrozen samples
    };
    /** @brief Evaluates every local sample, accumulating γ^(1) and marking under-resolved ones (Collective on the group). */
    SampleSums evaluate_samples(double t, const SampleSet& samples, ResolutionTracker& tracker,
                                std::span<const double> proposed_steps);
    /** @brief Sums over the groups and the maxima over the world into `out` (Collective on the world). */
    void reduce_sums(SampleSums& sums, bool adaptive, EnsembleValues& out);
    /** @brief E(0), glassey_T and margin_R from the t = 0 values (recorded at the first row). */
    void derive_from_initial(EnsembleValues& out);
    /** @brief γ^(1) over the groups, purity and lambda_max, γ^(2)'s columns and snapshot (Collective on the world). */
    void reduce_density_matrices(const SampleSet& samples, EnsembleValues& out);
    /** @brief stderr_row and estimate_row of `out` (Collective on the world; RunConfig::random_draw). */
    void sampling_error(EnsembleValues& out) const;
    /** @brief glassey_T's influence values: its gradient in (V1, dV1, E) at t = 0 applied to each sample's (NaN: none). */
    [[nodiscard]] std::vector<double> glassey_influence() const;

    const RunConfig& config_;  ///< the Ensemble's own copy, which outlives the observer
    const GroupLayout& layout_;
    const Grid& grid_;
    std::vector<double> weights_;  ///< all M weights
    ObservableEvaluator evaluator_;
    ReductionPlan plan_;  ///< which exact form each reduction takes (reductions/plan.hpp)
    GramReducer gram_;
    Gamma2 gamma2_;
    std::vector<long> gamma2_rows_;
    double shares_;  ///< Σ (w_j/Σw)², 1/n_eff (the sampling error)
    std::size_t purity_column_;  ///< purity's position in a row (estimate_row)
    std::vector<double> gamma1_;
    std::vector<SampleObservables> per_sample_;
    InitialValues initial_;
    std::array<std::vector<double>, 3> initial_samples_;  ///< E, V1, dV1 of each local sample at t = 0
    /// The reductions' sampling errors at the last observe() (NaN where not reduced).
    struct ReductionErrors {
        double purity_estimate, purity, lambda_max, fact_defect;
    } reduction_errors_{};
    long marked_now_ = 0;
};

}  // namespace dfe
