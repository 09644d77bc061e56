#pragma once
/**
 * @file interaction_ts.hpp
 * @brief The Hartree equation i∂_tφ + Δφ = μ (V*|φ|²) φ integrated by PETSc TS in the interaction
 * picture, with PETSc's error control.
 *
 * In Fourier space ∂_t φ̂ = −i|k|² φ̂ − i F[Nφ], N = μ V*|φ|². Over one span starting at t0 the TS
 * integrates, for τ = t − t0 ∈ [0, span],
 *   v̂(τ) = e^{+i|k|²τ} φ̂(t0 + τ),   ∂_τ v̂ = −i e^{+i|k|²τ} F[N φ],   φ = F⁻¹[e^{−i|k|²τ} v̂],
 * so the stiff linear flow is applied exactly inside the right-hand side and the steps are limited by
 * the nonlinear term alone (for V ≡ 0 or μ = 0 the right-hand side vanishes and every step is exact).
 * Each right-hand side costs one complex FFT pair and the r2c/c2r pair of the convolution. The phases
 * are the kinetic flow of docs/physics.md §4 (KineticPhase, one 1D table per memory axis of the
 * spectral layout instead of a full table): e^{−i|k|²τ} takes v̂ to φ̂, and e^{+i|k|²τ}, the flow
 * over −τ, takes F[−iNφ] back. −iNφ itself is NonlinearStep::apply_generator.
 *
 * Storage. The TS state is a PETSc Vec on the grid's communicator holding, for every local mode of
 * the spectral layout, Re and Im (interleaved) of c·v̂_k, where v̂ is built on FFTW's unnormalized
 * forward transform and c = √(2 (L/N)^d). By Parseval, ‖φ‖² = (L/N)^d Σ_n |φ_n|² = (L/N)^d N^{−d}
 * Σ_k |φ̂_k|², so the root mean square over the 2N^d real components of the Vec equals the L² norm
 * of the field it stands for, and |e^{i|k|²τ}| = 1 keeps this true for differences at equal τ.
 * PETSc's default error norm (-ts_adapt_wnormtype 2) is exactly that RMS divided by the tolerance
 * atol + rtol·|component|; with the defaults atol = tol, rtol = 0 every accepted step's local error
 * estimate is ≤ tol in the L² norm of the field. (A nonzero -ts_rtol is relative per Fourier
 * component; -ts_adapt_wnormtype infinity bounds the largest component instead.)
 *
 * Defaults, set before TSSetFromOptions so that any -ts_* option of PETSc's options database
 * overrides them: TSRK with TSRK5DP (Dormand–Prince 5(4), FSAL), TS_EXACTFINALTIME_MATCHSTEP (what
 * the integrator does, see below), no limit on the steps, the initial step h of advance().
 *
 * The end of each span is met exactly, by PETSc's MATCHSTEP rule (the controller's proposal is
 * replaced by the remainder of the span when it reaches it or misses it by less than 1 %, by half of
 * the remainder when it covers more than half), but applied here in the post-step hook rather than by
 * PETSc: PETSc applies it inside TSAdaptChoose, where it overwrites the proposal before anyone can
 * read it. The TS's own end time is therefore out of reach (PETSC_MAX_REAL/4), and -ts_max_time,
 * -ts_exact_final_time and -ts_dt have no effect. The step h carried from one call to the next is the
 * controller's last proposal made after a step it chose itself: a cut step's proposal only scales
 * the cut step. A step accepted at the lower limit -ts_adapt_dt_min (where PETSc's basic controller
 * accepts any step, whatever its error) ends the call with an Error, as does a diverged TS.
 */
#include "dfe/evolution/adaptive.hpp"
#include "dfe/evolution/nonlinear_step.hpp"
#include "dfe/physics/convolution.hpp"
#include "dfe/backend/petsc.hpp"
#include "dfe/spectral/kinetic_phase.hpp"

#include <exception>
#include <string>

namespace dfe {

class InteractionPictureTS final : public AdaptiveIntegrator {
public:
    /**
     * @brief Creates the TS and its state Vec on the grid's communicator, sets the defaults above and
     * then applies the -ts_* options of PETSc's global options database (Collective on the grid's
     * communicator).
     * @param tol  absolute tolerance of each step's local error estimate in the L² norm of the field
     * @throws InputError when tol is not positive and finite
     */
    InteractionPictureTS(const Convolver& convolver, double mu, double tol);
    InteractionPictureTS(const InteractionPictureTS&) = delete;  // PETSc holds `this` as its context
    InteractionPictureTS& operator=(const InteractionPictureTS&) = delete;
    ~InteractionPictureTS() override = default;

    /**
     * @brief Advances φ by exactly `span` (Collective on the grid's communicator); see
     * AdaptiveIntegrator::advance. The TS runs from τ = 0 to τ = span with its step and rejection
     * counters reset, so `stats` receives this call's steps only.
     * @throws Error when the TS diverges (the message names PETSc's TSConvergedReason and the τ
     *         reached), when a step is accepted at -ts_adapt_dt_min, or when the TS stops before
     *         the span's end (e.g. -ts_max_steps)
     */
    void advance(cplx* phi, double span, double& h, StepStats& stats) override;

    /** @brief E.g. "petsc TS rk 5dp, adapt basic, atol 1e-08 rtol 0 (L2 norm of the field)",
     * after the options (Not Collective). */
    [[nodiscard]] std::string describe() const override;

    /** @brief The TS, for inspection (type, tolerances, TSGetTime after a call). */
    [[nodiscard]] TS ts() const { return ts_.get(); }

private:
    static PetscErrorCode rhs_function(TS ts, PetscReal t, Vec u, Vec f, void* context);
    static PetscErrorCode post_step(TS ts);

    /// f = ∂_τ (c v̂) at τ for the state u (both interleaved Re/Im, spectral layout).
    void evaluate(double tau, const double* u, double* f);
    /// out = φ̂ = e^{−i|k|²τ} v̂ / N^d for the state u = c·v̂ (interleaved Re/Im, spectral layout):
    /// FFTW's unnormalized backward transform of out is φ(τ).
    void unwind(double tau, const double* u, cplx* out);
    /// Records one accepted step and the controller's proposal, cuts the next step to meet the
    /// span's end and ends the solve there (from post_step).
    void accepted_step();

    const FftPlans& plans_;
    const Grid& grid_;
    bool linear_;            ///< V ≡ 0 or μ = 0: the right-hand side vanishes
    double scale_;           ///< c = √(2 (L/N)^d): Vec components = c·v̂
    std::ptrdiff_t count_;   ///< local modes of the spectral layout
    Buffer<cplx> work_;      ///< φ̂ / φ for the complex FFTs
    NonlinearStep nonlinear_;  ///< −iμ (V*|φ|²) φ (NonlinearStep::apply_generator)
    KineticPhase phase_;     ///< e^{∓i|k|²τ}, re-tabulated for every τ
    PetscVec u_;
    PetscTS ts_;

    // State of the call in progress, updated by post_step.
    double span_ = 0.0;
    StepStats call_stats_;
    double proposal_ = 0.0;       ///< the controller's last proposal after a step it chose
    bool cut_pending_ = false;    ///< the step in flight is not the controller's proposal
    bool final_pending_ = false;  ///< the step in flight ends the span
    PetscInt rejections_seen_ = 0;
    bool at_minimum_ = false;     ///< a step was accepted at -ts_adapt_dt_min
    std::exception_ptr failure_;  ///< an exception caught inside a PETSc callback
};

}  // namespace dfe
