#pragma once
/**
 * @file cutoff.hpp
 * @brief The localizing cutoff ψ_R of the proof of Theorem 1.2 (docs/physics.md §7, paper §6).
 *
 * Profile, with u = (s − 2)/h, order k ≥ 3 (`--cutoff-order`) and half-width 0 < h < 1 (`--cutoff-width`):
 *     ρ(s) = c (1 − u²)^k for |u| < 1, 0 otherwise,   c = 1 / (h ∫_{−1}^{1} (1 − v²)^k dv),
 * so supp ρ = [2 − h, 2 + h] ⊂ (1, 3), ∫ρ = 1, ρ(4 − s) = ρ(s), ρ' ≥ 0 left of 2 (the paper's
 * conditions; ρ > 0 on (5/4, 11/4) needs h > 3/4).
 *     F(s) = ∫_0^s ρ = ½ + c h P(u),  P(u) = Σ_j C(k,j) (−1)^j u^{2j+1}/(2j+1)   (0 left, 1 right)
 *     G(s) = ∫_0^s yρ(y) dy = 2F(s) − c h² (1 − u²)^{k+1} / (2(k+1))             (0 left, 2 right)
 *     ψ(s) = s − s F(s) + G(s),  ψ' = 1 − F,  ψ'' = −ρ,  ψ''' = −ρ',  ψ'''' = −ρ''.
 * ψ_R(x) = R ψ(|x|²/R): |x|² for |x|² ≤ (2−h)R and 2R for |x|² ≥ (2+h)R; ∇ψ_R = 2ψ'(s) x and
 *     Δ²ψ_R = (16|x|⁴/R³) ψ''''(s) + (16(d+2)|x|²/R²) ψ'''(s) + (4d(d+2)/R) ψ''(s),  s = |x|²/R.
 * Outside the support every profile function returns exact zeros (ψ' exactly 1 inside), so
 * a_R(x, y) vanishes exactly off A_R.
 */
#include <array>
#include <vector>

namespace dfe {

class Cutoff {
public:
    /** @brief Throws InputError unless k ≥ 3 is an integer ≤ 40 and 0 < h < 1. */
    Cutoff(int order = 10, double width = 0.9);

    [[nodiscard]] int order() const { return k_; }
    [[nodiscard]] double width() const { return h_; }

    /** @brief ρ(s), ρ'(s), ρ''(s). */
    [[nodiscard]] double rho(double s) const;
    [[nodiscard]] double drho(double s) const;
    [[nodiscard]] double d2rho(double s) const;
    /** @brief F(s) = ∫_0^s ρ and G(s) = ∫_0^s yρ(y) dy. */
    [[nodiscard]] double F(double s) const;
    [[nodiscard]] double G(double s) const;
    /** @brief ψ(s) and ψ'(s) = 1 − F(s). */
    [[nodiscard]] double psi(double s) const;
    [[nodiscard]] double dpsi(double s) const { return 1.0 - F(s); }

    /** @brief ψ_R at |x|² = x2. */
    [[nodiscard]] double psi_R(double x2, double R) const { return R * psi(x2 / R); }
    /** @brief The closed-form Δ²ψ_R at |x|² = x2 in d dimensions. */
    [[nodiscard]] double bilaplacian_R(double x2, double R, int d) const;
    /**
     * @brief a_R(x, y) = (x − y) − (ψ'(|x|²/R) x − ψ'(|y|²/R) y) (6.3), in d ≤ 3 dimensions.
     */
    [[nodiscard]] std::array<double, 3> a_R(const std::array<double, 3>& x, const std::array<double, 3>& y, double R) const;

    /** @brief Radii of the transition layer of ψ_R: √((2−h)R) and √((2+h)R). */
    [[nodiscard]] double inner_radius(double R) const;
    [[nodiscard]] double outer_radius(double R) const;
    /** @brief Width of the layer, outer − inner radius, in grid spacings dx. */
    [[nodiscard]] double layer_spacings(double R, double dx) const { return (outer_radius(R) - inner_radius(R)) / dx; }

private:
    int k_;
    double h_;
    double c_;                      ///< normalization of ρ
    std::vector<double> p_coeff_;   ///< C(k,j)(−1)^j/(2j+1), the odd polynomial P
};

/** @brief Fewer grid spacings than this across ψ_R's layer: the run warns, the verdicts mark R under-resolved. */
inline constexpr double min_layer_spacings = 12.0;

}  // namespace dfe
