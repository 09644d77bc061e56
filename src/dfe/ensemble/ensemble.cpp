#include "dfe/ensemble/ensemble.hpp"

#include "dfe/evolution/adaptive_split.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/timer.hpp"
#include "dfe/evolution/interaction_ts.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dfe {

double glassey_time(double V1, double dV1, double E)
{
    // p(t) = V1 + dV1 t + 8E t², V1 ≥ 0; the first root t > 0 (docs/physics.md §5, glassey_T).
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (E < 0.0) {
        // 8E < 0: one root ≥ 0; the stable form of it.
        const double disc = std::sqrt(dV1 * dV1 - 32.0 * E * V1);
        return dV1 > 0.0 ? (-dV1 - disc) / (16.0 * E) : 2.0 * V1 / (disc - dV1);
    }
    if (!(dV1 < 0.0)) return inf;  // p(0) ≥ 0 and p' ≥ 0 for t > 0
    if (E == 0.0) return -V1 / dV1;
    // E > 0, dV1 < 0: p has its minimum p_min = V1 − dV1²/(32E) at the vertex t_v = −dV1/(16E) > 0.
    // When |p_min| ≤ glassey_double_root_tol·V1 the parabola is taken to touch 0 at t_v (a double root,
    // as for the pseudo-conformal collapse): t_v is accurate to the accuracy of dV1 and E, while the
    // root of a slightly negative p_min would move by t_v·sqrt(|p_min|/V1).
    const double t_v = -dV1 / (16.0 * E);
    const double p_min = V1 - dV1 * dV1 / (32.0 * E);
    if (std::abs(p_min) <= glassey_double_root_tol * V1) return t_v;
    if (p_min > 0.0) return inf;
    const double disc = std::sqrt(dV1 * dV1 - 32.0 * E * V1);
    return 2.0 * V1 / (disc - dV1);  // the smaller root, (−dV1 − disc)/(16E), in stable form
}

std::vector<double> EnsembleValues::row_values() const
{
    // In the order of ColumnSchema: the values below are those of the spec arrays of columns.hpp.
    static_assert(SampleObservables::count == sample_column_specs.size());
    static_assert(extra_column_specs.size() == 6 && monitor_column_specs.size() == 4);
    std::vector<double> row{t};
    for (double v : sums.values()) row.push_back(v);
    row.push_back(glassey_T);
    for (std::size_t r = 0; r < margin.size(); ++r) {
        for (std::size_t c = 0; c < localized_count; ++c) row.push_back(sums.localized[r * localized_count + c]);
        row.push_back(margin[r]);
    }
    for (double v : {purity, lambda_max, fact_defect, admissibility_residual, symmetry_residual, gamma2_min})
        row.push_back(v);
    row.push_back(max_grad_norm);
    row.push_back(max_boundary_mass);
    row.push_back(static_cast<double>(n_underresolved));
    row.push_back(dt);
    return row;
}

namespace {

/// Validates before anything is allocated: the schedule, and that the measure fits the layout.
Schedule checked(const RunConfig& config, const Measure& measure)
{
    Schedule s = validate(config);
    (void)parse_eigen_method(config.eigensolver, measure.size());
    return s;
}

std::unique_ptr<SplitStep> make_fixed_step(const RunConfig& c, const Convolver& convolver)
{
    if (c.integrator == Integrator::petsc || c.tol > 0.0) return nullptr;
    return std::make_unique<SplitStep>(convolver, c.mu, make_composition(c.integrator), c.dt);
}

std::unique_ptr<AdaptiveIntegrator> make_adaptive(const RunConfig& c, const Convolver& convolver)
{
    if (c.integrator == Integrator::petsc) return std::make_unique<InteractionPictureTS>(convolver, c.mu, c.tol > 0.0 ? c.tol : default_petsc_tol);
    if (c.tol > 0.0) return std::make_unique<AdaptiveSplitStep>(convolver, c.mu, make_composition(c.integrator), c.tol);
    return nullptr;
}

}  // namespace

Ensemble::Ensemble(const Comm& world, const RunConfig& config, std::unique_ptr<Measure> measure)
    : config_(config), schedule_(checked(config, *measure)), measure_(std::move(measure)),
      layout_(world, config.ranks_per_sample, measure_->size()),
      // With FFTW_ESTIMATE a one-rank group takes FFTW-MPI's plans, ~10x faster than serial ESTIMATE ones (grid.hpp).
      grid_(layout_.group(), config.d, config.N, config.L,
            config.fftw_planner == PlannerEffort::estimate ? Grid::OneRank::distributed
                                                                                   : Grid::OneRank::serial),
      plans_(grid_, config.fftw_planner), potential_(config.potential, config.d),
      convolver_(plans_, potential_), stepper_(make_fixed_step(config, convolver_)), adaptive_(make_adaptive(config, convolver_)),
      monitor_(plans_), on_underresolved_(config.on_underresolved),
      evaluator_(convolver_, config.mu,
                 LocalizedSpec{Cutoff(config.cutoff_order, config.cutoff_width), config.R}),
      gram_(layout_, grid_, measure_->weights(), parse_eigen_method(config.eigensolver, measure_->size())),
      gamma2_(layout_, grid_, gamma2_points(config),
              measure_->weights()),
      gamma2_rows_(dfe::gamma2_rows(config, schedule_))
{
    // One block for all the group's samples, so that the Gram products read them in place. The
    // stride is a multiple of 4 complex numbers (64 bytes), which keeps every sample as aligned as
    // the buffers FFTW planned on.
    stride_ = (grid_.alloc_complex() + 3) / 4 * 4;
    block_ = Buffer<cplx>(stride_ * static_cast<std::ptrdiff_t>(std::max<std::size_t>(layout_.count(), 1)));
    for (std::size_t j = 0; j < layout_.count(); ++j) pointers_.push_back(block_.data() + static_cast<std::ptrdiff_t>(j) * stride_);
    // A bad sample (a samples file) is found by its group only: make the error everybody's before
    // any rank goes on to a collective of the whole world.
    collectively(layout_.world(), [&] { measure_->fill(grid_, layout_.first(), pointers_); });
    h_.assign(layout_.count(), config_.dt);
    underresolved_t_.assign(layout_.count(), std::numeric_limits<double>::quiet_NaN());
}

bool Ensemble::frozen(std::size_t j) const
{
    return on_underresolved_ == OnUnderresolved::freeze && !std::isnan(underresolved_t_[j]);
}

void Ensemble::advance(long steps)
{
    if (steps <= 0) return;
    const ScopedTimer timer(times_.evolution);
    const double span = static_cast<double>(steps) * config_.dt;
    for (std::size_t j = 0; j < pointers_.size(); ++j) {
        if (frozen(j)) continue;
        if (adaptive_) {
            StepStats s;
            adaptive_->advance(pointers_[j], span, h_[j], s);
            stats_.merge(s);
        } else {
            stepper_->advance(pointers_[j], steps);
        }
    }
    step_ += steps;
}

bool Ensemble::underresolved(double tail_fraction, double boundary_mass) const
{
    return tail_fraction > config_.tail_tol || boundary_mass > config_.boundary_tol;
}

void Ensemble::require_resolved_start()
{
    if (config_.allow_unresolved_initial) return;
    // The worst sample of each kind over the world: (value, sample) by MPI_MAXLOC.
    struct Worst {
        double value;
        int sample;
    };
    std::array<Worst, 2> worst{{{-1.0, 0}, {-1.0, 0}}};  // boundary mass, tail fraction
    for (std::size_t j = 0; j < pointers_.size(); ++j) {
        const Resolution r = monitor_.measure(pointers_[j]);
        const int sample = static_cast<int>(layout_.first() + j);
        if (r.boundary_mass > worst[0].value) worst[0] = {r.boundary_mass, sample};
        if (r.tail_fraction > worst[1].value) worst[1] = {r.tail_fraction, sample};
    }
    DFE_MPI(MPI_Allreduce(MPI_IN_PLACE, worst.data(), 2, MPI_DOUBLE_INT, MPI_MAXLOC, layout_.world().get()));
    const auto& g = grid_;
    const std::string advice = "; or pass --allow-unresolved-initial to run anyway (docs/user-guide.md#initial-measure-checks)";
    if (worst[0].value > config_.boundary_tol)
        throw InputError(strf("the initial measure does not fit the box: sample %d has %.3g of its mass within %d grid "
                              "spacings of the box's faces (|x_a| = L/2 = %g), more than --boundary-tol %g; enlarge the "
                              "box (--L) or narrow the samples (--sigma)",
                              worst[0].sample, worst[0].value, boundary_layer_spacings, 0.5 * g.L(), config_.boundary_tol) +
                         advice);
    if (worst[1].value > config_.tail_tol)
        throw InputError(strf("the initial measure is not resolved by the grid: sample %d has %.3g of its spectrum beyond "
                              "2/3 of the Nyquist wave number at t = 0, more than --tail-tol %g; refine the grid (more "
                              "--N, or a smaller --L) or widen the samples (--sigma)",
                              worst[1].sample, worst[1].value, config_.tail_tol) +
                         advice);
}

long Ensemble::check_resolution()
{
    const ScopedTimer timer(times_.observables);
    double marked = 0.0;
    for (std::size_t j = 0; j < pointers_.size(); ++j) {
        if (!std::isnan(underresolved_t_[j])) continue;
        const Resolution r = monitor_.measure(pointers_[j]);
        if (underresolved(r.tail_fraction, r.boundary_mass)) {
            underresolved_t_[j] = time();
            marked += 1.0;
        }
    }
    // Every rank of a group holds the same marks: one rank per group counts them.
    return static_cast<long>(layout_.cross().sum(marked));
}

Ensemble::SampleSums Ensemble::evaluate_samples(double t)
{
    // Linear observables: Σ_j w_j × value_j over the group's samples, and γ^(1)(x,x) = Σ_j w_j |φ_j|²
    // on this slab in the same pass; both are summed over the groups afterwards.
    const auto weights = measure_->weights();
    per_sample_.clear();
    gamma1_.assign(static_cast<std::size_t>(grid_.local_points()), 0.0);
    const std::size_t nloc = localized_count * config_.R.size();
    SampleSums s;
    s.sums.assign(SampleObservables::count + nloc, 0.0);
    for (std::size_t j = 0; j < pointers_.size(); ++j) {
        const double w = weights[layout_.first() + j];
        per_sample_.push_back(evaluator_.evaluate(pointers_[j], gamma1_, w));
        const SampleObservables& o = per_sample_.back();
        const auto v = o.values();
        for (std::size_t c = 0; c < v.size(); ++c) s.sums[c] += w * v[c];
        for (std::size_t c = 0; c < nloc; ++c) s.sums[SampleObservables::count + c] += w * o.localized[c];
        s.radial = std::max(s.radial, o.radial_defect);
        s.grad_max = std::max(s.grad_max, o.grad_norm());
        s.boundary_max = std::max(s.boundary_max, o.boundary_mass);
        if (std::isnan(underresolved_t_[j]) && underresolved(o.tail_fraction, o.boundary_mass)) {
            underresolved_t_[j] = t;
            s.newly += 1.0;
        }
        if (!std::isnan(underresolved_t_[j])) s.marked += 1.0;
        if (!frozen(j)) s.step = std::min(s.step, h_[j]);
    }
    return s;
}

void Ensemble::reduce_sums(SampleSums& s, EnsembleValues& out)
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
    if (!adaptive_) {
        out.dt = config_.dt;
    } else {
        // The smallest step the controllers propose now (not the steps shortened to land on check
        // and output times); NaN when every sample is frozen.
        const double m = -layout_.world().max(-s.step);
        out.dt = std::isfinite(m) ? m : std::numeric_limits<double>::quiet_NaN();
    }
}

void Ensemble::derive_from_initial(EnsembleValues& out)
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

void Ensemble::reduce_density_matrices(EnsembleValues& out)
{
    layout_.cross().sum_in_place(gamma1_);
    const GramResult gram = gram_.reduce(sample_block());
    out.purity = gram.purity;
    out.lambda_max = gram.lambda_max;
    gamma2_.load(pointers_);
    const auto factor = gamma2_.from_factor();
    out.fact_defect = factor.fact_defect;
    out.admissibility_residual = factor.admissibility_residual;
    out.symmetry_residual = std::numeric_limits<double>::quiet_NaN();
    out.gamma2_min = std::numeric_limits<double>::quiet_NaN();
    if (std::binary_search(gamma2_rows_.begin(), gamma2_rows_.end(), out.row)) {
        out.gamma2 = gamma2_.form();
        out.symmetry_residual = out.gamma2->symmetry_residual;
        out.gamma2_min = out.gamma2->min_entry;
    }
}

EnsembleValues Ensemble::observe(long row)
{
    EnsembleValues out;
    out.row = row;
    out.t = time();
    SampleSums sums;
    {
        const ScopedTimer timer(times_.observables);
        sums = evaluate_samples(out.t);
    }
    {
        // Ranks arrive at different times (unequal sample counts, noise); the wait is imbalance, not
        // reduction work, and is reported on its own.
        const ScopedTimer timer(times_.wait);
        layout_.world().barrier();
    }
    const ScopedTimer timer(times_.reductions);
    reduce_sums(sums, out);
    derive_from_initial(out);
    reduce_density_matrices(out);
    return out;
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
        if (marked_now_ > 0 && on_underresolved_ == OnUnderresolved::stop) return RunEnd::underresolved;
    }
    while (step_ < schedule_.total_steps) {
        const long row_start = (next_row_ - 1) * per_output;
        const long target = std::min(next_row_ * per_output, schedule_.total_steps);
        while (step_ < target) {
            // Chunks start at row_start + k·chunk, wherever the run was resumed.
            const long done = step_ - row_start;
            advance(std::min(chunk - done % chunk, target - step_));
            // The row's observe() checks the resolution at the row's time.
            if (step_ < target && check_resolution() > 0 && on_underresolved_ == OnUnderresolved::stop)
                return RunEnd::underresolved;
            if (stop_now && stop_now()) return RunEnd::stopped;
        }
        const EnsembleValues values = observe(next_row_);
        ++next_row_;
        on_output(values);
        if (marked_now_ > 0 && on_underresolved_ == OnUnderresolved::stop) return RunEnd::underresolved;
    }
    return RunEnd::finished;
}

Ensemble::State Ensemble::state() const
{
    return {step_, next_row_, initial_.energy, initial_.V1, initial_.dV1, initial_.radial_defect};
}

void Ensemble::restore(const State& s)
{
    step_ = s.step;
    next_row_ = s.next_row;
    initial_.energy = s.energy0;
    initial_.V1 = s.V1_0;
    initial_.dV1 = s.dV1_0;
    initial_.radial_defect = s.radial_defect0;
    initial_.recorded = s.next_row > 0;
}

void Ensemble::restore(SampleState s)
{
    const std::size_t n = layout_.count();
    if (s.h.size() != n || s.underresolved_t.size() != n)
        throw Error("Ensemble::restore: per-sample state of the wrong size");
    h_ = std::move(s.h);
    underresolved_t_ = std::move(s.underresolved_t);
}

}  // namespace dfe
