#pragma once
/**
 * @file ensemble.hpp
 * @brief The de Finetti ensemble: every sample of a measure evolved by the Hartree flow, and the
 * ensemble averages reduced over all ranks at every output time.
 *
 * Ensemble values of the observables linear in γ (docs/physics.md §1) are Σ_j w_j × (value of sample j):
 * each group evaluates its samples on its FFTW-MPI grid, and the weighted sums are added over the
 * cross communicator. γ^(1)(x,x) = Σ_j w_j |φ_j(x)|² is reduced the same way on every slab. purity and
 * lambda_max come from the Gram matrix (gram.hpp), γ^(2) from its distributed factor (gamma2.hpp).
 */
#include "dfe/ensemble/ensemble_state.hpp"
#include "dfe/evolution/adaptive.hpp"
#include "dfe/reductions/gamma2.hpp"
#include "dfe/reductions/gram.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/ensemble/measure.hpp"
#include "dfe/observables/observables.hpp"
#include "dfe/observables/resolution.hpp"
#include "dfe/config/run_config.hpp"
#include "dfe/evolution/split_step.hpp"

#include <array>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace dfe {

/** @brief How Ensemble::run ended. */
enum class RunEnd {
    finished,       ///< t_end reached
    stopped,        ///< stop_now returned true (a signal)
    underresolved,  ///< a sample was marked under-resolved with --on-underresolved stop
};


/// Relative tolerance of glassey_time's double root: a parabola whose minimum is within this times V1
/// of 0 touches 0 at its vertex (docs/physics.md §5). Covers the discretization of V1, dV1 and E.
inline constexpr double glassey_double_root_tol = 1e-4;

/**
 * @brief The smallest t > 0 with V1 + dV1 t + 8E t² = 0, for every sign of E, +inf when there is none
 * (the proof of Theorem 1.1 for E < 0; for E ≥ 0 a root needs dV1 < 0). A minimum within
 * glassey_double_root_tol·V1 of 0 counts as a double root at the vertex. An upper bound on the
 * lifespan only while vterm ≤ 0.
 */
double glassey_time(double V1, double dV1, double E);

/** @brief Everything the ensemble reports at one output time. */
struct EnsembleValues {
    long row = 0;
    double t = 0.0;
    SampleObservables sums;  ///< Σ_j w_j × per-sample values (sums.localized: 8 per radius)
    double glassey_T = 0.0;  ///< from V1, dV1 and E at t = 0
    std::vector<double> margin;  ///< d2loc_R − 4E(0) per radius
    double energy0 = 0.0;        ///< E(0), the ensemble energy at t = 0
    double max_radial_defect = 0.0;  ///< largest radial_defect over all samples
    double purity = 0.0, lambda_max = 0.0, fact_defect = 0.0, admissibility_residual = 0.0;
    /// Evaluated on the explicit γ^(2), i.e. only at --gamma2-times; NaN at other rows.
    double symmetry_residual = 0.0, gamma2_min = 0.0;
    double max_grad_norm = 0.0;   ///< max_j ‖∇φ_j‖
    double max_boundary_mass = 0.0;  ///< max_j of the share of φ_j's mass near the box's faces (resolution.hpp)
    long n_underresolved = 0;     ///< samples marked under-resolved at or before this row
    double dt = 0.0;              ///< the step (monitor_column_specs)
    /// The explicit γ^(2) at this row, when it is a --gamma2-times row.
    std::optional<Gamma2::Explicit> gamma2;

    /** @brief The time-series row, in the order of ColumnSchema (columns.hpp). */
    [[nodiscard]] std::vector<double> row_values() const;
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
    [[nodiscard]] SampleState sample_state() const { return {h_, underresolved_t_}; }
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
    [[nodiscard]] const ObservableEvaluator& evaluator() const { return evaluator_; }
    [[nodiscard]] const Potential& potential() const { return potential_; }
    [[nodiscard]] const Schedule& schedule() const { return schedule_; }
    [[nodiscard]] long step_count() const { return step_; }
    [[nodiscard]] double time() const { return static_cast<double>(step_) * config_.dt; }
    [[nodiscard]] const Gamma2& gamma2() const { return gamma2_; }
    /** @brief The output rows at which γ^(2) is formed (from --gamma2-times), ascending. */
    [[nodiscard]] const std::vector<long>& gamma2_rows() const { return gamma2_rows_; }
    [[nodiscard]] GramReducer& gram() { return gram_; }
    /** @brief The adaptive integrator, or null for the fixed-step ones. */
    [[nodiscard]] const AdaptiveIntegrator* adaptive() const { return adaptive_.get(); }
    /** @brief Steps taken and rejected by this group's samples (adaptive integrators). */
    [[nodiscard]] const StepStats& step_stats() const { return stats_; }
    /** @brief When each of this group's samples was marked under-resolved (NaN: never). */
    [[nodiscard]] const std::vector<double>& underresolved_times() const { return underresolved_t_; }
    /** @brief True when sample j of this group is no longer evolved (--on-underresolved freeze). */
    [[nodiscard]] bool frozen(std::size_t j) const;
    /**
     * @brief Checks every sample not yet marked and marks those whose tail fraction exceeds
     * --tail-tol or whose boundary mass exceeds --boundary-tol at the current time (Collective on
     * world). Returns how many were marked now, over all groups. Ensemble::run calls it after every
     * chunk; observe() marks from its own values.
     */
    long check_resolution();
    /** @brief True when a sample with this resolution is under-resolved (--tail-tol, --boundary-tol). */
    [[nodiscard]] bool underresolved(double tail_fraction, double boundary_mass) const;
    /**
     * @brief Refuses a start that the monitor would mark at once: throws InputError (the same on
     * every rank) naming the worst sample and what to change (--L, --N, --sigma) when some sample's
     * boundary mass exceeds --boundary-tol or its tail fraction exceeds --tail-tol at the current
     * time. Does nothing with --allow-unresolved-initial. Call it on a fresh start, not after a
     * restart (Collective on world).
     */
    void require_resolved_start();

    /** @brief This group's samples (layout().count() of them), physical layout of this rank's slab. */
    [[nodiscard]] std::span<cplx* const> fields() { return pointers_; }
    /** @brief The same samples as one block: sample j at data + j·stride. */
    [[nodiscard]] SampleBlock sample_block() const { return {block_.data(), stride_, pointers_.size()}; }
    /** @brief γ^(1)(x,x) on this rank's slab, as of the last observe(). */
    [[nodiscard]] std::span<const double> gamma1_local() const { return gamma1_; }
    /** @brief Per-sample observables of this group's samples, as of the last observe(). */
    [[nodiscard]] const std::vector<SampleObservables>& sample_values() const { return per_sample_; }

    /** @brief Time in advance(): the split steps. */
    [[nodiscard]] double evolution_seconds() const { return times_.evolution; }
    /** @brief Time in the per-sample observables (each group on its own samples). */
    [[nodiscard]] double observable_seconds() const { return times_.observables; }
    /** @brief Time in the ensemble reductions: sums over groups, γ^(1), Gram matrix, γ^(2). */
    [[nodiscard]] double reduction_seconds() const { return times_.reductions; }
    /** @brief Time waiting at output times for slower ranks (load imbalance), before the reductions. */
    [[nodiscard]] double wait_seconds() const { return times_.wait; }

private:
    /** @brief This group's weighted sums and per-sample extremes at an output (before the reductions). */
    struct SampleSums {
        std::vector<double> sums;  ///< the sample columns, then the localized values
        double radial = 0.0, grad_max = 0.0, boundary_max = 0.0, marked = 0.0, newly = 0.0;
        double step = std::numeric_limits<double>::infinity();  ///< smallest proposed step of unfrozen samples
    };
    /** @brief Evaluates every local sample, accumulating γ^(1) and marking under-resolved ones (Collective on the group). */
    SampleSums evaluate_samples(double t);
    /** @brief Sums over the groups and the maxima over the world into `out` (Collective on the world). */
    void reduce_sums(SampleSums& sums, EnsembleValues& out);
    /** @brief E(0), glassey_T and margin_R from the t = 0 values (recorded at the first row). */
    void derive_from_initial(EnsembleValues& out);
    /** @brief γ^(1) over the groups, purity and lambda_max, γ^(2)'s columns and snapshot (Collective on the world). */
    void reduce_density_matrices(EnsembleValues& out);

    /** @brief Wall time spent in each phase (the accessors above). */
    struct PhaseTimes {
        double evolution = 0.0, observables = 0.0, reductions = 0.0, wait = 0.0;
    };
    /** @brief The run's values at t = 0, behind glassey_T, margin_R and the verdicts (a restart carries them). */
    struct InitialValues {
        bool recorded = false;
        double energy = 0.0, V1 = 0.0, dV1 = 0.0, radial_defect = 0.0;
    };

    // The run's definition and its numerics.
    RunConfig config_;
    Schedule schedule_;
    std::unique_ptr<Measure> measure_;
    GroupLayout layout_;
    Grid grid_;
    FftPlans plans_;
    Potential potential_;
    Convolver convolver_;
    std::unique_ptr<SplitStep> stepper_;            ///< fixed step (strang, order4 without --tol)
    std::unique_ptr<AdaptiveIntegrator> adaptive_;  ///< --tol or --integrator petsc
    // Monitoring: the resolution monitor and what happens to a marked sample.
    ResolutionMonitor monitor_;
    OnUnderresolved on_underresolved_;
    // Observation and reductions.
    ObservableEvaluator evaluator_;
    // The samples.
    std::ptrdiff_t stride_ = 0;  ///< distance between samples in block_
    Buffer<cplx> block_;         ///< this group's samples, one after another
    std::vector<cplx*> pointers_;
    GramReducer gram_;
    Gamma2 gamma2_;
    std::vector<long> gamma2_rows_;
    std::vector<double> gamma1_;
    std::vector<SampleObservables> per_sample_;
    // Checkpoint state: per sample (SampleState) and of the run (State).
    std::vector<double> h_, underresolved_t_;  ///< SampleState, per local sample
    StepStats stats_;
    long marked_now_ = 0;  ///< samples marked by the last observe(), over all groups
    long step_ = 0;
    long next_row_ = 0;
    InitialValues initial_;
    PhaseTimes times_;
};

}  // namespace dfe
