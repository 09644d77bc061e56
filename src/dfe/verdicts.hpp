#pragma once
/**
 * @file verdicts.hpp
 * @brief Which steps of the proof of Theorem 1.2 held along a run, per localization radius R.
 *
 * The proof bounds ∂_tt loc_R = d2loc_R = 16E + II_R + vterm + III_R + IV_R (Lemma 6.1) by
 *   vterm ≤ 0                        (hypothesis (1.6)),
 *   |III_R| ≤ IIIa_R + IIIb_R with IIIa_R ≤ 4|E(0)| (6.9) and IIIb_R ≤ 4|E(0)| + |II_R|/2 (6.14),
 *   IV_R ≤ 4|E(0)|                   (6.16),
 * and concludes d2loc_R ≤ 4E(0) + ½ II_R ≤ 4E(0), i.e. margin_R = d2loc_R − 4E(0) ≤ 0. Each check is
 * made at every output row with a slack of 1e-9 × 16·kinetic(t) (the scale of the terms that cancel
 * in d2loc_R; round-off of the spectral sums is ~1e-13 of it), so that an identity that holds with
 * equality (vterm ≡ 0 for λ|x|^{−2} in 3D) is not reported as violated by round-off.
 * Theorem 1.2 also needs every sample radial: the largest radial_defect at t = 0 against --radial-tol.
 * A radius whose ψ_R transition layer has fewer than `min_layer_spacings` grid spacings is marked
 * under-resolved: its localized terms are not trustworthy to the stated accuracy.
 */
#include "dfe/ensemble.hpp"

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace dfe {

/** @brief The verdict for one radius. The bool checks are "held at every output row". */
struct RadiusVerdict {
    double R = 0.0;
    double layer_spacings = 0.0;  ///< width of ψ_R's layer in grid spacings
    bool resolved = true;         ///< layer_spacings ≥ min_layer_spacings
    double max_margin = 0.0;      ///< max over rows of margin_R
    bool IIIa_bound = true;       ///< IIIa_R ≤ 4|E(0)|
    bool IIIb_bound = true;       ///< IIIb_R ≤ 4|E(0)| + |II_R|/2
    bool IV_bound = true;         ///< IV_R ≤ 4|E(0)|
    bool d2loc_bound = true;      ///< d2loc_R ≤ 4E(0)
    double first_failure_t = -1.0;  ///< earliest time any check of this radius failed, −1 if none
};

struct Verdicts {
    double energy0 = 0.0;
    bool vterm_nonpositive = true;  ///< vterm ≤ 0 at every row
    double max_vterm = 0.0;
    bool radial = true;             ///< every sample radial at t = 0
    double max_radial_defect = 0.0;
    double radial_tol = 0.0;
    long rows = 0;
    std::vector<RadiusVerdict> radii;
    /// The smallest R (in the list, resolved or not) for which d2loc_R ≤ 4E(0) held throughout.
    std::optional<double> smallest_R;
};

class VerdictTracker {
public:
    /** @brief For the radii of `config` on a grid of spacing dx. */
    VerdictTracker(const RunConfig& config, double dx);
    /** @brief Takes one output row (the same on every rank). */
    void add(const EnsembleValues& values) { add_row(values.row_values(), values.energy0, values.max_radial_defect); }
    /**
     * @brief The same from a time-series row in the order of ensemble_columns(config) (a restarted
     * run feeds the rows of its checkpoint), with E(0) and the largest radial defect at t = 0.
     */
    void add_row(std::span<const double> row, double energy0, double radial_defect0);
    [[nodiscard]] const Verdicts& verdicts() const { return v_; }

private:
    Verdicts v_;
};

/** @brief The verdicts as a plain-text table with a closing summary. */
std::string format_verdicts(const Verdicts& v);
/** @brief verdicts.csv: one row per radius (columns of `verdict_columns`). */
std::vector<std::pair<std::string, std::vector<double>>> verdict_columns(const Verdicts& v);
/** @brief Writes verdict_columns as CSV to `path`.tmp and renames it (call on one rank). */
void write_verdicts_csv(const std::filesystem::path& path, const Verdicts& v);

}  // namespace dfe
