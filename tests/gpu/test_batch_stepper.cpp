// The Vulkan backend's stepper (src/dfe/gpu/batch_stepper) against the CPU's SplitStep, field by
// field, on the Vulkan device found (Mesa's lavapipe in CI): 1D, 2D, 3D, strang and order4, a batch
// in one storage buffer and split over several, frozen samples left alone, and the refusals.
// Built only with the backend (DFE_HAVE_VULKAN); one rank per sample.
#include "dfe/evolution/split_step.hpp"
#include "dfe/gpu/batch_stepper.hpp"
#include "dfe/physics/convolution.hpp"
#include "dfe/spectral/fft_plan.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

/// M kicked Gaussians on the grid, complex, none of them symmetric: φ_j = e^{−|x−c_j|²/(2s_j²) + i k_j·x}.
std::vector<dfe::Buffer<dfe::cplx>> kicked_gaussians(const dfe::Grid& grid, int M)
{
    std::vector<dfe::Buffer<dfe::cplx>> fields;
    for (int j = 0; j < M; ++j) {
        dfe::Buffer<dfe::cplx> f(grid.alloc_complex());
        const double s = 0.8 + 0.15 * j;
        grid.for_each_point([&](std::ptrdiff_t i, std::ptrdiff_t, const std::array<double, 3>& x) {
            double r2 = 0.0, phase = 0.0;
            for (int a = 0; a < grid.d(); ++a) {
                const double c = 0.4 * (j - 1) + 0.3 * a;
                r2 += (x[a] - c) * (x[a] - c);
                phase += (0.7 * j - 0.5 * a) * x[a];
            }
            f[i] = std::polar(std::exp(-r2 / (2 * s * s)), phase);
        });
        fields.push_back(std::move(f));
    }
    return fields;
}

/// max_j max_n |a_jn − b_jn| / max_jn |a_jn|.
double field_difference(const std::vector<dfe::Buffer<dfe::cplx>>& a, const std::vector<dfe::Buffer<dfe::cplx>>& b,
                        std::ptrdiff_t points)
{
    double diff = 0.0, scale = 0.0;
    for (std::size_t j = 0; j < a.size(); ++j)
        for (std::ptrdiff_t i = 0; i < points; ++i) {
            diff = std::max(diff, std::abs(a[j][i] - b[j][i]));
            scale = std::max(scale, std::abs(a[j][i]));
        }
    return diff / scale;
}

std::vector<dfe::cplx*> pointers(std::vector<dfe::Buffer<dfe::cplx>>& fields)
{
    std::vector<dfe::cplx*> p;
    for (auto& f : fields) p.push_back(f.data());
    return p;
}

}  // namespace

TEST_CASE("the Vulkan stepper equals SplitStep field by field", "[gpu][mpi]")
{
    const dfe::Comm self(MPI_COMM_SELF);
    const int M = 5;
    const long steps = 7;
    for (int d = 1; d <= 3; ++d) {
        const long N = d == 1 ? 64 : d == 2 ? 32 : 16;
        const dfe::Grid grid(self, d, N, 12.0);
        const dfe::FftPlans plans(grid, dfe::PlannerEffort::estimate);
        dfe::PotentialParams params;
        params.lambda = 5.0;  // a nonlinear phase of order 0.1 per step at h = 0.01
        const dfe::Potential potential(params, d);
        const dfe::Convolver convolver(plans, potential);
        for (const char* integrator : {"strang", "order4"}) {
            auto cpu = kicked_gaussians(grid, M);
            dfe::SplitStep step(convolver, -1.0, dfe::make_composition(integrator), 0.01);
            for (auto& f : cpu) step.advance(f.data(), steps);
            // One storage buffer for the batch, then two samples per buffer (3 buffers, the last padded).
            for (const char* limit : {"0", "32768"}) {
                INFO("d = " << d << ", " << integrator << ", DFE_VULKAN_MAX_BUFFER = " << limit);
                setenv("DFE_VULKAN_MAX_BUFFER", d == 2 ? limit : "0", 1);
                auto gpu = kicked_gaussians(grid, M);
                dfe::gpu::VulkanStepper stepper(grid, potential, -1.0, dfe::make_composition(integrator), 0.01, M, 0);
                unsetenv("DFE_VULKAN_MAX_BUFFER");
                CHECK(stepper.chunks() == (d == 2 && std::string(limit) != "0" ? 3u : 1u));
                const auto p = pointers(gpu);
                // Two calls, as dfe-run makes them between output rows: 3 + 4 steps.
                stepper.advance(p, 3, {});
                stepper.advance(p, steps - 3, {});
                // Rounding only: FFTs of a different algorithm (≈ eps·log₂N per transform) over 7
                // steps of up to 3 substeps; measured 1.0e-15 (1D strang) to 5.9e-15 (3D order4), the
                // same with the batch split. The bound leaves a factor of 17.
                CHECK(field_difference(cpu, gpu, grid.local_points()) < 1e-13);
            }
        }
    }
}

TEST_CASE("frozen samples are left as they were", "[gpu][mpi]")
{
    const dfe::Comm self(MPI_COMM_SELF);
    const dfe::Grid grid(self, 2, 32, 12.0);
    const dfe::Potential potential(dfe::PotentialParams{}, 2);
    auto fields = kicked_gaussians(grid, 3);
    const auto before = kicked_gaussians(grid, 3);
    dfe::gpu::VulkanStepper stepper(grid, potential, -1.0, dfe::make_composition("strang"), 0.01, 3, 0);
    stepper.advance(pointers(fields), 5, {false, true, false});
    CHECK(field_difference(before, fields, grid.local_points()) > 1e-3);  // the others moved
    for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) REQUIRE(fields[1][i] == before[1][i]);
}

TEST_CASE("what the Vulkan backend refuses", "[gpu][mpi]")
{
    auto refused = [](dfe::RunConfig c, const std::string& words) {
        try {
            dfe::gpu::check_vulkan_supported(c);
        } catch (const dfe::InputError& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(words) != std::string::npos);
            return true;
        }
        return false;
    };
    const dfe::RunConfig ok;
    CHECK_NOTHROW(dfe::gpu::check_vulkan_supported(ok));
    auto c = ok;
    c.potential.kind = dfe::PotentialKind::power;
    CHECK(refused(c, "periodic potentials"));
    c = ok;
    c.tol = 1e-6;
    CHECK(refused(c, "fixed steps only"));
    c = ok;
    c.integrator = dfe::Integrator::petsc;
    CHECK(refused(c, "fixed steps only"));
    c = ok;
    c.ranks_per_sample = 2;
    CHECK(refused(c, "--ranks-per-sample 1"));
    c = ok;
    c.N = 2 * 17;
    CHECK(refused(c, "prime factors up to 13"));
    c.N = 2 * 3 * 5 * 7 * 11 * 13;  // every radix VkFFT implements
    CHECK_NOTHROW(dfe::gpu::check_vulkan_supported(c));
}
