#include "dfe/evolution/interaction_ts.hpp"

#include "dfe/core/error.hpp"
#include "dfe/evolution/nonlinear_step.hpp"
#include "dfe/spectral/kinetic_phase.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace dfe {

namespace {

/**
 * @brief The step to take when the controller proposes `proposal` and `remaining` is left of the span:
 * PETSc's rule for TS_EXACTFINALTIME_MATCHSTEP (TSAdaptChoose with its factors 0.01 and 2). The whole
 * remainder when the proposal reaches it or misses it by less than 1 %, half of it when the proposal
 * covers more than half of it (so that no sliver of a step is left at the end), else the proposal.
 */
double match_end(double proposal, double remaining)
{
    if (1.01 * proposal >= remaining) return remaining;
    if (2.0 * proposal > remaining) return 0.5 * remaining;
    return proposal;
}

std::string format_number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

}  // namespace

InteractionPictureTS::InteractionPictureTS(const Convolver& convolver, double mu, double tol)
    : plans_(convolver.plans()), grid_(convolver.plans().grid()),
      linear_(mu == 0.0 || convolver.potential_function().is_zero()),
      scale_(std::sqrt(2.0 * convolver.plans().grid().cell_volume())),
      count_(convolver.plans().grid().spectral().count()), work_(convolver.plans().grid().alloc_complex()),
      nonlinear_(convolver, mu), phase_(convolver.plans().grid())
{
    require(tol > 0.0 && std::isfinite(tol), "--tol must be positive and finite (got " + format_number(tol) + ")");
    require_logic(2 * count_ <= static_cast<std::ptrdiff_t>(PETSC_MAX_INT),
                  "interaction picture TS: the local spectrum exceeds PETSc's index range");
    const MPI_Comm comm = grid_.comm().get();
    Vec vec = nullptr;
    DFE_PETSC(VecCreateMPI(comm, static_cast<PetscInt>(2 * count_), PETSC_DETERMINE, &vec));
    u_.reset(vec);
    TS ts = nullptr;
    DFE_PETSC(TSCreate(comm, &ts));
    ts_.reset(ts);
    DFE_PETSC(TSSetProblemType(ts, TS_NONLINEAR));
    DFE_PETSC(TSSetType(ts, TSRK));
    DFE_PETSC(TSRKSetType(ts, TSRK5DP));
    DFE_PETSC(TSSetRHSFunction(ts, nullptr, &InteractionPictureTS::rhs_function, this));
    DFE_PETSC(TSSetApplicationContext(ts, this));
    DFE_PETSC(TSSetPostStep(ts, &InteractionPictureTS::post_step));
    DFE_PETSC(TSSetSolution(ts, u_.get()));
    DFE_PETSC(TSSetTolerances(ts, tol, nullptr, 0.0, nullptr));
    DFE_PETSC(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
    DFE_PETSC(TSSetMaxSteps(ts, PETSC_MAX_INT));
    // A diverged solve returns with its reason, which advance() turns into an Error, instead of
    // failing inside TSSolve with a generic message and a traceback on stderr.
    DFE_PETSC(TSSetErrorIfStepFails(ts, PETSC_FALSE));
    DFE_PETSC(TSSetFromOptions(ts));
    // The integrator meets the end of each span itself (accepted_step), so PETSc's own cut, which
    // would hide the controller's proposal, must never trigger: the TS's end time is out of reach.
    // (Finite: TSSolve refuses to run with neither an end time nor a step limit.)
    DFE_PETSC(TSSetMaxTime(ts, 0.25 * PETSC_MAX_REAL));
}

std::string InteractionPictureTS::describe() const
{
    TS ts = ts_.get();
    TSType type = nullptr;
    DFE_PETSC(TSGetType(ts, &type));
    std::string out = std::string("petsc TS ") + (type ? type : "?");
    PetscBool is_rk = PETSC_FALSE;
    DFE_PETSC(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(ts), TSRK, &is_rk));
    if (is_rk) {
        TSRKType rk = nullptr;
        DFE_PETSC(TSRKGetType(ts, &rk));
        if (rk) out += std::string(" ") + rk;
    }
    TSAdapt adapt = nullptr;
    DFE_PETSC(TSGetAdapt(ts, &adapt));
    TSAdaptType adapt_type = nullptr;
    DFE_PETSC(TSAdaptGetType(adapt, &adapt_type));
    if (adapt_type) out += std::string(", adapt ") + adapt_type;
    PetscReal atol = 0.0, rtol = 0.0;
    DFE_PETSC(TSGetTolerances(ts, &atol, nullptr, &rtol, nullptr));
    return out + ", atol " + format_number(atol) + " rtol " + format_number(rtol) + " (L2 norm of the field)";
}

void InteractionPictureTS::unwind(double tau, const double* u, cplx* out)
{
    phase_.set(tau, 1.0 / (scale_ * grid_.global_points()));
    phase_.apply(reinterpret_cast<const cplx*>(u), out);
}

void InteractionPictureTS::evaluate(double tau, const double* u, double* f)
{
    if (linear_) {
        std::fill(f, f + 2 * count_, 0.0);
        return;
    }
    // Vec = c·v̂ → φ̂ = e^{−i|k|²τ} v̂ → φ = F⁻¹φ̂ / N^d (FFTW's backward is unnormalized).
    unwind(tau, u, work_.data());
    plans_.backward(work_.data());
    nonlinear_.apply_generator(work_.data());  // −iμ (V*|φ|²) φ
    // F[−iNφ] → c·e^{+i|k|²τ} F[−iNφ], the derivative of the Vec: e^{+i|k|²τ} is the kinetic flow
    // over −τ (docs/physics.md §4).
    plans_.forward(work_.data());
    phase_.set(-tau, scale_);
    phase_.apply(work_.data(), reinterpret_cast<cplx*>(f));
}

PetscErrorCode InteractionPictureTS::rhs_function(TS, PetscReal t, Vec u, Vec f, void* context)
{
    auto* self = static_cast<InteractionPictureTS*>(context);
    return petsc_apply(u, f, &self->failure_,
                       [&](const PetscScalar* in, PetscScalar* out) { self->evaluate(static_cast<double>(t), in, out); });
}

PetscErrorCode InteractionPictureTS::post_step(TS ts)
{
    void* context = nullptr;
    PetscCall(TSGetApplicationContext(ts, &context));
    auto* self = static_cast<InteractionPictureTS*>(context);
    try {
        self->accepted_step();
    } catch (...) {
        self->failure_ = std::current_exception();
        return PETSC_ERR_LIB;
    }
    return 0;
}

void InteractionPictureTS::accepted_step()
{
    TS ts = ts_.get();
    TSConvergedReason reason = TS_CONVERGED_ITERATING;
    DFE_PETSC(TSGetConvergedReason(ts, &reason));
    if (reason < 0) return;  // TSSolve calls the hook after a diverged step too
    PetscReal t = 0.0, t_prev = 0.0, next = 0.0;
    PetscInt rejections = 0;
    DFE_PETSC(TSGetTime(ts, &t));
    DFE_PETSC(TSGetPrevTime(ts, &t_prev));
    DFE_PETSC(TSGetTimeStep(ts, &next));
    DFE_PETSC(TSGetStepRejections(ts, &rejections));
    const double taken = t - t_prev;
    call_stats_.accept(taken);

    // A cut step that was rejected has been retried at the controller's own, smaller size: it is
    // then neither cut nor the last one.
    const bool retried = rejections > rejections_seen_;
    rejections_seen_ = rejections;
    const bool was_cut = cut_pending_ && !retried;
    const bool landed = final_pending_ && !retried;
    // `next` is the controller's proposal as it made it (the TS's end time is out of its reach). A
    // proposal made after a cut step is not kept: it scales that step, not the dynamics.
    if (!was_cut) proposal_ = next;

    // TSAdapt basic accepts any step at its lower limit whatever the error estimate; the tolerance
    // is then no longer met, which the contract of AdaptiveIntegrator makes an error. The factor is
    // the one TSAdapt basic uses to decide it is at the limit.
    TSAdapt adapt = nullptr;
    DFE_PETSC(TSGetAdapt(ts, &adapt));
    PetscReal dt_min = 0.0, dt_max = 0.0;
    DFE_PETSC(TSAdaptGetStepLimits(adapt, &dt_min, &dt_max));
    if (!was_cut && taken < (1.0 + PETSC_SQRT_MACHINE_EPSILON) * dt_min) {
        at_minimum_ = true;
        DFE_PETSC(TSSetConvergedReason(ts, TS_CONVERGED_USER));
        return;
    }

    const double remaining = span_ - t;
    if (landed || !(remaining > 0.0)) {
        // t = t_prev + (span − t_prev) may round to a neighbour of span: the span ends at span.
        DFE_PETSC(TSSetTime(ts, span_));
        DFE_PETSC(TSSetConvergedReason(ts, TS_CONVERGED_TIME));
        return;
    }
    const double step = match_end(next, remaining);
    final_pending_ = step == remaining;
    cut_pending_ = step != next;
    if (cut_pending_) DFE_PETSC(TSSetTimeStep(ts, step));
}

void InteractionPictureTS::advance(cplx* phi, double span, double& h, StepStats& stats)
{
    require_logic(span > 0.0 && std::isfinite(span), "interaction picture TS: the span must be positive and finite");
    require_logic(h > 0.0 && std::isfinite(h), "interaction picture TS: the step must be positive and finite");
    TS ts = ts_.get();
    Vec u = u_.get();
    const std::ptrdiff_t points = grid_.local_points();

    // φ → c·φ̂ = c·v̂(0). The copy keeps the caller's array out of FFTW's alignment requirements.
    std::copy(phi, phi + points, work_.data());
    plans_.forward(work_.data());
    {
        PetscScalar* a = nullptr;
        DFE_PETSC(VecGetArrayWrite(u, &a));
        for (std::ptrdiff_t i = 0; i < count_; ++i) {
            a[2 * i] = scale_ * work_[i].real();
            a[2 * i + 1] = scale_ * work_[i].imag();
        }
        DFE_PETSC(VecRestoreArrayWrite(u, &a));
    }

    // Step number 0 resets PETSc's counters of steps and rejections and restarts the method (no
    // FSAL stage carried over from another sample or another span).
    const double dt = match_end(h, span);
    DFE_PETSC(TSSetTime(ts, 0.0));
    DFE_PETSC(TSSetStepNumber(ts, 0));
    DFE_PETSC(TSSetTimeStep(ts, dt));
    span_ = span;
    call_stats_ = StepStats{};
    proposal_ = h;
    cut_pending_ = dt != h;
    final_pending_ = dt == span;
    rejections_seen_ = 0;
    at_minimum_ = false;
    failure_ = nullptr;

    const PetscErrorCode code = TSSolve(ts, u);
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    TSConvergedReason reason = TS_CONVERGED_ITERATING;
    DFE_PETSC(TSGetConvergedReason(ts, &reason));
    if (reason >= 0) check_petsc(code, "TSSolve", __FILE__, __LINE__);  // -ts_error_if_step_fails: the reason says more

    PetscReal reached = 0.0, solved = 0.0, last = 0.0;
    DFE_PETSC(TSGetTime(ts, &reached));
    DFE_PETSC(TSGetSolveTime(ts, &solved));
    DFE_PETSC(TSGetTimeStep(ts, &last));
    const std::string where = " at tau = " + format_number(reached) + " of a span of " + format_number(span) +
                              " (step " + format_number(last) + "; " + describe() + ")";
    if (reason < 0) throw Error(std::string("petsc TS diverged: ") + TSConvergedReasons[reason] + where);
    if (at_minimum_)
        throw Error("petsc TS: a step was accepted at the minimum step size -ts_adapt_dt_min, so the tolerance is "
                    "no longer met" + where);
    if (solved != span)
        throw Error(std::string("petsc TS stopped before the end of the span (") + TSConvergedReasons[reason] + ")" +
                    where);

    // c·v̂(span) → φ̂ = e^{−i|k|² span} v̂ → φ.
    {
        const PetscScalar* a = nullptr;
        DFE_PETSC(VecGetArrayRead(u, &a));
        unwind(span, a, work_.data());
        DFE_PETSC(VecRestoreArrayRead(u, &a));
    }
    plans_.backward(work_.data());
    std::copy(work_.data(), work_.data() + points, phi);

    PetscInt steps = 0, rejected = 0;
    DFE_PETSC(TSGetStepNumber(ts, &steps));
    DFE_PETSC(TSGetStepRejections(ts, &rejected));
    require_logic(steps == call_stats_.accepted, "interaction picture TS: a step escaped the post-step hook");
    call_stats_.rejected = rejected;
    stats.merge(call_stats_);
    h = proposal_;
}

}  // namespace dfe
