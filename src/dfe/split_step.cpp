#include "dfe/split_step.hpp"

#include "dfe/error.hpp"

#include <algorithm>
#include <cmath>

// Versions of the vectorized loop for AVX-512, AVX2 and the baseline ISA, chosen at load time (GCC
// and Clang on x86-64 with glibc's ifunc); elsewhere the one baseline version.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__)
#define DFE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DFE_VECTOR_CLONES
#endif

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
        if (known) continue;
        Buffer<cplx> table(grid.spectral().count());
        grid.for_each_mode(grid.spectral(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
            const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
            table[i] = std::polar(scale, -k2 * f * h_);
        });
        phases_.emplace_back(f, std::move(table));
    }
}

const Buffer<cplx>& SplitStep::phase(double fraction)
{
    for (const auto& entry : phases_)
        if (entry.first == fraction) return entry.second;
    throw Error("split step: no kinetic phase tabulated for this fraction");
}

void SplitStep::kinetic(cplx* phi, double fraction)
{
    const Buffer<cplx>& table = phase(fraction);
    detail::multiply_complex(reinterpret_cast<double*>(phi), reinterpret_cast<const double*>(table.data()), table.size());
}

namespace {

/// |θ| beyond which the reduction of detail::sincos_row loses accuracy; such angles take std::sin/std::cos.
constexpr double reduction_limit = 1e6;  // keeps |k| = |θ|·2/π below 2^20

}  // namespace

namespace detail {

/**
 * @brief c_j = cos θ_j, s_j = sin θ_j, θ_j = angle·u_j, for |θ_j| < 1e6. Cody–Waite reduction to
 * |r| ≤ π/4 with π/2 in four parts, then Taylor polynomials to r^17 and r^16 (truncation below 5e-17): within 2 ulp of
 * the library's sincos. Branch-free (rounding by the 1.5·2^52 trick, quadrant by selects), so the
 * compiler vectorizes it; target_clones builds AVX-512, AVX2 and baseline versions, chosen at load time.
 */
DFE_VECTOR_CLONES bool sincos_row(double* __restrict c, double* __restrict s, const double* __restrict u, double angle,
                                  std::ptrdiff_t n)
{
    long out_of_range = 0;
    constexpr double two_over_pi = 0.63661977236758134308;
    // π/2 in parts of 33 bits (fdlibm's pio2_1, pio2_2, pio2_3) and the tail pio2_3t: k·p1, k·p2,
    // k·p3 are exact for |k| < 2^20, so the reduction is exact to ~|k|·1e-31 there.
    constexpr double p1 = 1.57079632673412561417e+00;
    constexpr double p2 = 6.07710050630396597660e-11;
    constexpr double p3 = 2.02226624871116645580e-21;
    constexpr double p4 = 8.47842766036889956997e-32;
    constexpr double round = 6755399441055744.0;   // 1.5·2^52: (x + round) − round rounds x to nearest
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        const double theta = angle * u[j];
        out_of_range |= static_cast<long>(std::abs(theta) >= reduction_limit);
        const double k = (theta * two_over_pi + round) - round;
        const double r = (((theta - k * p1) - k * p2) - k * p3) - k * p4;
        const double r2 = r * r;
        const double sr = r + r * r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362880 + r2 * (-1.0 / 39916800 +
                          r2 * (1.0 / 6227020800.0 + r2 * (-1.0 / 1307674368000.0 + r2 * (1.0 / 355687428096000.0))))))));
        const double cr = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 + r2 * (-1.0 / 3628800 +
                          r2 * (1.0 / 479001600.0 + r2 * (-1.0 / 87178291200.0 + r2 * (1.0 / 20922789888000.0))))))));
        // q = k − 4·round(k/4) ∈ {−2, −1, 0, 1, 2}: (cos, sin) = (cr, sr) for 0, (−sr, cr) for 1,
        // (−cr, −sr) for ±2, (sr, −cr) for −1.
        const double q = k - 4.0 * ((0.25 * k + round) - round);
        const double odd = (q * q == 1.0) ? 1.0 : 0.0;
        const double bc = odd * sr + (1.0 - odd) * cr;
        const double bs = odd * cr + (1.0 - odd) * sr;
        c[j] = (q == 1.0 || q * q == 4.0) ? -bc : bc;
        s[j] = (q == -1.0 || q * q == 4.0) ? -bs : bs;
    }
    return out_of_range != 0;
}

DFE_VECTOR_CLONES void norm_row(double* __restrict out, const double* __restrict z, std::ptrdiff_t n)
{
    for (std::ptrdiff_t j = 0; j < n; ++j) out[j] = z[2 * j] * z[2 * j] + z[2 * j + 1] * z[2 * j + 1];
}

DFE_VECTOR_CLONES void rotate_row(double* __restrict z, const double* __restrict c, const double* __restrict s,
                                  std::ptrdiff_t n)
{
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        const double re = z[2 * j], im = z[2 * j + 1];
        z[2 * j] = re * c[j] - im * s[j];
        z[2 * j + 1] = re * s[j] + im * c[j];
    }
}

/**
 * @brief z_j ← z_j·t_j for n complex numbers stored as (re, im) pairs, written out in real
 * arithmetic: std::complex's operator* checks every product for NaN and falls back to a library
 * call, which keeps the compiler from vectorizing the loop. The products and sums are the same
 * IEEE operations as (ac − bd) + i(ad + bc), so the results are the same bits.
 */
DFE_VECTOR_CLONES void multiply_complex(double* __restrict z, const double* __restrict t, std::ptrdiff_t n)
{
    for (std::ptrdiff_t j = 0; j < n; ++j) {
        const double a = z[2 * j], b = z[2 * j + 1], c = t[2 * j], d = t[2 * j + 1];
        z[2 * j] = a * c - b * d;
        z[2 * j + 1] = a * d + b * c;
    }
}

}  // namespace detail

NonlinearStep::NonlinearStep(const Convolver& convolver, double mu)
    : convolver_(convolver), mu_(mu), rho_(convolver.plans().grid().alloc_real()),
      cos_(convolver.plans().grid().N()), sin_(convolver.plans().grid().N())
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
    double* c = cos_.data();
    double* sn = sin_.data();
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
        const double* u = rho + r * pad;
        if (detail::sincos_row(c, sn, u, angle, N)) {
            // Some |θ| ≥ 1e6 in this row, beyond the reduction's accuracy: the library's sin and cos.
            for (std::ptrdiff_t j = 0; j < N; ++j) {
                c[j] = std::cos(angle * u[j]);
                sn[j] = std::sin(angle * u[j]);
            }
        }
        detail::rotate_row(reinterpret_cast<double*>(phi + r * N), c, sn, N);
    }
}

void SplitStep::advance(cplx* phi, long steps)
{
    if (steps <= 0) return;
    const auto& a = composition_.a;
    const auto& b = composition_.b;
    const std::size_t s = b.size();
    plans_.forward(phi);
    kinetic(phi, a.front());
    for (long step = 0; step < steps; ++step) {
        for (std::size_t i = 0; i < s; ++i) {
            plans_.backward(phi);
            nonlinear_.apply(phi, b[i], h_);
            plans_.forward(phi);
            const bool fuse = (i + 1 == s) && (step + 1 < steps);
            kinetic(phi, fuse ? a.back() + a.front() : a[i + 1]);
        }
    }
    plans_.backward(phi);
}

}  // namespace dfe
