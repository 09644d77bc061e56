#include "dfe/verdicts.hpp"

#include "dfe/cutoff.hpp"
#include "dfe/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

namespace dfe {

VerdictTracker::VerdictTracker(const RunConfig& config, double dx)
{
    const Cutoff cutoff(config.cutoff_order, config.cutoff_width);
    v_.radial_tol = config.radial_tol;
    v_.max_vterm = -INFINITY;
    for (double R : config.R) {
        RadiusVerdict r;
        r.R = R;
        r.layer_spacings = cutoff.layer_spacings(R, dx);
        r.resolved = r.layer_spacings >= min_layer_spacings;
        r.max_margin = -INFINITY;
        v_.radii.push_back(r);
    }
}

void VerdictTracker::add_row(std::span<const double> row, double energy0, double radial_defect0)
{
    // Column positions of ensemble_columns(): t, the 8 sample columns, glassey_T, then 9 per radius.
    constexpr std::size_t t_col = 0, kinetic_col = 2, vterm_col = 8, first_radius_col = 10, per_radius = localized_count + 1;
    if (row.size() < first_radius_col + per_radius * v_.radii.size())
        throw Error("verdicts: a row of " + std::to_string(row.size()) + " values is too short for " +
                    std::to_string(v_.radii.size()) + " radii");
    if (v_.rows == 0) {
        v_.energy0 = energy0;
        v_.max_radial_defect = radial_defect0;
        v_.radial = radial_defect0 <= v_.radial_tol;
    }
    ++v_.rows;
    const double slack = 1e-9 * 16.0 * std::abs(row[kinetic_col]);
    const double e0 = v_.energy0;
    const double vterm = row[vterm_col];
    v_.max_vterm = std::max(v_.max_vterm, vterm);
    if (!(vterm <= slack)) v_.vterm_nonpositive = false;
    for (std::size_t r = 0; r < v_.radii.size(); ++r) {
        RadiusVerdict& rv = v_.radii[r];
        const double* q = row.data() + first_radius_col + r * per_radius;
        rv.max_margin = std::max(rv.max_margin, q[localized_count]);
        bool ok = true;
        auto check = [&](bool& flag, bool holds) {
            if (!holds) {
                flag = false;
                ok = false;
            }
        };
        check(rv.IIIa_bound, q[IIIa_i] <= 4.0 * std::abs(e0) + slack);
        check(rv.IIIb_bound, q[IIIb_i] <= 4.0 * std::abs(e0) + 0.5 * std::abs(q[II_i]) + slack);
        check(rv.IV_bound, q[IV_i] <= 4.0 * std::abs(e0) + slack);
        check(rv.d2loc_bound, q[d2loc_i] <= 4.0 * e0 + slack);
        if (!ok && rv.first_failure_t < 0.0) rv.first_failure_t = row[t_col];
    }
    v_.smallest_R.reset();
    for (const RadiusVerdict& rv : v_.radii)
        if (rv.d2loc_bound && (!v_.smallest_R || rv.R < *v_.smallest_R)) v_.smallest_R = rv.R;
}

std::vector<std::pair<std::string, std::vector<double>>> verdict_columns(const Verdicts& v)
{
    std::vector<std::pair<std::string, std::vector<double>>> c{
        {"R", {}}, {"layer_spacings", {}}, {"resolved", {}}, {"max_margin", {}}, {"vterm_le_0", {}},
        {"IIIa_le_4absE0", {}}, {"IIIb_le_4absE0_plus_half_absII", {}}, {"IV_le_4absE0", {}}, {"d2loc_le_4E0", {}},
        {"first_failure_t", {}}, {"radial", {}}, {"max_radial_defect", {}}};
    for (const RadiusVerdict& r : v.radii) {
        const double row[] = {r.R, r.layer_spacings, r.resolved ? 1.0 : 0.0, r.max_margin,
                              v.vterm_nonpositive ? 1.0 : 0.0, r.IIIa_bound ? 1.0 : 0.0, r.IIIb_bound ? 1.0 : 0.0,
                              r.IV_bound ? 1.0 : 0.0, r.d2loc_bound ? 1.0 : 0.0, r.first_failure_t,
                              v.radial ? 1.0 : 0.0, v.max_radial_defect};
        for (std::size_t i = 0; i < c.size(); ++i) c[i].second.push_back(row[i]);
    }
    return c;
}

void write_verdicts_csv(const std::filesystem::path& path, const Verdicts& v)
{
    const auto columns = verdict_columns(v);
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) throw Error("cannot write " + tmp.string());
        for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i].first;
        out << '\n';
        char cell[40];
        for (std::size_t r = 0; r < v.radii.size(); ++r) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                std::snprintf(cell, sizeof cell, "%.16e", columns[i].second[r]);
                out << (i ? "," : "") << cell;
            }
            out << '\n';
        }
        if (!out.flush()) throw Error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, path);
}

std::string format_verdicts(const Verdicts& v)
{
    std::string s;
    char line[512];
    auto yes = [](bool b) { return b ? "yes" : "NO"; };
    std::snprintf(line, sizeof line,
                  "Verdicts of the proof of Theorem 1.2 over %ld output rows, E(0) = %.9g (checks hold at every row):\n",
                  v.rows, v.energy0);
    s += line;
    std::snprintf(line, sizeof line, "  vterm <= 0 (hypothesis (1.6)): %s (max vterm %.3g)\n", yes(v.vterm_nonpositive), v.max_vterm);
    s += line;
    std::snprintf(line, sizeof line, "  every sample radial at t = 0 (defect <= %.1e): %s (largest defect %.3g)\n",
                  v.radial_tol, yes(v.radial), v.max_radial_defect);
    s += line;
    std::snprintf(line, sizeof line, "%10s %10s %14s %12s %19s %10s %11s %11s\n", "R", "layer/dx", "max margin_R",
                  "IIIa<=4|E0|", "IIIb<=4|E0|+|II|/2", "IV<=4|E0|", "d2loc<=4E0", "first fail");
    s += line;
    for (const RadiusVerdict& r : v.radii) {
        char fail[32];
        if (r.first_failure_t < 0) std::snprintf(fail, sizeof fail, "-");
        else std::snprintf(fail, sizeof fail, "t=%g", r.first_failure_t);
        std::snprintf(line, sizeof line, "%10g %9.1f%s %14.6g %12s %19s %10s %11s %11s\n", r.R, r.layer_spacings,
                      r.resolved ? " " : "!", r.max_margin, yes(r.IIIa_bound), yes(r.IIIb_bound), yes(r.IV_bound),
                      yes(r.d2loc_bound), fail);
        s += line;
    }
    bool under = false;
    for (const RadiusVerdict& r : v.radii) under = under || !r.resolved;
    if (under) {
        std::snprintf(line, sizeof line, "  ! under-resolved: fewer than %g grid spacings across the layer of psi_R; refine N or use a larger R\n",
                      min_layer_spacings);
        s += line;
    }
    if (v.smallest_R) std::snprintf(line, sizeof line, "  smallest R with d2loc_R <= 4E(0) throughout: %g\n", *v.smallest_R);
    else std::snprintf(line, sizeof line, "  d2loc_R <= 4E(0) held throughout for no R in the list\n");
    s += line;
    return s;
}

}  // namespace dfe
