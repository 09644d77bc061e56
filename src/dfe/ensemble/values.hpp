#pragma once
/**
 * @file values.hpp
 * @brief What the ensemble reports at one output time (EnsembleValues), in the order of the column
 * schema (observables/columns.hpp), and glassey_T's formula (docs/physics.md §5).
 */
#include "dfe/observables/observables.hpp"
#include "dfe/reductions/gamma2.hpp"

#include <optional>
#include <vector>

namespace dfe {

/// Relative tolerance of glassey_time's double root: a parabola whose minimum is within this times V1
/// of 0 touches 0 at its vertex (docs/physics.md §5). Covers the discretization of V1, dV1 and E.
inline constexpr double glassey_double_root_tol = 1e-4;

/**
 * @brief The smallest t > 0 with V1 + dV1 t + 8E t² = 0, for every sign of E, +inf when there is none
 * (the proof of Theorem 1.1 for E < 0; for E ≥ 0 a root needs dV1 < 0). A minimum within
 * glassey_double_root_tol·V1 of 0 counts as a double root at the vertex. An upper bound on the
 * lifespan only while vterm ≤ 0.
 */
double glassey_time(double V1, double dV1, double E);

/** @brief Everything the ensemble reports at one output time. */
struct EnsembleValues {
    long row = 0;
    double t = 0.0;
    SampleObservables sums;  ///< Σ_j w_j × per-sample values (sums.localized: 8 per radius)
    double glassey_T = 0.0;  ///< from V1, dV1 and E at t = 0
    std::vector<double> margin;  ///< d2loc_R − 4E(0) per radius
    double energy0 = 0.0;        ///< E(0), the ensemble energy at t = 0
    double max_radial_defect = 0.0;  ///< largest radial_defect over all samples
    double purity = 0.0, lambda_max = 0.0, fact_defect = 0.0, admissibility_residual = 0.0;
    /// Evaluated on the explicit γ^(2), i.e. only at --gamma2-times; NaN at other rows.
    double symmetry_residual = 0.0, gamma2_min = 0.0;
    double max_grad_norm = 0.0;   ///< max_j ‖∇φ_j‖
    double max_boundary_mass = 0.0;  ///< max_j of the share of φ_j's mass near the box's faces (resolution.hpp)
    long n_underresolved = 0;     ///< samples marked under-resolved at or before this row
    double dt = 0.0;              ///< the step (monitor_column_specs)
    /// The explicit γ^(2) at this row, when it is a --gamma2-times row.
    std::optional<Gamma2::Explicit> gamma2;
    /// Sampling error (docs/physics.md §12), only when the measure is a random draw
    /// (RunConfig::random_draw): the standard error of each value of row_values(), in the same order
    /// (NaN where a column has none, t where the column is t). Empty otherwise.
    std::vector<double> stderr_row;
    /// The estimate of the continuous measure's value of each column, in the order of row_values():
    /// the row itself for the weighted sums, the U-statistic for purity (docs/physics.md §12). Empty
    /// unless RunConfig::random_draw.
    std::vector<double> estimate_row;

    /** @brief The time-series row, in the order of ColumnSchema (columns.hpp). */
    [[nodiscard]] std::vector<double> row_values() const;
};

}  // namespace dfe
