#pragma once
/**
 * @file columns.hpp
 * @brief The time-series column schema, in one place: every column's name, order and meaning
 * (public interface: timeseries.csv, run.h5 /timeseries, checkpoints; docs/physics.md §5).
 *
 * A row is, in this order:
 *   t; the sample columns (Σ_j w_j × the value of sample j); glassey_T;
 *   for every radius R of --R, in the given order: the localized columns `<name>_R<R>`, then margin_R;
 *   the extra reductions (not weighted sums of sample values); the monitor columns.
 * The ensemble (EnsembleValues::row_values), the run record, the verdicts and the applications all
 * take names and positions from here; nothing else spells a column or hard-codes a position.
 */
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dfe {

/** @brief A column: its name (or name stem, for the per-radius ones) and what it holds. */
struct ColumnSpec {
    std::string_view name;
    std::string_view meaning;
};

/** @brief The columns that are Σ_j w_j × (value of sample j), in the order of SampleObservables::values(). */
inline constexpr std::array<ColumnSpec, 8> sample_column_specs{{
    {"mass", "Tr γ^(1) = Σw ∫ρ_j"},
    {"kinetic", "−½ Tr(Δγ^(1)) = Σw ½ ∫|∇φ_j|²"},
    {"interaction", "(μ/4) Σw ∫ (V*ρ_j) ρ_j"},
    {"energy", "E = kinetic + interaction"},
    {"V1", "Tr(|x|² γ^(1))"},
    {"dV1", "d/dt V1 = Σw 4 Im ∫ conj(φ_j) x·∇φ_j"},
    {"d2V1", "Σw [8‖∇φ_j‖² − 4μ ∫ ρ_j x·((∇V)*ρ_j)] (Prop 5.1)"},
    {"vterm", "−4μ ∫ γ^(2) (V + ½ z·∇V)(z)"},
}};

/** @brief The per-radius columns `<name>_R<R>` that are weighted sums of sample values, in order. */
inline constexpr std::array<ColumnSpec, 9> localized_column_specs{{
    {"loc", "Tr(ψ_R γ^(1))"},
    {"dloc", "d/dt loc_R"},
    {"d2loc", "d²/dt² loc_R (Prop 5.2, Lemma 5.3)"},
    {"II", "−8 ∫ F_R |∇φ|² − (16/R) ∫ ρ(s)|x·∇φ|² (6.7)"},
    {"III", "2μ ∫ γ^(2) a_R·∇V (6.3), from its integrand where F_R > 0"},
    {"IIIa", "pair sum of 2|a_R·∇V| γ^(2) over A_R, |x−y|² > R (6.8)"},
    {"IIIb", "pair sum of 2|a_R·∇V| γ^(2) over A_R, |x−y|² ≤ R (6.8)"},
    {"IV", "−∫ Δ²ψ_R γ^(1), as −Σw ∫ ψ_R Δ²ρ_j (6.15)"},
    {"lemma61_residual", "d2loc_R − (16E + II_R + vterm + III_R + IV_R)"},
}};

/** @brief The per-radius column after the localized ones: d2loc_R − 4E(0). */
inline constexpr ColumnSpec margin_column_spec{"margin", "d2loc_R − 4E(0); ≤ 0 is the conclusion of Thm 1.2"};

/** @brief The column after the sample columns. */
inline constexpr ColumnSpec glassey_column_spec{"glassey_T", "blowup time bound of Thm 1.1 from t = 0 values"};

/** @brief The reductions that are not weighted sums of sample values. */
inline constexpr std::array<ColumnSpec, 6> extra_column_specs{{
    {"purity", "Tr((γ^(1))²)"},
    {"lambda_max", "largest eigenvalue of γ^(1)"},
    {"fact_defect", "‖γ^(2) − γ^(1)⊗γ^(1)‖ on the observation grid"},
    {"admissibility_residual", "max_x |∫γ^(2)(x,y)dy − γ^(1)(x,x)| on the observation grid"},
    {"symmetry_residual", "max |γ^(2)(x,y) − γ^(2)(y,x)| (explicit γ^(2) rows only)"},
    {"gamma2_min", "min γ^(2) (explicit γ^(2) rows only)"},
}};

/**
 * @brief The resolution and step columns (resolution.hpp): the largest ‖∇φ_j‖ over the samples, the
 * largest share of a sample's mass within boundary_layer_spacings grid spacings of the box's faces,
 * the number of samples marked under-resolved so far, and the step (--dt for the fixed-step
 * integrators, for the adaptive ones the smallest step their controllers propose at the row; NaN if
 * all frozen).
 */
inline constexpr std::array<ColumnSpec, 4> monitor_column_specs{{
    {"max_grad_norm", "max_j ‖∇φ_j‖"},
    {"max_boundary_mass", "max_j of sample j's mass fraction within 4 grid spacings of the box's faces"},
    {"n_underresolved", "samples marked under-resolved at or before the row"},
    {"dt", "the step"},
}};

inline constexpr std::size_t localized_count = localized_column_specs.size();
/** @brief Positions within a radius's localized values (SampleObservables::localized). */
enum LocalizedIndex : std::size_t { loc_i, dloc_i, d2loc_i, II_i, III_i, IIIa_i, IIIb_i, IV_i, lemma61_i };

/** @brief The column name of a per-radius quantity: name + "_R" + R as C's %g prints it (`loc_R4`, `II_R2.5`). */
std::string localized_column(std::string_view name, double R);

/** @brief The column layout of a run with radii R: names in order, and positions by name. */
class ColumnSchema {
public:
    explicit ColumnSchema(std::span<const double> R);

    [[nodiscard]] const std::vector<std::string>& names() const { return names_; }
    [[nodiscard]] std::size_t size() const { return names_.size(); }
    /** @brief Position of the column `name`; throws std::logic_error when there is none. */
    [[nodiscard]] std::size_t index(std::string_view name) const;
    /** @brief Position of the per-radius column `name`_R`R`. */
    [[nodiscard]] std::size_t index(std::string_view name, double R) const { return index(localized_column(name, R)); }

private:
    std::vector<std::string> names_;
};

}  // namespace dfe
