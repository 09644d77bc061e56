#pragma once
/**
 * @file radial_ground_state.hpp
 * @brief The ground state of the L²-critical Hartree equation with V = |x|^{−2} in 3D, on a radial
 * grid, and the critical coupling λ_c = ‖Q‖²_{L²} (docs/physics.md §10). Serial; no MPI.
 *
 * The equation (λ = 1, frequency ω = 1):  −ΔQ + Q = (|x|^{−2} * Q²) Q,  Q > 0 radial.
 *
 * **Reduction to one dimension.** With u(r) = r Q(r), extended to an odd function on R,
 * −ΔQ = −u''/r, and for a radial density ρ the angular integral ∫_{S²} |x − y|^{−2} dΩ_y =
 * (2π/(rs)) ln|(r+s)/(r−s)| gives
 *
 *     r (|x|^{−2} * ρ)(r) = 2π ∫_0^∞ g(s) ln|(r+s)/(r−s)| ds = −2π ∫_R g(s) ln|r − s| ds,   g = sρ(s) odd.
 *
 * So the equation is −u'' + u = w·Q with w = −2π (g * ln|·|), g = uQ: a 1D problem on odd functions,
 * and the 3D norms are 1D ones: ‖Q‖² = 2π ∫_R u², ‖∇Q‖² = 2π ∫_R u'², ‖xQ‖² = 2π ∫_R r²u²,
 * D(Q) = ∫(|x|^{−2}*Q²)Q² = 2π ∫_R r w Q².
 *
 * **Discretization.** Periodic grid r_m = −R + m h, h = 2R/n, m = 0..n−1 (r = 0 is the point m = n/2,
 * so the Nyquist mode, cos(πr/h), is even and absent from odd u); u'' spectral. The log convolution
 * is the truncated-kernel method of free_space.hpp in 1D: g lives on [−R, R] and w is wanted there,
 * so ln|·| may be cut at Lt = 2R; the cut kernel's transform is smooth,
 * ∫_{−Lt}^{Lt} −ln|x| e^{−ikx} dx = 2(Si(kLt) − ln(Lt) sin(kLt))/k (2Lt(1 − ln Lt) at k = 0), and
 * on the zero-padded grid of 2n points (period 4R) the cyclic convolution with it is the continuous
 * one to spectral accuracy. Q = u/r, with Q(0) = u'(0).
 *
 * **Iteration.** Petviashvili's: u ← M^{3/2} (1 − ∂²)^{−1}(wQ), M = ⟨(1−∂²)u, u⟩/⟨wQ, u⟩, the
 * nonlinearity being cubic. After every step u is projected on odd functions: an even part of u
 * (Q = u/r odd and singular at 0) is amplified about tenfold per step, and without the projection
 * the iteration leaves Q for a spike on the grid scale. Stops at relative residual
 * ‖−u'' + u − wQ‖/‖−u'' + u‖ (the 3D L² norm of the residual relative to that of −ΔQ + Q) ≤ tol.
 */
#include <vector>

namespace dfe {

/** @brief The radial ground state Q (λ = 1, ω = 1) and its integrals. */
struct RadialGroundState {
    double R = 0.0;        ///< half-width of the radial grid [−R, R)
    long n = 0;            ///< its points
    int iterations = 0;    ///< Petviashvili steps taken
    double residual = 0.0; ///< relative residual at the end
    double mass = 0.0;     ///< ‖Q‖² (= λ_c)
    double grad2 = 0.0;    ///< ‖∇Q‖²
    double interaction = 0.0;  ///< D(Q) = ∫(|x|^{−2}*Q²)Q²
    double x2 = 0.0;       ///< ‖xQ‖²
    double nehari = 0.0;   ///< (‖∇Q‖² + ‖Q‖² − D)/D
    double pohozaev = 0.0; ///< (½‖∇Q‖² + (3/2)‖Q‖² − D)/D
    double h = 0.0;        ///< grid spacing
    std::vector<double> u; ///< r Q(r) at r_m = −R + m h, m = 0..n−1
};

/**
 * @brief Solves for Q on the grid (R, n); n even, n ≥ 16. Throws dfe::Error when tol is not reached
 * in max_iter steps.
 */
[[nodiscard]] RadialGroundState radial_ground_state_power2(double R, long n, double tol = 1e-12,
                                                           int max_iter = 2000);

/** @brief Q(r) at any r ≥ 0 from a solved grid: Q tabulated 8× finer by trigonometric interpolation
 * of u, then 8-point Lagrange interpolation (even in r); 0 beyond R. Relative error ~1e-12. */
class RadialProfile {
public:
    explicit RadialProfile(const RadialGroundState& gs);
    [[nodiscard]] double operator()(double r) const;
    [[nodiscard]] double radius() const { return R_; }

private:
    double R_ = 0.0, dr_ = 0.0;
    std::vector<double> q_;  ///< Q at r = j dr, j = 0..
};

/** @brief λ_c = ‖Q‖² for λ|x|^{−2} in 3D, with its error estimate, and the mass-1 profile's ‖xP‖². */
struct CriticalCoupling {
    double lambda_c = 0.0;  ///< from the fine grid
    double error = 0.0;     ///< |fine − coarse| + λ_c·(residual of the fine grid): an upper estimate
    double coarse = 0.0;    ///< λ_c from the coarse grid
    double xP2 = 0.0;       ///< ‖xP‖² = ‖xQ‖²/λ_c, P = Q/√λ_c the mass-1 ground state at λ_c, ω = 1
    RadialGroundState fine;
};

/** @brief Grid (R = 32, n = 1024) against (R = 24, n = 512), about 50 ms. Computed once and cached. */
[[nodiscard]] const CriticalCoupling& critical_coupling_power2();

}  // namespace dfe
