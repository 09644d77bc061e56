#include "dfe/config/run_config.hpp"

#include "dfe/physics/cutoff.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/physics/potential.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace dfe {

namespace {


void finite(double v, const char* option)
{
    require(std::isfinite(v), std::string(option) + " must be a finite number (got " + digits17(v) + ")");
}

/// n such that n·dt = span to a relative 1e-9 (the round-off of decimal inputs), or throws.
long whole_steps(double span, double dt, const std::string& what)
{
    const double ratio = span / dt;
    const double n = std::round(ratio);
    require(std::abs(ratio - n) <= 1e-9 * std::max(1.0, ratio),
            what + " (" + digits17(span) + ") must be a whole multiple of --dt (" + digits17(dt) + ")");
    require(n < 9.0e15, what + " / --dt is too large a number of steps");
    return static_cast<long>(n);
}

/// The items of a comma list, blanks trimmed; an empty text gives no items.
std::vector<std::string> split_list(const std::string& text)
{
    std::vector<std::string> items;
    if (text.find_first_not_of(" \t") == std::string::npos) return items;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t end = std::min(text.find(',', begin), text.size());
        std::string item = text.substr(begin, end - begin);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        items.push_back(item);
        begin = end + 1;
    }
    return items;
}

/// v rounded down (up when `up`) to 4 significant digits: a bound quoted in a message that holds as printed.
std::string bound4(double v, bool up)
{
    const double unit = std::pow(10.0, std::floor(std::log10(v)) - 3.0);
    return strf("%.4g", (up ? std::ceil(v / unit) : std::floor(v / unit)) * unit);
}

}  // namespace


bool slab_split_fits(int d, long N, int g)
{
    if (g < 1) return false;
    if (g == 1) return true;
    if (d == 1) return false;
    // FFTW-MPI gives ranks blocks of ⌈X/g⌉ planes; the last rank gets X − (g−1)⌈X/g⌉. The
    // transposed layouts split dimension 1: N^2 complex and N × (N/2 + 1) r2c in 2D, N in 3D.
    const auto fits = [g](long X) { return static_cast<long>(g - 1) * ((X + g - 1) / g) < X; };
    return fits(N) && (d == 3 || fits(N / 2 + 1));
}

int auto_ranks_per_sample(int world_size, std::size_t samples, int d, long N)
{
    for (int g = 1; g <= world_size; ++g) {
        if (world_size % g != 0) continue;
        if (static_cast<std::size_t>(world_size / g) > samples) continue;  // a group without a sample
        if (slab_split_fits(d, N, g)) return g;  // (not monotone in g: ⌈X/g⌉ jumps)
    }
    throw InputError("--ranks-per-sample auto: " + std::to_string(samples) + " sample(s) on " + std::to_string(world_size) +
                     " ranks need groups of at least " + std::to_string((world_size + static_cast<int>(samples) - 1) / std::max(1, static_cast<int>(samples))) +
                     " ranks sharing a sample, which the " + std::to_string(d) + "D grid of N = " + std::to_string(N) +
                     " cannot split (every rank needs a slab plane); use fewer ranks, more samples or a larger N");
}

bool reduces_at(const RunConfig& config, const std::vector<long>& gamma2_rows, long row)
{
    return row % config.reduce_every == 0 || std::binary_search(gamma2_rows.begin(), gamma2_rows.end(), row);
}

long gamma2_points(const RunConfig& config)
{
    if (config.gamma2_grid > 0) return config.gamma2_grid;
    long n = std::min(config.N, config.d == 3 ? 16L : 64L);
    while (n > 1 && config.N % n != 0) --n;
    return n;
}

Schedule validate(const RunConfig& c)
{
    require(c.d >= 1 && c.d <= 3, "--d must be 1, 2 or 3 (got " + std::to_string(c.d) + ")");
    require(c.N >= 4 && c.N % 2 == 0, "--N must be an even number of grid points >= 4 (got " + std::to_string(c.N) + ")");
    finite(c.L, "--L");
    require(c.L > 0.0, "--L must be positive (got " + digits17(c.L) + ")");
    finite(c.mu, "--mu");
    require(c.mu == 1.0 || c.mu == -1.0, "--mu must be -1 (focusing) or +1 (defocusing) (got " + digits17(c.mu) + ")");
    finite(c.potential.lambda, "--lambda");
    finite(c.potential.s, "--s");
    finite(c.measure.sigma, "--sigma");
    require(c.measure.sigma > 0.0, "--sigma must be positive (got " + digits17(c.measure.sigma) + ")");
    require(c.ranks_per_sample >= 1, "--ranks-per-sample must be >= 1 (got " + std::to_string(c.ranks_per_sample) + ")");
    require(c.reduction_form == "auto" || c.reduction_form == "samples" || c.reduction_form == "grid",
            "--reduction-form must be auto, samples or grid (got '" + c.reduction_form + "')");
    require(c.reduce_every >= 1, "--reduce-every must be a positive number of output rows (got " + std::to_string(c.reduce_every) + ")");
    require(c.gamma2_grid >= 0, "--gamma2-grid must be positive (got " + std::to_string(c.gamma2_grid) + ")");
    require(c.eigensolver == "auto" || c.eigensolver == "dense" || c.eigensolver == "iterative",
            "--eigensolver must be auto, dense or iterative (got '" + c.eigensolver + "')");
    finite(c.dt, "--dt");
    require(c.dt > 0.0, "--dt must be positive (got " + digits17(c.dt) + ")");
    finite(c.t_end, "--t-end");
    require(c.t_end >= 0.0, "--t-end must be >= 0 (got " + digits17(c.t_end) + ")");
    finite(c.output_dt, "--output-dt");
    require(c.output_dt > 0.0, "--output-dt must be positive (got " + digits17(c.output_dt) + ")");
    require(!c.out.empty(), "--out must name a directory");
    (void)Potential(c.potential, c.d);
    (void)Cutoff(c.cutoff_order, c.cutoff_width);
    for (double R : c.R) require(std::isfinite(R) && R > 0.0, "--R: every radius must be positive and finite (got " + digits17(R) + ")");
    finite(c.radial_tol, "--radial-tol");
    require(c.radial_tol > 0.0, "--radial-tol must be positive (got " + digits17(c.radial_tol) + ")");
    finite(c.tol, "--tol");
    require(c.tol >= 0.0, "--tol must be positive, or 0 for a fixed step (got " + digits17(c.tol) + ")");
    finite(c.tail_tol, "--tail-tol");
    require(c.tail_tol > 0.0 && c.tail_tol < 1.0, "--tail-tol must be in (0, 1) (got " + digits17(c.tail_tol) + ")");
    finite(c.boundary_tol, "--boundary-tol");
    require(c.boundary_tol > 0.0 && c.boundary_tol < 1.0, "--boundary-tol must be in (0, 1) (got " + digits17(c.boundary_tol) + ")");

    Schedule s;
    s.steps_per_output = whole_steps(c.output_dt, c.dt, "--output-dt");
    require(s.steps_per_output >= 1, "--output-dt must be at least --dt");
    s.total_steps = whole_steps(c.t_end, c.dt, "--t-end");
    (void)gamma2_rows(c, s);
    return s;
}

void require_radii_inside_box(const RunConfig& c)
{
    const Cutoff cutoff(c.cutoff_order, c.cutoff_width);
    const double half = 0.5 * c.L;
    for (double R : c.R) {
        const double outer = cutoff.outer_radius(R);
        // The largest R allowed: (2+h)R = (L/2)².
        const double largest = half * half / (2.0 + c.cutoff_width);
        require(outer <= half,
                "--R " + shortest(R) + ": psi_R becomes constant only at |x| = sqrt((2+h)R) = " + strf("%.4g", outer) +
                    ", beyond the box's faces at |x_a| = L/2 = " + shortest(half) + "; use a smaller --R (at most " +
                    bound4(largest, false) + ") or a larger --L (at least " + bound4(2.0 * outer, true) +
                    ") (docs/physics.md §7)");
    }
}

std::vector<double> parse_radii(const std::string& text, const std::string& option)
{
    std::vector<double> out;
    for (const std::string& item : split_list(text)) {
        char* stop = nullptr;
        const double R = std::strtod(item.c_str(), &stop);
        require(!item.empty() && stop != item.c_str() && *stop == '\0' && std::isfinite(R) && R > 0.0,
                option + ": '" + item + "' is not a positive number (expected a comma list like 1,2.5,4)");
        require(std::find(out.begin(), out.end(), R) == out.end(), option + ": " + item + " is listed twice");
        out.push_back(R);
    }
    return out;
}

double row_time(const RunConfig& c, const Schedule& s, long row)
{
    return static_cast<double>(std::min(row * s.steps_per_output, s.total_steps)) * c.dt;
}

std::vector<long> gamma2_rows(const RunConfig& c, const Schedule& s)
{
    const long rows = s.rows();
    std::vector<long> out;
    for (const std::string& item : split_list(c.gamma2_times)) {
        if (item.empty() || item == "none") continue;
        if (item == "first") { out.push_back(0); continue; }
        if (item == "last") { out.push_back(rows - 1); continue; }
        if (item == "all") { for (long r = 0; r < rows; ++r) out.push_back(r); continue; }
        char* stop = nullptr;
        const double t = std::strtod(item.c_str(), &stop);
        require(stop != item.c_str() && *stop == '\0' && std::isfinite(t),
                "--gamma2-times: '" + item + "' is not a time, first, last, all or none");
        long found = -1;
        for (long r = 0; r < rows && found < 0; ++r)
            if (std::abs(row_time(c, s, r) - t) <= 1e-9 * std::max(1.0, std::abs(t))) found = r;
        require(found >= 0, "--gamma2-times: " + item + " is not an output time (multiples of --output-dt up to --t-end)");
        out.push_back(found);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace dfe
