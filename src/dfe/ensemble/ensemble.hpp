#pragma once
/**
 * @file ensemble.hpp
 * @brief The de Finetti ensemble: every sample of a measure evolved by the Hartree flow, and the
 * ensemble averages reduced over all ranks at every output time.
 *
 * Ensemble puts together the parts that do the work, each in its own header of this folder:
 *   - the run's numerics: the layout of groups (core/groups.hpp), the grid and its FFT plans, the
 *     potential and its convolver;
 *   - SampleSet (sample_set.hpp): this group's samples on this rank's slab, one block;
 *   - Propagator (propagator.hpp): the integrator that moves them, and each sample's next step;
 *   - ResolutionTracker (resolution_tracker.hpp): which samples are under-resolved, and the policy;
 *   - Observer (observer.hpp): the observables, their reductions and the t = 0 values;
 *   - the checkpoint state (ensemble_state.hpp) and the phase timers (phase_times.hpp).
 * It owns the schedule: when to step, check and observe (run()).
 */
#include "dfe/config/run_config.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/ensemble/ensemble_state.hpp"
#include "dfe/ensemble/measure.hpp"
#include "dfe/ensemble/observer.hpp"
#include "dfe/ensemble/phase_times.hpp"
#include "dfe/ensemble/propagator.hpp"
#include "dfe/ensemble/resolution_tracker.hpp"
#include "dfe/ensemble/sample_set.hpp"
#include "dfe/ensemble/values.hpp"

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace dfe {

/** @brief How Ensemble::run ended. */
enum class RunEnd {
    finished,       ///< t_end reached
    stopped,        ///< stop_now returned true (a signal)
    underresolved,  ///< a sample was marked under-resolved with --on-underresolved stop
};

class Ensemble {
public:
    /**
     * @brief Splits `world` into groups, decomposes the grid, plans, and fills this group's samples
     * from `measure` (Collective on `world`). Input errors found on any rank are thrown on all.
     * config.d, N and L must already agree with the measure (a samples file fixes them).
     */
    Ensemble(const Comm& world, const RunConfig& config, std::unique_ptr<Measure> measure);

    /** @brief Advances every local sample by `steps` steps (Collective on the group). */
    void advance(long steps);
    /** @brief Observables and reductions at the current time, as output row `row` (Collective on world). */
    [[nodiscard]] EnsembleValues observe(long row);

    /**
     * @brief Evolves to t_end from the current state, calling `on_output` at every output row from
     * next_row() on (Collective on world). Between outputs the steps go in chunks of `chunk_steps`
     * (0: one chunk per output interval) counted from the output row's step, so chunk boundaries do
     * not depend on where a run was interrupted; after every chunk `stop_now` is called (Collective:
     * it must return the same on every rank), and when it returns true the run stops there.
     * A sample is checked for under-resolution after every chunk and at every row; with
     * --on-underresolved stop the run stops after the chunk or row at which one was marked.
     */
    RunEnd run(const std::function<void(const EnsembleValues&)>& on_output, const std::function<bool()>& stop_now = {},
               long chunk_steps = 0);

    /** @brief The state a checkpoint restores besides the fields (ensemble_state.hpp). */
    using State = EnsembleState;
    /** @brief Per-sample state of this group's samples besides the fields (ensemble_state.hpp). */
    using SampleState = dfe::SampleState;
    [[nodiscard]] SampleState sample_state() const;
    /** @brief Continues from a checkpoint's per-sample state (Not Collective). */
    void restore(SampleState state);
    /** @brief The current state (after observe() of row r, next_row is r + 1). */
    [[nodiscard]] State state() const;
    /** @brief Continues from a checkpoint's state; the fields come from the measure (Not Collective). */
    void restore(const State& state);

    [[nodiscard]] const GroupLayout& layout() const { return layout_; }
    [[nodiscard]] const Grid& grid() const { return grid_; }
    [[nodiscard]] const Measure& measure() const { return *measure_; }
    [[nodiscard]] const RunConfig& config() const { return config_; }
    [[nodiscard]] const ObservableEvaluator& evaluator() const { return observer_.evaluator(); }
    [[nodiscard]] const Potential& potential() const { return potential_; }
    [[nodiscard]] const Schedule& schedule() const { return schedule_; }
    [[nodiscard]] long step_count() const { return step_; }
    [[nodiscard]] double time() const { return static_cast<double>(step_) * config_.dt; }
    [[nodiscard]] const Gamma2& gamma2() const { return observer_.gamma2(); }
    /** @brief The output rows at which γ^(2) is formed (from --gamma2-times), ascending. */
    [[nodiscard]] const std::vector<long>& gamma2_rows() const { return observer_.gamma2_rows(); }
    [[nodiscard]] GramReducer& gram() { return observer_.gram(); }
    /** @brief Which exact form each reduction takes, and its estimated cost (reductions/plan.hpp). */
    [[nodiscard]] const ReductionPlan& reduction_plan() const { return observer_.reduction_plan(); }
    /** @brief The adaptive integrator, or null for the fixed-step ones. */
    [[nodiscard]] const AdaptiveIntegrator* adaptive() const { return propagator_.adaptive(); }
    /** @brief Steps taken and rejected by this group's samples (adaptive integrators). */
    [[nodiscard]] const StepStats& step_stats() const { return propagator_.stats(); }
    /** @brief When each of this group's samples was marked under-resolved (NaN: never). */
    [[nodiscard]] const std::vector<double>& underresolved_times() const { return tracker_.times(); }
    /** @brief True when sample j of this group is no longer evolved (--on-underresolved freeze). */
    [[nodiscard]] bool frozen(std::size_t j) const { return tracker_.frozen(j); }
    /**
     * @brief Checks every sample not yet marked and marks those whose tail fraction exceeds
     * --tail-tol or whose boundary mass exceeds --boundary-tol at the current time (Collective on
     * world). Returns how many were marked now, over all groups. Ensemble::run calls it after every
     * chunk; observe() marks from its own values.
     */
    long check_resolution();
    /** @brief True when a sample with this resolution is under-resolved (--tail-tol, --boundary-tol). */
    [[nodiscard]] bool underresolved(double tail_fraction, double boundary_mass) const
    {
        return tracker_.underresolved(tail_fraction, boundary_mass);
    }
    /**
     * @brief Refuses a start that the monitor would mark at once: throws InputError (the same on
     * every rank) naming the worst sample and what to change (--L, --N, --sigma) when some sample's
     * boundary mass exceeds --boundary-tol or its tail fraction exceeds --tail-tol at the current
     * time. Does nothing with --allow-unresolved-initial. Call it on a fresh start, not after a
     * restart (Collective on world).
     */
    void require_resolved_start();

    /** @brief This group's samples (layout().count() of them), physical layout of this rank's slab. */
    [[nodiscard]] std::span<cplx* const> fields() { return samples_.fields(); }
    /** @brief The same samples as one block: sample j at data + j·stride. */
    [[nodiscard]] SampleBlock sample_block() const { return samples_.block(); }
    /** @brief γ^(1)(x,x) on this rank's slab, as of the last observe(). */
    [[nodiscard]] std::span<const double> gamma1_local() const { return observer_.gamma1_local(); }
    /** @brief Per-sample observables of this group's samples, as of the last observe(). */
    [[nodiscard]] const std::vector<SampleObservables>& sample_values() const { return observer_.sample_values(); }

    /** @brief Time in advance(): the split steps. */
    [[nodiscard]] double evolution_seconds() const { return times_.evolution; }
    /** @brief Time in the per-sample observables (each group on its own samples). */
    [[nodiscard]] double observable_seconds() const { return times_.observables; }
    /** @brief Time in the ensemble reductions: sums over groups, γ^(1), Gram matrix, γ^(2). */
    [[nodiscard]] double reduction_seconds() const { return times_.reductions; }
    /** @brief Time waiting at output times for slower ranks (load imbalance), before the reductions. */
    [[nodiscard]] double wait_seconds() const { return times_.wait; }

private:
    // The run's definition and its numerics.
    RunConfig config_;
    Schedule schedule_;
    std::unique_ptr<Measure> measure_;
    GroupLayout layout_;
    Grid grid_;
    FftPlans plans_;
    Potential potential_;
    Convolver convolver_;
    // The samples, what moves them, what watches them and what observes them.
    SampleSet samples_;
    Propagator propagator_;
    ResolutionTracker tracker_;
    Observer observer_;
    // Where the run is (with observer_.initial(): the checkpoint's State), and where the time went.
    long step_ = 0;
    long next_row_ = 0;
    PhaseTimes times_;
};

}  // namespace dfe
