#pragma once
/**
 * @file propagator.hpp
 * @brief The integrator that moves a group's samples by the Hartree flow: the fixed split step
 * (strang, order4 without --tol) or an adaptive one (--tol, --integrator petsc), with the step each
 * sample's controller tries next and the step statistics (evolution/).
 */
#include "dfe/config/run_config.hpp"
#include "dfe/evolution/adaptive.hpp"
#include "dfe/spectral/cplx.hpp"

#include <functional>
#include <memory>
#include <string>
#include <span>
#include <vector>

namespace dfe {

class Comm;
class Convolver;
class SplitStep;

/**
 * @brief A backend that advances a group's samples as one batch (--backend other than cpu; the
 * Vulkan backend of src/dfe/gpu/). Fixed steps of config.dt only.
 */
class BatchStepper {
public:
    virtual ~BatchStepper() = default;
    /** @brief As Propagator::advance: every sample j with !skip[j] by `steps` steps. */
    virtual void advance(std::span<cplx* const> fields, long steps, const std::vector<bool>& skip) = 0;
};

/** @brief Makes a backend's stepper for `samples` samples; throws InputError for what it does not support. */
using BatchStepperFactory =
    std::function<std::unique_ptr<BatchStepper>(const RunConfig& config, const Convolver& convolver, std::size_t samples)>;

/**
 * @brief Makes `--backend name` available: the applications register the backends they were built
 * with (gpu::register_vulkan_backend) before any Ensemble is made. Not thread-safe.
 */
void register_batch_backend(const std::string& name, BatchStepperFactory factory);

class Propagator {
public:
    /**
     * @brief The integrator config asks for, for `samples` samples (Collective on `world`). With
     * config.backend other than "cpu", the registered batch stepper of that name; InputError when
     * this build has none. The stepper is made under dfe::collectively on `world`: a device can be
     * missing, or refuse the batch, on some ranks only (a node without a GPU, a GPU shared by several
     * ranks), and its InputError then ends every rank alike instead of leaving the others in the
     * next collective.
     */
    Propagator(const Comm& world, const RunConfig& config, const Convolver& convolver, std::size_t samples);
    ~Propagator();
    Propagator(const Propagator&) = delete;
    Propagator& operator=(const Propagator&) = delete;

    /**
     * @brief Advances every sample j with !skip[j] by `steps` steps of config.dt (Collective on the
     * group: the FFTs of each sample).
     */
    void advance(std::span<cplx* const> fields, long steps, const std::vector<bool>& skip);

    /** @brief The adaptive integrator, or null for the fixed-step ones. */
    [[nodiscard]] const AdaptiveIntegrator* adaptive() const { return adaptive_.get(); }
    /** @brief The step sample j's controller tries next (config.dt for the fixed steps). */
    [[nodiscard]] double proposed_step(std::size_t j) const { return h_[j]; }
    [[nodiscard]] const std::vector<double>& proposed_steps() const { return h_; }
    /** @brief Continues with a checkpoint's proposed steps (one per sample). */
    void restore_steps(std::vector<double> h) { h_ = std::move(h); }
    /** @brief Steps taken and rejected (adaptive integrators). */
    [[nodiscard]] const StepStats& stats() const { return stats_; }

private:
    double dt_;
    std::unique_ptr<SplitStep> stepper_;            ///< fixed step (strang, order4 without --tol)
    std::unique_ptr<AdaptiveIntegrator> adaptive_;  ///< --tol or --integrator petsc
    std::unique_ptr<BatchStepper> batch_;           ///< --backend other than cpu
    std::vector<double> h_;                         ///< per sample: the step tried next
    StepStats stats_;
};

}  // namespace dfe
