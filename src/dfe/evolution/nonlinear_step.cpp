#include "dfe/evolution/nonlinear_step.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/simd.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace dfe {

namespace {

/// |θ| beyond which the reduction of sincos_kernel loses accuracy; such angles take std::sin/std::cos.
constexpr double reduction_limit = 1e6;  // keeps |k| = |θ|·2/π below 2^20

}  // namespace

namespace detail {

namespace {

/// Below this |θ| the reduction of sincos_kernel gives k = 0 (|θ·2/π| < 1/2 with a margin).
constexpr double small_angle = 0.78;

/// (cos r, sin r) for |r| ≤ π/4: Taylor polynomials to r^16 and r^17 (truncation below 5e-17).
[[gnu::always_inline]] inline void sincos_small(double r, double& c, double& s)
{
    const double r2 = r * r;
    s = r + r * r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362880 + r2 * (-1.0 / 39916800 +
        r2 * (1.0 / 6227020800.0 + r2 * (-1.0 / 1307674368000.0 + r2 * (1.0 / 355687428096000.0))))))));
    c = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 + r2 * (-1.0 / 3628800 +
        r2 * (1.0 / 479001600.0 + r2 * (-1.0 / 87178291200.0 + r2 * (1.0 / 20922789888000.0))))))));
}

/// Below this |θ| the shorter polynomials of sincos_tiny suffice.
constexpr double tiny_angle = 0.0625;

/// (cos r, sin r) for |r| ≤ 1/16: Taylor polynomials to r^8 and r^9 (truncation below 3e-19 relative).
[[gnu::always_inline]] inline void sincos_tiny(double r, double& c, double& s)
{
    const double r2 = r * r;
    s = r + r * r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362880))));
    c = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320))));
}

/**
 * @brief (cos θ, sin θ) for |θ| < 1e6 (the caller flags larger |θ|). Cody–Waite reduction to
 * |r| ≤ π/4 with π/2 in four parts, then Taylor polynomials to r^17 and r^16 (truncation below
 * 5e-17): within 2 ulp of the library's sincos. Branch-free (rounding by the 1.5·2^52 trick,
 * quadrant by selects), so loops calling it vectorize.
 */
[[gnu::always_inline]] inline void sincos_kernel(double theta, double& c, double& s)
{
    constexpr double two_over_pi = 0.63661977236758134308;
    // π/2 in parts of 33 bits (fdlibm's pio2_1, pio2_2, pio2_3) and the tail pio2_3t: k·p1, k·p2,
    // k·p3 are exact for |k| < 2^20, so the reduction is exact to ~|k|·1e-31 there.
    constexpr double p1 = 1.57079632673412561417e+00;
    constexpr double p2 = 6.07710050630396597660e-11;
    constexpr double p3 = 2.02226624871116645580e-21;
    constexpr double p4 = 8.47842766036889956997e-32;
    constexpr double round = 6755399441055744.0;   // 1.5·2^52: (x + round) − round rounds x to nearest
    const double k = (theta * two_over_pi + round) - round;
    const double r = (((theta - k * p1) - k * p2) - k * p3) - k * p4;
    double cr, sr;
    sincos_small(r, cr, sr);
    // q = k − 4·round(k/4) ∈ {−2, −1, 0, 1, 2}: (cos, sin) = (cr, sr) for 0, (−sr, cr) for 1,
    // (−cr, −sr) for ±2, (sr, −cr) for −1.
    const double q = k - 4.0 * ((0.25 * k + round) - round);
    const double odd = (q * q == 1.0) ? 1.0 : 0.0;
    const double bc = odd * sr + (1.0 - odd) * cr;
    const double bs = odd * cr + (1.0 - odd) * sr;
    c = (q == 1.0 || q * q == 4.0) ? -bc : bc;
    s = (q == -1.0 || q * q == 4.0) ? -bs : bs;
}

/// z_j ← z_j·e^{iθ_j}, θ_j = angle·u_j, when every |θ_j| < π/4 (< 1/16 for Tiny): no reduction.
template <bool Tiny>
[[gnu::always_inline]] inline void rotate_without_reduction(double* __restrict z, const double* __restrict u, double angle,
                                                           std::ptrdiff_t n)
{
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        double c, s;
        if constexpr (Tiny) sincos_tiny(angle * u[j], c, s);
        else sincos_small(angle * u[j], c, s);
        const double re = z[2 * j], im = z[2 * j + 1];
        z[2 * j] = re * c - im * s;
        z[2 * j + 1] = re * s + im * c;
    }
}

}  // namespace

DFE_VECTOR_CLONES bool rotate_phase_row(double* __restrict z, const double* __restrict u, double angle, std::ptrdiff_t n)
{
    // Time steps make the phases small: when every |θ| of the row is below π/4 the reduction finds
    // k = 0 and r = θ exactly, and the polynomials alone give the same bits at about half the cost;
    // below 1/16 (the usual case: |θ| = |μ|·h·|V*ρ|) half the terms are enough.
    // max |u_j| as the maximum of the bit patterns with the sign cleared (monotone for |u| ≥ 0; NaN
    // above +inf), an integer reduction the compiler vectorizes, unlike a floating-point max.
    std::int64_t top = 0;
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        std::int64_t b;
        std::memcpy(&b, u + j, sizeof b);
        top = std::max(top, b & std::numeric_limits<std::int64_t>::max());
    }
    double largest;
    std::memcpy(&largest, &top, sizeof largest);
    const double widest = std::abs(angle) * largest;
    if (widest < tiny_angle) {
        rotate_without_reduction<true>(z, u, angle, n);
        return false;
    }
    if (widest < small_angle) {
        rotate_without_reduction<false>(z, u, angle, n);
        return false;
    }
    long out_of_range = 0;
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        const double theta = angle * u[j];
        out_of_range |= static_cast<long>(std::abs(theta) >= reduction_limit);
        double c, s;
        sincos_kernel(theta, c, s);
        // Out of the reduction's range the rotation is by 1 (exact), for the caller's fallback.
        c = std::abs(theta) >= reduction_limit ? 1.0 : c;
        s = std::abs(theta) >= reduction_limit ? 0.0 : s;
        const double re = z[2 * j], im = z[2 * j + 1];
        z[2 * j] = re * c - im * s;
        z[2 * j + 1] = re * s + im * c;
    }
    return out_of_range != 0;
}

DFE_VECTOR_CLONES void norm_row(double* __restrict out, const double* __restrict z, std::ptrdiff_t n)
{
    for (std::ptrdiff_t j = 0; j < n; ++j) out[j] = z[2 * j] * z[2 * j] + z[2 * j + 1] * z[2 * j + 1];
}

}  // namespace detail

NonlinearStep::NonlinearStep(const Convolver& convolver, double mu)
    : convolver_(convolver), mu_(mu), rho_(convolver.plans().grid().alloc_real())
{
}

const double* NonlinearStep::potential_of(const cplx* phi)
{
    const Grid& grid = convolver_.plans().grid();
    double* rho = rho_.data();
    // Rows of the last axis: the complex layout stores them back to back, the real layout padded.
    const std::ptrdiff_t N = grid.N();
    const std::ptrdiff_t rows = grid.local_points() / N;
    const std::ptrdiff_t pad = grid.d() == 1 ? N : grid.physical_real().stride_last;
    for (std::ptrdiff_t r = 0; r < rows; ++r)
        detail::norm_row(rho + r * pad, reinterpret_cast<const double*>(phi + r * N), N);
    convolver_.potential(rho);
    return rho;
}

void NonlinearStep::apply_generator(cplx* phi)
{
    const Grid& grid = convolver_.plans().grid();
    const double* rho = potential_of(phi);
    const std::ptrdiff_t N = grid.N();
    const std::ptrdiff_t rows = grid.local_points() / N;
    const std::ptrdiff_t pad = grid.d() == 1 ? N : grid.physical_real().stride_last;
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
        const double* u = rho + r * pad;
        cplx* z = phi + r * N;
        // −iμu (a + ib) = μu (b − ia)
        for (std::ptrdiff_t j = 0; j < N; ++j) z[j] = mu_ * u[j] * cplx(z[j].imag(), -z[j].real());
    }
}

void NonlinearStep::apply(cplx* phi, double fraction, double h)
{
    if (convolver_.potential_function().is_zero()) return;
    const Grid& grid = convolver_.plans().grid();
    const double* rho = potential_of(phi);
    const std::ptrdiff_t N = grid.N();
    const std::ptrdiff_t rows = grid.local_points() / N;
    const std::ptrdiff_t pad = grid.d() == 1 ? N : grid.physical_real().stride_last;
    const double angle = -mu_ * fraction * h;
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
        const double* u = rho + r * pad;
        auto* z = reinterpret_cast<double*>(phi + r * N);
        if (detail::rotate_phase_row(z, u, angle, N)) {
            // Some |θ| ≥ 1e6 in this row, beyond the reduction's accuracy, left unrotated: the
            // library's sin and cos for those.
            for (std::ptrdiff_t j = 0; j < N; ++j) {
                const double theta = angle * u[j];
                if (!(std::abs(theta) >= reduction_limit)) continue;
                const double c = std::cos(theta), s = std::sin(theta);
                const double re = z[2 * j], im = z[2 * j + 1];
                z[2 * j] = re * c - im * s;
                z[2 * j + 1] = re * s + im * c;
            }
        }
    }
}

}  // namespace dfe
