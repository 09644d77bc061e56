#pragma once
/**
 * @file quadrature.hpp
 * @brief The n-point Gauss–Legendre rule on [−1, 1], shared by the hypothesis check (physics/
 * hypothesis.cpp, the (1.8) integral) and the truncated transform of the power potential
 * (physics/potential.cpp). Header-only.
 */
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

namespace dfe {

/** @brief Nodes x (ascending) and weights w of a Gauss–Legendre rule on [−1, 1]. */
struct GaussLegendreRule {
    std::vector<double> x;
    std::vector<double> w;

    [[nodiscard]] std::size_t size() const { return x.size(); }

    /** @brief ∫_a^b f ≈ ½(b − a) Σ_i w_i f(½(a + b) + ½(b − a) x_i), summed in ascending node order. */
    template <class F>
    [[nodiscard]] double integrate(F&& f, double a, double b) const
    {
        const double mid = 0.5 * (a + b), half = 0.5 * (b - a);
        double s = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) s += w[i] * f(mid + half * x[i]);
        return half * s;
    }
};

/**
 * @brief How gauss_legendre refines the nodes. Both settings below reach every node to round-off;
 * they differ in the last bit of a few nodes, so each caller keeps the one its results were made with.
 */
struct GaussLegendreOptions {
    /// Newton stops after the first step smaller than this in absolute value.
    double newton_tolerance = 1e-17;
    /// true: Newton finds the non-negative nodes, the others are their mirror images (an exactly
    /// symmetric rule); false: every node by its own Newton iteration.
    bool mirror = true;
};

/**
 * @brief The n-point Gauss–Legendre rule on [−1, 1] (n ≥ 1): node i is the root of P_n found by
 * Newton's method from cos(π(i + ¾)/(n + ½)), with P_n and P_{n−1} by the three-term recurrence,
 * and weight 2/((1 − x²) P_n'(x)²). Nodes in ascending order.
 */
[[nodiscard]] inline GaussLegendreRule gauss_legendre(int n, GaussLegendreOptions options = {})
{
    GaussLegendreRule rule;
    rule.x.assign(static_cast<std::size_t>(n), 0.0);
    rule.w.assign(static_cast<std::size_t>(n), 0.0);
    const int found = options.mirror ? (n + 1) / 2 : n;  // the nodes Newton finds, largest first
    for (int i = 0; i < found; ++i) {
        double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
        double dp = 1.0;  // P_n'(z)
        for (int iteration = 0; iteration < 100; ++iteration) {
            double p0 = 1.0, p1 = z;  // P_{k−1}, P_k by the three-term recurrence
            for (int k = 2; k <= n; ++k) {
                const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (z * p1 - p0) / (z * z - 1.0);
            const double step = p1 / dp;
            z -= step;
            if (std::abs(step) < options.newton_tolerance) break;
        }
        const auto at = static_cast<std::size_t>(n - 1 - i);
        const double weight = 2.0 / ((1.0 - z * z) * dp * dp);
        if (options.mirror) {
            rule.x[static_cast<std::size_t>(i)] = -z;
            rule.w[static_cast<std::size_t>(i)] = weight;
        }
        rule.x[at] = z;
        rule.w[at] = weight;
    }
    return rule;
}

}  // namespace dfe
