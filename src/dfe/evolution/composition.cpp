#include "dfe/evolution/composition.hpp"

#include "dfe/core/error.hpp"

#include <cmath>

namespace dfe {

Composition make_composition(const std::string& name)
{
    if (name == "strang") return Composition{"strang", {0.5, 0.5}, {1.0}, 2};
    if (name == "order4") {
        const double w1 = 1.0 / (2.0 - std::cbrt(2.0));
        const double w0 = 1.0 - 2.0 * w1;
        return Composition{"order4", {0.5 * w1, 0.5 * (w1 + w0), 0.5 * (w0 + w1), 0.5 * w1}, {w1, w0, w1}, 4};
    }
    throw InputError("--integrator must be strang or order4 (got '" + name + "')");
}

Composition make_composition(Integrator integrator)
{
    require(integrator != Integrator::petsc, "--integrator petsc has no split-step composition");
    return make_composition(std::string(name(integrator)));
}

}  // namespace dfe
