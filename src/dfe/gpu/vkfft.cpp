#include "dfe/gpu/vkfft.hpp"

#include <vkFFT.h>  // the adapted copy (cmake/DfeVulkan.cmake), first on the include path

#include <string>

namespace dfe::gpu {

struct Fft::Impl {
    VkFFTApplication app{};
    std::uint64_t bytes = 0;
};

namespace {

void check_vkfft(VkFFTResult result, const char* what)
{
    if (result != VKFFT_SUCCESS)
        throw Error(std::string("VkFFT ") + what + " failed (VkFFTResult " + std::to_string(static_cast<int>(result)) + ")");
}

}  // namespace

Fft::Fft(Device& device, int d, std::uint64_t N, std::uint64_t batch, Kind kind, Buffer& buffer, const Fft* compiled)
    : impl_(std::make_unique<Impl>())
{
    impl_->bytes = buffer.bytes();
    VkFFTConfiguration c{};
    c.FFTdim = static_cast<std::uint64_t>(d);
    for (int a = 0; a < d; ++a) c.size[a] = N;  // size[0] is the fastest axis; every axis has N points
    c.numberBatches = batch;
    c.doublePrecision = 1;
    c.performR2C = kind == Kind::real ? 1 : 0;
    c.normalize = 0;
    c.physicalDevice = &device.physical_;
    c.device = &device.device_;
    c.queue = &device.queue_;
    c.commandPool = &device.pool_;
    c.fence = &device.fence_;
    c.buffer = buffer.handle();
    c.bufferSize = &impl_->bytes;
    if (compiled) {
        c.loadApplicationFromString = 1;
        c.loadApplicationString = compiled->impl_->app.saveApplicationString;
    } else {
        c.saveApplicationToString = 1;
    }
    check_vkfft(initializeVkFFT(&impl_->app, c), "initialization");
}

Fft::~Fft()
{
    if (impl_) deleteVkFFT(&impl_->app);
}

Fft::Fft(Fft&&) noexcept = default;

void Fft::append(VkCommandBuffer cb, int direction)
{
    VkFFTLaunchParams launch{};
    launch.commandBuffer = &cb;
    check_vkfft(VkFFTAppend(&impl_->app, direction, &launch), "append");
}

void Fft::forward(VkCommandBuffer cb) { append(cb, -1); }
void Fft::inverse(VkCommandBuffer cb) { append(cb, 1); }

bool vkfft_radix_size(long n)
{
    for (long p = 2; p <= 13; ++p)
        while (n % p == 0) n /= p;
    return n == 1;
}

}  // namespace dfe::gpu
