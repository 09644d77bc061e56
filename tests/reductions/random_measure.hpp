#pragma once
// Random small measures for the reduction tests: sample j's value at grid point x (C-order index) is
// a hash of (seed, j, x), so every layout of ranks holds the same fields; and the reductions computed
// naively from all fields on every rank (the independent reference).
#include "dfe/backend/blas.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/reductions/gram.hpp"
#include "dfe/spectral/grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace dfe_test {

struct RandomMeasure {
    int d = 2;
    long N = 8;
    double L = 6.0;
    std::size_t M = 5;
    std::uint64_t seed = 1;
    std::vector<double> w;  ///< Σ w = 1 (to round-off); w = {1} for M = 1

    RandomMeasure(int d_, long N_, std::size_t M_, std::uint64_t seed_ = 1) : d(d_), N(N_), M(M_), seed(seed_)
    {
        double sum = 0.0;
        for (std::size_t j = 0; j < M; ++j) w.push_back(0.2 + uniform(j, 1u << 30));
        for (double v : w) sum += v;
        for (double& v : w) v /= sum;
        if (M == 1) w = {1.0};
    }

    /// splitmix64 of (seed, j, x), as a number in [0, 1).
    [[nodiscard]] double uniform(std::size_t j, std::size_t x) const
    {
        std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + j * 0xBF58476D1CE4E5B9ull + x * 0x94D049BB133111EBull + 1;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return static_cast<double>(z >> 11) * 0x1.0p-53;
    }
    [[nodiscard]] dfe::cplx value(std::size_t j, std::size_t x) const
    {
        return {2.0 * uniform(j, 2 * x) - 1.0, 2.0 * uniform(j, 2 * x + 1) - 1.0};
    }
    [[nodiscard]] std::size_t points() const
    {
        std::size_t p = 1;
        for (int a = 0; a < d; ++a) p *= static_cast<std::size_t>(N);
        return p;
    }
    [[nodiscard]] double cell_volume() const { return std::pow(L / static_cast<double>(N), d); }
};

/// The measure spread over a layout of `world` with g ranks per sample: this rank's slab of its group's samples.
struct Spread {
    dfe::GroupLayout layout;
    dfe::Grid grid;
    std::ptrdiff_t stride = 0;
    std::vector<dfe::cplx> block;

    Spread(const dfe::Comm& world, int g, const RandomMeasure& m)
        : layout(world, g, m.M), grid(layout.group(), m.d, m.N, m.L)
    {
        stride = grid.local_points() + 3;  // a stride beyond the slab, as the ensemble's padded one
        block.assign(static_cast<std::size_t>(stride) * layout.count(), dfe::cplx(0.0));
        const auto& a = grid.physical().axes;
        const std::size_t plane = a[0].n > 0 ? static_cast<std::size_t>(grid.local_points() / a[0].n) : 0;
        const std::size_t offset = static_cast<std::size_t>(a[0].start) * plane;  // global index of the slab's first point
        for (std::size_t j = 0; j < layout.count(); ++j)
            for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i)
                block[j * static_cast<std::size_t>(stride) + static_cast<std::size_t>(i)] =
                    m.value(layout.first() + j, offset + static_cast<std::size_t>(i));
    }
    [[nodiscard]] dfe::SampleBlock samples() const { return {block.data(), stride, layout.count()}; }
    [[nodiscard]] std::vector<const dfe::cplx*> pointers() const
    {
        std::vector<const dfe::cplx*> p;
        for (std::size_t j = 0; j < layout.count(); ++j) p.push_back(block.data() + j * static_cast<std::size_t>(stride));
        return p;
    }
};

/// The Gram matrix G_ij = √(w_i w_j) dV Σ_x conj φ_i(x) φ_j(x), column-major, from every field.
inline std::vector<dfe::cplx> naive_gram(const RandomMeasure& m)
{
    const std::size_t M = m.M, P = m.points();
    std::vector<dfe::cplx> g(M * M, dfe::cplx(0.0));
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < M; ++j) {
            dfe::cplx s(0.0);
            for (std::size_t x = 0; x < P; ++x) s += std::conj(m.value(i, x)) * m.value(j, x);
            g[j * M + i] = std::sqrt(m.w[i] * m.w[j]) * m.cell_volume() * s;
        }
    return g;
}

/// The largest eigenvalue of a Hermitian matrix (LAPACK zheev on a copy).
inline double largest_eigenvalue(std::vector<dfe::cplx> a, std::size_t n)
{
    const int N = static_cast<int>(n);
    std::vector<double> e(n), rwork(static_cast<std::size_t>(std::max(1, 3 * N - 2)));
    int info = 0, lwork = -1;
    dfe::cplx query;
    zheev_("N", "U", &N, a.data(), &N, e.data(), &query, &lwork, rwork.data(), &info, 1, 1);
    lwork = std::max(1, static_cast<int>(query.real()));
    std::vector<dfe::cplx> work(static_cast<std::size_t>(lwork));
    zheev_("N", "U", &N, a.data(), &N, e.data(), work.data(), &lwork, rwork.data(), &info, 1, 1);
    return e.back();
}

/// fact_defect and admissibility_residual straight from the definitions on the observation grid
/// (n points per dimension), O(n^{2d} M): γ^(2)(x,y) = Σ w ρ(x)ρ(y), γ^(1)(x) = Σ w ρ(x).
struct NaiveGamma2 {
    double fact_defect = 0.0, admissibility_residual = 0.0;
};
inline NaiveGamma2 naive_gamma2(const RandomMeasure& m, long n)
{
    const long every = m.N / n;
    std::vector<std::size_t> obs;  // grid indices of the observation points, in observation order
    const std::size_t total = static_cast<std::size_t>(std::pow(static_cast<double>(n), m.d) + 0.5);
    for (std::size_t o = 0; o < total; ++o) {
        std::size_t rest = o, x = 0, scale = 1;
        for (int a = 0; a < m.d; ++a) {
            x += static_cast<std::size_t>(rest % static_cast<std::size_t>(n)) * static_cast<std::size_t>(every) * scale;
            rest /= static_cast<std::size_t>(n);
            scale *= static_cast<std::size_t>(m.N);
        }
        obs.push_back(x);
    }
    std::vector<double> rho(total * m.M), g1(total, 0.0), mass(m.M, 0.0);
    const double dv = std::pow(m.L / static_cast<double>(n), m.d);
    for (std::size_t j = 0; j < m.M; ++j)
        for (std::size_t o = 0; o < total; ++o) {
            rho[j * total + o] = std::norm(m.value(j, obs[o]));
            g1[o] += m.w[j] * rho[j * total + o];
            mass[j] += dv * rho[j * total + o];
        }
    NaiveGamma2 out;
    double squares = 0.0;
    for (std::size_t x = 0; x < total; ++x) {
        double integral = 0.0;
        for (std::size_t y = 0; y < total; ++y) {
            double g2 = 0.0;
            for (std::size_t j = 0; j < m.M; ++j) g2 += m.w[j] * rho[j * total + x] * rho[j * total + y];
            const double e = g2 - g1[x] * g1[y];
            squares += e * e;
            integral += dv * g2;
        }
        out.admissibility_residual = std::max(out.admissibility_residual, std::abs(integral - g1[x]));
    }
    out.fact_defect = dv * std::sqrt(squares);
    return out;
}

}  // namespace dfe_test
