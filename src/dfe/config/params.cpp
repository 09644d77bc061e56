#include "dfe/config/params.hpp"

#include "dfe/core/error.hpp"

#include <array>
#include <utility>

namespace dfe {

namespace {

template <class E, std::size_t K>
using Names = std::array<std::pair<E, std::string_view>, K>;

constexpr Names<Integrator, 3> integrators{{{Integrator::strang, "strang"}, {Integrator::order4, "order4"}, {Integrator::petsc, "petsc"}}};
constexpr Names<PotentialKind, 4> potentials{{{PotentialKind::none, "none"},
                                              {PotentialKind::gaussian, "gaussian"},
                                              {PotentialKind::soft_power, "soft-power"},
                                              {PotentialKind::power, "power"}}};
constexpr Names<MeasureKind, 6> measures{{{MeasureKind::gaussian, "gaussian"},
                                          {MeasureKind::mixture, "mixture"},
                                          {MeasureKind::random_laguerre, "random-laguerre"},
                                          {MeasureKind::random_gaussians, "random-gaussians"},
                                          {MeasureKind::pseudo_conformal, "pseudo-conformal"},
                                          {MeasureKind::file, "file"}}};
constexpr Names<PlannerEffort, 3> planners{{{PlannerEffort::estimate, "estimate"}, {PlannerEffort::measure, "measure"}, {PlannerEffort::patient, "patient"}}};
constexpr Names<OnUnderresolved, 3> policies{{{OnUnderresolved::stop, "stop"}, {OnUnderresolved::freeze, "freeze"}, {OnUnderresolved::cont, "continue"}}};

template <class E, std::size_t K>
std::string_view name_of(const Names<E, K>& names, E v)
{
    for (const auto& [e, n] : names)
        if (e == v) return n;
    throw std::logic_error("an enum value without a name");
}

/// "--option must be a, b or c (got 'x')".
template <class E, std::size_t K>
E parse(const Names<E, K>& names, std::string_view option, std::string_view text)
{
    for (const auto& [e, n] : names)
        if (n == text) return e;
    std::string list;
    for (std::size_t i = 0; i < K; ++i) list += std::string(i == 0 ? "" : (i + 1 == K ? " or " : ", ")) + std::string(names[i].second);
    throw InputError(std::string(option) + " must be " + list + " (got '" + std::string(text) + "')");
}

}  // namespace

std::string_view name(Integrator v) { return name_of(integrators, v); }
std::string_view name(PotentialKind v) { return name_of(potentials, v); }
std::string_view name(MeasureKind v) { return name_of(measures, v); }
std::string_view name(PlannerEffort v) { return name_of(planners, v); }
std::string_view name(OnUnderresolved v) { return name_of(policies, v); }

Integrator parse_integrator(std::string_view text) { return parse(integrators, "--integrator", text); }
PotentialKind parse_potential_kind(std::string_view text) { return parse(potentials, "--potential", text); }
MeasureKind parse_measure_kind(std::string_view text) { return parse(measures, "--measure", text); }
PlannerEffort parse_planner_effort(std::string_view text) { return parse(planners, "--fftw-planner", text); }
OnUnderresolved parse_on_underresolved(std::string_view text) { return parse(policies, "--on-underresolved", text); }

}  // namespace dfe
