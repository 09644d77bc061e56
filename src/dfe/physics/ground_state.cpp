#include "dfe/physics/ground_state.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

namespace dfe {

namespace {

/// Spectral sums of one step, reduced together. Integrals = cell/N^d × these (Parseval, r2c half weights).
struct StepSums {
    double qq = 0.0;   ///< Σ |Q̂|²
    double kqq = 0.0;  ///< Σ |k|² |Q̂|²
    double res = 0.0;  ///< Σ |(|k|² + ω)Q̂ − N̂|²
    double d = 0.0;    ///< Σ_n N_n Q_n (physical, already times cell)
};

}  // namespace

GroundState solve_ground_state(const Convolver& convolver, const GroundStateOptions& o)
{
    const Potential& v = convolver.potential_function();
    require(!v.is_zero() && v.params().lambda > 0.0,
            "a focusing ground state needs an attractive potential: --potential other than none and --lambda > 0");
    require(std::isfinite(o.omega) && o.omega > 0.0, "--omega must be positive (got " + digits17(o.omega) + ")");
    require(std::isfinite(o.tol) && o.tol > 0.0, "--tol must be positive (got " + digits17(o.tol) + ")");
    require(o.max_iter >= 1, "--max-iter must be >= 1 (got " + std::to_string(o.max_iter) + ")");
    require(std::isfinite(o.initial_width) && o.initial_width >= 0.0, "the initial width must be >= 0");

    const FftPlans& plans = convolver.plans();
    const Grid& grid = plans.grid();
    const Comm& comm = grid.comm();
    const int d = grid.d();
    const double omega = o.omega;
    const double cell = grid.cell_volume();
    const double inv_points = 1.0 / grid.global_points();
    const std::ptrdiff_t nh = grid.spectral_half().count();
    const std::vector<double>& hw = convolver.half_weights();

    std::vector<double> k2(static_cast<std::size_t>(nh));
    grid.for_each_mode(grid.spectral_half(), [&](std::ptrdiff_t i, const std::array<double, 3>& k, const auto&) {
        k2[static_cast<std::size_t>(i)] = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
    });

    GroundState gs;
    gs.omega = omega;
    gs.q = Buffer<double>(grid.alloc_real());
    Buffer<double> work(grid.alloc_real());
    Buffer<double> qhat(grid.alloc_real());
    double* q = gs.q.data();

    const double sigma0 = o.initial_width > 0.0 ? o.initial_width : 1.0 / std::sqrt(omega);
    // Centred where the discrete problem is symmetric (see the header): at −h/2 for free space.
    const double c = convolver.free_space() ? -0.5 * grid.dx() : 0.0;
    grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const std::array<double, 3>& x) {
        double r2 = 0.0;
        for (int a = 0; a < d; ++a) r2 += (x[static_cast<std::size_t>(a)] - c) * (x[static_cast<std::size_t>(a)] - c);
        q[ir] = std::exp(-r2 / (2.0 * sigma0 * sigma0));
    });

    auto* w_hat = reinterpret_cast<cplx*>(work.data());
    auto* q_hat = reinterpret_cast<cplx*>(qhat.data());  // re-pointed when the buffers are swapped
    const std::size_t real_bytes = static_cast<std::size_t>(grid.alloc_real()) * sizeof(double);
    StepSums sums;
    for (int it = 0;; ++it) {
        // N(Q) = (V*Q²)Q in `work`, and D = ∫ N(Q) Q.
        grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const auto&) { work[ir] = q[ir] * q[ir]; });
        convolver.potential(work.data());
        double dsum = 0.0;
        grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const auto&) {
            work[ir] *= q[ir];
            dsum += work[ir] * q[ir];
        });
        std::memcpy(qhat.data(), q, real_bytes);
        plans.r2c(qhat.data());
        plans.r2c(work.data());
        std::array<double, 4> s{0.0, 0.0, 0.0, dsum * cell};
        for (std::ptrdiff_t i = 0; i < nh; ++i) {
            const auto m = static_cast<std::size_t>(i);
            const double a2 = std::norm(q_hat[i]);
            s[0] += hw[m] * a2;
            s[1] += hw[m] * k2[m] * a2;
            s[2] += hw[m] * std::norm((k2[m] + omega) * q_hat[i] - w_hat[i]);
        }
        comm.sum_in_place(s);
        sums = {s[0], s[1], s[2], s[3]};
        gs.residual = std::sqrt(sums.res / (omega * omega * sums.qq));
        gs.iterations = it;
        if (!std::isfinite(gs.residual) || !(sums.d > 0.0))
            throw Error("ground state: Petviashvili's iteration broke down at step " + std::to_string(it) +
                        " (D = " + digits17(sums.d) + ", residual " + digits17(gs.residual) + ")");
        if (gs.residual <= o.tol) {
            gs.converged = true;
            break;
        }
        if (it == o.max_iter) break;
        // Q̂ ← M^{3/2} N̂ / (|k|² + ω), with FFTW's 1/N^d of the c2r folded in.
        const double a = (sums.kqq + omega * sums.qq) * cell * inv_points;
        const double factor = std::pow(a / sums.d, 1.5) * inv_points;
        for (std::ptrdiff_t i = 0; i < nh; ++i) {
            const auto m = static_cast<std::size_t>(i);
            q_hat[i] = w_hat[i] * (factor / (k2[m] + omega));
        }
        plans.c2r(qhat.data());
        std::swap(gs.q, qhat);
        q = gs.q.data();
        q_hat = reinterpret_cast<cplx*>(qhat.data());
    }

    const double spectral = cell * inv_points;
    gs.mass = sums.qq * spectral;
    gs.grad2 = sums.kqq * spectral;
    gs.interaction = sums.d;

    // D_W = ∫((z·∇V)*Q²)Q² through the convolver (free space: it takes ∂_a(Q²) on entry).
    Buffer<double> rho(grid.alloc_real());
    std::vector<Buffer<double>> grad;
    std::vector<double*> grad_ptr;
    grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const auto&) { rho[ir] = q[ir] * q[ir]; });
    std::memcpy(qhat.data(), rho.data(), real_bytes);
    plans.r2c(qhat.data());
    for (int a = 0; a < d; ++a) {
        grad.emplace_back(grid.alloc_real());
        auto* g = reinterpret_cast<cplx*>(grad.back().data());
        grid.for_each_mode(grid.spectral_half(), [&](std::ptrdiff_t i, const auto&, const std::array<double, 3>& odd) {
            g[i] = q_hat[i] * cplx(0.0, odd[static_cast<std::size_t>(a)] * inv_points);
        });
        plans.c2r(grad.back().data());
        grad_ptr.push_back(grad.back().data());
    }
    std::memcpy(work.data(), rho.data(), real_bytes);
    plans.r2c(work.data());  // ρ̂ (convolve_all's periodic path works on it; qhat's copy was used above)
    const ConvolutionSums cs = convolver.convolve_all(w_hat, rho.data(), grad_ptr);
    gs.interaction_w = comm.sum(cs.w) * cell;

    const double G = gs.grad2, m = gs.mass, D = gs.interaction, DW = gs.interaction_w;
    gs.energy = 0.5 * G - 0.25 * D;
    gs.nehari = (G + omega * m - D) / D;
    gs.pohozaev = (0.5 * (d - 2) * G + 0.5 * d * omega * m - 0.25 * (2.0 * d * D + DW)) / D;

    double qmax = 0.0, edge = 0.0;
    const double lo = -0.5 * grid.L() + 0.5 * grid.dx(), hi = 0.5 * grid.L() - 1.5 * grid.dx();
    grid.for_each_point([&](std::ptrdiff_t, std::ptrdiff_t ir, const std::array<double, 3>& x) {
        const double a = std::abs(q[ir]);
        qmax = std::max(qmax, a);
        bool face = false;
        for (int b = 0; b < d; ++b) face = face || x[static_cast<std::size_t>(b)] < lo || x[static_cast<std::size_t>(b)] > hi;
        if (face) edge = std::max(edge, a);
    });
    gs.q_max = comm.max(qmax);
    gs.edge = comm.max(edge) / gs.q_max;
    return gs;
}

}  // namespace dfe
