#pragma once
/**
 * @file hypothesis.hpp
 * @brief The hypotheses of Theorem 1.2 (Bulut 2018) for a radial potential, checked numerically
 * before any run (docs/physics.md §3, §8). Serial; no MPI.
 *
 * Theorem 1.2 (μ = −1) assumes V ∈ S(R^d) bounded, even, V ≥ 0, and
 *
 *     (1.6)  V + ½ x·∇V ≤ 0,
 *     (1.7)  sup_{|x|≥R} |x||∇V(x)| → 0                                   as R → ∞,
 *     (1.8)  ‖ |x||∇V| ‖_{L¹(|x|≤R^{1/2})} / R^{(d−1)/2} → 0                as R → ∞.
 *
 * For radial V(x) = V(r), r = |x|: x·∇V = r V'(r) (Potential::z_grad), |x||∇V| = r|V'(r)|, and
 *
 *     (1.6)  V(r) + ½ r V'(r) = (2r)^{−1} d/dr (r² V(r)) ≤ 0 for every r > 0,
 *     (1.7)  sup_{r≥R} r|V'(r)|,
 *     (1.8)  |S^{d−1}| ∫_0^{√R} r|V'(r)| r^{d−1} dr / R^{(d−1)/2},   |S^0| = 2, |S^1| = 2π, |S^2| = 4π.
 *
 * (1.6) is checked on a sampled range (0, r_max]; (1.7) and (1.8) are evaluated at each requested R
 * (closed forms for the power potential λ r^{−γ}, quadrature otherwise), and the "→ 0" verdicts come
 * from the potential's known decay at infinity (an exponent p with value ~ R^p), with the values over
 * the requested R reported beside them. For λ|x|^{−2} in d = 3 the results are the closed forms of
 * docs/physics.md §3: V + ½x·∇V ≡ 0, sup_{|x|≥R}|x||∇V| = 2λ/R², ratio (1.8) = 8πλ R^{−1/2}.
 */
#include "dfe/physics/potential.hpp"

#include <span>
#include <string>
#include <vector>

namespace dfe {

/**
 * @brief Everything hypothesis_report finds, in plain fields (another component stores them).
 * Prefixes: `v_` the assumptions on V itself, `h16_`, `h17_`, `h18_` the hypotheses (1.6)–(1.8).
 */
struct HypothesisReport {
    // ---- The potential and the sampling of (0, r_max] used for V ≥ 0 and (1.6).
    std::string potential;  ///< Potential::describe(): the formula with its parameter values
    int d = 0;              ///< dimension
    double scale = 1.0;     ///< natural length scale: s (gaussian), ε (soft-power), 1 (power, none)
    double r_min = 0.0;     ///< smallest sampled radius, 1e-6 · min(scale, r_max)
    double r_max = 0.0;     ///< largest sampled radius
    long samples = 0;       ///< number of sampled radii (geometric and linear grids merged)

    // ---- The assumptions on V besides (1.6)–(1.8).
    double v_min = 0.0;         ///< min of V over the sampled radii
    double v_min_at = 0.0;      ///< the radius where v_min is attained
    double v_abs_max = 0.0;     ///< max |V| over the sampled radii (sets the (1.6) tolerance)
    bool v_nonnegative = true;  ///< v_min ≥ 0 (Theorem 1.2 assumes V ≥ 0)
    bool v_bounded = true;      ///< false for the power potential (singular at 0)
    bool v_schwartz = true;     ///< V ∈ S(R^d): true for none and gaussian only

    // ---- (1.6): V + ½ r V' ≤ 0 on the sampled radii.
    double h16_max = 0.0;        ///< max over the samples of V + ½ r V' (golden-section refined)
    double h16_max_at = 0.0;     ///< the radius of h16_max
    double h16_tolerance = 0.0;  ///< 1e-12 · v_abs_max: for λ r^{−2} the expression is 0 up to round-off
    bool h16_holds = true;       ///< h16_max ≤ h16_tolerance
    /**
     * The open intervals (lower[i], upper[i]) where V + ½ r V' > 0, endpoints refined by bisection to
     * 1e-13 relative. lower = 0 means the interval reaches down to r = 0 (positive at r_min);
     * upper = r_max means it reaches the end of the sampled range (closed there), so the set may
     * continue beyond. Positivity is tested on the scale-free (V + ½ rV')/|V| = sign(λ)(1 + ½ rV'/V)
     * > 1e-12, from the closed-form rV'/V, so that it is not lost where V underflows.
     */
    std::vector<double> h16_positive_lower;
    std::vector<double> h16_positive_upper;  ///< see h16_positive_lower

    // ---- (1.7) and (1.8) at each requested R (same order as given).
    std::vector<double> R;          ///< the requested R, as given
    std::vector<double> h17_sup;    ///< sup_{r≥R} r|V'(r)| (numerically over [R, 1e6 R])
    std::vector<double> h18_ratio;  ///< |S^{d−1}| ∫_0^{√R} r|V'| r^{d−1} dr / R^{(d−1)/2}
    bool closed_form = false;       ///< true: h17_sup, h18_ratio from closed forms (power potential)
    /** Over the requested R in increasing order: every value ≤ the previous one, and the last one
     * smaller than the first or 0. False with fewer than two distinct R. */
    bool h17_decreasing = false;
    bool h18_decreasing = false;  ///< the same for h18_ratio
    /** Asymptotics as R → ∞: value ~ R^p (times log R when h18_log); −∞ for faster than any power
     * (Schwartz V; also every V ≡ 0). From the decay of V at infinity, not from the samples. */
    double h17_exponent = 0.0;
    double h18_exponent = 0.0;  ///< see h17_exponent
    bool h18_log = false;       ///< (1.8) ~ R^p log R (soft-power with γ = d)
    bool h17_holds = true;      ///< (1.7): → 0 as R → ∞, i.e. h17_exponent < 0
    bool h18_holds = true;      ///< (1.8): → 0 as R → ∞, i.e. h18_exponent < 0
    std::string h17_asymptotics;  ///< one line: the asymptotic form behind h17_holds
    std::string h18_asymptotics;  ///< one line: the asymptotic form behind h18_holds

    // ---- Can a sample blow up at all (focusing, μ = −1; docs/physics.md §10)?
    /** One line: bounded V: no; λ|x|^{−γ} in 3D with γ < 2: no; γ = 2: only if λ ≥ λ_c; 2 < γ < 3: possible. */
    std::string blowup;
    bool has_lambda_c = false;    ///< true for λ|x|^{−2} in d = 3
    double lambda_c = 0.0;        ///< critical coupling ‖Q‖² (radial_ground_state.hpp)
    double lambda_c_error = 0.0;  ///< its estimated error
    std::string lambda_c_verdict; ///< what follows for this λ

    // ---- The verdict.
    bool holds = true;           ///< (1.6), (1.7) and (1.8) all hold
    std::string failing;         ///< the failing ones, e.g. "(1.6), (1.8)"; empty when holds
    std::vector<std::string> notes;  ///< one-line remarks for the reader (docs/physics.md §3)
};

/** @brief The length scale the sampling is built on: s (gaussian), ε (soft-power), 1 otherwise. */
[[nodiscard]] double natural_length_scale(const Potential& v);

/**
 * @brief Checks V ≥ 0 and (1.6) on (0, r_max], (1.7) and (1.8) at every R in `R`. Serial.
 * Throws InputError (naming --R or --r-max) when an R or r_max is not positive and finite.
 */
[[nodiscard]] HypothesisReport hypothesis_report(const Potential& v, std::span<const double> R, double r_max);

/**
 * @brief Plain-text report: one line per assumption and hypothesis, a table with one row per R
 * (R, (1.7) sup, (1.8) ratio), the notes, and last "Theorem 1.2 hypotheses (1.6)-(1.8): hold" or
 * "... : fail: <which>". Every line ends with '\n'.
 */
[[nodiscard]] std::string format_hypothesis_report(const HypothesisReport& report);

/** @brief The numerical routines behind hypothesis_report, exposed for the tests. */
namespace detail {

/** @brief |S^{d−1}|: 2, 2π, 4π for d = 1, 2, 3. */
[[nodiscard]] double sphere_area(int d);

/**
 * @brief (V + ½ rV')/|V| = sign(λ)(1 + ½ rV'(r)/V(r)) from the closed-form logarithmic derivative
 * rV'/V (−r²/s², −γr²/(r²+ε²), −γ): the sign of V + ½ rV' even where V underflows. 0 for V ≡ 0.
 */
[[nodiscard]] double relative_virial(const Potential& v, double r);

/**
 * @brief sup_{r ≥ R} r|V'(r)| numerically: the max over 4001 geometric samples of [R, 1e6 R], refined
 * by golden-section search between the neighbours of the best sample.
 */
[[nodiscard]] double sup_abs_z_grad(const Potential& v, double R);

/**
 * @brief |S^{d−1}| ∫_0^a r|V'(r)| r^{d−1} dr by composite 20-point Gauss–Legendre on the panels
 * [a 2^{−k−1}, a 2^{−k}] (geometric grading toward 0, where the power potential is singular), until a
 * panel adds < 1e-17 of the total, plus the geometric tail of the last two panels (exact for a pure
 * power r^α near 0).
 */
[[nodiscard]] double ball_l1_abs_z_grad(const Potential& v, double a);

/** @brief The (1.8) ratio by quadrature: ball_l1_abs_z_grad(v, √R) / R^{(d−1)/2}. */
[[nodiscard]] double core_ratio(const Potential& v, double R);

}  // namespace detail

}  // namespace dfe
