#pragma once
/**
 * @file vkfft.hpp
 * @brief One VkFFT application (a batched in-place complex pair or r2c/c2r pair, float64) as a
 * move-only RAII handle. Internal to the GPU backend.
 *
 * Conventions, the same as FFTW's (spectral/fft_plan.hpp): forward e^{−ik·x}, inverse e^{+ik·x},
 * both unnormalized. Layouts: row-major [i0][i1][i2], the last axis fastest, in natural order
 * (no transposes): spectral [k0][k1][k2], half [k0][k1][h2]; the r2c/c2r transforms work in place
 * on rows padded to 2(N/2 + 1) reals, as FFTW's in-place r2c. Samples of a batch follow each other.
 *
 * vkFFT.h is included in vkfft.cpp only, from the copy the build adapts to Debian's glslang
 * (cmake/DfeVulkan.cmake).
 */
#include "dfe/gpu/vulkan.hpp"

#include <cstdint>
#include <memory>

namespace dfe::gpu {

class Fft {
public:
    enum class Kind { complex, real };
    /**
     * @brief Plans the transforms of `batch` samples of an N^d grid in `buffer`, which the
     * application keeps using (VkFFT binds its buffers into its own descriptor sets when it is made:
     * one application per buffer). The shaders are compiled here (seconds on lavapipe), or taken from
     * `compiled`, an application of the same kind and sizes on another buffer.
     */
    Fft(Device& device, int d, std::uint64_t N, std::uint64_t batch, Kind kind, Buffer& buffer,
        const Fft* compiled = nullptr);
    ~Fft();
    Fft(Fft&&) noexcept;
    Fft& operator=(Fft&&) = delete;
    Fft(const Fft&) = delete;

    /** @brief Records the forward transform (complex: e^{−ik·x}; real: r2c) of the buffer into `cb`. */
    void forward(VkCommandBuffer cb);
    /** @brief Records the inverse transform (complex: e^{+ik·x}; real: c2r) of the buffer into `cb`. */
    void inverse(VkCommandBuffer cb);

private:
    struct Impl;
    void append(VkCommandBuffer cb, int direction);
    std::unique_ptr<Impl> impl_;
};

/**
 * @brief True when every prime factor of n is at most 13, the radices VkFFT 1.2.26 implements
 * directly (others go through its Bluestein path, which returns zeros in that version).
 */
bool vkfft_radix_size(long n);

}  // namespace dfe::gpu
