#include "dfe/ensemble/resolution_tracker.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <mpi.h>

#include <array>
#include <cmath>
#include <limits>

namespace dfe {

ResolutionTracker::ResolutionTracker(const RunConfig& config, const FftPlans& plans, std::size_t samples)
    : tail_tol_(config.tail_tol), boundary_tol_(config.boundary_tol),
      allow_unresolved_initial_(config.allow_unresolved_initial), policy_(config.on_underresolved), monitor_(plans),
      marked_t_(samples, std::numeric_limits<double>::quiet_NaN())
{
}

bool ResolutionTracker::underresolved(double tail_fraction, double boundary_mass) const
{
    return tail_fraction > tail_tol_ || boundary_mass > boundary_tol_;
}

bool ResolutionTracker::note(std::size_t j, double tail_fraction, double boundary_mass, double t)
{
    if (marked(j) || !underresolved(tail_fraction, boundary_mass)) return false;
    marked_t_[j] = t;
    return true;
}

bool ResolutionTracker::marked(std::size_t j) const { return !std::isnan(marked_t_[j]); }

bool ResolutionTracker::frozen(std::size_t j) const { return policy_ == OnUnderresolved::freeze && marked(j); }

std::vector<bool> ResolutionTracker::frozen_mask() const
{
    std::vector<bool> mask(marked_t_.size());
    for (std::size_t j = 0; j < mask.size(); ++j) mask[j] = frozen(j);
    return mask;
}

long ResolutionTracker::check(std::span<cplx* const> fields, double t)
{
    long now = 0;
    for (std::size_t j = 0; j < fields.size(); ++j) {
        if (marked(j)) continue;
        const Resolution r = monitor_.measure(fields[j]);
        if (note(j, r.tail_fraction, r.boundary_mass, t)) ++now;
    }
    return now;
}

void ResolutionTracker::require_resolved(std::span<cplx* const> fields, std::size_t first, const Grid& grid,
                                         const Comm& world)
{
    if (allow_unresolved_initial_) return;
    // The worst sample of each kind over the world: (value, sample) by MPI_MAXLOC.
    struct Worst {
        double value;
        int sample;
    };
    std::array<Worst, 2> worst{{{-1.0, 0}, {-1.0, 0}}};  // boundary mass, tail fraction
    for (std::size_t j = 0; j < fields.size(); ++j) {
        const Resolution r = monitor_.measure(fields[j]);
        const int sample = static_cast<int>(first + j);
        if (r.boundary_mass > worst[0].value) worst[0] = {r.boundary_mass, sample};
        if (r.tail_fraction > worst[1].value) worst[1] = {r.tail_fraction, sample};
    }
    DFE_MPI(MPI_Allreduce(MPI_IN_PLACE, worst.data(), 2, MPI_DOUBLE_INT, MPI_MAXLOC, world.get()));
    const std::string advice = "; or pass --allow-unresolved-initial to run anyway (docs/user-guide.md#initial-measure-checks)";
    if (worst[0].value > boundary_tol_)
        throw InputError(strf("the initial measure does not fit the box: sample %d has %.3g of its mass within %d grid "
                              "spacings of the box's faces (|x_a| = L/2 = %g), more than --boundary-tol %g; enlarge the "
                              "box (--L) or narrow the samples (--sigma)",
                              worst[0].sample, worst[0].value, boundary_layer_spacings, 0.5 * grid.L(), boundary_tol_) +
                         advice);
    if (worst[1].value > tail_tol_)
        throw InputError(strf("the initial measure is not resolved by the grid: sample %d has %.3g of its spectrum beyond "
                              "2/3 of the Nyquist wave number at t = 0, more than --tail-tol %g; refine the grid (more "
                              "--N, or a smaller --L) or widen the samples (--sigma)",
                              worst[1].sample, worst[1].value, tail_tol_) +
                         advice);
}

}  // namespace dfe
