#pragma once
/**
 * @file ground_state.hpp
 * @brief The focusing ground state of a potential on the grid: the positive solution Q of
 *
 *     −ΔQ + ωQ = (V * Q²) Q,        ω > 0,                                   (docs/physics.md §11)
 *
 * V = the Potential as the code uses it (λ included, V = λ K), so that φ(t, x) = e^{iωt} Q(x) solves
 * the focusing equation i∂_tφ + Δφ = −(V*|φ|²)φ (μ = −1, docs/physics.md §1): the phase turns at
 * rate +ω and |φ| does not change.
 *
 * **Iteration** (Petviashvili's, in the form of Pelinovsky and Stepanyants, SIAM J. Numer. Anal. 42
 * (2004)). With N(Q) = (V*Q²)Q, cubic in Q,
 *
 *     Q̂ ← M^{3/2} N̂(Q) / (|k|² + ω),     M = ⟨(|k|² + ω) Q̂, Q̂⟩ / ⟨N̂(Q), Q̂⟩ = (‖∇Q‖² + ω‖Q‖²) / D(Q),
 *
 * D(Q) = ∫(V*Q²)Q². The exponent 3/2 = p/(p − 1) for a nonlinearity homogeneous of degree p = 3 removes
 * the iteration's unstable direction along Q itself; M → 1 at the fixed point (Nehari). The start is
 * the Gaussian exp(−|x − c|²/(2σ₀²)); its amplitude is irrelevant. c = 0 for the periodic convolution;
 * for the free-space one c = −h/2 in every dimension, the centre of the grid points x_0 … x_{N−1}
 * about which the discrete problem is symmetric: centred elsewhere, the asymmetry drives Q along its
 * translation mode, which the iteration leaves undamped (eigenvalue 1), and the residual stalls.
 * The convolution is the Convolver's: periodic for the Gaussian V, free-space (zero padding, the
 * truncated kernel for the power) for the others, so Q is the ground state of the free-space
 * equation on the box, to the box's and the grid's accuracy.
 *
 * **Residual** (the stopping criterion): ‖−ΔQ + ωQ − N(Q)‖ / ‖ωQ‖, both discrete L² norms on the grid
 * (Parseval on the spectrum, −Δ spectral, the same |k|² as the flow). The iteration stops at the
 * first iterate whose residual is ≤ tol; every reported figure is of that iterate.
 *
 * **Identities** reported as residuals (docs/physics.md §11): with G = ‖∇Q‖², m = ‖Q‖², D as above
 * and D_W = ∫(W*Q²)Q², W = z·∇V,
 *     Nehari    (G + ωm − D) / D                                       (the equation times Q)
 *     Pohozaev  (½(d−2)G + ½dωm − ¼(2dD + D_W)) / D                   (the equation's action along dilations)
 *
 * Collective on the grid's communicator; every sum is reduced over it.
 */
#include "dfe/physics/convolution.hpp"

namespace dfe {

struct GroundStateOptions {
    double omega = 1.0;           ///< ω > 0
    double tol = 1e-10;           ///< stop at relative residual ≤ tol
    int max_iter = 1000;          ///< most Petviashvili steps
    double initial_width = 0.0;   ///< σ₀ of the initial Gaussian; 0: 1/√ω
};

struct GroundState {
    Buffer<double> q;          ///< Q, physical real layout of the grid (padding unspecified)
    double omega = 0.0;
    int iterations = 0;        ///< Petviashvili steps taken
    bool converged = false;    ///< residual ≤ tol
    double residual = 0.0;     ///< relative residual of q
    double mass = 0.0;         ///< ‖Q‖²
    double grad2 = 0.0;        ///< ‖∇Q‖²
    double interaction = 0.0;  ///< D = ∫(V*Q²)Q²
    double interaction_w = 0.0;///< D_W = ∫((z·∇V)*Q²)Q²
    double energy = 0.0;       ///< E = ½‖∇Q‖² − ¼D (docs/physics.md §5, μ = −1)
    double nehari = 0.0;       ///< relative Nehari residual
    double pohozaev = 0.0;     ///< relative Pohozaev residual
    double q_max = 0.0;        ///< max Q
    double edge = 0.0;         ///< max |Q| on the box's faces, relative to q_max (how well the box holds Q)
};

/**
 * @brief Solves for Q with the convolver's grid and potential (Collective on the grid's communicator).
 * Throws InputError for V ≡ 0 or λ ≤ 0 (no focusing ground state) and for ω ≤ 0, tol ≤ 0 or
 * max_iter < 1; throws Error when the iteration breaks down (D ≤ 0 or a non-finite value). Returns
 * with converged = false when tol is not reached in max_iter steps.
 */
[[nodiscard]] GroundState solve_ground_state(const Convolver& convolver, const GroundStateOptions& options);

}  // namespace dfe
