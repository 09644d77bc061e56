// Convergence orders of the fixed-step compositions, and AdaptiveSplitStep (step doubling) against
// its tolerance, the XMDS2 reference, exact landing on spans and the exact free flow.
#include "dfe/evolution/adaptive_split.hpp"
#include "dfe/spectral/field.hpp"
#include "dfe/observables/observables.hpp"
#include "dfe/evolution/split_step.hpp"

#include <catch2/catch.hpp>
#include <mpi.h>

#include <cmath>
#include <initializer_list>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using dfe::Buffer;
using dfe::cplx;

/// One field on one communicator: grid, transforms, potential, the Gaussian initial state.
struct Problem {
    dfe::Grid grid;
    dfe::FftPlans plans;
    dfe::Potential potential;
    dfe::Convolver convolver;
    double mu;

    Problem(const dfe::Comm& comm, int d, long N, double L, const dfe::PotentialParams& params, double mu_)
        : grid(comm, d, N, L), plans(grid, dfe::PlannerEffort::estimate), potential(params, d),
          convolver(plans, potential), mu(mu_)
    {
    }

    [[nodiscard]] Buffer<cplx> gaussian() const
    {
        Buffer<cplx> phi(grid.alloc_complex());
        dfe::fill_gaussian(grid, 1.0, phi.data());
        return phi;
    }

    /// ‖x − y‖_L² by the grid quadrature, over the whole field.
    [[nodiscard]] double distance(const Buffer<cplx>& x, const Buffer<cplx>& y) const
    {
        double local = 0.0;
        for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) local += std::norm(x[i] - y[i]);
        return std::sqrt(grid.cell_volume() * grid.comm().sum(local));
    }

    /// The Gaussian advanced to t by the fixed-step composition at step dt (t a multiple of dt).
    [[nodiscard]] Buffer<cplx> fixed(const char* integrator, double dt, double t) const
    {
        auto phi = gaussian();
        const long steps = std::lround(t / dt);
        REQUIRE(std::abs(static_cast<double>(steps) * dt - t) < 1e-12 * t);
        dfe::SplitStep stepper(convolver, mu, dfe::make_composition(integrator), dt);
        stepper.advance(phi.data(), steps);
        return phi;
    }
};

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

/// log2 of successive error ratios.
std::vector<double> orders(const std::vector<double>& errors)
{
    std::vector<double> out;
    for (std::size_t i = 0; i + 1 < errors.size(); ++i) out.push_back(std::log2(errors[i] / errors[i + 1]));
    return out;
}

dfe::PotentialParams gaussian_potential(double lambda) { return {dfe::PotentialKind::gaussian, lambda, 0.5}; }

/// The XMDS2 reference problem of test_reference.cpp: 2D, 256², box [−10, 10)², μ = −1,
/// V = exp(−|x|²/(2·0.25)), σ = 1, t = 1, and its reference values (docs/physics.md §4).
struct Xmds2 {
    static constexpr double kinetic = 0.46286143217, interaction = -0.012861432170, energy = 0.45;
};

/// The Gaussian of `p` advanced by `a` over the spans in turn, starting with step h (updated).
Buffer<cplx> adaptive(const Problem& p, dfe::AdaptiveSplitStep& a, std::initializer_list<double> spans, double& h,
                      dfe::StepStats& stats)
{
    auto phi = p.gaussian();
    for (double span : spans) a.advance(phi.data(), span, h, stats);
    return phi;
}

/// One span of 1.0 and the spans 0.3 + 0.7, each from the Gaussian of `p` with first step 1e-2.
struct SpanRuns {
    Buffer<cplx> whole, cut;
    dfe::StepStats one, two;
    double h_one = 1e-2, h_two = 1e-2;  ///< the proposals handed back
};
SpanRuns span_runs(const Problem& p, dfe::AdaptiveSplitStep& a)
{
    SpanRuns r;
    r.whole = adaptive(p, a, {1.0}, r.h_one, r.one);
    r.cut = adaptive(p, a, {0.3, 0.7}, r.h_two, r.two);
    return r;
}

}  // namespace

TEST_CASE("fixed-step strang and order4 converge at orders 2 and 4", "[adaptive][order][mpi]")
{
    // 2D 64², λ = 5 (dfe_test::small_config(2)), t = 0.5, reference order4 at dt = 1e-3 (error
    // ≈ 5e-13 by the order4 errors below scaled by dt⁴). Measured L² errors:
    //   strang dt = 0.025, 0.0125, 0.00625:   6.63e-5, 1.66e-5, 4.14e-6  → orders 2.0004, 2.0001
    //   order4 dt = 0.0625, 0.03125, 0.015625: 8.58e-6, 5.48e-7, 3.44e-8 → orders 3.969, 3.992
    // (order4 at dt = 0.125 gives 3.89: the asymptotic regime starts about there). ±0.2 as asked;
    // a composition one order lower would miss the bound by 0.8.
    Problem p(world(), 2, 64, 20.0, gaussian_potential(5.0), -1.0);
    const double t = 0.5;
    const auto ref = p.fixed("order4", 1e-3, t);
    struct Case {
        const char* integrator;
        double dt;
        double order;
    };
    for (const Case& c : {Case{"strang", 0.025, 2.0}, Case{"order4", 0.0625, 4.0}}) {
        std::vector<double> errors;
        for (int i = 0; i < 3; ++i) errors.push_back(p.distance(p.fixed(c.integrator, c.dt / (1 << i), t), ref));
        for (double order : orders(errors)) {
            INFO(c.integrator << ": errors " << errors[0] << ", " << errors[1] << ", " << errors[2]);
            CHECK(std::abs(order - c.order) < 0.2);
        }
        // Far above the reference's error and round-off, so the ratios measure the method.
        CHECK(errors.back() > 1e-9);
    }
}

TEST_CASE("--tol runs meet their tolerance on the XMDS2 reference problem", "[adaptive][reference][mpi]")
{
    // Measured (first step 1e-2; the same steps at 1 and 2 ranks), the L² error of the field at
    // t = 1 against the fine reference and the worst of |mass − 1|, |kinetic|, |interaction|,
    // |energy| against XMDS2:
    //   strang 1e-6: 221 steps (1 rejected), field 9.5e-8,  observables 1.2e-8
    //   order4 1e-6:  18 steps,              field 1.1e-8,  observables 5.3e-9
    //   order4 1e-8:  52 steps,              field 1.4e-10, observables 6.8e-11
    // i.e. 10x to 90x inside tol (the kept half steps carry about err/(2^p − 1) per step). The
    // bound is tol itself, the contract of --tol. strang at 1e-8 (2189 steps, 3 rejected: field
    // 9.8e-10, observables 1.1e-10) is left out for time: 55 s at 1 rank, 8 s at 2.
    const Problem p(world(), 2, 256, 20.0, gaussian_potential(1.0), -1.0);
    // The fine reference field at t = 1: order4 at dt = 5e-3. Measured against dt = 2e-3: 1.8e-11
    // in L² (and order4 at 2e-3 matches the XMDS2 observables to 3.6e-13), far below every bound.
    const auto ref = p.fixed("order4", 5e-3, 1.0);
    dfe::ObservableEvaluator evaluator(p.convolver, p.mu);
    struct Case {
        const char* integrator;
        double tol;
    };
    for (const Case& c : {Case{"strang", 1e-6}, Case{"order4", 1e-6}, Case{"order4", 1e-8}}) {
        dfe::AdaptiveSplitStep a(p.convolver, p.mu, dfe::make_composition(c.integrator), c.tol);
        double h = 1e-2;
        dfe::StepStats stats;
        const auto phi = adaptive(p, a, {1.0}, h, stats);
        const auto o = evaluator.evaluate(phi.data());
        INFO(a.describe() << ": " << stats.accepted << " steps, " << stats.rejected << " rejected, in ["
                          << stats.min_step << ", " << stats.max_step << "]");
        CHECK(p.distance(phi, ref) <= c.tol);
        CHECK(std::abs(o.mass - 1.0) <= c.tol);
        CHECK(std::abs(o.kinetic - Xmds2::kinetic) <= c.tol);
        CHECK(std::abs(o.interaction - Xmds2::interaction) <= c.tol);
        CHECK(std::abs(o.energy - Xmds2::energy) <= c.tol);
        CHECK(stats.accepted > 0);
        CHECK(std::isfinite(h));
        CHECK(h > 0.0);
    }
}

TEST_CASE("advance lands exactly on the end of each span", "[adaptive][span][mpi]")
{
    Problem p(world(), 2, 64, 20.0, gaussian_potential(5.0), -1.0);
    const auto ref = p.fixed("order4", 1e-3, 1.0);
    for (const char* integrator : {"strang", "order4"}) {
        const double tol = std::string(integrator) == "strang" ? 1e-6 : 1e-8;
        dfe::AdaptiveSplitStep a(p.convolver, p.mu, dfe::make_composition(integrator), tol);
        const auto [whole, cut, one, two, h_one, h_two] = span_runs(p, a);
        INFO(integrator << ": one span " << one.accepted << " steps, two spans " << two.accepted);
        // Measured: the results of one span and of 0.3 + 0.7 differ by 1.3e-10 (strang, 532 vs 533
        // steps: the cut adds the shortened step) and 3.2e-13 (order4, 108 steps each), while both
        // are 1.4e-7 and 1.4e-10 from the reference. A time off by δ at the cut would show as
        // ~δ‖Δφ‖; tol/100 still leaves a margin of 7 and 30.
        CHECK(p.distance(whole, cut) <= 0.01 * tol);
        CHECK(p.distance(whole, ref) <= tol);
        CHECK(p.distance(cut, ref) <= tol);
        CHECK((std::isfinite(h_one) && h_one > 0.0 && std::isfinite(h_two) && h_two > 0.0));
    }
}

TEST_CASE("with mu = 0 the adaptive step is the exact free flow, landing exactly", "[adaptive][free][mpi]")
{
    // SplitStep with μ = 0 is exact for any step: one step of the whole span is the free flow. The
    // adaptive step then sees only round-off in its error estimate, accepts every trial and grows
    // the step by the largest factor 4: from h = 0.01 the steps over a span of 1 are 0.01, 0.04,
    // 0.16, 0.64 and the remaining 0.15 (cut from 2.56), and the proposal carried out is 2.56.
    // Any error in the total time δ would show as a phase error |k|²δ; the results agree to 3e-15
    // (d = 1, 2, 3, one and two ranks), against the asked 1e-13.
    const auto w = world();
    const auto self = w.split(w.rank(), 0);
    for (int d = 1; d <= 3; ++d) {
        const long N = d == 3 ? 24 : 64;
        Problem p(d == 1 ? self : w, d, N, 20.0, gaussian_potential(5.0), 0.0);
        for (const char* integrator : {"strang", "order4"}) {
            INFO("d = " << d << ", " << integrator);
            dfe::AdaptiveSplitStep a(p.convolver, p.mu, dfe::make_composition(integrator), 1e-8);
            double h = 0.01;
            dfe::StepStats stats;
            const auto phi = adaptive(p, a, {1.0}, h, stats);
            const auto exact = p.fixed(integrator, 1.0, 1.0);
            CHECK(p.distance(phi, exact) < 1e-13);
            CHECK(stats.accepted == 5);
            CHECK(stats.rejected == 0);
            CHECK(stats.min_step == 0.01);
            CHECK(stats.max_step == 0.64);
            CHECK(h == 2.56);
            // A remaining time within 5 % of the step is taken whole (stretched); beyond, the step
            // is taken and the rest follows as a short last step, without shrinking the proposal.
            // tol 1e-4 here: the round-off floor of the error estimate (~1e-15) would otherwise
            // bound the proposal after the short step (order4 at tol 1e-8: 0.9·0.096·(1e-9/1e-15)^¼
            // ≈ 2.7 < 6.4).
            dfe::AdaptiveSplitStep loose(p.convolver, p.mu, dfe::make_composition(integrator), 1e-4);
            double h2 = 0.1;
            dfe::StepStats stretched;
            (void)adaptive(p, loose, {0.5 + 1.6 * 1.04}, h2, stretched);
            CHECK(stretched.accepted == 3);
            CHECK(stretched.max_step == Approx(1.6 * 1.04).epsilon(1e-14));
            double h3 = 0.1;
            dfe::StepStats split;
            const auto last = adaptive(p, loose, {0.5 + 1.6 * 1.06}, h3, split);
            CHECK(split.accepted == 4);
            CHECK(split.min_step == Approx(1.6 * 0.06).epsilon(1e-12));
            CHECK(h3 == Approx(6.4).epsilon(1e-15));
            CHECK(p.distance(last, p.fixed(integrator, 0.5 + 1.6 * 1.06, 0.5 + 1.6 * 1.06)) < 1e-13);
        }
    }
}

TEST_CASE("the adaptive step refuses a step below its minimum and a bad tolerance", "[adaptive][mpi]")
{
    Problem p(world(), 2, 64, 20.0, gaussian_potential(5.0), -1.0);
    // tol 1e-20 per unit time is below round-off (err ≳ 1e-16): every trial is rejected and the
    // step shrinks by 0.2 until it falls below 1e-13.
    dfe::AdaptiveSplitStep a(p.convolver, p.mu, dfe::make_composition("order4"), 1e-20);
    double h = 1e-2;
    dfe::StepStats stats;
    CHECK_THROWS_AS(adaptive(p, a, {1.0}, h, stats), dfe::Error);
    CHECK(stats.accepted == 0);
    CHECK(stats.rejected > 10);
    CHECK_THROWS_AS(dfe::AdaptiveSplitStep(p.convolver, p.mu, dfe::make_composition("strang"), 0.0), dfe::InputError);
    CHECK(dfe::AdaptiveSplitStep(p.convolver, p.mu, dfe::make_composition("order4"), 1e-8).describe() ==
          "order4 with step doubling, tol 1e-08 (L2 error per unit time)");
}


TEST_CASE("measurements", "[.measure]")
{
    // Prints the numbers the comments above quote (run with the tag [.measure]).
    const auto w = world();
    std::ostringstream out;
    out.precision(3);
    auto say = [&] {
        if (w.rank() == 0) std::cout << out.str() << std::endl;
        out.str("");
    };
    {
        Problem p(w, 2, 64, 20.0, gaussian_potential(5.0), -1.0);
        const double t = 0.5;
        const auto ref = p.fixed("order4", 1e-3, t);
        for (const char* integrator : {"strang", "order4"}) {
            std::vector<double> errors;
            const double dt0 = std::string(integrator) == "strang" ? 0.05 : 0.125;
            out << integrator << " errors";
            for (int i = 0; i < 5; ++i) {
                errors.push_back(p.distance(p.fixed(integrator, dt0 / (1 << i), t), ref));
                out << " " << dt0 / (1 << i) << ": " << errors.back();
            }
            out << "; orders" << std::setprecision(5);
            for (double o : orders(errors)) out << " " << o;
            say();
            out.precision(3);
        }
        const auto ref1 = p.fixed("order4", 1e-3, 1.0);
        for (const char* integrator : {"strang", "order4"}) {
            const double tol = std::string(integrator) == "strang" ? 1e-6 : 1e-8;
            dfe::AdaptiveSplitStep a(p.convolver, p.mu, dfe::make_composition(integrator), tol);
            const auto [whole, cut, one, two, h1, h2] = span_runs(p, a);
            out << a.describe() << " spans: whole vs cut " << p.distance(whole, cut) << ", whole "
                << p.distance(whole, ref1) << " (" << one.accepted << "+" << one.rejected << "), cut "
                << p.distance(cut, ref1) << " (" << two.accepted << "+" << two.rejected << "), h " << h1 << " " << h2;
            say();
        }
    }
    {
        const auto self = w.split(w.rank(), 0);
        for (int d = 1; d <= 3; ++d) {
            Problem p(d == 1 ? self : w, d, d == 3 ? 24 : 64, 20.0, gaussian_potential(5.0), 0.0);
            for (const char* integrator : {"strang", "order4"}) {
                dfe::AdaptiveSplitStep a(p.convolver, p.mu, dfe::make_composition(integrator), 1e-8);
                double h = 0.01;
                dfe::StepStats stats;
                const auto phi = adaptive(p, a, {1.0}, h, stats);
                const double e = w.max(p.distance(phi, p.fixed(integrator, 1.0, 1.0)));
                out << "mu = 0, d = " << d << " " << integrator << ": vs exact " << e;
                say();
            }
        }
    }
    {
        Problem p(w, 2, 256, 20.0, gaussian_potential(1.0), -1.0);
        dfe::ObservableEvaluator evaluator(p.convolver, p.mu);
        double t0 = MPI_Wtime();
        const auto ref = p.fixed("order4", 2e-3, 1.0);
        const double wall_ref = MPI_Wtime() - t0;
        t0 = MPI_Wtime();
        const auto ref5 = p.fixed("order4", 5e-3, 1.0);
        const double wall_ref5 = MPI_Wtime() - t0;
        out << "order4 dt 2e-3: " << wall_ref << " s; dt 5e-3: " << wall_ref5 << " s, differs by "
            << p.distance(ref, ref5);
        say();
        const auto o = evaluator.evaluate(ref.data());
        out << "order4 dt 2e-3 vs XMDS2: " << o.mass - 1 << " " << o.kinetic - Xmds2::kinetic << " "
            << o.interaction - Xmds2::interaction << " " << o.energy - Xmds2::energy;
        say();
        for (const char* integrator : {"strang", "order4"})
            for (double tol : {1e-6, 1e-8}) {
                dfe::AdaptiveSplitStep a(p.convolver, p.mu, dfe::make_composition(integrator), tol);
                double h = 1e-2;
                dfe::StepStats stats;
                auto phi = p.gaussian();
                t0 = MPI_Wtime();
                a.advance(phi.data(), 1.0, h, stats);
                const double wall = MPI_Wtime() - t0;
                const auto q = evaluator.evaluate(phi.data());
                out << a.describe() << ": " << wall << " s, " << stats.accepted << " accepted, " << stats.rejected
                    << " rejected, steps [" << stats.min_step << ", " << stats.max_step << "], h out " << h
                    << "; field error " << p.distance(phi, ref) << "; mass " << q.mass - 1 << " kinetic "
                    << q.kinetic - Xmds2::kinetic << " interaction " << q.interaction - Xmds2::interaction
                    << " energy " << q.energy - Xmds2::energy;
                say();
            }
    }
}
