#pragma once
/**
 * @file adaptive_split.hpp
 * @brief The strang/order4 compositions of split_step.hpp with steps chosen by step doubling (`--tol`).
 *
 * One trial from φ at step h: one composition step of size h gives φ_big, two steps of h/2 (the
 * kinetic substeps between them fused) give φ_small, and
 *   err = ‖φ_big − φ_small‖_L²      (grid quadrature (L/N)^d Σ|·|², over the whole field)
 * estimates the local error of the big step, O(h^{p+1}) for a composition of order p. `tol` is an
 * error per unit time: the trial is accepted when err ≤ tol·h, and φ_small (not extrapolated) is
 * kept. Its local error is about err/(2^p − 1), so over a time T the global error stays near
 * tol·T/(2^p − 1) unless the flow amplifies it. Either way the next trial is
 *   h ← h·min(4, max(0.2, 0.9·(tol·h/err)^{1/p})),
 * and a rejected trial restarts from the unchanged φ.
 *
 * Landing on the span: a trial of size h is cut to the remaining time when that is at most 1.05·h
 * (stretching the step by up to 5 % rather than leaving a last step of less than 5 % of h; the
 * error grows by at most 1.05^p relative to tol·h, which the safety factor 0.9^p absorbs). The last
 * step is defined as span − elapsed, so the steps add up to the span exactly. On exit `h` is the
 * controller's proposal: when the last step was shortened below h, its error may lower the proposal
 * (to 0.2·h at least) but never raise it above h (the error of a short step says little about a
 * longer one, and the bound 4 relative to a short step would shrink h for no reason), so where the
 * spans are cut barely changes the steps inside them.
 *
 * Between trials φ is kept in spectral space (the forward transform divided by N^d), so that a step
 * costs the transforms of its substeps only: a trial of a composition with s nonlinear substeps
 * costs 3s complex transform pairs and 3s convolutions, and φ is transformed back once per span.
 * The kinetic phase e^{−i|k|²τ} is applied separably (KineticPhase), with one 1D table per memory
 * axis of the spectral layout computed for every τ, so any τ costs O(N) phases.
 */
#include "dfe/evolution/adaptive.hpp"
#include "dfe/evolution/split_step.hpp"

#include <array>
#include <vector>

namespace dfe {

class AdaptiveSplitStep final : public AdaptiveIntegrator {
public:
    /**
     * @brief Not Collective (allocates two work fields and the scratch of the nonlinear step).
     * @param tol  L² error per unit time, > 0
     * @throws InputError when tol is not positive and finite
     */
    AdaptiveSplitStep(const Convolver& convolver, double mu, Composition composition, double tol);

    /**
     * @copydoc AdaptiveIntegrator::advance
     * φ must be allocated with grid.alloc_complex() elements (it holds the spectrum in between).
     * @throws Error when h falls below 1e-13·max(span, 1) or after 50 consecutive rejections
     */
    void advance(cplx* phi, double span, double& h, StepStats& stats) override;

    /** @brief E.g. "order4 with step doubling, tol 1e-08 (L2 error per unit time)". */
    [[nodiscard]] std::string describe() const override;

    [[nodiscard]] const Composition& composition() const { return composition_; }
    [[nodiscard]] double tolerance() const { return tol_; }

private:
    /// out ← e^{−i|k|²τ}·scale·in in the spectral layout (in == out allowed).
    void kinetic(const cplx* in, cplx* out, double tau, double scale);
    /// out ← `steps` composition steps of size tau applied to in (normalized spectra; in is unchanged
    /// unless in == out). Kinetic substeps between consecutive steps are fused.
    void compose(const cplx* in, cplx* out, double tau, int steps);
    /// ‖backward(x − y)‖_L² for normalized spectra x, y (Collective).
    [[nodiscard]] double distance(const cplx* x, const cplx* y) const;

    const FftPlans& plans_;
    Composition composition_;
    double tol_;
    NonlinearStep nonlinear_;
    Buffer<cplx> big_, small_;                ///< the two trial results
    KineticPhase phase_;                      ///< e^{−i|k|²τ}, re-tabulated for every τ
};

}  // namespace dfe
