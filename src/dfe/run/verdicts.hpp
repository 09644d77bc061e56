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
 *
 * A verdict is about the rows that were resolved (docs/physics.md §9). A row is resolved for R when every
 * sample is resolved there (n_underresolved = 0: no sample marked by the resolution monitor at or
 * before the row, so a frozen or marked sample makes every later row unresolved) and ψ_R's
 * transition layer spans at least `min_layer_spacings` grid spacings. Per R and per check the verdict
 * is one word (Verdict): `held` (held at every row, every row resolved), `failed` (failed at a
 * resolved row), `unresolved` (held at every resolved row, but some rows were not resolved).
 * vterm does not depend on R: its rows are resolved when every sample is.
 */
#include "dfe/config/run_config.hpp"
#include "dfe/io/table.hpp"

#include <array>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dfe {

struct EnsembleValues;

/**
 * @brief The slack of every check at a row whose kinetic column is `kinetic`: 1e-9 × 16·|kinetic|
 * (the header above; docs/physics.md §9).
 */
[[nodiscard]] inline double verdict_slack(double kinetic) { return 1e-9 * 16.0 * (kinetic < 0 ? -kinetic : kinetic); }

/**
 * @brief The checks' column names in verdicts.csv (public interface), in the order of the table:
 * vterm ≤ 0, IIIa_R ≤ 4|E(0)|, IIIb_R ≤ 4|E(0)| + |II_R|/2, IV_R ≤ 4|E(0)|, d2loc_R ≤ 4E(0).
 */
inline constexpr std::array<std::string_view, 5> check_names{
    "vterm_le_0", "IIIa_le_4absE0", "IIIb_le_4absE0_plus_half_absII", "IV_le_4absE0", "d2loc_le_4E0"};
/** @brief Positions in check_names. */
enum CheckIndex : std::size_t { vterm_check, IIIa_check, IIIb_check, IV_check, d2loc_check };

/**
 * @brief Where the checks' columns stand in a time-series row of ColumnSchema(R) (columns.hpp), and
 * each check's bound: the one statement of the bounds of docs/physics.md §9, read by the verdicts
 * (VerdictTracker) and by the convergence study (run/convergence.hpp).
 */
struct CheckColumns {
    explicit CheckColumns(const std::vector<double>& R);
    std::size_t size = 0;  ///< the row's length
    std::size_t t = 0, kinetic = 0, energy = 0, vterm = 0, n_underresolved = 0;
    /// Per radius: the columns of IIIa, IIIb, II, IV, d2loc and margin.
    struct Radius {
        std::size_t IIIa, IIIb, II, IV, d2loc, margin;
    };
    std::vector<Radius> radii;

    /** @brief The column of the quantity a check bounds (radius position r; not read for vterm). */
    [[nodiscard]] std::size_t quantity(std::size_t check, std::size_t r) const;
    /**
     * @brief The check's bound at `row` with E(0) = e0: 0 for vterm, 4|E(0)| for IIIa and IV,
     * 4|E(0)| + |II_R|/2 for IIIb, 4E(0) for d2loc. The check holds at the row where quantity ≤
     * bound + verdict_slack(kinetic).
     */
    [[nodiscard]] double bound(std::size_t check, std::size_t r, std::span<const double> row, double e0) const;
    /** @brief bound − quantity (−vterm for vterm): ≥ −slack where the check holds. */
    [[nodiscard]] double margin(std::size_t check, std::size_t r, std::span<const double> row, double e0) const;
};

/** @brief The verdict of one check along a run (docs/physics.md §9). */
enum class Verdict { held, failed, unresolved };
/** @brief "held", "failed" or "unresolved": public interface (verdicts.csv, run.h5, the table). */
const char* verdict_word(Verdict v);

/** @brief One check at the output rows so far. */
struct CheckRecord {
    bool failed_resolved = false;   ///< failed at some resolved row
    bool failed_unresolved = false; ///< failed at some row that was not resolved
    bool any_unresolved = false;    ///< some row was not resolved
    /** @brief The word: failed beats unresolved beats held. */
    [[nodiscard]] Verdict verdict() const;
    /** @brief Takes one row: whether the check held there and whether the row was resolved. */
    void add(bool holds, bool resolved);
};

/** @brief The verdicts for one radius. */
struct RadiusVerdict {
    double R = 0.0;
    double layer_spacings = 0.0;  ///< width of ψ_R's layer in grid spacings
    bool layer_resolved = true;   ///< layer_spacings ≥ min_layer_spacings
    double max_margin = 0.0;      ///< max over rows of margin_R
    CheckRecord IIIa_bound;       ///< IIIa_R ≤ 4|E(0)|
    CheckRecord IIIb_bound;       ///< IIIb_R ≤ 4|E(0)| + |II_R|/2
    CheckRecord IV_bound;         ///< IV_R ≤ 4|E(0)|
    CheckRecord d2loc_bound;      ///< d2loc_R ≤ 4E(0)
    double first_failure_t = -1.0;  ///< earliest time any check of this radius failed at a resolved row, −1 if none
    /// The last output time up to which every row was resolved for this R; NaN when the first was not.
    double resolved_until = std::numeric_limits<double>::quiet_NaN();
    bool all_resolved = true;     ///< every row so far resolved for this R
};

struct Verdicts {
    double energy0 = 0.0;
    CheckRecord vterm;              ///< vterm ≤ 0, rows resolved when every sample is
    double max_vterm = 0.0;
    bool radial = true;             ///< every sample radial at t = 0
    double max_radial_defect = 0.0;
    double radial_tol = 0.0;
    long rows = 0;
    /// The last output time up to which every sample was resolved at every row; NaN when none.
    double samples_resolved_until = std::numeric_limits<double>::quiet_NaN();
    bool samples_all_resolved = true;  ///< every sample resolved at every row so far
    std::vector<RadiusVerdict> radii;
    /// The smallest R (in the list) whose d2loc_R ≤ 4E(0) verdict is `held`.
    std::optional<double> smallest_R;
    /** @brief True when every check of every radius is `held`. */
    [[nodiscard]] bool all_held() const;
};

class VerdictTracker {
public:
    /** @brief For the radii of `config` on a grid of spacing dx. */
    VerdictTracker(const RunConfig& config, double dx);
    /** @brief Takes one output row (the same on every rank). */
    void add(const EnsembleValues& values);
    /**
     * @brief The same from a time-series row in the order of ColumnSchema(config.R) (a restarted
     * run feeds the rows of its checkpoint), with E(0) and the largest radial defect at t = 0.
     */
    void add_row(std::span<const double> row, double energy0, double radial_defect0);
    [[nodiscard]] const Verdicts& verdicts() const { return v_; }

private:
    Verdicts v_;
    CheckColumns columns_;
};

/** @brief The verdicts as a plain-text table with a closing summary. */
std::string format_verdicts(const Verdicts& v);
/**
 * @brief verdicts.csv and run.h5 /verdicts: one row per radius. Numbers stay numbers; the checks are
 * words (verdict_word), and the flags `layer_resolved` and `radial` are `true` or `false`.
 */
std::vector<TableColumn> verdict_columns(const Verdicts& v);
/** @brief Writes verdict_columns as CSV to `path`.tmp and renames it (call on one rank). */
void write_verdicts_csv(const std::filesystem::path& path, const Verdicts& v);

}  // namespace dfe
