#include "dfe/spectral/interpolate.hpp"

#include "dfe/spectral/fft_plan.hpp"

#include <fftw3.h>

#include <array>
#include <stdexcept>
#include <string>

namespace dfe {

namespace {

/// N^d as a count, after checking d and the size of `in`.
std::size_t points(int d, long N, std::size_t given, const char* what)
{
    if (d < 1 || d > 3 || N < 2) throw std::invalid_argument(std::string(what) + ": d must be 1..3 and N >= 2");
    std::size_t n = 1;
    for (int a = 0; a < d; ++a) n *= static_cast<std::size_t>(N);
    if (given != n) throw std::invalid_argument(std::string(what) + ": the field has " + std::to_string(given) +
                                                " values, not N^d = " + std::to_string(n));
    return n;
}

/// An in-place serial FFTW transform of the whole N^d array `data` (unnormalized), planned here (estimate).
void transform(int d, long N, cplx* data, int sign)
{
    std::array<int, 3> dims{static_cast<int>(N), static_cast<int>(N), static_cast<int>(N)};
    auto* f = reinterpret_cast<fftw_complex*>(data);
    const Plan plan(fftw_plan_dft(d, dims.data(), f, f, sign, FFTW_ESTIMATE), "refine_spectral's whole-field transform");
    fftw_execute(plan.get());
}

}  // namespace

std::vector<cplx> refine_spectral(int d, long N, std::span<const cplx> in, long N2)
{
    const std::size_t n = points(d, N, in.size(), "refine_spectral");
    if (N % 2 != 0 || N2 % 2 != 0 || N2 < N) throw std::invalid_argument("refine_spectral: N and N2 must be even, N2 >= N");
    std::vector<cplx> c(in.begin(), in.end());
    transform(d, N, c.data(), FFTW_FORWARD);
    const double scale = 1.0 / static_cast<double>(n);
    std::size_t n2 = 1;
    for (int a = 0; a < d; ++a) n2 *= static_cast<std::size_t>(N2);
    std::vector<cplx> fine(n2, cplx(0.0, 0.0));
    // Per axis: where coarse index i goes on the fine axis, one target, or two halves for Nyquist.
    struct Targets {
        std::array<long, 2> index{};
        int count = 1;
        double weight = 1.0;
    };
    std::vector<Targets> axis(static_cast<std::size_t>(N));
    for (long i = 0; i < N; ++i) {
        Targets& t = axis[static_cast<std::size_t>(i)];
        if (i < N / 2) t.index[0] = i;
        else if (i > N / 2) t.index[0] = i - N + N2;
        else {
            t.index = {N2 - N / 2, N / 2};  // −πN/L and +πN/L, half each
            t.count = N2 > N ? 2 : 1;
            t.weight = N2 > N ? 0.5 : 1.0;
        }
    }
    const long Ny = d >= 2 ? N : 1, Nz = d >= 3 ? N : 1;
    const long Fy = d >= 2 ? N2 : 1, Fz = d >= 3 ? N2 : 1;
    const Targets one{};
    for (long i0 = 0; i0 < N; ++i0)
        for (long i1 = 0; i1 < Ny; ++i1)
            for (long i2 = 0; i2 < Nz; ++i2) {
                const cplx value = c[static_cast<std::size_t>((i0 * Ny + i1) * Nz + i2)] * scale;
                const Targets& a = axis[static_cast<std::size_t>(i0)];
                const Targets& b = d >= 2 ? axis[static_cast<std::size_t>(i1)] : one;
                const Targets& e = d >= 3 ? axis[static_cast<std::size_t>(i2)] : one;
                const cplx v = value * (a.weight * b.weight * e.weight);
                for (int p = 0; p < a.count; ++p)
                    for (int q = 0; q < b.count; ++q)
                        for (int r = 0; r < e.count; ++r)
                            fine[static_cast<std::size_t>((a.index[static_cast<std::size_t>(p)] * Fy +
                                                           b.index[static_cast<std::size_t>(q)]) * Fz +
                                                          e.index[static_cast<std::size_t>(r)])] += v;
            }
    transform(d, N2, fine.data(), FFTW_BACKWARD);
    return fine;
}

std::vector<cplx> pad_box(int d, long N, std::span<const cplx> in, long N2)
{
    (void)points(d, N, in.size(), "pad_box");
    if (N2 < N || (N2 - N) % 2 != 0) throw std::invalid_argument("pad_box: N2 - N must be even and >= 0");
    const long m = (N2 - N) / 2;
    std::size_t n2 = 1;
    for (int a = 0; a < d; ++a) n2 *= static_cast<std::size_t>(N2);
    std::vector<cplx> out(n2, cplx(0.0, 0.0));
    const long Ny = d >= 2 ? N : 1, Nz = d >= 3 ? N : 1;
    const long Fy = d >= 2 ? N2 : 1, Fz = d >= 3 ? N2 : 1;
    const long my = d >= 2 ? m : 0, mz = d >= 3 ? m : 0;
    for (long i0 = 0; i0 < N; ++i0)
        for (long i1 = 0; i1 < Ny; ++i1)
            for (long i2 = 0; i2 < Nz; ++i2)
                out[static_cast<std::size_t>(((i0 + m) * Fy + i1 + my) * Fz + i2 + mz)] =
                    in[static_cast<std::size_t>((i0 * Ny + i1) * Nz + i2)];
    return out;
}

}  // namespace dfe
