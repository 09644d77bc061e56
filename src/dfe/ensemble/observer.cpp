#include "dfe/ensemble/observer.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/timer.hpp"
#include "dfe/core/weighted_spread.hpp"
#include "dfe/observables/columns.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dfe {

Observer::Observer(const RunConfig& config, const Schedule& schedule, const GroupLayout& layout, const Grid& grid,
                   const Convolver& convolver, std::span<const double> weights)
    : config_(config), layout_(layout), grid_(grid), weights_(weights.begin(), weights.end()),
      evaluator_(convolver, config.mu, LocalizedSpec{Cutoff(config.cutoff_order, config.cutoff_width), config.R}),
      plan_(plan_reductions(config, weights.size(), layout.world().size())), gram_(layout, grid, weights, plan_),
      gamma2_(layout, grid, gamma2_points(config), weights, plan_), gamma2_rows_(dfe::gamma2_rows(config, schedule)),
      shares_(sum_squared_shares(weights)), purity_column_(ColumnSchema(config.R).index("purity"))
{
    for (auto& v : initial_samples_) v.assign(layout.count(), std::numeric_limits<double>::quiet_NaN());
}

void Observer::restore_samples(std::array<std::vector<double>, 3> values)
{
    for (const auto& v : values)
        require_logic(v.size() == layout_.count(), "Observer::restore_samples: one value per local sample");
    initial_samples_ = std::move(values);
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
        for (std::size_t j = 0; j < per_sample_.size(); ++j) {
            initial_samples_[0][j] = per_sample_[j].energy;
            initial_samples_[1][j] = per_sample_[j].V1;
            initial_samples_[2][j] = per_sample_[j].dV1;
        }
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
    reduction_errors_ = {nan, nan, nan, nan};
    if (!reduces_at(config_, gamma2_rows_, out.row)) {
        out.purity = out.lambda_max = out.fact_defect = out.admissibility_residual = nan;
        return;
    }
    const GramResult gram = gram_.reduce(samples.block(), config_.random_draw);
    out.purity = gram.purity;
    out.lambda_max = gram.lambda_max;
    const auto factor = gamma2_.diagnostics(samples.block(), config_.random_draw);
    out.fact_defect = factor.fact_defect;
    out.admissibility_residual = factor.admissibility_residual;
    reduction_errors_ = {gram.purity_estimate, gram.purity_stderr, gram.lambda_max_stderr, factor.fact_defect_stderr};
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
    if (config_.random_draw) sampling_error(out);
    return out;
}

std::vector<double> Observer::glassey_influence() const
{
    // Central differences of glassey_time in each of (V1, dV1, E) at the t = 0 sums, with one step
    // 1e-6 of their combined size (glassey_T is smooth away from its branch points; NaN when it or
    // a difference is not finite, e.g. no root).
    const std::array<double, 3> at{initial_.V1, initial_.dV1, initial_.energy};
    const double h = 1e-6 * (std::abs(at[0]) + std::abs(at[1]) + std::abs(at[2]));
    std::array<double, 3> gradient{};
    for (std::size_t k = 0; k < 3; ++k) {
        auto plus = at, minus = at;
        plus[k] += h;
        minus[k] -= h;
        gradient[k] = (glassey_time(plus[0], plus[1], plus[2]) - glassey_time(minus[0], minus[1], minus[2])) / (2.0 * h);
    }
    std::vector<double> x(layout_.count());
    for (std::size_t j = 0; j < x.size(); ++j)
        x[j] = gradient[0] * initial_samples_[1][j] + gradient[1] * initial_samples_[2][j] + gradient[2] * initial_samples_[0][j];
    return x;
}

void Observer::sampling_error(EnsembleValues& out) const
{
    // The weighted sums: each sample's own value, spread over the groups (docs/physics.md §12).
    // Per sample: the sample columns, then per radius its localized values and margin_j =
    // d2loc_j − 4E_j(0), then glassey_T's influence value.
    const std::size_t nR = config_.R.size(), c = per_sample_.size();
    const std::size_t K = SampleObservables::count + nR * (localized_count + 1) + 1;
    const std::vector<double> glassey = glassey_influence();
    std::vector<double> x, w;
    for (std::size_t j = 0; j < c; ++j) {
        const SampleObservables& o = per_sample_[j];
        for (double v : o.values()) x.push_back(v);
        for (std::size_t r = 0; r < nR; ++r) {
            for (std::size_t k = 0; k < localized_count; ++k) x.push_back(o.localized[r * localized_count + k]);
            x.push_back(o.localized[r * localized_count + d2loc_i] - 4.0 * initial_samples_[0][j]);
        }
        x.push_back(glassey[j]);
        w.push_back(weights_[layout_.first() + j]);
    }
    const std::vector<Spread> spread = weighted_spread(layout_.cross(), w, x, K, shares_);
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    // In the order of row_values() (columns.hpp).
    std::vector<double>& se = out.stderr_row;
    se.assign(1, out.t);
    for (std::size_t k = 0; k < SampleObservables::count; ++k) se.push_back(spread[k].stderr);
    se.push_back(spread[K - 1].stderr);
    for (std::size_t k = SampleObservables::count; k + 1 < K; ++k) se.push_back(spread[k].stderr);
    for (double v : {reduction_errors_.purity, reduction_errors_.lambda_max, reduction_errors_.fact_defect, nan, nan, nan})
        se.push_back(v);
    se.insert(se.end(), monitor_column_specs.size(), nan);
    out.estimate_row = out.row_values();
    out.estimate_row[purity_column_] = reduction_errors_.purity_estimate;
}

}  // namespace dfe
