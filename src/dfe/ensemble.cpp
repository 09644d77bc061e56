#include "dfe/ensemble.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dfe {

std::vector<std::string> ensemble_columns()
{
    std::vector<std::string> columns{"t"};
    for (auto c : sample_columns) columns.emplace_back(c);
    for (auto c : ensemble_extra_columns) columns.emplace_back(c);
    return columns;
}

std::vector<double> EnsembleValues::row_values() const
{
    std::vector<double> row{t};
    for (double v : sums.values()) row.push_back(v);
    for (double v : {purity, lambda_max, fact_defect, admissibility_residual, symmetry_residual, gamma2_min})
        row.push_back(v);
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

}  // namespace

Ensemble::Ensemble(const Comm& world, const RunConfig& config, std::unique_ptr<Measure> measure)
    : config_(config), schedule_(checked(config, *measure)), measure_(std::move(measure)),
      layout_(world, config.ranks_per_sample, measure_->size()),
      grid_(layout_.group(), config.d, config.N, config.L),
      plans_(grid_, parse_planner_effort(config.fftw_planner)), potential_(config.potential, config.d),
      convolver_(plans_, potential_), stepper_(convolver_, config.mu, make_composition(config.integrator), config.dt),
      evaluator_(convolver_, config.mu),
      gram_(layout_, grid_, measure_->weights(), parse_eigen_method(config.eigensolver, measure_->size())),
      gamma2_(layout_, grid_, config.gamma2_grid > 0 ? config.gamma2_grid : default_gamma2_points(config.d, config.N),
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
}

void Ensemble::advance(long steps)
{
    const double start = MPI_Wtime();
    for (cplx* phi : pointers_) stepper_.advance(phi, steps);
    step_ += steps;
    evolution_seconds_ += MPI_Wtime() - start;
}

EnsembleValues Ensemble::observe(long row)
{
    const double start = MPI_Wtime();
    EnsembleValues out;
    out.row = row;
    out.t = time();
    const auto weights = measure_->weights();

    // Linear observables: Σ_j w_j × value_j over the group's samples, and γ^(1)(x,x) = Σ_j w_j |φ_j|²
    // on this slab in the same pass; then both are summed over the groups.
    per_sample_.clear();
    gamma1_.assign(static_cast<std::size_t>(grid_.local_points()), 0.0);
    std::array<double, SampleObservables::count> sums{};
    for (std::size_t j = 0; j < pointers_.size(); ++j) {
        const double w = weights[layout_.first() + j];
        per_sample_.push_back(evaluator_.evaluate(pointers_[j], gamma1_, w));
        const auto v = per_sample_.back().values();
        for (std::size_t c = 0; c < v.size(); ++c) sums[c] += w * v[c];
    }
    const double arrived = MPI_Wtime();
    observable_seconds_ += arrived - start;
    // Ranks arrive at different times (unequal sample counts, noise); the wait is imbalance, not
    // reduction work, and is reported on its own.
    layout_.world().barrier();
    const double evaluated = MPI_Wtime();
    wait_seconds_ += evaluated - arrived;
    layout_.cross().sum_in_place(sums);
    out.sums = {sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]};
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
    if (std::binary_search(gamma2_rows_.begin(), gamma2_rows_.end(), row)) {
        out.gamma2 = gamma2_.form();
        out.symmetry_residual = out.gamma2->symmetry_residual;
        out.gamma2_min = out.gamma2->min_entry;
    }
    reduction_seconds_ += MPI_Wtime() - evaluated;
    return out;
}

void Ensemble::run(const std::function<void(const EnsembleValues&)>& on_output)
{
    long row = 0;
    on_output(observe(row));
    while (step_ < schedule_.total_steps) {
        advance(std::min(schedule_.steps_per_output, schedule_.total_steps - step_));
        on_output(observe(++row));
    }
}

}  // namespace dfe
