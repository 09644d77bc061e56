#include "dfe/ensemble/propagator.hpp"

#include "dfe/core/comm.hpp"
#include "dfe/core/error.hpp"
#include "dfe/evolution/adaptive_split.hpp"
#include "dfe/evolution/composition.hpp"
#include "dfe/evolution/interaction_ts.hpp"
#include "dfe/evolution/split_step.hpp"

#include <map>

namespace dfe {

namespace {

std::map<std::string, BatchStepperFactory>& batch_backends()
{
    static std::map<std::string, BatchStepperFactory> backends;
    return backends;
}

std::unique_ptr<BatchStepper> make_batch(const RunConfig& c, const Convolver& convolver, std::size_t samples)
{
    if (c.backend == "cpu") return nullptr;
    const auto found = batch_backends().find(c.backend);
    if (found == batch_backends().end())
        throw InputError("--backend " + c.backend + ": this build has no such backend (the Vulkan backend is built when "
                         "libvulkan-dev, libvkfft-dev, glslang-dev and glslang-tools are installed, unless "
                         "DFE_ENABLE_VULKAN=OFF); use --backend cpu");
    return found->second(c, convolver, samples);
}

/// make_batch on every rank of `world`, its InputErrors agreed on (see the constructor).
std::unique_ptr<BatchStepper> make_batch_agreed(const Comm& world, const RunConfig& c, const Convolver& convolver,
                                                std::size_t samples)
{
    std::unique_ptr<BatchStepper> batch;
    collectively(world, [&] { batch = make_batch(c, convolver, samples); });
    return batch;
}

std::unique_ptr<SplitStep> make_fixed_step(const RunConfig& c, const Convolver& convolver)
{
    if (c.backend != "cpu") return nullptr;
    if (c.integrator == Integrator::petsc || c.tol > 0.0) return nullptr;
    return std::make_unique<SplitStep>(convolver, c.mu, make_composition(c.integrator), c.dt);
}

std::unique_ptr<AdaptiveIntegrator> make_adaptive(const RunConfig& c, const Convolver& convolver)
{
    if (c.backend != "cpu") return nullptr;
    if (c.integrator == Integrator::petsc) return std::make_unique<InteractionPictureTS>(convolver, c.mu, c.tol > 0.0 ? c.tol : default_petsc_tol);
    if (c.tol > 0.0) return std::make_unique<AdaptiveSplitStep>(convolver, c.mu, make_composition(c.integrator), c.tol);
    return nullptr;
}

}  // namespace

void register_batch_backend(const std::string& name, BatchStepperFactory factory)
{
    batch_backends()[name] = std::move(factory);
}

Propagator::Propagator(const Comm& world, const RunConfig& config, const Convolver& convolver, std::size_t samples)
    : dt_(config.dt), stepper_(make_fixed_step(config, convolver)), adaptive_(make_adaptive(config, convolver)),
      batch_(make_batch_agreed(world, config, convolver, samples)), h_(samples, config.dt)
{
}

Propagator::~Propagator() = default;

void Propagator::advance(std::span<cplx* const> fields, long steps, const std::vector<bool>& skip)
{
    if (steps <= 0) return;
    if (batch_) {
        batch_->advance(fields, steps, skip);
        return;
    }
    const double span = static_cast<double>(steps) * dt_;
    for (std::size_t j = 0; j < fields.size(); ++j) {
        if (skip[j]) continue;
        if (adaptive_) {
            StepStats s;
            adaptive_->advance(fields[j], span, h_[j], s);
            stats_.merge(s);
        } else {
            stepper_->advance(fields[j], steps);
        }
    }
}

}  // namespace dfe
