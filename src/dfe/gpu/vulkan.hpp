#pragma once
/**
 * @file vulkan.hpp
 * @brief Move-only RAII handles around the Vulkan objects of the GPU backend (instance, device,
 * buffers, compute pipelines, command buffers), and the one checking macro of the Vulkan API.
 *
 * Internal to the backend (not installed): it exposes Vulkan types. Every handle is destroyed by
 * its owner's destructor, in the reverse order of creation.
 */
#include "dfe/core/error.hpp"

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dfe::gpu {

/** @brief Throws dfe::Error naming the Vulkan call and its VkResult when `result` is not VK_SUCCESS. */
void check_vk(VkResult result, const char* call, const char* file, int line);

/// Wraps a Vulkan call: `DFE_VK(vkCreateBuffer(...))`.
#define DFE_VK(call) ::dfe::gpu::check_vk((call), #call, __FILE__, __LINE__)

/**
 * @brief A Vulkan instance and one compute device with float64 shaders: its compute queue, a
 * command pool and a fence. Not copyable or movable (VkFFT keeps pointers to its members).
 */
class Device {
public:
    /**
     * @brief Opens device `index` (modulo the number found) of the devices with shaderFloat64 and a
     * compute queue. Throws InputError when there is none (one line naming the packages to install).
     */
    explicit Device(int index);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    [[nodiscard]] VkDevice get() const { return device_; }
    [[nodiscard]] VkPhysicalDevice physical() const { return physical_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    /** @brief The largest storage buffer a shader may bind (maxStorageBufferRange). */
    [[nodiscard]] std::uint64_t max_storage_buffer() const { return max_storage_; }

    /** @brief Index of a memory type allowed by `type_bits` with `wanted` properties, else with `fallback`. */
    [[nodiscard]] std::uint32_t memory_type(std::uint32_t type_bits, VkMemoryPropertyFlags wanted,
                                            VkMemoryPropertyFlags fallback) const;

    /** @brief Submits the command buffers in order and waits for them to finish. */
    void submit_and_wait(std::span<const VkCommandBuffer> buffers);

    // VkFFT takes these by address.
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;

private:
    void release() noexcept;
    VkInstance instance_ = VK_NULL_HANDLE;
    std::uint32_t family_ = 0;
    std::string name_;
    std::uint64_t max_storage_ = 0;
    VkPhysicalDeviceMemoryProperties memory_{};
};

/** @brief A buffer and its memory: device-local storage, or host-visible staging (mapped). Move-only. */
class Buffer {
public:
    enum class Kind { device, staging };
    Buffer() = default;
    Buffer(const Device& device, std::uint64_t bytes, Kind kind);
    ~Buffer();
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;

    [[nodiscard]] VkBuffer get() const { return buffer_; }
    /** @brief The address VkFFT takes (its configuration and launch parameters point at it). */
    [[nodiscard]] VkBuffer* handle() { return &buffer_; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
    /** @brief Host address of a staging buffer (null for device buffers). */
    [[nodiscard]] void* mapped() const { return mapped_; }

private:
    void release() noexcept;
    VkDevice device_ = VK_NULL_HANDLE;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    VkDeviceMemory memory_ = VK_NULL_HANDLE;
    std::uint64_t bytes_ = 0;
    void* mapped_ = nullptr;
};

/**
 * @brief The descriptor layout shared by every pass (4 storage buffers, gpu/shaders/common.glsl),
 * its pipeline layout with the push constants, and the pools of the descriptor sets (a new pool of
 * `sets_per_pool` when the last is full). Not movable.
 */
class PassLayout {
public:
    PassLayout(const Device& device, std::uint32_t push_bytes, std::uint32_t sets_per_pool);
    ~PassLayout();
    PassLayout(const PassLayout&) = delete;
    PassLayout& operator=(const PassLayout&) = delete;

    /** @brief A descriptor set binding `buffers` (4 of them) to bindings 0..3; freed with the pool. */
    [[nodiscard]] VkDescriptorSet bind(std::span<const VkBuffer> buffers);
    [[nodiscard]] VkPipelineLayout pipeline_layout() const { return pipeline_layout_; }

private:
    void release() noexcept;
    VkDevice device_;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
    std::uint32_t sets_per_pool_;
    std::uint32_t sets_in_last_ = 0;
    std::vector<VkDescriptorPool> pools_;
};

/** @brief A compute pipeline made from SPIR-V words. Move-only. */
class Pipeline {
public:
    Pipeline(const Device& device, const PassLayout& layout, std::span<const std::uint32_t> spirv);
    ~Pipeline();
    Pipeline(Pipeline&& other) noexcept;
    Pipeline& operator=(Pipeline&&) = delete;
    Pipeline(const Pipeline&) = delete;
    [[nodiscard]] VkPipeline get() const { return pipeline_; }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
};

/** @brief A primary command buffer of the device's pool, freed with it. Move-only. */
class CommandBuffer {
public:
    explicit CommandBuffer(const Device& device);
    ~CommandBuffer();
    CommandBuffer(CommandBuffer&& other) noexcept;
    CommandBuffer& operator=(CommandBuffer&&) = delete;
    CommandBuffer(const CommandBuffer&) = delete;

    /** @brief Starts recording (simultaneous use: one submission may list it several times). */
    void begin();
    void end();
    [[nodiscard]] VkCommandBuffer get() const { return buffer_; }
    [[nodiscard]] VkCommandBuffer* handle() { return &buffer_; }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer buffer_ = VK_NULL_HANDLE;
};

/** @brief Records a barrier that orders every earlier transfer and shader access before every later one. */
void barrier(VkCommandBuffer cb);

}  // namespace dfe::gpu
