#pragma once
/**
 * @file batch_stepper.hpp
 * @brief The Vulkan backend (--backend vulkan): a one-rank group's samples as one batch in device
 * memory, advanced by fixed strang or order4 steps with compute shaders (gpu/shaders/) and VkFFT.
 *
 * The step is SplitStep's (evolution/split_step.hpp), operation for operation: the same composition
 * coefficients and fused half steps, the kinetic phase tabulated on the host as KineticPhase does
 * (e^{−ik²τ} per axis, 1/N^d folded in), |φ|², the r2c/c2r convolution with the Convolver's
 * multiplier V̂/N^d (Potential::hat on the same modes), and the nonlinear phase with the CPU's
 * sincos (Cody–Waite reduction and Taylor polynomials: GLSL has no float64 sin/cos). Float64
 * throughout. The results agree with the CPU backend to rounding (1e-12 relative is tested).
 *
 * Layout on the device: row-major fields in natural order (VkFFT's, no transposes), the batch split
 * into chunks of whole samples so that no storage buffer exceeds the device's maxStorageBufferRange
 * (128 MiB on lavapipe) or DFE_VULKAN_MAX_BUFFER bytes when that environment variable is set (for
 * tests); the last chunk is padded with zero samples, which the flow keeps zero.
 *
 * Supported: periodic potentials (none, gaussian), fixed steps (strang, order4 without --tol), one
 * rank per sample, d = 1..3, N with prime factors up to 13. Free-space potentials, adaptive steps,
 * --ranks-per-sample > 1 and other N are refused with one line (check_vulkan_supported).
 */
#include "dfe/config/run_config.hpp"
#include "dfe/ensemble/propagator.hpp"
#include "dfe/evolution/composition.hpp"
#include "dfe/physics/potential.hpp"
#include "dfe/spectral/cplx.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dfe::gpu {

/**
 * @brief Throws InputError (one line naming the option and the fix) when `config` asks the Vulkan
 * backend for what it does not support. Not Collective.
 */
void check_vulkan_supported(const RunConfig& config);

class VulkanStepper final : public BatchStepper {
public:
    /**
     * @brief Opens Vulkan device `device` (modulo the count of float64 devices), allocates the batch
     * of `samples` fields of the N^d grid and compiles the passes and VkFFT's transforms (seconds on
     * lavapipe). `potential` must be periodic. Not Collective.
     */
    VulkanStepper(const Grid& grid, const Potential& potential, double mu, Composition composition, double h,
                  std::size_t samples, int device);
    ~VulkanStepper() override;
    VulkanStepper(const VulkanStepper&) = delete;
    VulkanStepper& operator=(const VulkanStepper&) = delete;

    /** @brief upload, run(steps), download: samples j with skip[j] are left as they were. */
    void advance(std::span<cplx* const> fields, long steps, const std::vector<bool>& skip) override;

    /** @brief Copies the fields (physical layout, N^d points each) into device memory. */
    void upload(std::span<const cplx* const> fields);
    /** @brief Advances the batch on the device by `steps` steps; waits for the device. */
    void run(long steps);
    /** @brief Copies the fields back, except samples j with skip[j] (skip may be empty: none). */
    void download(std::span<cplx* const> fields, const std::vector<bool>& skip);
    /**
     * @brief Seconds per repetition of the VkFFT floor over the whole batch: one forward + inverse
     * complex pair and one r2c + c2r pair, `repeats` times in one submission.
     */
    double fft_floor_seconds(int repeats);

    [[nodiscard]] const std::string& device_name() const;
    /** @brief How many storage-buffer chunks the batch is split into, and samples per chunk. */
    [[nodiscard]] std::size_t chunks() const;
    [[nodiscard]] std::size_t samples_per_chunk() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/**
 * @brief The device a rank opens: --gpu-device when it names one, else `node_rank` (the rank's
 * index on its node: ranks of a node share the devices round robin). Not Collective.
 */
[[nodiscard]] inline int device_index(const RunConfig& config, int node_rank)
{
    return config.gpu_device >= 0 ? config.gpu_device : node_rank;
}

/**
 * @brief Registers the "vulkan" backend with the Propagator (register_batch_backend), opening
 * device_index(config, node_rank). Called by the applications once, before any Ensemble.
 */
void register_vulkan_backend(int node_rank);

}  // namespace dfe::gpu
