#include "dfe/evolution/adaptive_split.hpp"

#include "dfe/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace dfe {

namespace {

constexpr double stretch = 1.05;          ///< a remaining time up to stretch·h is taken in one step
constexpr double safety = 0.9;            ///< of the controller's step proposal
constexpr double min_factor = 0.2;        ///< bounds of the step ratio from one trial to the next
constexpr double max_factor = 4.0;
constexpr double min_step_relative = 1e-13;  ///< the run stops below 1e-13·max(span, 1)
constexpr int max_consecutive_rejections = 50;

std::string format_g(double x)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
}

}  // namespace

AdaptiveSplitStep::AdaptiveSplitStep(const Convolver& convolver, double mu, Composition composition, double tol)
    : plans_(convolver.plans()), composition_(std::move(composition)), tol_(tol), nonlinear_(convolver, mu),
      big_(convolver.plans().grid().alloc_complex()), small_(convolver.plans().grid().alloc_complex()),
      phase_(convolver.plans().grid())
{
    require(std::isfinite(tol) && tol > 0.0, "--tol must be positive and finite (got " + format_g(tol) + ")");
    require_logic(composition_.a.size() == composition_.b.size() + 1 && !composition_.b.empty() &&
                      composition_.order >= 1,
                  "adaptive step: malformed composition");
}

std::string AdaptiveSplitStep::describe() const
{
    return composition_.name + " with step doubling, tol " + format_g(tol_) + " (L2 error per unit time)";
}

void AdaptiveSplitStep::kinetic(const cplx* in, cplx* out, double tau, double scale)
{
    phase_.set(tau, scale);
    phase_.apply(in, out);
}

void AdaptiveSplitStep::compose(const cplx* in, cplx* out, double tau, int steps)
{
    const double inv_points = 1.0 / plans_.grid().global_points();
    kinetic(in, out, composition_.a.front() * tau, 1.0);  // `in` is normalized already
    compose_substeps(plans_, nonlinear_, composition_, steps, tau, out,
                     [&](double fraction) { kinetic(out, out, fraction * tau, inv_points); });
}

double AdaptiveSplitStep::distance(const cplx* x, const cplx* y) const
{
    const Grid& grid = plans_.grid();
    const std::ptrdiff_t n = grid.spectral().count();
    double local = 0.0;
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        const double re = x[i].real() - y[i].real(), im = x[i].imag() - y[i].imag();
        local += re * re + im * im;
    }
    // Parseval: Σ_n |f_n|² = N^d Σ_k |f̂_k/N^d|², times the cell volume (L/N)^d.
    return std::sqrt(grid.cell_volume() * grid.global_points() * grid.comm().sum(local));
}

void AdaptiveSplitStep::advance(cplx* phi, double span, double& h, StepStats& stats)
{
    require_logic(std::isfinite(span) && span > 0.0, "adaptive step: the span must be positive and finite");
    require_logic(std::isfinite(h) && h > 0.0, "adaptive step: the initial step must be positive and finite");
    const Grid& grid = plans_.grid();
    const std::ptrdiff_t count = grid.spectral().count();
    const double inv_points = 1.0 / grid.global_points();
    const double p = composition_.order;
    const double min_step = min_step_relative * std::max(span, 1.0);

    plans_.forward(phi);
    for (std::ptrdiff_t i = 0; i < count; ++i) phi[i] *= inv_points;

    cplx* current = phi;  // the accepted state; the three pointers rotate over phi, big_ and small_
    cplx* big = big_.data();
    cplx* small = small_.data();
    double elapsed = 0.0;
    int rejections = 0;
    for (;;) {
        if (!(h >= min_step) || rejections >= max_consecutive_rejections) {
            const std::string what = !(h >= min_step)
                                         ? "fell below " + format_g(min_step)
                                         : "fell to " + format_g(h) + " after " + std::to_string(rejections) +
                                               " consecutive rejections";
            throw Error("adaptive step: step size " + what + " at t = " + format_g(elapsed) + " into a span of " +
                        format_g(span) + " (" + describe() + ")");
        }
        const double remaining = span - elapsed;
        const bool last = remaining <= stretch * h;
        const double step = last ? remaining : h;
        compose(current, big, step, 1);
        compose(current, small, 0.5 * step, 2);
        const double err = distance(big, small);
        // The controller's step: safety·step·(tol·step/err)^{1/p}, infinite for err = 0 (e.g. μ = 0),
        // zero for a NaN error (the smallest ratio then applies).
        double proposal = std::numeric_limits<double>::infinity();
        if (!std::isfinite(err)) proposal = 0.0;
        else if (err > 0.0) proposal = safety * step * std::pow(tol_ * step / err, 1.0 / p);
        if (err <= tol_ * step) {
            stats.accept(step);
            std::swap(current, small);
            rejections = 0;
            // A last step shortened below h may lower the proposal, never raise it (see the header).
            h = step < h ? std::clamp(proposal, min_factor * h, h)
                         : std::clamp(proposal, min_factor * step, max_factor * step);
            if (last) break;
            elapsed += step;
        } else {
            ++stats.rejected;
            ++rejections;
            h = std::clamp(proposal, min_factor * step, max_factor * step);
        }
    }
    if (current != phi) std::copy(current, current + count, phi);
    plans_.backward(phi);
}

}  // namespace dfe
