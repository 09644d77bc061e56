#include "dfe/ensemble/values.hpp"

#include "dfe/observables/columns.hpp"

#include <cmath>
#include <limits>

namespace dfe {

double glassey_time(double V1, double dV1, double E)
{
    // p(t) = V1 + dV1 t + 8E t², V1 ≥ 0; the first root t > 0 (docs/physics.md §5, glassey_T).
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (E < 0.0) {
        // 8E < 0: one root ≥ 0; the stable form of it.
        const double disc = std::sqrt(dV1 * dV1 - 32.0 * E * V1);
        return dV1 > 0.0 ? (-dV1 - disc) / (16.0 * E) : 2.0 * V1 / (disc - dV1);
    }
    if (!(dV1 < 0.0)) return inf;  // p(0) ≥ 0 and p' ≥ 0 for t > 0
    if (E == 0.0) return -V1 / dV1;
    // E > 0, dV1 < 0: p has its minimum p_min = V1 − dV1²/(32E) at the vertex t_v = −dV1/(16E) > 0.
    // When |p_min| ≤ glassey_double_root_tol·V1 the parabola is taken to touch 0 at t_v (a double root,
    // as for the pseudo-conformal collapse): t_v is accurate to the accuracy of dV1 and E, while the
    // root of a slightly negative p_min would move by t_v·sqrt(|p_min|/V1).
    const double t_v = -dV1 / (16.0 * E);
    const double p_min = V1 - dV1 * dV1 / (32.0 * E);
    if (std::abs(p_min) <= glassey_double_root_tol * V1) return t_v;
    if (p_min > 0.0) return inf;
    const double disc = std::sqrt(dV1 * dV1 - 32.0 * E * V1);
    return 2.0 * V1 / (disc - dV1);  // the smaller root, (−dV1 − disc)/(16E), in stable form
}

std::vector<double> EnsembleValues::row_values() const
{
    // In the order of ColumnSchema: the values below are those of the spec arrays of columns.hpp.
    static_assert(SampleObservables::count == sample_column_specs.size());
    static_assert(extra_column_specs.size() == 6 && monitor_column_specs.size() == 4);
    std::vector<double> row{t};
    for (double v : sums.values()) row.push_back(v);
    row.push_back(glassey_T);
    for (std::size_t r = 0; r < margin.size(); ++r) {
        for (std::size_t c = 0; c < localized_count; ++c) row.push_back(sums.localized[r * localized_count + c]);
        row.push_back(margin[r]);
    }
    for (double v : {purity, lambda_max, fact_defect, admissibility_residual, symmetry_residual, gamma2_min})
        row.push_back(v);
    row.push_back(max_grad_norm);
    row.push_back(max_boundary_mass);
    row.push_back(static_cast<double>(n_underresolved));
    row.push_back(dt);
    return row;
}

}  // namespace dfe
