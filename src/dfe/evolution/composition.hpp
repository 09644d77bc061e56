#pragma once
/**
 * @file composition.hpp
 * @brief Symmetric compositions of the kinetic flow K and the nonlinear flow N (split_step.hpp):
 *   K(a_0 h) N(b_0 h) K(a_1 h) … N(b_{s−1} h) K(a_s h),   Σa = Σb = 1,
 * e.g. Strang: a = (½, ½), b = (1); order4 is Yoshida's triple jump S(w₁h) S(w₀h) S(w₁h) of Strang
 * steps S, w₁ = 1/(2 − 2^{1/3}), w₀ = 1 − 2w₁ (H. Yoshida, Phys. Lett. A 150 (1990) 262).
 */
#include "dfe/evolution/nonlinear_step.hpp"
#include "dfe/spectral/fft_plan.hpp"

#include <string>
#include <vector>

namespace dfe {

/** @brief Coefficients of a symmetric composition: K(a_0) N(b_0) … N(b_{s−1}) K(a_s). */
struct Composition {
    std::string name;
    std::vector<double> a;  ///< kinetic fractions, size s + 1
    std::vector<double> b;  ///< nonlinear fractions, size s
    int order = 2;
};

/** @brief "strang" or "order4"; throws InputError otherwise. */
Composition make_composition(const std::string& name);
/** @brief The composition of --integrator strang or order4; throws InputError for petsc (no composition). */
Composition make_composition(Integrator integrator);

/**
 * @brief The substeps of `steps` compositions after their leading K(a_0 h): N(b_i h), then
 * kinetic(a_{i+1}), with K(a_s h)K(a_0 h) between consecutive steps fused into kinetic(a_s + a_0).
 * φ is in spectral space on entry and exit; `kinetic(fraction)` applies K(fraction·h) to it there.
 * Shared by SplitStep and AdaptiveSplitStep.
 */
template <class Kinetic>
void compose_substeps(const FftPlans& plans, NonlinearStep& nonlinear, const Composition& c, long steps, double h,
                      cplx* phi, Kinetic&& kinetic)
{
    const std::size_t s = c.b.size();
    for (long step = 0; step < steps; ++step) {
        for (std::size_t i = 0; i < s; ++i) {
            plans.backward(phi);
            nonlinear.apply(phi, c.b[i], h);
            plans.forward(phi);
            const bool fuse = (i + 1 == s) && (step + 1 < steps);
            kinetic(fuse ? c.a.back() + c.a.front() : c.a[i + 1]);
        }
    }
}

}  // namespace dfe
