// Smoke test: FFTW3-MPI (double). A 2D 64x64 complex transform distributed in slabs of
// rows (dimension 0) over the communicator; FFTW's transforms are unnormalized, so a
// forward-backward round trip multiplies the data by N0 * N1.
#include "dup_comm.hpp"

#include <catch2/catch.hpp>

#include <fftw3-mpi.h>
#include <mpi.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <type_traits>

namespace {

struct FftwFree {
    void operator()(fftw_complex* p) const noexcept { fftw_free(p); }
};
using FftwBuffer = std::unique_ptr<fftw_complex[], FftwFree>;

struct PlanDestroy {
    void operator()(fftw_plan p) const noexcept { fftw_destroy_plan(p); }
};
using Plan = std::unique_ptr<std::remove_pointer_t<fftw_plan>, PlanDestroy>;

// Test data as a function of the global index, so every rank count sees the same field.
double re_of(std::ptrdiff_t i, std::ptrdiff_t j) { return std::sin(0.37 * i + 1.3 * j) + 0.25; }
double im_of(std::ptrdiff_t i, std::ptrdiff_t j) { return std::cos(1.1 * i - 0.71 * j); }

}  // namespace

TEST_CASE("2D 64x64 distributed forward+backward round trip", "[smoke][fftw3-mpi]")
{
    constexpr std::ptrdiff_t n0 = 64;
    constexpr std::ptrdiff_t n1 = 64;
    dfe::smoke::DupComm comm(MPI_COMM_WORLD);

    std::ptrdiff_t local_n0 = 0;
    std::ptrdiff_t local_0_start = 0;
    const std::ptrdiff_t alloc_local =
        fftw_mpi_local_size_2d(n0, n1, comm.get(), &local_n0, &local_0_start);

    // The slabs partition the rows: their sizes add up to N0 (integers, exact).
    long long rows = local_n0;
    long long total_rows = 0;
    MPI_Allreduce(&rows, &total_rows, 1, MPI_LONG_LONG, MPI_SUM, comm.get());
    CHECK(total_rows == n0);
    REQUIRE(alloc_local >= local_n0 * n1);

    FftwBuffer data(fftw_alloc_complex(static_cast<std::size_t>(alloc_local)));
    REQUIRE(data);
    // Plan creation is collective; FFTW_ESTIMATE leaves the array untouched.
    Plan forward(fftw_mpi_plan_dft_2d(n0, n1, data.get(), data.get(), comm.get(), FFTW_FORWARD,
                                      FFTW_ESTIMATE));
    Plan backward(fftw_mpi_plan_dft_2d(n0, n1, data.get(), data.get(), comm.get(),
                                       FFTW_BACKWARD, FFTW_ESTIMATE));
    REQUIRE(forward);
    REQUIRE(backward);

    for (std::ptrdiff_t i = 0; i < local_n0; ++i) {
        for (std::ptrdiff_t j = 0; j < n1; ++j) {
            data[i * n1 + j][0] = re_of(local_0_start + i, j);
            data[i * n1 + j][1] = im_of(local_0_start + i, j);
        }
    }

    fftw_execute(forward.get());
    fftw_execute(backward.get());

    // Tolerance: inputs are O(1); after the round trip values are O(N0 N1) = 4096 with a
    // rounding error of order eps * log2(N0 N1) relative, i.e. ~ 4096 * 2.2e-16 * 12
    // ~ 1e-11 at worst. Comparing y / (N0 N1) with x to 1e-12 is well above that
    // (~3e-15) and far below any layout or scaling error, which is O(1).
    const double scale = static_cast<double>(n0 * n1);
    const double tol = 1e-12;
    for (std::ptrdiff_t i = 0; i < local_n0; ++i) {
        for (std::ptrdiff_t j = 0; j < n1; ++j) {
            INFO("global row " << local_0_start + i << ", column " << j);
            CHECK(std::abs(data[i * n1 + j][0] / scale - re_of(local_0_start + i, j)) <= tol);
            CHECK(std::abs(data[i * n1 + j][1] / scale - im_of(local_0_start + i, j)) <= tol);
        }
    }
}
