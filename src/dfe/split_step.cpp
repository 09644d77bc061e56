#include "dfe/split_step.hpp"

#include "dfe/error.hpp"
#include "dfe/simd.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace dfe {

Composition make_composition(const std::string& name)
{
    if (name == "strang") return Composition{"strang", {0.5, 0.5}, {1.0}, 2};
    if (name == "order4") {
        const double w1 = 1.0 / (2.0 - std::cbrt(2.0));
        const double w0 = 1.0 - 2.0 * w1;
        return Composition{"order4", {0.5 * w1, 0.5 * (w1 + w0), 0.5 * (w0 + w1), 0.5 * w1}, {w1, w0, w1}, 4};
    }
    throw InputError("--integrator must be strang or order4 (got '" + name + "')");
}

KineticPhase::KineticPhase(const Grid& grid) : grid_(&grid)
{
    const auto& axes = grid.spectral().axes;
    for (std::size_t a = 0; a < 3; ++a) table_[a].assign(static_cast<std::size_t>(axes[a].n), cplx(1.0, 0.0));
}

void KineticPhase::set(double tau, double scale)
{
    const auto& axes = grid_->spectral().axes;
    for (std::size_t a = 0; a < 3; ++a) {
        if (axes[a].dim < 0) continue;  // unused axis: its table stays {1}
        for (std::ptrdiff_t i = 0; i < axes[a].n; ++i) {
            const double k = grid_->wavenumber(axes[a].start + i);
            table_[a][static_cast<std::size_t>(i)] = std::polar(1.0, -(k * k) * tau);
        }
    }
    scale_ = scale;
}

void KineticPhase::apply(const cplx* in, cplx* out) const
{
    const auto& axes = grid_->spectral().axes;
    // Unused axes trail the used ones (extent 1): the rows are the last used axis, contiguous.
    std::size_t last = 2;
    while (last > 0 && axes[last].dim < 0) --last;
    const std::ptrdiff_t n0 = last >= 1 ? axes[0].n : 1;
    const std::ptrdiff_t n1 = last >= 2 ? axes[1].n : 1;
    const std::ptrdiff_t n = axes[last].n;
    const auto* t = reinterpret_cast<const double*>(table_[last].data());
    std::ptrdiff_t offset = 0;
    for (std::ptrdiff_t i0 = 0; i0 < n0; ++i0) {
        const cplx c0 = last >= 1 ? scale_ * table_[0][static_cast<std::size_t>(i0)] : cplx(scale_, 0.0);
        for (std::ptrdiff_t i1 = 0; i1 < n1; ++i1, offset += n) {
            const cplx c = last >= 2 ? c0 * table_[1][static_cast<std::size_t>(i1)] : c0;
            detail::phase_row(reinterpret_cast<const double*>(in + offset), reinterpret_cast<double*>(out + offset), t,
                              c.real(), c.imag(), n);
        }
    }
}

SplitStep::SplitStep(const Convolver& convolver, double mu, Composition composition, double h)
    : plans_(convolver.plans()), composition_(std::move(composition)), h_(h), nonlinear_(convolver, mu)
{
    const auto& a = composition_.a;
    std::vector<double> fractions(a.begin(), a.end());
    fractions.push_back(a.back() + a.front());  // the fused boundary between two steps
    const Grid& grid = plans_.grid();
    const double scale = 1.0 / grid.global_points();
    for (double f : fractions) {
        bool known = false;
        for (const auto& entry : phases_) known = known || entry.first == f;
        if (!known) phases_.emplace_back(f, KineticPhase(grid, f * h_, scale));
    }
}

void SplitStep::kinetic(cplx* phi, double fraction) const
{
    for (const auto& entry : phases_)
        if (entry.first == fraction) {
            entry.second.apply(phi, phi);
            return;
        }
    throw Error("split step: no kinetic phase tabulated for this fraction");
}

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

DFE_VECTOR_CLONES void phase_row(const double* x, double* y, const double* __restrict t, double cr, double ci,
                                  std::ptrdiff_t n)
{
    // Real arithmetic: std::complex's operator* checks every product for NaN and falls back to a
    // library call, which keeps the compiler from vectorizing the loop.
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        const double pr = cr * t[2 * j] - ci * t[2 * j + 1];  // c·t_j
        const double pi = cr * t[2 * j + 1] + ci * t[2 * j];
        const double xr = x[2 * j], xi = x[2 * j + 1];
        y[2 * j] = xr * pr - xi * pi;
        y[2 * j + 1] = xr * pi + xi * pr;
    }
}

}  // namespace detail

NonlinearStep::NonlinearStep(const Convolver& convolver, double mu)
    : convolver_(convolver), mu_(mu), rho_(convolver.plans().grid().alloc_real())
{
}

void NonlinearStep::apply(cplx* phi, double fraction, double h)
{
    if (convolver_.potential_function().is_zero()) return;
    const Grid& grid = convolver_.plans().grid();
    double* rho = rho_.data();
    // Rows of the last axis: the complex layout stores them back to back, the real layout padded.
    const std::ptrdiff_t N = grid.N();
    const std::ptrdiff_t rows = grid.local_points() / N;
    const std::ptrdiff_t pad = grid.d() == 1 ? N : grid.physical_real().stride_last;
    for (std::ptrdiff_t r = 0; r < rows; ++r)
        detail::norm_row(rho + r * pad, reinterpret_cast<const double*>(phi + r * N), N);
    convolver_.potential(rho);
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

void SplitStep::advance(cplx* phi, long steps)
{
    if (steps <= 0) return;
    plans_.forward(phi);
    kinetic(phi, composition_.a.front());
    compose_substeps(plans_, nonlinear_, composition_, steps, h_, phi, [&](double fraction) { kinetic(phi, fraction); });
    plans_.backward(phi);
}

}  // namespace dfe
