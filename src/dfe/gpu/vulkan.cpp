#include "dfe/gpu/vulkan.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace dfe::gpu {

void check_vk(VkResult result, const char* call, const char* file, int line)
{
    if (result == VK_SUCCESS) return;
    throw Error(std::string("Vulkan call failed (VkResult ") + std::to_string(static_cast<int>(result)) + "): " + call +
                " at " + file + ":" + std::to_string(line));
}

namespace {

/// The first queue family with compute, or −1.
int compute_family(VkPhysicalDevice device)
{
    std::uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(device, &n, nullptr);
    std::vector<VkQueueFamilyProperties> families(n);
    vkGetPhysicalDeviceQueueFamilyProperties(device, &n, families.data());
    for (std::uint32_t i = 0; i < n; ++i)
        if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) return static_cast<int>(i);
    return -1;
}

}  // namespace

Device::Device(int index)
{
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "dfe";
    app.apiVersion = VK_API_VERSION_1_1;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    const VkResult created = vkCreateInstance(&info, nullptr, &instance_);
    if (created == VK_ERROR_INCOMPATIBLE_DRIVER || created == VK_ERROR_INITIALIZATION_FAILED)
        throw InputError("--backend vulkan: no Vulkan driver found; install one (mesa-vulkan-drivers for the CPU device "
                         "lavapipe) or use --backend cpu");
    DFE_VK(created);
    try {
        std::uint32_t n = 0;
        DFE_VK(vkEnumeratePhysicalDevices(instance_, &n, nullptr));
        std::vector<VkPhysicalDevice> all(n);
        DFE_VK(vkEnumeratePhysicalDevices(instance_, &n, all.data()));
        std::vector<VkPhysicalDevice> usable;
        for (VkPhysicalDevice d : all) {
            VkPhysicalDeviceFeatures features{};
            vkGetPhysicalDeviceFeatures(d, &features);
            if (features.shaderFloat64 && compute_family(d) >= 0) usable.push_back(d);
        }
        if (usable.empty())
            throw InputError("--backend vulkan: no Vulkan device with float64 shaders (shaderFloat64) found; install "
                             "mesa-vulkan-drivers for the CPU device lavapipe, or use --backend cpu");
        physical_ = usable[static_cast<std::size_t>(index) % usable.size()];
        family_ = static_cast<std::uint32_t>(compute_family(physical_));
        VkPhysicalDeviceProperties props{};
        vkGetPhysicalDeviceProperties(physical_, &props);
        name_ = props.deviceName;
        max_storage_ = props.limits.maxStorageBufferRange;
        vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);

        const float priority = 1.0f;
        VkDeviceQueueCreateInfo queue{};
        queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
        queue.queueFamilyIndex = family_;
        queue.queueCount = 1;
        queue.pQueuePriorities = &priority;
        VkPhysicalDeviceFeatures enabled{};
        enabled.shaderFloat64 = VK_TRUE;
        VkDeviceCreateInfo dinfo{};
        dinfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
        dinfo.queueCreateInfoCount = 1;
        dinfo.pQueueCreateInfos = &queue;
        dinfo.pEnabledFeatures = &enabled;
        DFE_VK(vkCreateDevice(physical_, &dinfo, nullptr, &device_));
        vkGetDeviceQueue(device_, family_, 0, &queue_);
        VkCommandPoolCreateInfo pinfo{};
        pinfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        pinfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
        pinfo.queueFamilyIndex = family_;
        DFE_VK(vkCreateCommandPool(device_, &pinfo, nullptr, &pool_));
        VkFenceCreateInfo finfo{};
        finfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        DFE_VK(vkCreateFence(device_, &finfo, nullptr, &fence_));
    } catch (...) {
        release();
        throw;
    }
}

Device::~Device() { release(); }

void Device::release() noexcept
{
    if (device_ != VK_NULL_HANDLE) {
        vkDeviceWaitIdle(device_);
        if (fence_ != VK_NULL_HANDLE) vkDestroyFence(device_, fence_, nullptr);
        if (pool_ != VK_NULL_HANDLE) vkDestroyCommandPool(device_, pool_, nullptr);
        vkDestroyDevice(device_, nullptr);
    }
    if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
    fence_ = VK_NULL_HANDLE;
    pool_ = VK_NULL_HANDLE;
    device_ = VK_NULL_HANDLE;
    instance_ = VK_NULL_HANDLE;
}

std::uint32_t Device::memory_type(std::uint32_t type_bits, VkMemoryPropertyFlags wanted,
                                  VkMemoryPropertyFlags fallback) const
{
    for (VkMemoryPropertyFlags flags : {wanted, fallback})
        for (std::uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
            if ((type_bits & (1u << i)) && (memory_.memoryTypes[i].propertyFlags & flags) == flags) return i;
    throw Error("Vulkan: no suitable memory type");
}

void Device::submit_and_wait(std::span<const VkCommandBuffer> buffers)
{
    VkSubmitInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    info.commandBufferCount = static_cast<std::uint32_t>(buffers.size());
    info.pCommandBuffers = buffers.data();
    DFE_VK(vkQueueSubmit(queue_, 1, &info, fence_));
    DFE_VK(vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX));
    DFE_VK(vkResetFences(device_, 1, &fence_));
}

Buffer::Buffer(const Device& device, std::uint64_t bytes, Kind kind) : device_(device.get()), bytes_(bytes)
{
    try {
        VkBufferCreateInfo info{};
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
        info.size = bytes;
        info.usage = kind == Kind::device ? (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                             VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                                          : (VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT);
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
        DFE_VK(vkCreateBuffer(device_, &info, nullptr, &buffer_));
        VkMemoryRequirements req{};
        vkGetBufferMemoryRequirements(device_, buffer_, &req);
        VkMemoryAllocateInfo alloc{};
        alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
        alloc.allocationSize = req.size;
        const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        alloc.memoryTypeIndex = kind == Kind::device
                                    ? device.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0)
                                    : device.memory_type(req.memoryTypeBits, host | VK_MEMORY_PROPERTY_HOST_CACHED_BIT, host);
        DFE_VK(vkAllocateMemory(device_, &alloc, nullptr, &memory_));
        DFE_VK(vkBindBufferMemory(device_, buffer_, memory_, 0));
        if (kind == Kind::staging) DFE_VK(vkMapMemory(device_, memory_, 0, VK_WHOLE_SIZE, 0, &mapped_));
    } catch (...) {
        release();
        throw;
    }
}

void Buffer::release() noexcept
{
    if (device_ == VK_NULL_HANDLE) return;
    if (mapped_) vkUnmapMemory(device_, memory_);
    if (buffer_ != VK_NULL_HANDLE) vkDestroyBuffer(device_, buffer_, nullptr);
    if (memory_ != VK_NULL_HANDLE) vkFreeMemory(device_, memory_, nullptr);
    mapped_ = nullptr;
    buffer_ = VK_NULL_HANDLE;
    memory_ = VK_NULL_HANDLE;
}

Buffer::~Buffer() { release(); }

Buffer::Buffer(Buffer&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)), buffer_(std::exchange(other.buffer_, VK_NULL_HANDLE)),
      memory_(std::exchange(other.memory_, VK_NULL_HANDLE)), bytes_(other.bytes_),
      mapped_(std::exchange(other.mapped_, nullptr))
{
}

Buffer& Buffer::operator=(Buffer&& other) noexcept
{
    if (this != &other) {
        release();
        device_ = std::exchange(other.device_, VK_NULL_HANDLE);
        buffer_ = std::exchange(other.buffer_, VK_NULL_HANDLE);
        memory_ = std::exchange(other.memory_, VK_NULL_HANDLE);
        bytes_ = other.bytes_;
        mapped_ = std::exchange(other.mapped_, nullptr);
    }
    return *this;
}

PassLayout::PassLayout(const Device& device, std::uint32_t push_bytes, std::uint32_t sets_per_pool)
    : device_(device.get()), sets_per_pool_(sets_per_pool)
{
    try {
        std::array<VkDescriptorSetLayoutBinding, 4> bindings{};
        for (std::uint32_t b = 0; b < bindings.size(); ++b) {
            bindings[b].binding = b;
            bindings[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            bindings[b].descriptorCount = 1;
            bindings[b].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
        }
        VkDescriptorSetLayoutCreateInfo sinfo{};
        sinfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
        sinfo.bindingCount = static_cast<std::uint32_t>(bindings.size());
        sinfo.pBindings = bindings.data();
        DFE_VK(vkCreateDescriptorSetLayout(device_, &sinfo, nullptr, &set_layout_));
        VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
        VkPipelineLayoutCreateInfo pinfo{};
        pinfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
        pinfo.setLayoutCount = 1;
        pinfo.pSetLayouts = &set_layout_;
        pinfo.pushConstantRangeCount = 1;
        pinfo.pPushConstantRanges = &range;
        DFE_VK(vkCreatePipelineLayout(device_, &pinfo, nullptr, &pipeline_layout_));
    } catch (...) {
        release();
        throw;
    }
}

PassLayout::~PassLayout() { release(); }

void PassLayout::release() noexcept
{
    for (VkDescriptorPool pool : pools_) vkDestroyDescriptorPool(device_, pool, nullptr);
    pools_.clear();
    if (pipeline_layout_ != VK_NULL_HANDLE) vkDestroyPipelineLayout(device_, pipeline_layout_, nullptr);
    if (set_layout_ != VK_NULL_HANDLE) vkDestroyDescriptorSetLayout(device_, set_layout_, nullptr);
    pipeline_layout_ = VK_NULL_HANDLE;
    set_layout_ = VK_NULL_HANDLE;
}

VkDescriptorSet PassLayout::bind(std::span<const VkBuffer> buffers)
{
    if (pools_.empty() || sets_in_last_ == sets_per_pool_) {
        VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4 * sets_per_pool_};
        VkDescriptorPoolCreateInfo dinfo{};
        dinfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
        dinfo.maxSets = sets_per_pool_;
        dinfo.poolSizeCount = 1;
        dinfo.pPoolSizes = &size;
        VkDescriptorPool pool = VK_NULL_HANDLE;
        DFE_VK(vkCreateDescriptorPool(device_, &dinfo, nullptr, &pool));
        pools_.push_back(pool);
        sets_in_last_ = 0;
    }
    ++sets_in_last_;
    VkDescriptorSetAllocateInfo ainfo{};
    ainfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    ainfo.descriptorPool = pools_.back();
    ainfo.descriptorSetCount = 1;
    ainfo.pSetLayouts = &set_layout_;
    VkDescriptorSet set = VK_NULL_HANDLE;
    DFE_VK(vkAllocateDescriptorSets(device_, &ainfo, &set));
    std::array<VkDescriptorBufferInfo, 4> infos{};
    std::array<VkWriteDescriptorSet, 4> writes{};
    for (std::uint32_t b = 0; b < 4; ++b) {
        infos[b] = VkDescriptorBufferInfo{buffers[b], 0, VK_WHOLE_SIZE};
        writes[b] = VkWriteDescriptorSet{};
        writes[b].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[b].dstSet = set;
        writes[b].dstBinding = b;
        writes[b].descriptorCount = 1;
        writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[b].pBufferInfo = &infos[b];
    }
    vkUpdateDescriptorSets(device_, 4, writes.data(), 0, nullptr);
    return set;
}

Pipeline::Pipeline(const Device& device, const PassLayout& layout, std::span<const std::uint32_t> spirv)
    : device_(device.get())
{
    VkShaderModuleCreateInfo minfo{};
    minfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    minfo.codeSize = spirv.size_bytes();
    minfo.pCode = spirv.data();
    VkShaderModule module = VK_NULL_HANDLE;
    DFE_VK(vkCreateShaderModule(device_, &minfo, nullptr, &module));
    VkComputePipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    info.stage = VkPipelineShaderStageCreateInfo{};
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module;
    info.stage.pName = "main";
    info.layout = layout.pipeline_layout();
    const VkResult result = vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline_);
    vkDestroyShaderModule(device_, module, nullptr);
    DFE_VK(result);
}

Pipeline::~Pipeline()
{
    if (pipeline_ != VK_NULL_HANDLE) vkDestroyPipeline(device_, pipeline_, nullptr);
}

Pipeline::Pipeline(Pipeline&& other) noexcept
    : device_(other.device_), pipeline_(std::exchange(other.pipeline_, VK_NULL_HANDLE))
{
}

CommandBuffer::CommandBuffer(const Device& device) : device_(device.get()), pool_(device.pool_)
{
    VkCommandBufferAllocateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    info.commandPool = pool_;
    info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    info.commandBufferCount = 1;
    DFE_VK(vkAllocateCommandBuffers(device_, &info, &buffer_));
}

CommandBuffer::~CommandBuffer()
{
    if (buffer_ != VK_NULL_HANDLE) vkFreeCommandBuffers(device_, pool_, 1, &buffer_);
}

CommandBuffer::CommandBuffer(CommandBuffer&& other) noexcept
    : device_(other.device_), pool_(other.pool_), buffer_(std::exchange(other.buffer_, VK_NULL_HANDLE))
{
}

void CommandBuffer::begin()
{
    DFE_VK(vkResetCommandBuffer(buffer_, 0));
    VkCommandBufferBeginInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    info.flags = VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
    DFE_VK(vkBeginCommandBuffer(buffer_, &info));
}

void CommandBuffer::end() { DFE_VK(vkEndCommandBuffer(buffer_)); }

void barrier(VkCommandBuffer cb)
{
    VkMemoryBarrier b{};
    b.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                      VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    vkCmdPipelineBarrier(cb, stages, stages, 0, 1, &b, 0, nullptr, 0, nullptr);
}

}  // namespace dfe::gpu
