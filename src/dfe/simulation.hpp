#pragma once
/**
 * @file simulation.hpp
 * @brief One sample evolved by the Hartree flow on a communicator: grid, plans, potential,
 * integrator, observables and the field, built once from a RunConfig.
 */
#include "dfe/initial_state.hpp"
#include "dfe/observables.hpp"
#include "dfe/run_config.hpp"
#include "dfe/split_step.hpp"

#include <functional>

namespace dfe {

class Simulation {
public:
    /**
     * @brief Validates `config`, decomposes the grid over `comm`, plans the FFTs and sets the default
     * initial state (Collective on `comm`). Throws InputError for invalid input.
     */
    Simulation(const Comm& comm, const RunConfig& config);

    /** @brief Called at every output time with the step number, t and the observables. */
    using OutputFn = std::function<void(long step, double t, const SampleObservables&)>;

    /** @brief Evolves to t_end, calling `on_output` at t = 0, every output interval and t_end (Collective). */
    void run(const OutputFn& on_output);
    /** @brief Advances the field by `steps` steps (Collective). */
    void advance(long steps);
    /** @brief Observables of the current field (Collective). */
    [[nodiscard]] SampleObservables observe();

    [[nodiscard]] const Grid& grid() const { return grid_; }
    [[nodiscard]] const RunConfig& config() const { return config_; }
    [[nodiscard]] const Schedule& schedule() const { return schedule_; }
    [[nodiscard]] long step_count() const { return step_; }
    [[nodiscard]] double time() const { return static_cast<double>(step_) * config_.dt; }
    [[nodiscard]] cplx* field() { return phi_.data(); }
    [[nodiscard]] double evolution_seconds() const { return evolution_seconds_; }
    [[nodiscard]] double observable_seconds() const { return observable_seconds_; }

private:
    RunConfig config_;
    Schedule schedule_;
    Grid grid_;
    FftPlans plans_;
    Potential potential_;
    Convolver convolver_;
    SplitStep stepper_;
    ObservableEvaluator evaluator_;
    Buffer<cplx> phi_;
    long step_ = 0;
    double evolution_seconds_ = 0.0;
    double observable_seconds_ = 0.0;
};

}  // namespace dfe
