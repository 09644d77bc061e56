#include "dfe/physics/hypothesis.hpp"

#include "dfe/physics/radial_ground_state.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/physics/quadrature.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <utility>

namespace dfe {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

/// Relative threshold for "V + ½ rV' > 0" on the scale-free (V + ½ rV')/|V|, and for (1.6) on
/// max|V|: for λ r^{−2} the expression is 0 up to round-off.
constexpr double virial_tolerance = 1e-12;
/// Samples of (0, r_max]: this many geometric points from r_min and as many linear ones.
constexpr int grid_points = 10000;
/// (1.7): geometric samples of [R, tail_span · R].
constexpr int tail_points = 4001;
constexpr double tail_span = 1e6;

/// Golden-section search for the max of f on [a, b]; returns (argmax, max) of every point it
/// evaluated, seeded with (r0, f0).
template <class F>
std::pair<double, double> golden_max(F&& f, double a, double b, double r0, double f0)
{
    const double g = 0.5 * (std::sqrt(5.0) - 1.0);
    double best_r = r0, best = f0;
    auto consider = [&](double r, double value) {
        if (value > best) {
            best = value;
            best_r = r;
        }
    };
    double c = b - g * (b - a), e = a + g * (b - a);
    double fc = f(c), fe = f(e);
    consider(c, fc);
    consider(e, fe);
    for (int iteration = 0; iteration < 200 && b - a > 1e-15 * std::max(std::abs(a), std::abs(b)); ++iteration) {
        if (fc >= fe) {
            b = e;
            e = c;
            fe = fc;
            c = b - g * (b - a);
            fc = f(c);
            consider(c, fc);
        } else {
            a = c;
            c = e;
            fc = fe;
            e = a + g * (b - a);
            fe = f(e);
            consider(e, fe);
        }
    }
    return {best_r, best};
}

/// r^{d−1} for d = 1, 2, 3.
double radial_weight(double r, int d)
{
    return d == 1 ? 1.0 : (d == 2 ? r : r * r);
}

/// The sampled radii: geometric from r_min and linear, merged, ascending, ending at r_max exactly.
std::vector<double> sample_radii(double r_min, double r_max)
{
    std::vector<double> r;
    r.reserve(2 * grid_points);
    const double ratio = r_max / r_min;
    for (int i = 0; i < grid_points; ++i)
        r.push_back(r_min * std::pow(ratio, static_cast<double>(i) / (grid_points - 1)));
    for (int i = 1; i <= grid_points; ++i) r.push_back(r_max * static_cast<double>(i) / grid_points);
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
    while (!r.empty() && r.back() >= r_max) r.pop_back();
    r.push_back(r_max);
    return r;
}

/// A point where `in` changes between a and b (in(a) != in(b)), by bisection to 1e-13 relative.
template <class In>
double bisect(In&& in, double a, double b)
{
    const bool in_a = in(a);
    for (int iteration = 0; iteration < 200 && b - a > 1e-13 * b; ++iteration) {
        const double m = 0.5 * (a + b);
        if (in(m) == in_a)
            a = m;
        else
            b = m;
    }
    return 0.5 * (a + b);
}

/// Over the R in increasing order: non-increasing, and the last value below the first or 0.
bool decreasing(std::span<const double> R, const std::vector<double>& values)
{
    std::vector<std::size_t> order(R.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return R[i] < R[j]; });
    if (order.empty() || R[order.front()] == R[order.back()]) return false;
    for (std::size_t k = 1; k < order.size(); ++k)
        if (values[order[k]] > values[order[k - 1]]) return false;
    const double first = values[order.front()], last = values[order.back()];
    return last < first || last == 0.0;
}

std::string format_exponent(double p)
{
    return std::isinf(p) ? std::string("faster than any power") : strf("R^%.6g", p);
}

std::string intervals_text(const HypothesisReport& r)
{
    std::string text;
    for (std::size_t i = 0; i < r.h16_positive_lower.size(); ++i) {
        if (i > 0) text += " U ";
        const double upper = r.h16_positive_upper[i];
        text += strf("(%.10g, %.10g%s", r.h16_positive_lower[i], upper, upper == r.r_max ? "]" : ")");
    }
    return text;
}

}  // namespace

namespace detail {

double sphere_area(int d)
{
    switch (d) {
    case 1: return 2.0;
    case 2: return 2.0 * std::numbers::pi;
    case 3: return 4.0 * std::numbers::pi;
    default: break;
    }
    throw InputError("--d must be 1, 2 or 3 (got " + std::to_string(d) + ")");
}

double relative_virial(const Potential& v, double r)
{
    if (v.is_zero()) return 0.0;
    const auto& p = v.params();
    double log_derivative = 0.0;  // r V'(r) / V(r)
    switch (v.kind()) {
    case Potential::Kind::none: return 0.0;
    case Potential::Kind::gaussian: log_derivative = -(r * r) / (p.s * p.s); break;
    case Potential::Kind::soft_power: log_derivative = -p.gamma * r * r / (r * r + p.epsilon * p.epsilon); break;
    case Potential::Kind::power: log_derivative = -p.gamma; break;
    }
    return (p.lambda > 0.0 ? 1.0 : -1.0) * (1.0 + 0.5 * log_derivative);
}

double sup_abs_z_grad(const Potential& v, double R)
{
    auto f = [&](double r) { return std::abs(v.z_grad(r)); };
    std::vector<double> r(tail_points);
    double best = -1.0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        r[i] = i == 0 ? R : R * std::pow(tail_span, static_cast<double>(i) / (tail_points - 1));
        const double value = f(r[i]);
        if (value > best) {
            best = value;
            at = i;
        }
    }
    const double a = r[at == 0 ? 0 : at - 1], b = r[std::min(at + 1, r.size() - 1)];
    return golden_max(f, a, b, r[at], best).second;
}

double ball_l1_abs_z_grad(const Potential& v, double a)
{
    if (v.is_zero() || a <= 0.0) return 0.0;
    // 20 points, each node by its own Newton iteration to a step below 1e-16: the rule these
    // integrals were first computed with (the nodes differ from the default rule's in the last bit).
    static const GaussLegendreRule rule = gauss_legendre(20, {.newton_tolerance = 1e-16, .mirror = false});
    const int d = v.d();
    auto panel = [&](double lo, double hi) {
        const double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
        double sum = 0.0;
        for (std::size_t i = rule.size(); i-- > 0;) {  // largest node first: the order these sums always had
            const double r = mid + half * rule.x[i];
            sum += rule.w[i] * std::abs(v.z_grad(r)) * radial_weight(r, d);
        }
        return half * sum;
    };
    // Panels [a 2^{−k−1}, a 2^{−k}] until one adds < 1e-17 of the total, or until two consecutive
    // ratios of panel contributions agree to 1e-12 (the integrand is a pure power r^α there, as for
    // the power potential with a slowly convergent r^{2−γ}, γ near 3), or 200 panels.
    double total = 0.0, previous = 0.0, last = 0.0, ratio = 0.0;
    for (int k = 0; k < 200; ++k) {
        const double hi = std::ldexp(a, -k);
        const double c = panel(0.5 * hi, hi);
        if (!std::isfinite(c)) break;  // overflow of a singular integrand far below the last panel
        previous = last;
        last = c;
        total += c;
        if (k >= 8 && total > 0.0 && last <= 1e-17 * total) break;
        const double new_ratio = previous > 0.0 ? last / previous : 0.0;
        if (k >= 4 && new_ratio > 0.0 && std::abs(new_ratio - ratio) <= 1e-12 * new_ratio) break;
        ratio = new_ratio;
    }
    // What is left, [0, a 2^{−k−1}], as the geometric continuation of the last two panels: exact for
    // an integrand ∝ r^α (each panel then adds 2^{−(α+1)} times the previous one).
    if (previous > 0.0 && last > 0.0 && last < previous) {
        const double rho = last / previous;
        total += last * rho / (1.0 - rho);
    }
    return sphere_area(d) * total;
}

double core_ratio(const Potential& v, double R)
{
    return ball_l1_abs_z_grad(v, std::sqrt(R)) / std::pow(R, 0.5 * (v.d() - 1));
}

}  // namespace detail

double natural_length_scale(const Potential& v)
{
    switch (v.kind()) {
    case Potential::Kind::gaussian: return v.params().s;
    case Potential::Kind::soft_power: return v.params().epsilon;
    case Potential::Kind::none:
    case Potential::Kind::power: return 1.0;
    }
    return 1.0;
}

namespace {

// The steps of hypothesis_report, in the order it takes them.

/// The potential and the sampling of (0, r_max]: the report's first fields.
HypothesisReport describe_sampling(const Potential& v, double r_max)
{
    const auto kind = v.kind();
    HypothesisReport rep;
    rep.potential = v.describe();
    rep.d = v.d();
    rep.scale = natural_length_scale(v);
    rep.r_max = r_max;
    rep.r_min = 1e-6 * std::min(rep.scale, r_max);
    rep.v_bounded = !v.singular();
    rep.v_schwartz = kind == Potential::Kind::none || kind == Potential::Kind::gaussian || v.is_zero();
    return rep;
}

/// V ≥ 0 and (1.6) on the sampled radii r: min V, max |V|, and the max of V + ½ rV', refined by
/// golden-section search between the neighbours of the best sample.
void check_sign_and_virial(const Potential& v, const std::vector<double>& r, HypothesisReport& rep)
{
    rep.samples = static_cast<long>(r.size());
    auto virial = [&](double x) { return v.value(x) + 0.5 * v.z_grad(x); };
    rep.v_min = inf;
    rep.h16_max = -inf;
    std::size_t max_at = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const double value = v.value(r[i]), w = virial(r[i]);
        if (value < rep.v_min) {
            rep.v_min = value;
            rep.v_min_at = r[i];
        }
        rep.v_abs_max = std::max(rep.v_abs_max, std::abs(value));
        if (w > rep.h16_max) {
            rep.h16_max = w;
            max_at = i;
        }
    }
    rep.v_nonnegative = rep.v_min >= 0.0;
    {
        const double a = r[max_at == 0 ? 0 : max_at - 1], b = r[std::min(max_at + 1, r.size() - 1)];
        std::tie(rep.h16_max_at, rep.h16_max) = golden_max(virial, a, b, r[max_at], rep.h16_max);
    }
    rep.h16_tolerance = virial_tolerance * rep.v_abs_max;
    rep.h16_holds = rep.h16_max <= rep.h16_tolerance;
}

/// The intervals of the sampled radii r where V + ½ rV' > 0 (tested on relative_virial), ends
/// refined by bisection.
void find_positive_set(const Potential& v, const std::vector<double>& r, HypothesisReport& rep)
{
    auto positive = [&](double x) { return detail::relative_virial(v, x) > virial_tolerance; };
    bool inside = false;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const bool now = positive(r[i]);
        if (now && !inside) rep.h16_positive_lower.push_back(i == 0 ? 0.0 : bisect(positive, r[i - 1], r[i]));
        if (!now && inside) rep.h16_positive_upper.push_back(bisect(positive, r[i - 1], r[i]));
        inside = now;
    }
    if (inside) rep.h16_positive_upper.push_back(rep.r_max);
}

/// (1.7) and (1.8) at each R: closed forms for the power potential, quadrature otherwise.
void evaluate_at_radii(const Potential& v, std::span<const double> R, HypothesisReport& rep)
{
    const auto& p = v.params();
    const int d = v.d();
    const bool zero = v.is_zero();
    rep.closed_form = v.kind() == Potential::Kind::power && !zero;
    const double gamma = p.gamma, abs_lambda = std::abs(p.lambda);
    for (double x : R) {
        rep.R.push_back(x);
        if (rep.closed_form) {
            rep.h17_sup.push_back(gamma * abs_lambda * std::pow(x, -gamma));
            rep.h18_ratio.push_back(detail::sphere_area(d) * gamma * abs_lambda * std::pow(std::sqrt(x), d - gamma) /
                                    (d - gamma) / std::pow(x, 0.5 * (d - 1)));
        } else {
            rep.h17_sup.push_back(zero ? 0.0 : detail::sup_abs_z_grad(v, x));
            rep.h18_ratio.push_back(zero ? 0.0 : detail::core_ratio(v, x));
        }
    }
    rep.h17_decreasing = decreasing(rep.R, rep.h17_sup);
    rep.h18_decreasing = decreasing(rep.R, rep.h18_ratio);
}

/// Asymptotics as R → ∞, from the decay of V at infinity. With r|V'| ~ C r^{−γ} at infinity, the
/// (1.8) integral grows like R^{(d−γ)/2} (γ < d), like log R (γ = d), or converges (γ > d).
void set_asymptotics(const Potential& v, HypothesisReport& rep)
{
    const int d = v.d();
    const auto kind = v.kind();
    const double gamma = v.params().gamma, abs_lambda = std::abs(v.params().lambda);
    const double flat = -0.5 * (d - 1) + 0.0;  // (1.8) exponent when the integral converges (+0: no −0)
    if (v.is_zero()) {
        rep.h17_exponent = rep.h18_exponent = -inf;
        rep.h17_asymptotics = rep.h18_asymptotics = "V = 0: identically 0";
    } else if (kind == Potential::Kind::gaussian) {
        rep.h17_exponent = -inf;
        rep.h17_asymptotics = "= (R^2/s^2) |lambda| exp(-R^2/(2 s^2)) for R >= sqrt(2) s: faster than any power";
        rep.h18_exponent = flat;
        rep.h18_asymptotics = strf("~ C R^%.6g, C = || |x||grad V| ||_L1(R^%d) (the integral converges)", flat, d);
    } else {  // soft-power and power: r|V'(r)| ~ gamma |lambda| r^-gamma
        const bool closed = kind == Potential::Kind::power;
        rep.h17_exponent = -gamma;
        rep.h17_asymptotics = strf("%s gamma |lambda| R^-gamma = %.6g R^%.6g", closed ? "=" : "~", gamma * abs_lambda, -gamma);
        const double area = detail::sphere_area(d);
        if (gamma < d) {
            rep.h18_exponent = 0.5 * (1.0 - gamma) + 0.0;
            rep.h18_asymptotics = strf("%s |S^%d| gamma |lambda| R^((1-gamma)/2) / (d-gamma) = %.6g R^%.6g", closed ? "=" : "~",
                                       d - 1, area * gamma * abs_lambda / (d - gamma), rep.h18_exponent);
        } else if (gamma == d) {
            rep.h18_exponent = flat;
            rep.h18_log = true;
            rep.h18_asymptotics = strf("~ (|S^%d| gamma |lambda| / 2) R^%.6g log R (gamma = d)", d - 1, flat);
        } else {
            rep.h18_exponent = flat;
            rep.h18_asymptotics = strf("~ C R^%.6g (gamma > d: the integral converges)", flat);
        }
    }
    rep.h17_holds = rep.h17_exponent < 0.0;
    rep.h18_holds = rep.h18_exponent < 0.0;
}

/// The verdict: holds, or which of (1.6)–(1.8) fail.
void set_verdict(HypothesisReport& rep)
{
    std::vector<std::string> failing;
    if (!rep.h16_holds) failing.emplace_back("(1.6)");
    if (!rep.h17_holds) failing.emplace_back("(1.7)");
    if (!rep.h18_holds) failing.emplace_back("(1.8)");
    rep.holds = failing.empty();
    for (std::size_t i = 0; i < failing.size(); ++i) rep.failing += (i ? ", " : "") + failing[i];
}

/// The one-line remarks for the reader (docs/physics.md §3).
void add_notes(const Potential& v, HypothesisReport& rep)
{
    const auto& p = v.params();
    const bool zero = v.is_zero();
    const auto kind = v.kind();
    const double gamma = p.gamma;
    auto& notes = rep.notes;
    if (!rep.v_nonnegative)
        notes.push_back(strf("V < 0 somewhere (min V = %.10g at r = %.10g): Theorem 1.2 assumes V >= 0", rep.v_min,
                             rep.v_min_at));
    if (!zero && (kind == Potential::Kind::gaussian || kind == Potential::Kind::soft_power))
        notes.push_back("V is bounded and decays at infinity, and V + x.grad(V)/2 = (2r)^-1 d/dr(r^2 V): r^2 V "
                        "starts at 0 at r = 0, and (1.6) would make it non-increasing, so (1.6) forces V = 0 "
                        "(docs/physics.md section 3). Here (1.6) fails on " +
                        intervals_text(rep));
    if (!rep.h16_positive_upper.empty() && rep.h16_positive_upper.back() == rep.r_max) {
        // The sign of (V + ½ rV')/|V| as r → ∞: −sign(λ) for the gaussian (rV'/V = −r²/s² → −∞),
        // sign(λ)(1 − γ/2) for soft-power and power (rV'/V → −γ).
        const double at_infinity = kind == Potential::Kind::gaussian ? -p.lambda : p.lambda * (1.0 - 0.5 * gamma);
        notes.push_back(strf("(1.6): the positive set reaches r_max = %.10g, the end of the sampled range; %s", rep.r_max,
                             at_infinity > 0.0 ? "it continues to infinity (V + x.grad(V)/2 > 0 for all large r)"
                                               : "it ends beyond r_max (raise --r-max to see where)"));
    }
    if (kind == Potential::Kind::power && !zero) {
        notes.push_back(strf("V + x.grad(V)/2 = lambda (1 - gamma/2) |x|^-gamma = %.10g |x|^-%.6g exactly; "
                             "(1.7) and (1.8) are the closed forms",
                             p.lambda * (1.0 - 0.5 * gamma), gamma));
        notes.push_back("Theorem 1.2 assumes V bounded and Schwartz, and lambda |x|^-gamma is neither; docs/physics.md "
                        "section 3 offers lambda |x|^-2 in d = 3 as the potential meeting (1.6)-(1.8)");
    }
    if (kind == Potential::Kind::soft_power && !zero)
        notes.push_back(strf("Theorem 1.2 assumes V Schwartz; soft-power V is bounded but decays only like |x|^-%.6g",
                             gamma));
    const bool several = !rep.R.empty() && *std::min_element(rep.R.begin(), rep.R.end()) <
                                               *std::max_element(rep.R.begin(), rep.R.end());
    if (several && rep.h17_holds && !rep.h17_decreasing)
        notes.push_back("(1.7): the values do not decrease over the requested R yet; the decay sets in at larger R");
    if (several && rep.h18_holds && !rep.h18_decreasing)
        notes.push_back("(1.8): the values do not decrease over the requested R yet; the decay " +
                        format_exponent(rep.h18_exponent) + " sets in at larger R");
    if (several && !rep.h18_holds && rep.h18_decreasing)
        notes.push_back("(1.8): the values decrease over the requested R, but as R -> inf they do not tend to 0");
    notes.push_back("Theorem 1.2 also assumes a radial initial state gamma_0; a run checks that, not this report");
}


/// Whether any sample can blow up, and λ_c for λ|x|^{−2} in 3D (docs/physics.md §10).
void set_blowup(const Potential& v, HypothesisReport& rep)
{
    const auto kind = v.kind();
    const double lambda = v.params().lambda, gamma = v.params().gamma;
    if (v.is_zero() || kind != Potential::Kind::power) {
        rep.blowup = "no: V is bounded, so V*|phi|^2 is Lipschitz on L^2 and every sample exists for all time";
        return;
    }
    if (lambda < 0.0) {
        rep.blowup = "no: lambda < 0 with mu = -1 is defocusing, every H^1 sample exists for all time";
        return;
    }
    if (gamma < 2.0) {
        rep.blowup = "no: gamma < 2 is L^2-subcritical in d = 3, every H^1 sample exists for all time";
        return;
    }
    if (gamma > 2.0) {
        rep.blowup = "possible: 2 < gamma < 3 is L^2-supercritical in d = 3";
        return;
    }
    const auto& cc = critical_coupling_power2();
    rep.has_lambda_c = true;
    rep.lambda_c = cc.lambda_c;
    rep.lambda_c_error = cc.error;
    rep.blowup = "only if lambda >= lambda_c: gamma = 2 is L^2-critical in d = 3";
    if (lambda < cc.lambda_c - cc.error)
        rep.lambda_c_verdict = strf("lambda = %.10g < lambda_c: every sample of mass 1 has E > 0 and exists for all time",
                                    lambda);
    else if (lambda > cc.lambda_c + cc.error)
        rep.lambda_c_verdict = strf("lambda = %.10g > lambda_c: samples of mass 1 can blow up; E < 0 is possible and "
                                    "forces it (virial)", lambda);
    else
        rep.lambda_c_verdict = strf("lambda = %.10g = lambda_c within the error: E >= 0 for mass 1; the ground state "
                                    "is a standing wave and its pseudo-conformal transform blows up", lambda);
}

}  // namespace

HypothesisReport hypothesis_report(const Potential& v, std::span<const double> R, double r_max)
{
    require(std::isfinite(r_max) && r_max > 0.0, "--r-max must be positive and finite");
    for (double x : R) require(std::isfinite(x) && x > 0.0, "--R: every R must be positive and finite (got " + strf("%g", x) + ")");
    (void)detail::sphere_area(v.d());  // validates d

    HypothesisReport rep = describe_sampling(v, r_max);
    // ---- V ≥ 0 and (1.6) on the sampled radii.
    const auto r = sample_radii(rep.r_min, r_max);
    check_sign_and_virial(v, r, rep);
    find_positive_set(v, r, rep);
    // ---- (1.7) and (1.8) at each R, and their asymptotics as R → ∞.
    evaluate_at_radii(v, R, rep);
    set_asymptotics(v, rep);
    // ---- Verdict and notes.
    set_verdict(rep);
    add_notes(v, rep);
    set_blowup(v, rep);
    return rep;
}

std::string format_hypothesis_report(const HypothesisReport& r)
{
    std::string out;
    auto verdict = [](bool holds) { return holds ? "holds" : "fails"; };
    out += strf("Hypotheses of Theorem 1.2 (Bulut 2018, mu = -1) for %s, d = %d\n", r.potential.c_str(), r.d);
    out += strf("  sampled r in [%.6g, %.6g]: %ld points (length scale %.6g)\n", r.r_min, r.r_max, r.samples, r.scale);
    constexpr int w = 56;
    out += strf("  %-*s %s  min V = %.10g at r = %.10g\n", w, "V >= 0", verdict(r.v_nonnegative), r.v_min, r.v_min_at);
    out += strf("  %-*s %s, %s\n", w, "V bounded, V Schwartz", r.v_bounded ? "yes" : "no", r.v_schwartz ? "yes" : "no");
    std::string h16 = strf("  %-*s %s  max = %.10g at r = %.10g (tolerance 1e-12 max|V| = %.3g)", w, "(1.6) V + x.grad(V)/2 <= 0",
                           verdict(r.h16_holds), r.h16_max, r.h16_max_at, r.h16_tolerance);
    h16 += r.h16_positive_lower.empty() ? "; positive nowhere" : "; positive on " + intervals_text(r);
    out += h16 + '\n';
    auto trend = [&](bool decreasing) {
        return r.R.empty() ? std::string() : decreasing ? "; decreasing over the R below" : "; not decreasing over the R below";
    };
    out += strf("  %-*s %s  %s%s\n", w, "(1.7) sup_{|x|>=R} |x||grad V| -> 0", verdict(r.h17_holds),
                r.h17_asymptotics.c_str(), trend(r.h17_decreasing).c_str());
    out += strf("  %-*s %s  %s%s\n", w, "(1.8) || |x||grad V| ||_L1(|x|<=R^1/2) / R^((d-1)/2) -> 0",
                verdict(r.h18_holds), r.h18_asymptotics.c_str(), trend(r.h18_decreasing).c_str());
    out += strf("  %16s  %18s  %18s   (%s)\n", "R", "(1.7) sup", "(1.8) ratio",
                r.closed_form ? "closed forms" : "quadrature");
    for (std::size_t i = 0; i < r.R.size(); ++i)
        out += strf("  %16.10g  %18.10e  %18.10e\n", r.R[i], r.h17_sup[i], r.h18_ratio[i]);
    if (r.has_lambda_c)
        out += strf("  critical coupling lambda_c = %.12g +- %.1e (radial ground state, docs/physics.md section 10); %s\n",
                    r.lambda_c, r.lambda_c_error, r.lambda_c_verdict.c_str());
    if (!r.blowup.empty()) out += "  can a sample blow up (mu = -1): " + r.blowup + '\n';
    for (const auto& note : r.notes) out += "  note: " + note + '\n';
    out += r.holds ? std::string("Theorem 1.2 hypotheses (1.6)-(1.8): hold\n")
                   : "Theorem 1.2 hypotheses (1.6)-(1.8): fail: " + r.failing + '\n';
    return out;
}

}  // namespace dfe
