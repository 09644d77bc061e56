#include "dfe/ensemble/observer.hpp"

#include "dfe/core/timer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dfe {

Observer::Observer(const RunConfig& config, const Schedule& schedule, const GroupLayout& layout, const Grid& grid,
                   const Convolver& convolver, std::span<const double> weights)
    : config_(config), layout_(layout), grid_(grid), weights_(weights.begin(), weights.end()),
      evaluator_(convolver, config.mu, LocalizedSpec{Cutoff(config.cutoff_order, config.cutoff_width), config.R}),
      plan_(plan_reductions(config, weights.size(), layout.world().size())), gram_(layout, grid, weights, plan_),
      gamma2_(layout, grid, gamma2_points(config), weights, plan_), gamma2_rows_(dfe::gamma2_rows(config, schedule))
{
}

Observer::SampleSums Observer::evaluate_samples(double t, const SampleSet& samples, ResolutionTracker& tracker,
                                                std::span<const double> proposed_steps)
{
    // Linear observables: Σ_j w_j × value_j over the group's samples, and γ^(1)(x,x) = Σ_j w_j |φ_j|²
    // on this slab in the same pass; both are summed over the groups afterwards.
    const auto fields = samples.fields();
    per_sample_.clear();
    gamma1_.assign(static_cast<std::size_t>(grid_.local_points()), 0.0);
    const std::size_t nloc = localized_count * config_.R.size();
    SampleSums s;
    s.sums.assign(SampleObservables::count + nloc, 0.0);
    for (std::size_t j = 0; j < fields.size(); ++j) {
        const double w = weights_[layout_.first() + j];
        per_sample_.push_back(evaluator_.evaluate(fields[j], gamma1_, w));
        const SampleObservables& o = per_sample_.back();
        const auto v = o.values();
        for (std::size_t c = 0; c < v.size(); ++c) s.sums[c] += w * v[c];
        for (std::size_t c = 0; c < nloc; ++c) s.sums[SampleObservables::count + c] += w * o.localized[c];
        s.radial = std::max(s.radial, o.radial_defect);
        s.grad_max = std::max(s.grad_max, o.grad_norm());
        s.boundary_max = std::max(s.boundary_max, o.boundary_mass);
        if (tracker.note(j, o.tail_fraction, o.boundary_mass, t)) s.newly += 1.0;
        if (tracker.marked(j)) s.marked += 1.0;
        if (!proposed_steps.empty() && !tracker.frozen(j)) s.step = std::min(s.step, proposed_steps[j]);
    }
    return s;
}

void Observer::reduce_sums(SampleSums& s, bool adaptive, EnsembleValues& out)
{
    layout_.cross().sum_in_place(s.sums);
    const auto& sums = s.sums;
    out.sums.mass = sums[0];
    out.sums.kinetic = sums[1];
    out.sums.interaction = sums[2];
    out.sums.energy = sums[3];
    out.sums.V1 = sums[4];
    out.sums.dV1 = sums[5];
    out.sums.d2V1 = sums[6];
    out.sums.vterm = sums[7];
    out.sums.localized.assign(sums.begin() + SampleObservables::count, sums.end());
    out.max_radial_defect = layout_.world().max(s.radial);
    out.max_grad_norm = layout_.world().max(s.grad_max);
    out.max_boundary_mass = layout_.world().max(s.boundary_max);
    std::vector<double> counts{s.marked, s.newly};
    layout_.cross().sum_in_place(counts);
    out.n_underresolved = static_cast<long>(counts[0]);
    marked_now_ = static_cast<long>(counts[1]);
    if (!adaptive) {
        out.dt = config_.dt;
    } else {
        // The smallest step the controllers propose now (not the steps shortened to land on check
        // and output times); NaN when every sample is frozen.
        const double m = -layout_.world().max(-s.step);
        out.dt = std::isfinite(m) ? m : std::numeric_limits<double>::quiet_NaN();
    }
}

void Observer::derive_from_initial(EnsembleValues& out)
{
    if (!initial_.recorded) {
        // The run's t = 0 values (a restart carries them over).
        initial_.energy = out.sums.energy;
        initial_.V1 = out.sums.V1;
        initial_.dV1 = out.sums.dV1;
        initial_.radial_defect = out.max_radial_defect;
        initial_.recorded = true;
    }
    out.energy0 = initial_.energy;
    out.glassey_T = glassey_time(initial_.V1, initial_.dV1, initial_.energy);
    for (std::size_t r = 0; r < config_.R.size(); ++r)
        out.margin.push_back(out.sums.localized[r * localized_count + d2loc_i] - 4.0 * initial_.energy);
}

void Observer::reduce_density_matrices(const SampleSet& samples, EnsembleValues& out)
{
    layout_.cross().sum_in_place(gamma1_);
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    out.symmetry_residual = nan;
    out.gamma2_min = nan;
    if (!reduces_at(config_, gamma2_rows_, out.row)) {
        out.purity = out.lambda_max = out.fact_defect = out.admissibility_residual = nan;
        return;
    }
    const GramResult gram = gram_.reduce(samples.block());
    out.purity = gram.purity;
    out.lambda_max = gram.lambda_max;
    const auto factor = gamma2_.diagnostics(samples.block());
    out.fact_defect = factor.fact_defect;
    out.admissibility_residual = factor.admissibility_residual;
    if (std::binary_search(gamma2_rows_.begin(), gamma2_rows_.end(), out.row)) {
        out.gamma2 = gamma2_.form(samples.fields());
        out.symmetry_residual = out.gamma2->symmetry_residual;
        out.gamma2_min = out.gamma2->min_entry;
    }
}

EnsembleValues Observer::observe(long row, double t, const SampleSet& samples, ResolutionTracker& tracker,
                                 std::span<const double> proposed_steps, PhaseTimes& times)
{
    EnsembleValues out;
    out.row = row;
    out.t = t;
    SampleSums sums;
    {
        const ScopedTimer timer(times.observables);
        sums = evaluate_samples(t, samples, tracker, proposed_steps);
    }
    {
        // Ranks arrive at different times (unequal sample counts, noise); the wait is imbalance, not
        // reduction work, and is reported on its own.
        const ScopedTimer timer(times.wait);
        layout_.world().barrier();
    }
    const ScopedTimer timer(times.reductions);
    reduce_sums(sums, !proposed_steps.empty(), out);
    derive_from_initial(out);
    reduce_density_matrices(samples, out);
    return out;
}

}  // namespace dfe
