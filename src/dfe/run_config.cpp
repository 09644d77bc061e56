#include "dfe/run_config.hpp"

#include "dfe/error.hpp"
#include "dfe/fft_plan.hpp"
#include "dfe/split_step.hpp"

#include <cmath>
#include <sstream>

namespace dfe {

namespace {

std::string show(double v)
{
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

void finite(double v, const char* option)
{
    require(std::isfinite(v), std::string(option) + " must be a finite number (got " + show(v) + ")");
}

/// n such that n·dt = span to a relative 1e-9 (the round-off of decimal inputs), or throws.
long whole_steps(double span, double dt, const std::string& what)
{
    const double ratio = span / dt;
    const double n = std::round(ratio);
    require(std::abs(ratio - n) <= 1e-9 * std::max(1.0, ratio),
            what + " (" + show(span) + ") must be a whole multiple of --dt (" + show(dt) + ")");
    require(n < 9.0e15, what + " / --dt is too large a number of steps");
    return static_cast<long>(n);
}

}  // namespace

Schedule validate(const RunConfig& c)
{
    require(c.d >= 1 && c.d <= 3, "--d must be 1, 2 or 3 (got " + std::to_string(c.d) + ")");
    require(c.N >= 4 && c.N % 2 == 0, "--N must be an even number of grid points >= 4 (got " + std::to_string(c.N) + ")");
    finite(c.L, "--L");
    require(c.L > 0.0, "--L must be positive (got " + show(c.L) + ")");
    finite(c.mu, "--mu");
    require(c.mu == 1.0 || c.mu == -1.0, "--mu must be -1 (focusing) or +1 (defocusing) (got " + show(c.mu) + ")");
    finite(c.potential.lambda, "--lambda");
    finite(c.potential.s, "--s");
    finite(c.sigma, "--sigma");
    require(c.sigma > 0.0, "--sigma must be positive (got " + show(c.sigma) + ")");
    finite(c.dt, "--dt");
    require(c.dt > 0.0, "--dt must be positive (got " + show(c.dt) + ")");
    finite(c.t_end, "--t-end");
    require(c.t_end >= 0.0, "--t-end must be >= 0 (got " + show(c.t_end) + ")");
    finite(c.output_dt, "--output-dt");
    require(c.output_dt > 0.0, "--output-dt must be positive (got " + show(c.output_dt) + ")");
    require(!c.out.empty(), "--out must name a directory");
    (void)Potential(c.potential, c.d);
    (void)make_composition(c.integrator);
    (void)parse_planner_effort(c.fftw_planner);

    Schedule s;
    s.steps_per_output = whole_steps(c.output_dt, c.dt, "--output-dt");
    require(s.steps_per_output >= 1, "--output-dt must be at least --dt");
    s.total_steps = whole_steps(c.t_end, c.dt, "--t-end");
    return s;
}

}  // namespace dfe
