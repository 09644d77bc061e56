// The built-in de Finetti measures of measure.hpp: gaussian, mixture, random-laguerre and
// random-gaussians. The `--component` syntax and the random streams are specified in measure.hpp.
#include "dfe/ensemble/measure.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/physics/radial_ground_state.hpp"
#include "dfe/spectral/field.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dfe {

namespace {

/// (n+1) L_{n+1} = (2n+1+α−x) L_n − (n+α) L_{n−1}; with L_{−1} = 0 the step from n = 0 gives L_1.
double laguerre_next(int n, double alpha, double x, double current, double previous)
{
    const double m = static_cast<double>(n);
    return ((2.0 * m + 1.0 + alpha - x) * current - (m + alpha) * previous) / (m + 1.0);
}

}  // namespace

double laguerre(int n, double alpha, double x)
{
    if (n < 0) throw Error("laguerre: negative degree " + std::to_string(n));
    double previous = 0.0;
    double current = 1.0;
    for (int m = 0; m < n; ++m) previous = std::exchange(current, laguerre_next(m, alpha, x, current, previous));
    return current;
}

double weight_sum(std::span<const double> weights)
{
    // Neumaier's variant of Kahan summation: the compensation also catches the case where the term
    // is larger than the running sum.
    double sum = 0.0, compensation = 0.0;
    for (const double w : weights) {
        const double t = sum + w;
        compensation += std::abs(sum) >= std::abs(w) ? (sum - t) + w : (w - t) + sum;
        sum = t;
    }
    return sum + compensation;
}

double weight_sum_tolerance(std::size_t M)
{
    // See measure.hpp: eps/2 per stored weight, up to (M−1)·eps from a naively summed normalization.
    return 1e-12 + 2.0 * static_cast<double>(M) * std::numeric_limits<double>::epsilon();
}

void require_unit_weight_sum(std::span<const double> weights, const std::string& sums_to, const std::string& after)
{
    const double sum = weight_sum(weights);
    const double tolerance = weight_sum_tolerance(weights.size());
    require(std::abs(sum - 1.0) <= tolerance,
            sums_to + " " + strf("%.15g", sum) + " (must be 1 to " + strf("%.3g", tolerance) + ")" + after);
}

namespace {

constexpr long max_count = 10'000'000;
// A sample costs K evaluations per grid point; well beyond any K a grid here resolves (the last
// function has K−1 radial nodes inside r ≈ 2σ√K).
constexpr int max_modes = 10'000;


void require_finite(double v, const std::string& option)
{
    require(std::isfinite(v), option + " must be a finite number (got " + shortest(v) + ")");
}

void require_positive(double v, const std::string& option)
{
    require_finite(v, option);
    require(v > 0.0, option + " must be positive (got " + shortest(v) + ")");
}

void require_count(long count)
{
    require(count >= 1 && count <= max_count, "--count must be between 1 and " + std::to_string(max_count) +
                                                  " (got " + std::to_string(count) + ")");
}

// Random streams. Everything here is fixed by the C++ standard or written out, so sample j is
// the same on every rank, for any number of ranks and groups, and with any standard library.

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Stream {
public:
    /// The seed is hashed before j is mixed in: seed ^ j alone would give (0, 1) and (1, 0) one stream.
    Stream(std::uint64_t seed, std::size_t j) : engine_(splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(j)))
    {
    }

    /// Uniform on [0, 1): the top 53 bits, every value a multiple of 2^−53.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

    /// Two independent standard normals (Box–Muller). 1 − u lies in (0, 1], so the log is finite.
    std::pair<double, double> normals()
    {
        const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
        const double angle = 2.0 * std::numbers::pi * uniform();
        return {radius * std::cos(angle), radius * std::sin(angle)};
    }

    /// Uniform in the d-ball of this radius, by rejection from the cube [−1, 1)^d.
    std::array<double, 3> in_ball(int d, double radius)
    {
        std::array<double, 3> u{};
        for (;;) {
            double r2 = 0.0;
            for (int a = 0; a < d; ++a) {
                u[a] = 2.0 * uniform() - 1.0;
                r2 += u[a] * u[a];
            }
            if (r2 <= 1.0) break;
        }
        for (int a = 0; a < d; ++a) u[a] *= radius;
        return u;
    }

private:
    std::mt19937_64 engine_;
};

/// What the built-in measures share: weights, the dimension, and fill() one sample at a time.
class BuiltinMeasure : public Measure {
public:
    [[nodiscard]] std::size_t size() const final { return weights_.size(); }
    [[nodiscard]] std::span<const double> weights() const final { return weights_; }

    void fill(const Grid& grid, std::size_t first, std::span<cplx* const> fields) const final
    {
        if (grid.d() != d_)
            throw Error("internal: a d = " + std::to_string(d_) + " measure asked for a d = " +
                        std::to_string(grid.d()) + " grid");
        if (first > size() || fields.size() > size() - first)
            throw Error("internal: samples " + std::to_string(first) + " + " + std::to_string(fields.size()) +
                        " requested from a measure of " + std::to_string(size()));
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const std::size_t j = first + i;
            // normalize() agrees on the norm over grid.comm(), so every rank throws here or none.
            try {
                sample(grid, j, fields[i]);
            } catch (const InputError& e) {
                throw InputError(kind_ + " sample j = " + std::to_string(j) + ": " + e.what() +
                                 " (is it outside the box?)");
            }
        }
    }

protected:
    BuiltinMeasure(std::string kind, int d, std::vector<double> weights)
        : kind_(std::move(kind)), d_(d), weights_(std::move(weights))
    {
    }

    /// Writes normalized sample j on this rank's slab. Collective on grid.comm().
    virtual void sample(const Grid& grid, std::size_t j, cplx* phi) const = 0;

    [[nodiscard]] int d() const { return d_; }

private:
    std::string kind_;
    int d_;
    std::vector<double> weights_;
};

std::vector<double> equal_weights(long count)
{
    return std::vector<double>(static_cast<std::size_t>(count), 1.0 / static_cast<double>(count));
}

/// "a:b:c" of the first d coordinates.
std::string show_vector(const std::array<double, 3>& v, int d)
{
    std::string s = shortest(v[0]);
    for (int a = 1; a < d; ++a) {
        s += ':';
        s += shortest(v[a]);
    }
    return s;
}

class GaussianMeasure final : public BuiltinMeasure {
public:
    GaussianMeasure(int d, double sigma) : BuiltinMeasure("gaussian", d, {1.0}), sigma_(sigma) {}

    [[nodiscard]] std::string provenance() const override { return "gaussian sigma=" + shortest(sigma_); }

private:
    // The measure's one sample is exactly the default initial state of a single-sample run.
    void sample(const Grid& grid, std::size_t, cplx* phi) const override { fill_gaussian(grid, sigma_, phi); }

    double sigma_;
};

struct Component {
    double weight = 0.0;
    double sigma = 0.0;
    std::array<double, 3> center{};
    std::array<double, 3> kick{};
    double chirp = 0.0;
    double collapse = 0.0;  ///< > 0: the pseudo-conformal S(0) blowing up at this time instead of a Gaussian
};

/// The pseudo-conformal profile: T^{−3/2} P(r/T), P = Q/√λ_c (docs/physics.md §10).
class CollapseProfile {
public:
    CollapseProfile() : Q_(critical_coupling_power2().fine), inv_sqrt_lambda_(1.0 / std::sqrt(critical_coupling_power2().lambda_c)) {}
    [[nodiscard]] double modulus(double T, double r) const { return std::pow(T, -1.5) * inv_sqrt_lambda_ * Q_(r / T); }
    /// S(0) at squared distance r2 from its centre: the chirp e^{−i r²/(4T)} is the sign that focuses
    /// under i∂_tφ + Δφ (docs/physics.md §10).
    [[nodiscard]] cplx value(double T, double r2) const { return std::polar(modulus(T, std::sqrt(r2)), -r2 / (4.0 * T)); }

private:
    RadialProfile Q_;
    double inv_sqrt_lambda_;
};

std::string_view trim(std::string_view s)
{
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

/// Parses one whole number: no trailing characters, one optional leading '+', finite.
double parse_number(std::string_view text, const std::string& where)
{
    std::string_view t = trim(text);
    if (t.size() > 1 && t.front() == '+' && t[1] != '-') t.remove_prefix(1);
    double v = 0.0;
    const auto result = std::from_chars(t.data(), t.data() + t.size(), v);
    require(result.ec == std::errc() && result.ptr == t.data() + t.size() && !t.empty(),
            where + " is not a number (got '" + std::string(text) + "')");
    require(std::isfinite(v), where + " must be finite (got '" + std::string(text) + "')");
    return v;
}

std::array<double, 3> parse_vector(std::string_view text, int d, const std::string& where)
{
    std::vector<std::string_view> parts;
    for (std::size_t begin = 0;;) {
        const std::size_t colon = text.find(':', begin);
        parts.push_back(text.substr(begin, colon == std::string_view::npos ? std::string_view::npos : colon - begin));
        if (colon == std::string_view::npos) break;
        begin = colon + 1;
    }
    require(parts.size() == static_cast<std::size_t>(d), where + " needs " + std::to_string(d) + " number" +
                                                             (d == 1 ? "" : "s") + " for d = " + std::to_string(d) +
                                                             " (got " + std::to_string(parts.size()) + ")");
    std::array<double, 3> v{};
    for (int a = 0; a < d; ++a) v[a] = parse_number(parts[a], where);
    return v;
}

Component parse_component(const std::string& text, std::size_t index, int d, double default_sigma)
{
    const std::string name = "--component " + std::to_string(index + 1);
    Component c;
    c.sigma = default_sigma;
    bool seen_weight = false, seen_sigma = false, seen_center = false, seen_kick = false, seen_chirp = false,
         seen_collapse = false;
    const std::string_view all = text;
    for (std::size_t begin = 0;;) {
        const std::size_t comma = all.find(',', begin);
        const std::string_view item =
            trim(all.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin));
        const std::size_t eq = item.find('=');
        require(eq != std::string_view::npos,
                name + ": '" + std::string(item) + "' is not key=value (keys: weight, sigma, center, kick, chirp, collapse)");
        const std::string key(trim(item.substr(0, eq)));
        const std::string_view value = item.substr(eq + 1);
        const std::string where = name + ": '" + key + "'";
        auto once = [&](bool& seen) {
            require(!seen, where + " is given twice");
            seen = true;
        };
        if (key == "weight") {
            once(seen_weight);
            c.weight = parse_number(value, where);
            require(c.weight > 0.0, where + " must be positive (got " + shortest(c.weight) + ")");
        } else if (key == "sigma") {
            once(seen_sigma);
            c.sigma = parse_number(value, where);
            require(c.sigma > 0.0, where + " must be positive (got " + shortest(c.sigma) + ")");
        } else if (key == "center") {
            once(seen_center);
            c.center = parse_vector(value, d, where);
        } else if (key == "kick") {
            once(seen_kick);
            c.kick = parse_vector(value, d, where);
        } else if (key == "chirp") {
            once(seen_chirp);
            c.chirp = parse_number(value, where);
        } else if (key == "collapse") {
            once(seen_collapse);
            c.collapse = parse_number(value, where);
            require(c.collapse > 0.0, where + " (the blowup time) must be positive (got " + shortest(c.collapse) + ")");
            require(d == 3, where + " is the collapse of the 3D ground state: it needs d = 3 (got " + std::to_string(d) + ")");
        } else {
            throw InputError(name + ": unknown key '" + key + "' (keys: weight, sigma, center, kick, chirp, collapse)");
        }
        if (comma == std::string_view::npos) break;
        begin = comma + 1;
    }
    require(seen_weight, name + ": 'weight' is required");
    require(!(seen_collapse && (seen_sigma || seen_chirp)),
            name + ": 'collapse' is the pseudo-conformal profile, whose width and chirp are fixed by its blowup time: "
                   "'sigma' and 'chirp' do not apply");
    return c;
}

class MixtureMeasure final : public BuiltinMeasure {
public:
    MixtureMeasure(int d, std::vector<Component> components)
        : BuiltinMeasure("mixture", d, weights_of(components)), components_(std::move(components))
    {
    }

    [[nodiscard]] std::string provenance() const override
    {
        std::string s = "mixture M=" + std::to_string(components_.size());
        for (const auto& c : components_)
            s += " [weight=" + shortest(c.weight) +
                 (c.collapse > 0.0 ? ",collapse=" + shortest(c.collapse) : ",sigma=" + shortest(c.sigma)) +
                 ",center=" + show_vector(c.center, d()) + ",kick=" + show_vector(c.kick, d()) +
                 (c.collapse > 0.0 ? "" : ",chirp=" + shortest(c.chirp)) + "]";
        return s;
    }

private:
    static std::vector<double> weights_of(const std::vector<Component>& components)
    {
        std::vector<double> w;
        for (const auto& c : components) w.push_back(c.weight);
        return w;
    }

    void sample(const Grid& grid, std::size_t j, cplx* phi) const override
    {
        const Component& c = components_[j];
        if (c.collapse > 0.0) {
            // S(0, x − x₀) e^{ik·x}: translation and the Galilean boost keep it an exact solution of the
            // flow, blowing up at T at the point x₀ + 2kT.
            const CollapseProfile profile;
            fill(grid, c, phi, [&](double r2, double kx) { return profile.value(c.collapse, r2) * std::polar(1.0, kx); });
            return;
        }
        const double inv_two_sigma2 = 1.0 / (2.0 * c.sigma * c.sigma);
        fill(grid, c, phi,
             [&](double r2, double kx) { return std::polar(std::exp(-r2 * inv_two_sigma2), kx + c.chirp * r2); });
    }

    /// phi = value(|x − x₀|², k·x) at every point, normalized.
    template <class Value>
    static void fill(const Grid& grid, const Component& c, cplx* phi, Value&& value)
    {
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            double r2 = 0.0, kx = 0.0;
            for (int a = 0; a < 3; ++a) {
                const double y = x[a] - c.center[a];
                r2 += y * y;
                kx += c.kick[a] * x[a];
            }
            phi[ic] = value(r2, kx);
        });
        normalize(grid, phi);
    }

    std::vector<Component> components_;
};

class RandomLaguerreMeasure final : public BuiltinMeasure {
public:
    RandomLaguerreMeasure(int d, long count, std::uint64_t seed, int modes, double sigma)
        : BuiltinMeasure("random-laguerre", d, equal_weights(count)), seed_(seed), modes_(modes), sigma_(sigma)
    {
    }

    [[nodiscard]] std::string provenance() const override
    {
        return "random-laguerre M=" + std::to_string(size()) + " seed=" + std::to_string(seed_) +
               " modes=" + std::to_string(modes_) + " sigma=" + shortest(sigma_);
    }

private:
    void sample(const Grid& grid, std::size_t j, cplx* phi) const override
    {
        Stream stream(seed_, j);
        std::vector<cplx> c(static_cast<std::size_t>(modes_));
        for (auto& cn : c) {
            const auto [g1, g2] = stream.normals();
            cn = cplx(g1, g2) / std::numbers::sqrt2;
        }
        // α = d/2 − 1 makes L_n^{(α)}(r²/σ²) e^{−r²/(2σ²)} the radial Hermite functions of the
        // d-dimensional oscillator (the even Hermite functions in d = 1).
        const double alpha = 0.5 * d() - 1.0;
        const double inv_sigma2 = 1.0 / (sigma_ * sigma_);
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            phi[ic] = series(c, alpha, (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) * inv_sigma2);
        });
        normalize(grid, phi);
    }

    /// Σ_n c_n L_n^{(α)}(y) e^{−y/2}. L_n(y) grows like y^n/n! and overflows a double (K = 1000 at
    /// y = 2000, say) while the product with e^{−y/2} stays O(1), and e^{−y/2} alone underflows past
    /// y ≈ 1490; so the recurrence runs on L_n·2^{−s}, rescaled by an exact power of two whenever it
    /// grows large, and 2^s is applied together with the Gaussian at the end.
    static cplx series(const std::vector<cplx>& c, double alpha, double y)
    {
        constexpr int step = 512;
        const double big = std::ldexp(1.0, step);
        double previous = 0.0;
        double current = 1.0;
        int scale = 0;
        cplx sum = c[0];
        for (int n = 0; n + 1 < static_cast<int>(c.size()); ++n) {
            previous = std::exchange(current, laguerre_next(n, alpha, y, current, previous));
            if (std::abs(current) > big) {
                current = std::ldexp(current, -step);
                previous = std::ldexp(previous, -step);
                sum *= std::ldexp(1.0, -step);
                scale += step;
            }
            sum += c[static_cast<std::size_t>(n) + 1] * current;
        }
        return sum * std::exp(scale * std::numbers::ln2 - 0.5 * y);
    }

    std::uint64_t seed_;
    int modes_;
    double sigma_;
};

class RandomGaussiansMeasure final : public BuiltinMeasure {
public:
    RandomGaussiansMeasure(int d, const MeasureConfig& c)
        : BuiltinMeasure("random-gaussians", d, equal_weights(c.count)),
          seed_(c.seed),
          center_spread_(c.center_spread),
          kick_spread_(c.kick_spread),
          width_min_(c.width_min),
          width_max_(c.width_max)
    {
    }

    [[nodiscard]] std::string provenance() const override
    {
        return "random-gaussians M=" + std::to_string(size()) + " seed=" + std::to_string(seed_) +
               " center-spread=" + shortest(center_spread_) + " kick-spread=" + shortest(kick_spread_) +
               " width-min=" + shortest(width_min_) + " width-max=" + shortest(width_max_);
    }

private:
    void sample(const Grid& grid, std::size_t j, cplx* phi) const override
    {
        Stream stream(seed_, j);
        const auto center = stream.in_ball(d(), center_spread_);
        const auto kick = stream.in_ball(d(), kick_spread_);
        const double width = width_min_ + (width_max_ - width_min_) * stream.uniform();
        const double inv_two_w2 = 1.0 / (2.0 * width * width);
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            double r2 = 0.0, kx = 0.0;
            for (int a = 0; a < 3; ++a) {
                const double y = x[a] - center[a];
                r2 += y * y;
                kx += kick[a] * x[a];
            }
            phi[ic] = std::polar(std::exp(-r2 * inv_two_w2), kx);
        });
        normalize(grid, phi);
    }

    std::uint64_t seed_;
    double center_spread_, kick_spread_, width_min_, width_max_;
};

/// S(0,x) = T^{−3/2} e^{−i|x|²/(4T)} P(|x|/T), P = Q/√λ_c (docs/physics.md §10).
class PseudoConformalMeasure final : public BuiltinMeasure {
public:
    explicit PseudoConformalMeasure(double T) : BuiltinMeasure("pseudo-conformal", 3, {1.0}), T_(T) {}

    [[nodiscard]] std::string provenance() const override
    {
        return "pseudo-conformal blowup-time=" + shortest(T_) + " lambda_c=" + digits17(critical_coupling_power2().lambda_c);
    }

private:
    void sample(const Grid& grid, std::size_t, cplx* phi) const override
    {
        const CollapseProfile profile;
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            phi[ic] = profile.value(T_, x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
        });
        normalize(grid, phi);
    }

    double T_;
};

}  // namespace

bool has_collapse_component(const MeasureConfig& config)
{
    if (config.kind != MeasureKind::mixture) return false;
    for (const auto& text : config.components) {
        const std::string_view all = text;
        for (std::size_t begin = 0;;) {
            const std::size_t comma = all.find(',', begin);
            const std::string_view item =
                trim(all.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin));
            if (trim(item.substr(0, item.find('='))) == "collapse") return true;
            if (comma == std::string_view::npos) break;
            begin = comma + 1;
        }
    }
    return false;
}

void require_pseudo_conformal(RunConfig& config, bool lambda_given)
{
    const bool measure = config.measure.kind == MeasureKind::pseudo_conformal;
    const std::string m = measure ? "--measure pseudo-conformal" : "a --component with 'collapse'";
    require(config.d == 3, m + " is the collapse of the 3D ground state: it needs --d 3 (got " + std::to_string(config.d) + ")");
    require(config.potential.kind == PotentialKind::power,
            m + " needs --potential power --gamma 2 (got --potential " + std::string(name(config.potential.kind)) + ")");
    require(config.potential.gamma == 2.0,
            m + " needs --gamma 2, the L2-critical power (got " + shortest(config.potential.gamma) + ")");
    require(config.mu == -1.0, m + " is a focusing collapse: it needs --mu -1 (got " + shortest(config.mu) + ")");
    require(!lambda_given, m + " sets lambda to lambda_c = " + strf("%.12f", critical_coupling_power2().lambda_c) +
                               ": do not give --lambda");
    if (measure) require_positive(config.measure.blowup_time, "--blowup-time");
    config.potential.lambda = critical_coupling_power2().lambda_c;
}

double pseudo_conformal_grid_mass(double T, long N, double L)
{
    const CollapseProfile profile;
    const double dx = L / static_cast<double>(N);
    std::vector<double> x2(static_cast<std::size_t>(N));
    for (long n = 0; n < N; ++n) {
        const double x = -0.5 * L + static_cast<double>(n) * dx;
        x2[static_cast<std::size_t>(n)] = x * x;
    }
    double sum = 0.0;
    for (double a : x2)
        for (double b : x2)
            for (double c : x2) {
                const double m = profile.modulus(T, std::sqrt(a + b + c));
                sum += m * m;
            }
    return sum * dx * dx * dx;
}

std::unique_ptr<Measure> make_builtin_measure(const MeasureConfig& config, int d)
{
    require(d >= 1 && d <= 3, "--d must be 1, 2 or 3 (got " + std::to_string(d) + ")");
    switch (config.kind) {
    case MeasureKind::gaussian:
        require_positive(config.sigma, "--sigma");
        return std::make_unique<GaussianMeasure>(d, config.sigma);
    case MeasureKind::mixture: {
        require_positive(config.sigma, "--sigma");  // the default width of every component
        require(!config.components.empty(), "--measure mixture needs at least one --component");
        require(config.components.size() <= static_cast<std::size_t>(max_count),
                "--component may be given at most " + std::to_string(max_count) + " times");
        std::vector<Component> components;
        std::vector<double> weights;
        for (std::size_t i = 0; i < config.components.size(); ++i) {
            components.push_back(parse_component(config.components[i], i, d, config.sigma));
            weights.push_back(components.back().weight);
        }
        // Never renormalized: a sum off 1 is the user's to fix.
        require_unit_weight_sum(weights, "--component: the weights sum to", "; they are never renormalized");
        return std::make_unique<MixtureMeasure>(d, std::move(components));
    }
    case MeasureKind::random_laguerre:
        require_count(config.count);
        require(config.modes >= 1 && config.modes <= max_modes, "--modes must be between 1 and " +
                                                                    std::to_string(max_modes) + " (got " +
                                                                    std::to_string(config.modes) + ")");
        require_positive(config.sigma, "--sigma");
        return std::make_unique<RandomLaguerreMeasure>(d, config.count, config.seed, config.modes, config.sigma);
    case MeasureKind::random_gaussians:
        require_count(config.count);
        require_finite(config.center_spread, "--center-spread");
        require(config.center_spread >= 0.0, "--center-spread must be >= 0 (got " + shortest(config.center_spread) + ")");
        require_finite(config.kick_spread, "--kick-spread");
        require(config.kick_spread >= 0.0, "--kick-spread must be >= 0 (got " + shortest(config.kick_spread) + ")");
        require_positive(config.width_min, "--width-min");
        require_finite(config.width_max, "--width-max");
        require(config.width_max >= config.width_min, "--width-max (" + shortest(config.width_max) +
                                                          ") must be >= --width-min (" + shortest(config.width_min) + ")");
        return std::make_unique<RandomGaussiansMeasure>(d, config);
    case MeasureKind::pseudo_conformal:
        require(d == 3, "--measure pseudo-conformal needs --d 3 (got " + std::to_string(d) + ")");
        require_positive(config.blowup_time, "--blowup-time");
        return std::make_unique<PseudoConformalMeasure>(config.blowup_time);
    case MeasureKind::file: break;
    }
    throw Error("internal: file measures come from make_file_measure (samples_file.hpp)");
}

}  // namespace dfe
