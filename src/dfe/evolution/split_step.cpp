#include "dfe/evolution/split_step.hpp"

namespace dfe {

SplitStep::SplitStep(const Convolver& convolver, double mu, Composition composition, double h)
    : plans_(convolver.plans()), composition_(std::move(composition)), h_(h), nonlinear_(convolver, mu)
{
    const auto& a = composition_.a;
    std::vector<double> fractions(a.begin(), a.end());
    fractions.push_back(a.back() + a.front());  // the fused boundary between two steps
    const Grid& grid = plans_.grid();
    const double scale = 1.0 / grid.global_points();
    for (double f : fractions) {
        bool known = false;
        for (const auto& entry : phases_) known = known || entry.first == f;
        if (!known) phases_.emplace_back(f, KineticPhase(grid, f * h_, scale));
    }
}

void SplitStep::kinetic(cplx* phi, double fraction) const
{
    for (const auto& entry : phases_)
        if (entry.first == fraction) {
            entry.second.apply(phi, phi);
            return;
        }
    throw Error("split step: no kinetic phase tabulated for this fraction");
}

void SplitStep::advance(cplx* phi, long steps)
{
    if (steps <= 0) return;
    plans_.forward(phi);
    kinetic(phi, composition_.a.front());
    compose_substeps(plans_, nonlinear_, composition_, steps, h_, phi, [&](double fraction) { kinetic(phi, fraction); });
    plans_.backward(phi);
}

}  // namespace dfe
