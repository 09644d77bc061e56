#include "dfe/ensemble/ensemble.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/timer.hpp"

#include <algorithm>

namespace dfe {

namespace {

/// Validates before anything is allocated: the schedule, and that the measure fits the layout.
Schedule checked(const RunConfig& config, const Measure& measure)
{
    Schedule s = validate(config);
    (void)plan_reductions(config, measure.size(), 1);  // the grid form with ranks_per_sample > 1 is refused here
    return s;
}

}  // namespace

Ensemble::Ensemble(const Comm& world, const RunConfig& config, std::unique_ptr<Measure> measure)
    : config_(config), schedule_(checked(config, *measure)), measure_(std::move(measure)),
      layout_(world, config.ranks_per_sample, measure_->size()),
      // With FFTW_ESTIMATE a one-rank group takes FFTW-MPI's plans, ~10x faster than serial ESTIMATE ones (grid.hpp).
      grid_(layout_.group(), config.d, config.N, config.L,
            config.fftw_planner == PlannerEffort::estimate ? Grid::OneRank::distributed : Grid::OneRank::serial),
      plans_(grid_, config.fftw_planner), potential_(config.potential, config.d), convolver_(plans_, potential_),
      samples_(grid_, layout_.count()), propagator_(layout_.world(), config, convolver_, layout_.count()),
      tracker_(config, plans_, layout_.count()),
      observer_(config_, schedule_, layout_, grid_, convolver_, measure_->weights())
{
    // A bad sample (a samples file) is found by its group only: make the error everybody's before
    // any rank goes on to a collective of the whole world.
    collectively(layout_.world(), [&] { measure_->fill(grid_, layout_.first(), samples_.fields()); });
}

void Ensemble::advance(long steps)
{
    if (steps <= 0) return;
    const ScopedTimer timer(times_.evolution);
    propagator_.advance(samples_.fields(), steps, tracker_.frozen_mask());
    step_ += steps;
}

void Ensemble::require_resolved_start()
{
    tracker_.require_resolved(samples_.fields(), layout_.first(), grid_, layout_.world());
}

long Ensemble::check_resolution()
{
    const ScopedTimer timer(times_.observables);
    // Every rank of a group holds the same marks: one rank per group counts them.
    return static_cast<long>(layout_.cross().sum(static_cast<double>(tracker_.check(samples_.fields(), time()))));
}

EnsembleValues Ensemble::observe(long row)
{
    // The dt column: the controllers' proposed steps for the adaptive integrators, --dt otherwise.
    const std::span<const double> proposed =
        propagator_.adaptive() ? std::span<const double>(propagator_.proposed_steps()) : std::span<const double>();
    return observer_.observe(row, time(), samples_, tracker_, proposed, times_);
}

RunEnd Ensemble::run(const std::function<void(const EnsembleValues&)>& on_output, const std::function<bool()>& stop_now,
                     long chunk_steps)
{
    const long per_output = schedule_.steps_per_output;
    const long chunk = chunk_steps > 0 ? std::min(chunk_steps, per_output) : per_output;
    // next_row_ moves on before on_output, so that a checkpoint written there resumes after the row.
    if (next_row_ == 0) {
        const EnsembleValues first = observe(0);
        next_row_ = 1;
        on_output(first);
        if (observer_.marked_now() > 0 && tracker_.policy() == OnUnderresolved::stop) return RunEnd::underresolved;
    }
    while (step_ < schedule_.total_steps) {
        const long row_start = (next_row_ - 1) * per_output;
        const long target = std::min(next_row_ * per_output, schedule_.total_steps);
        while (step_ < target) {
            // Chunks start at row_start + k·chunk, wherever the run was resumed.
            const long done = step_ - row_start;
            advance(std::min(chunk - done % chunk, target - step_));
            // The row's observe() checks the resolution at the row's time.
            if (step_ < target && check_resolution() > 0 && tracker_.policy() == OnUnderresolved::stop)
                return RunEnd::underresolved;
            if (stop_now && stop_now()) return RunEnd::stopped;
        }
        const EnsembleValues values = observe(next_row_);
        ++next_row_;
        on_output(values);
        if (observer_.marked_now() > 0 && tracker_.policy() == OnUnderresolved::stop) return RunEnd::underresolved;
    }
    return RunEnd::finished;
}

Ensemble::State Ensemble::state() const
{
    const InitialValues& i = observer_.initial();
    return {step_, next_row_, i.energy, i.V1, i.dV1, i.radial_defect};
}

void Ensemble::restore(const State& s)
{
    step_ = s.step;
    next_row_ = s.next_row;
    observer_.restore(InitialValues{s.next_row > 0, s.energy0, s.V1_0, s.dV1_0, s.radial_defect0});
}

Ensemble::SampleState Ensemble::sample_state() const
{
    const auto& initial = observer_.initial_samples();
    return {propagator_.proposed_steps(), tracker_.times(), initial[0], initial[1], initial[2]};
}

void Ensemble::restore(SampleState s)
{
    const std::size_t n = layout_.count();
    if (s.h.size() != n || s.underresolved_t.size() != n || s.energy0.size() != n || s.V1_0.size() != n ||
        s.dV1_0.size() != n)
        throw Error("Ensemble::restore: per-sample state of the wrong size");
    propagator_.restore_steps(std::move(s.h));
    tracker_.restore(std::move(s.underresolved_t));
    observer_.restore_samples({std::move(s.energy0), std::move(s.V1_0), std::move(s.dV1_0)});
}

}  // namespace dfe
