#pragma once
/**
 * @file resolution_tracker.hpp
 * @brief Which of a group's samples are under-resolved, since when, and what that does to them
 * (--tail-tol, --boundary-tol, --on-underresolved; observables/resolution.hpp, docs/physics.md §9).
 */
#include "dfe/config/run_config.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/observables/resolution.hpp"

#include <span>
#include <vector>

namespace dfe {

class ResolutionTracker {
public:
    /** @brief No sample marked yet (Not Collective). */
    ResolutionTracker(const RunConfig& config, const FftPlans& plans, std::size_t samples);

    /** @brief True when a sample with this resolution is under-resolved (--tail-tol, --boundary-tol). */
    [[nodiscard]] bool underresolved(double tail_fraction, double boundary_mass) const;
    /**
     * @brief Marks sample j at time t when it is not marked yet and this resolution is under-resolved;
     * returns true when it was marked now (Not Collective).
     */
    bool note(std::size_t j, double tail_fraction, double boundary_mass, double t);
    /** @brief True when sample j has been marked. */
    [[nodiscard]] bool marked(std::size_t j) const;
    /** @brief True when sample j is no longer evolved (--on-underresolved freeze). */
    [[nodiscard]] bool frozen(std::size_t j) const;
    /** @brief frozen(j) for every sample. */
    [[nodiscard]] std::vector<bool> frozen_mask() const;
    [[nodiscard]] OnUnderresolved policy() const { return policy_; }
    /** @brief When each sample was marked (NaN: never). */
    [[nodiscard]] const std::vector<double>& times() const { return marked_t_; }
    /** @brief Continues with a checkpoint's marks (one per sample). */
    void restore(std::vector<double> times) { marked_t_ = std::move(times); }

    /**
     * @brief Measures every sample not yet marked and marks those under-resolved at time t
     * (Collective on the group). Returns how many this rank's group marked now.
     */
    long check(std::span<cplx* const> fields, double t);
    /**
     * @brief Throws InputError (the same on every rank of `world`) naming the worst sample and what
     * to change when some sample's boundary mass exceeds --boundary-tol or its tail fraction exceeds
     * --tail-tol; `first` is the global index of this group's first sample. Does nothing with
     * --allow-unresolved-initial (Collective on world).
     */
    void require_resolved(std::span<cplx* const> fields, std::size_t first, const Grid& grid, const Comm& world);

private:
    double tail_tol_, boundary_tol_;
    bool allow_unresolved_initial_;
    OnUnderresolved policy_;
    ResolutionMonitor monitor_;
    std::vector<double> marked_t_;  ///< per sample: when marked; NaN: never
};

}  // namespace dfe
