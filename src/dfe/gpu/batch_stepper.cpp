#include "dfe/gpu/batch_stepper.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/host_memory.hpp"
#include "dfe/core/timer.hpp"
#include "dfe/gpu/vkfft.hpp"
#include "dfe/gpu/vulkan.hpp"
#include "dfe/physics/convolution.hpp"
#include "dfe/spectral/grid.hpp"

// SPIR-V of gpu/shaders/*.comp, compiled by glslangValidator at build time (cmake/DfeVulkan.cmake).
#include "kinetic.spv.h"
#include "multiply.spv.h"
#include "norm.spv.h"
#include "rotate.spv.h"

#include <algorithm>
#include <chrono>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <string>

namespace dfe::gpu {

void check_vulkan_supported(const RunConfig& c)
{
    require(c.ranks_per_sample == 1, "--backend vulkan holds every sample on one rank: use --ranks-per-sample 1 "
                                     "(or --backend cpu)");
    require(c.integrator != Integrator::petsc && c.tol <= 0.0,
            "--backend vulkan runs fixed steps only (--integrator strang or order4 without --tol): drop --tol, or use "
            "--backend cpu");
    require(c.potential.kind == PotentialKind::none || c.potential.kind == PotentialKind::gaussian,
            "--backend vulkan supports the periodic potentials (none, gaussian) only: use --backend cpu for --potential " +
                std::string(name(c.potential.kind)));
    require(vkfft_radix_size(c.N), "--backend vulkan needs N with prime factors up to 13 (VkFFT 1.2.26 returns zeros "
                                   "for larger ones): choose another --N (got " + std::to_string(c.N) +
                                   "), or use --backend cpu");
}

namespace {

/// The push constants of every pass (gpu/shaders/common.glsl, std430 offsets).
struct Pass {
    double scale = 0.0;
    double angle = 0.0;
    std::uint32_t count = 0;
    std::uint32_t points = 0;
    std::uint32_t N = 0;
    std::uint32_t pad = 0;
    std::uint32_t half_count = 0;
    std::uint32_t n1 = 1;
    std::uint32_t table_base = 0;
    std::uint32_t unused = 0;
};
static_assert(sizeof(Pass) == 48);

constexpr std::uint32_t group_size = 256;  // local_size_x of the shaders
constexpr std::uint64_t default_limit = std::uint64_t{1} << 31;  // 32-bit indices in the shaders

/// The largest storage buffer to use: the device's, or DFE_VULKAN_MAX_BUFFER bytes if smaller.
std::uint64_t buffer_limit(const Device& device)
{
    std::uint64_t limit = std::min(device.max_storage_buffer(), default_limit);
    if (const char* env = std::getenv("DFE_VULKAN_MAX_BUFFER")) {
        const unsigned long long forced = std::strtoull(env, nullptr, 10);
        if (forced > 0) limit = std::min<std::uint64_t>(limit, forced);
    }
    return limit;
}

/// One storage-buffer chunk of the batch: its fields, its real scratch, its descriptor set and its transforms.
struct Chunk {
    Buffer field;
    Buffer rho;
    VkDescriptorSet set = VK_NULL_HANDLE;
    std::unique_ptr<Fft> complex_fft, real_fft;
};

}  // namespace

struct VulkanStepper::Impl {
    Impl(const Grid& grid, const Potential& potential, double mu, Composition composition, double h, std::size_t samples,
         int device_index);

    void dispatch(VkCommandBuffer cb, const Chunk& chunk, const Pipeline& pipeline, Pass pass) const;
    void kinetic(VkCommandBuffer cb, const Chunk& chunk, double fraction) const;
    /// One composition step on `chunk` (spectral on entry and exit), the last K fused with the next step's first or not.
    void record_step(VkCommandBuffer cb, Chunk& chunk, bool fuse);
    void copy(VkCommandBuffer cb, VkBuffer from, VkBuffer to, std::uint64_t bytes) const;
    void upload_table(Buffer& target, const void* data, std::uint64_t bytes);

    int d;
    std::uint32_t N;
    std::uint32_t points;  // N^d
    std::uint32_t rows;    // N^(d−1)
    std::uint32_t pad;     // 2(N/2 + 1)
    std::uint32_t half;    // rows·(N/2 + 1)
    double scale;          // 1/N^d
    double mu;
    Composition composition;
    double h;
    bool interacting;      // V ≠ 0
    std::size_t samples;
    std::size_t per_chunk = 0;
    std::vector<double> fractions;  // kinetic fractions, index = table

    Device device;
    PassLayout layout;
    Pipeline norm, multiply, rotate, kinetic_pass;
    std::vector<Chunk> chunks;
    Buffer vhat, table, staging;
    CommandBuffer head, fused, last, floor, transfer;
};

VulkanStepper::Impl::Impl(const Grid& grid, const Potential& potential, double mu_, Composition composition_, double h_,
                          std::size_t samples_, int device_index)
    : d(grid.d()), N(static_cast<std::uint32_t>(grid.N())), points(1), rows(1), pad(2 * (N / 2 + 1)), half(0),
      scale(1.0 / grid.global_points()), mu(mu_), composition(std::move(composition_)), h(h_),
      interacting(!potential.is_zero()), samples(samples_), device(device_index),
      layout(device, sizeof(Pass), 64), norm(device, layout, dfe_spv_norm), multiply(device, layout, dfe_spv_multiply),
      rotate(device, layout, dfe_spv_rotate), kinetic_pass(device, layout, dfe_spv_kinetic), head(device),
      fused(device), last(device), floor(device), transfer(device)
{
    for (int a = 0; a < d; ++a) points *= N;
    rows = points / N;
    half = rows * (N / 2 + 1);

    // Chunks of whole samples, each buffer within the device's limit, as even as possible.
    const std::uint64_t field_bytes = std::uint64_t{points} * sizeof(cplx);
    const std::uint64_t limit = buffer_limit(device);
    if (field_bytes > limit)
        throw InputError("--backend vulkan: one sample of N = " + std::to_string(N) + " takes " +
                         format_bytes(static_cast<double>(field_bytes)) + ", more than the device's largest storage buffer (" +
                         format_bytes(static_cast<double>(limit)) + "): use a smaller --N or --backend cpu");
    const std::size_t count = std::max<std::size_t>(samples, 1);
    const std::size_t fit = static_cast<std::size_t>(limit / field_bytes);
    const std::size_t n_chunks = (count + fit - 1) / fit;
    per_chunk = (count + n_chunks - 1) / n_chunks;
    const std::uint64_t chunk_bytes = field_bytes * per_chunk;
    const std::uint64_t rho_bytes = std::uint64_t{rows} * pad * sizeof(double) * per_chunk;
    for (std::size_t c = 0; c < n_chunks; ++c)
        chunks.push_back(Chunk{Buffer(device, chunk_bytes, Buffer::Kind::device),
                               Buffer(device, rho_bytes, Buffer::Kind::device), VK_NULL_HANDLE, nullptr, nullptr});

    // V̂/N^d on the half spectrum in natural order [k0][k1][h2], as the Convolver tabulates it.
    const Grid natural(grid.comm(), d, grid.N(), grid.L(), Grid::OneRank::serial);
    std::vector<double> v(half);
    natural.for_each_mode(natural.spectral_half(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
        v[static_cast<std::size_t>(i)] = potential.hat(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]) * scale;
    });
    // e^{−ik²fh} per memory axis and kinetic fraction f, as SplitStep and KineticPhase tabulate them;
    // the memory axes are (·, ·, x0) in 1D, (·, x0, x1) in 2D, (x0, x1, x2) in 3D, unused ones 1.
    fractions.assign(composition.a.begin(), composition.a.end());
    fractions.push_back(composition.a.back() + composition.a.front());
    std::sort(fractions.begin(), fractions.end());
    fractions.erase(std::unique(fractions.begin(), fractions.end()), fractions.end());
    std::vector<cplx> t(fractions.size() * 3 * N, cplx(1.0, 0.0));
    for (std::size_t f = 0; f < fractions.size(); ++f)
        for (int axis = 3 - d; axis < 3; ++axis)
            for (std::uint32_t i = 0; i < N; ++i) {
                const double k = grid.wavenumber(i);
                t[(f * 3 + static_cast<std::size_t>(axis)) * N + i] = std::polar(1.0, -(k * k) * (fractions[f] * h));
            }

    const std::uint64_t staging_bytes = std::max<std::uint64_t>({chunk_bytes, v.size() * sizeof(double), t.size() * sizeof(cplx)});
    staging = Buffer(device, staging_bytes, Buffer::Kind::staging);
    vhat = Buffer(device, v.size() * sizeof(double), Buffer::Kind::device);
    table = Buffer(device, t.size() * sizeof(cplx), Buffer::Kind::device);
    upload_table(vhat, v.data(), vhat.bytes());
    upload_table(table, t.data(), table.bytes());
    for (Chunk& chunk : chunks) {
        const std::array<VkBuffer, 4> bound{chunk.field.get(), chunk.rho.get(), vhat.get(), table.get()};
        chunk.set = layout.bind(bound);
    }

    // One VkFFT application per buffer, the shaders compiled once.
    for (Chunk& chunk : chunks) {
        const Chunk& first = chunks.front();
        chunk.complex_fft = std::make_unique<Fft>(device, d, N, per_chunk, Fft::Kind::complex, chunk.field,
                                                  first.complex_fft.get());
        chunk.real_fft = std::make_unique<Fft>(device, d, N, per_chunk, Fft::Kind::real, chunk.rho, first.real_fft.get());
    }

    // The three command buffers of advance(): F K(a_0); a fused step; the last step and B.
    head.begin();
    for (Chunk& chunk : chunks) {
        barrier(head.get());
        chunk.complex_fft->forward(head.get());
        barrier(head.get());
        kinetic(head.get(), chunk, composition.a.front());
    }
    head.end();
    fused.begin();
    for (Chunk& chunk : chunks) record_step(fused.get(), chunk, true);
    fused.end();
    last.begin();
    for (Chunk& chunk : chunks) {
        record_step(last.get(), chunk, false);
        barrier(last.get());
        chunk.complex_fft->inverse(last.get());
    }
    barrier(last.get());
    last.end();
    floor.begin();
    for (Chunk& chunk : chunks) {
        for (int pass = 0; pass < 4; ++pass) {
            barrier(floor.get());
            if (pass == 0) chunk.complex_fft->forward(floor.get());
            if (pass == 1) chunk.complex_fft->inverse(floor.get());
            if (pass == 2) chunk.real_fft->forward(floor.get());
            if (pass == 3) chunk.real_fft->inverse(floor.get());
        }
    }
    barrier(floor.get());
    floor.end();
}

void VulkanStepper::Impl::dispatch(VkCommandBuffer cb, const Chunk& chunk, const Pipeline& pipeline, Pass pass) const
{
    pass.points = points;
    pass.N = N;
    pass.pad = pad;
    pass.half_count = half;
    pass.n1 = d >= 2 ? N : 1;
    barrier(cb);
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.get());
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout.pipeline_layout(), 0, 1, &chunk.set, 0, nullptr);
    vkCmdPushConstants(cb, layout.pipeline_layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Pass), &pass);
    const std::uint32_t groups = std::min<std::uint32_t>((pass.count + group_size - 1) / group_size, 65535);
    vkCmdDispatch(cb, groups, 1, 1);
}

void VulkanStepper::Impl::kinetic(VkCommandBuffer cb, const Chunk& chunk, double fraction) const
{
    const auto f = std::find(fractions.begin(), fractions.end(), fraction);
    require_logic(f != fractions.end(), "Vulkan stepper: no kinetic phase tabulated for this fraction");
    Pass pass;
    pass.scale = scale;
    pass.count = points * static_cast<std::uint32_t>(per_chunk);
    pass.table_base = static_cast<std::uint32_t>(f - fractions.begin()) * 3 * N;
    dispatch(cb, chunk, kinetic_pass, pass);
}

void VulkanStepper::Impl::record_step(VkCommandBuffer cb, Chunk& chunk, bool fuse)
{
    const auto& c = composition;
    const std::size_t s = c.b.size();
    const auto batch = static_cast<std::uint32_t>(per_chunk);
    for (std::size_t i = 0; i < s; ++i) {
        barrier(cb);
        chunk.complex_fft->inverse(cb);
        if (interacting) {
            // NonlinearStep::apply: ρ = |φ|², U = V*ρ (r2c, V̂, c2r), φ ← e^{iθ}φ with θ = (−μ·b·h)·U.
            Pass pass;
            pass.count = points * batch;
            dispatch(cb, chunk, norm, pass);
            barrier(cb);
            chunk.real_fft->forward(cb);
            pass.count = half * batch;
            dispatch(cb, chunk, multiply, pass);
            barrier(cb);
            chunk.real_fft->inverse(cb);
            pass.count = points * batch;
            pass.angle = -mu * c.b[i] * h;
            dispatch(cb, chunk, rotate, pass);
        }
        barrier(cb);
        chunk.complex_fft->forward(cb);
        kinetic(cb, chunk, (i + 1 == s && fuse) ? c.a.back() + c.a.front() : c.a[i + 1]);
    }
}

void VulkanStepper::Impl::copy(VkCommandBuffer cb, VkBuffer from, VkBuffer to, std::uint64_t bytes) const
{
    const VkBufferCopy region{0, 0, bytes};
    vkCmdCopyBuffer(cb, from, to, 1, &region);
}

void VulkanStepper::Impl::upload_table(Buffer& target, const void* data, std::uint64_t bytes)
{
    std::memcpy(staging.mapped(), data, bytes);
    transfer.begin();
    copy(transfer.get(), staging.get(), target.get(), bytes);
    barrier(transfer.get());
    transfer.end();
    const VkCommandBuffer cb = transfer.get();
    device.submit_and_wait({&cb, 1});
}

VulkanStepper::VulkanStepper(const Grid& grid, const Potential& potential, double mu, Composition composition, double h,
                             std::size_t samples, int device)
    : impl_(std::make_unique<Impl>(grid, potential, mu, std::move(composition), h, samples, device))
{
}

VulkanStepper::~VulkanStepper() = default;

void VulkanStepper::upload(std::span<const cplx* const> fields)
{
    Impl& m = *impl_;
    const std::size_t bytes = std::size_t{m.points} * sizeof(cplx);
    for (std::size_t c = 0; c < m.chunks.size(); ++c) {
        auto* out = static_cast<unsigned char*>(m.staging.mapped());
        for (std::size_t j = 0; j < m.per_chunk; ++j) {
            const std::size_t sample = c * m.per_chunk + j;
            if (sample < fields.size()) std::memcpy(out + j * bytes, fields[sample], bytes);
            else std::memset(out + j * bytes, 0, bytes);  // padding: zero stays zero under the flow
        }
        m.upload_table(m.chunks[c].field, out, m.chunks[c].field.bytes());
    }
}

void VulkanStepper::download(std::span<cplx* const> fields, const std::vector<bool>& skip)
{
    Impl& m = *impl_;
    const std::size_t bytes = std::size_t{m.points} * sizeof(cplx);
    for (std::size_t c = 0; c < m.chunks.size(); ++c) {
        m.transfer.begin();
        m.copy(m.transfer.get(), m.chunks[c].field.get(), m.staging.get(), m.chunks[c].field.bytes());
        barrier(m.transfer.get());
        m.transfer.end();
        const VkCommandBuffer cb = m.transfer.get();
        m.device.submit_and_wait({&cb, 1});
        const auto* in = static_cast<const unsigned char*>(m.staging.mapped());
        for (std::size_t j = 0; j < m.per_chunk; ++j) {
            const std::size_t sample = c * m.per_chunk + j;
            if (sample < fields.size() && !(sample < skip.size() && skip[sample]))
                std::memcpy(fields[sample], in + j * bytes, bytes);
        }
    }
}

void VulkanStepper::run(long steps)
{
    if (steps <= 0) return;
    Impl& m = *impl_;
    // F K(a_0), steps − 1 fused steps, the last step and B: submitted in groups, waited for once per group.
    constexpr long group = 512;
    std::vector<VkCommandBuffer> list;
    list.push_back(m.head.get());
    for (long step = 0; step < steps; ++step) {
        list.push_back(step + 1 < steps ? m.fused.get() : m.last.get());
        if (static_cast<long>(list.size()) >= group || step + 1 == steps) {
            m.device.submit_and_wait(list);
            list.clear();
        }
    }
}

void VulkanStepper::advance(std::span<cplx* const> fields, long steps, const std::vector<bool>& skip)
{
    if (steps <= 0) return;
    upload(std::span<const cplx* const>(const_cast<const cplx* const*>(fields.data()), fields.size()));
    run(steps);
    download(fields, skip);
}

double VulkanStepper::fft_floor_seconds(int repeats)
{
    Impl& m = *impl_;
    const std::vector<VkCommandBuffer> list(static_cast<std::size_t>(std::max(repeats, 1)), m.floor.get());
    const auto start = std::chrono::steady_clock::now();
    m.device.submit_and_wait(list);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return took.count() / static_cast<double>(list.size());
}

const std::string& VulkanStepper::device_name() const { return impl_->device.name(); }
std::size_t VulkanStepper::chunks() const { return impl_->chunks.size(); }
std::size_t VulkanStepper::samples_per_chunk() const { return impl_->per_chunk; }

void register_vulkan_backend(int node_rank)
{
    register_batch_backend("vulkan", [node_rank](const RunConfig& config, const Convolver& convolver, std::size_t samples) {
        check_vulkan_supported(config);
        return std::make_unique<VulkanStepper>(convolver.plans().grid(), convolver.potential_function(), config.mu,
                                               make_composition(config.integrator), config.dt, samples,
                                               device_index(config, node_rank));
    });
}

}  // namespace dfe::gpu
