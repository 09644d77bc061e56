// Smoke test: serial FFTW3 (double). FFTW computes unnormalized transforms,
// X_k = sum_j x_j exp(-2 pi i j k / N) forward and the same with +i backward, so a
// forward-backward round trip multiplies the input by N.
#include <catch2/catch.hpp>

#include <fftw3.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <numbers>
#include <random>
#include <type_traits>

namespace {

struct FftwFree {
    void operator()(fftw_complex* p) const noexcept { fftw_free(p); }
};
using FftwBuffer = std::unique_ptr<fftw_complex[], FftwFree>;

FftwBuffer make_buffer(std::size_t n)
{
    return FftwBuffer(fftw_alloc_complex(n));
}

struct PlanDestroy {
    void operator()(fftw_plan p) const noexcept { fftw_destroy_plan(p); }
};
using Plan = std::unique_ptr<std::remove_pointer_t<fftw_plan>, PlanDestroy>;

}  // namespace

TEST_CASE("1D complex forward+backward round trip returns N times the input", "[smoke][fftw3]")
{
    constexpr int n = 256;
    FftwBuffer x = make_buffer(n);
    FftwBuffer spectrum = make_buffer(n);
    FftwBuffer y = make_buffer(n);
    REQUIRE(x);
    REQUIRE(spectrum);
    REQUIRE(y);

    // FFTW_ESTIMATE plans without touching the arrays, so they can be filled afterwards.
    Plan forward(fftw_plan_dft_1d(n, x.get(), spectrum.get(), FFTW_FORWARD, FFTW_ESTIMATE));
    Plan backward(fftw_plan_dft_1d(n, spectrum.get(), y.get(), FFTW_BACKWARD, FFTW_ESTIMATE));
    REQUIRE(forward);
    REQUIRE(backward);

    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    for (int j = 0; j < n; ++j) {
        x[j][0] = uniform(rng);
        x[j][1] = uniform(rng);
    }

    fftw_execute(forward.get());
    fftw_execute(backward.get());

    // Tolerance: entries of x are O(1), so entries of y are O(N). The FFT's rounding error
    // grows like eps * log2(N) relative to the data (here 2.2e-16 * 8 * 256 ~ 5e-13 in the
    // worst case for y), so |y - N x| <= 1e-12 * N has margin yet catches any wrong sign,
    // scaling or index, which would give errors of O(N).
    const double tol = 1e-12 * n;
    for (int j = 0; j < n; ++j) {
        INFO("j = " << j);
        CHECK(std::abs(y[j][0] - n * x[j][0]) <= tol);
        CHECK(std::abs(y[j][1] - n * x[j][1]) <= tol);
    }
}

TEST_CASE("forward DFT of a single cosine mode has two peaks of height N/2", "[smoke][fftw3]")
{
    constexpr int n = 64;
    constexpr int m = 5;
    FftwBuffer x = make_buffer(n);
    FftwBuffer spectrum = make_buffer(n);
    REQUIRE(x);
    REQUIRE(spectrum);
    Plan forward(fftw_plan_dft_1d(n, x.get(), spectrum.get(), FFTW_FORWARD, FFTW_ESTIMATE));
    REQUIRE(forward);

    // cos(2 pi m j / N) = (e^{+i 2 pi m j/N} + e^{-i 2 pi m j/N}) / 2, so the forward DFT is
    // N/2 at k = m and at k = N - m (the wavenumber -m) and zero everywhere else.
    for (int j = 0; j < n; ++j) {
        x[j][0] = std::cos(2.0 * std::numbers::pi * m * j / n);
        x[j][1] = 0.0;
    }
    fftw_execute(forward.get());

    // Tolerance: the input values carry errors of ~eps from cos(), and the DFT sums N of
    // them, so the spectrum is exact up to ~N * eps * log2(N) ~ 1e-13; 1e-12 * N is a safe
    // bound that any misplaced peak (an O(N) error) exceeds by ten orders of magnitude.
    const double tol = 1e-12 * n;
    for (int k = 0; k < n; ++k) {
        const double expected = (k == m || k == n - m) ? n / 2.0 : 0.0;
        INFO("k = " << k);
        CHECK(std::abs(spectrum[k][0] - expected) <= tol);
        CHECK(std::abs(spectrum[k][1]) <= tol);
    }
}
