#include "dfe/run/verdicts.hpp"

#include "dfe/ensemble/ensemble.hpp"
#include "dfe/io/timeseries.hpp"
#include "dfe/observables/columns.hpp"

#include "dfe/physics/cutoff.hpp"
#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace dfe {

const char* verdict_word(Verdict v)
{
    switch (v) {
    case Verdict::held: return "held";
    case Verdict::failed: return "failed";
    case Verdict::unresolved: return "unresolved";
    }
    return "?";
}

Verdict CheckRecord::verdict() const
{
    if (failed_resolved) return Verdict::failed;
    if (any_unresolved) return Verdict::unresolved;
    return Verdict::held;
}

void CheckRecord::add(bool holds, bool resolved)
{
    any_unresolved = any_unresolved || !resolved;
    if (!holds) (resolved ? failed_resolved : failed_unresolved) = true;
}

bool Verdicts::all_held() const
{
    if (vterm.verdict() != Verdict::held) return false;
    for (const RadiusVerdict& r : radii)
        for (const CheckRecord* c : {&r.IIIa_bound, &r.IIIb_bound, &r.IV_bound, &r.d2loc_bound})
            if (c->verdict() != Verdict::held) return false;
    return true;
}

CheckColumns::CheckColumns(const std::vector<double>& R)
{
    // Columns by name, from the one schema (columns.hpp).
    const ColumnSchema schema(R);
    size = schema.size();
    t = schema.index("t");
    kinetic = schema.index("kinetic");
    energy = schema.index("energy");
    vterm = schema.index("vterm");
    n_underresolved = schema.index("n_underresolved");
    for (double r : R)
        radii.push_back({schema.index("IIIa", r), schema.index("IIIb", r), schema.index("II", r), schema.index("IV", r),
                         schema.index("d2loc", r), schema.index("margin", r)});
}

std::size_t CheckColumns::quantity(std::size_t check, std::size_t r) const
{
    if (check == vterm_check) return vterm;
    const Radius& c = radii[r];
    const std::size_t of[] = {vterm, c.IIIa, c.IIIb, c.IV, c.d2loc};
    return of[check];
}

double CheckColumns::bound(std::size_t check, std::size_t r, std::span<const double> row, double e0) const
{
    switch (check) {
    case vterm_check: return 0.0;
    case IIIb_check: return 4.0 * std::abs(e0) + 0.5 * std::abs(row[radii[r].II]);
    case d2loc_check: return 4.0 * e0;
    default: return 4.0 * std::abs(e0);  // IIIa, IV
    }
}

double CheckColumns::margin(std::size_t check, std::size_t r, std::span<const double> row, double e0) const
{
    if (check == vterm_check) return -row[vterm];
    return bound(check, r, row, e0) - row[quantity(check, r)];
}

VerdictTracker::VerdictTracker(const RunConfig& config, double dx) : columns_(config.R)
{
    const Cutoff cutoff(config.cutoff_order, config.cutoff_width);
    v_.radial_tol = config.radial_tol;
    v_.max_vterm = -INFINITY;
    for (double R : config.R) {
        RadiusVerdict r;
        r.R = R;
        r.layer_spacings = cutoff.layer_spacings(R, dx);
        r.layer_resolved = r.layer_spacings >= min_layer_spacings;
        r.max_margin = -INFINITY;
        v_.radii.push_back(r);
    }
}

void VerdictTracker::add(const EnsembleValues& values)
{
    add_row(values.row_values(), values.energy0, values.max_radial_defect);
}

void VerdictTracker::add_row(std::span<const double> row, double energy0, double radial_defect0)
{
    if (row.size() != columns_.size)
        throw Error("verdicts: a row of " + std::to_string(row.size()) + " values, expected " + std::to_string(columns_.size));
    if (v_.rows == 0) {
        v_.energy0 = energy0;
        v_.max_radial_defect = radial_defect0;
        v_.radial = radial_defect0 <= v_.radial_tol;
    }
    ++v_.rows;
    const double t = row[columns_.t];
    const double slack = verdict_slack(row[columns_.kinetic]);
    const double e0 = v_.energy0;
    auto holds = [&](std::size_t check, std::size_t r) {
        return row[columns_.quantity(check, r)] <= columns_.bound(check, r, row, e0) + slack;
    };
    // Resolved samples: none marked under-resolved at or before this row (marks are for good).
    const bool samples_resolved = row[columns_.n_underresolved] == 0.0;
    v_.samples_all_resolved = v_.samples_all_resolved && samples_resolved;
    if (v_.samples_all_resolved) v_.samples_resolved_until = t;
    v_.max_vterm = std::max(v_.max_vterm, row[columns_.vterm]);
    v_.vterm.add(holds(vterm_check, 0), samples_resolved);
    for (std::size_t r = 0; r < v_.radii.size(); ++r) {
        RadiusVerdict& rv = v_.radii[r];
        const bool resolved = samples_resolved && rv.layer_resolved;
        rv.all_resolved = rv.all_resolved && resolved;
        if (rv.all_resolved) rv.resolved_until = t;
        rv.max_margin = std::max(rv.max_margin, row[columns_.radii[r].margin]);
        const bool a = holds(IIIa_check, r);
        const bool b = holds(IIIb_check, r);
        const bool iv = holds(IV_check, r);
        const bool d2 = holds(d2loc_check, r);
        rv.IIIa_bound.add(a, resolved);
        rv.IIIb_bound.add(b, resolved);
        rv.IV_bound.add(iv, resolved);
        rv.d2loc_bound.add(d2, resolved);
        if (resolved && !(a && b && iv && d2) && rv.first_failure_t < 0.0) rv.first_failure_t = t;
    }
    v_.smallest_R.reset();
    for (const RadiusVerdict& rv : v_.radii)
        if (rv.d2loc_bound.verdict() == Verdict::held && (!v_.smallest_R || rv.R < *v_.smallest_R)) v_.smallest_R = rv.R;
}

std::vector<TableColumn> verdict_columns(const Verdicts& v)
{
    std::vector<double> R, layer, until, margin, first_fail, defect;
    std::vector<std::string> layer_ok, vterm, a, b, iv, d2, radial;
    auto flag = [](bool x) { return std::string(x ? "true" : "false"); };
    for (const RadiusVerdict& r : v.radii) {
        R.push_back(r.R);
        layer.push_back(r.layer_spacings);
        layer_ok.push_back(flag(r.layer_resolved));
        until.push_back(r.resolved_until);
        margin.push_back(r.max_margin);
        vterm.emplace_back(verdict_word(v.vterm.verdict()));
        a.emplace_back(verdict_word(r.IIIa_bound.verdict()));
        b.emplace_back(verdict_word(r.IIIb_bound.verdict()));
        iv.emplace_back(verdict_word(r.IV_bound.verdict()));
        d2.emplace_back(verdict_word(r.d2loc_bound.verdict()));
        first_fail.push_back(r.first_failure_t);
        radial.push_back(flag(v.radial));
        defect.push_back(v.max_radial_defect);
    }
    return {{"R", R},
            {"layer_spacings", layer},
            {"layer_resolved", layer_ok},
            {"resolved_until", until},
            {"max_margin", margin},
            {std::string(check_names[vterm_check]), vterm},
            {std::string(check_names[IIIa_check]), a},
            {std::string(check_names[IIIb_check]), b},
            {std::string(check_names[IV_check]), iv},
            {std::string(check_names[d2loc_check]), d2},
            {"first_failure_t", first_fail},
            {"radial", radial},
            {"max_radial_defect", defect}};
}

void write_verdicts_csv(const std::filesystem::path& path, const Verdicts& v)
{
    const auto columns = verdict_columns(v);
    write_text_file(path, [&](std::ostream& out) {
        for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i].name;
        out << '\n';
        for (std::size_t r = 0; r < v.radii.size(); ++r) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                out << (i ? "," : "");
                if (const auto* numbers = std::get_if<std::vector<double>>(&columns[i].values))
                    out << format_number((*numbers)[r]);
                else
                    out << std::get<std::vector<std::string>>(columns[i].values)[r];
            }
            out << '\n';
        }
    });
}

std::string format_verdicts(const Verdicts& v)
{
    std::string s;
    char line[512];
    auto yes = [](bool b) { return b ? "yes" : "NO"; };
    std::snprintf(line, sizeof line,
                  "Verdicts of the proof of Theorem 1.2 over %ld output rows, E(0) = %.9g\n"
                  "  (held: at every row, every row resolved; failed: at a resolved row; unresolved: held at every\n"
                  "  resolved row, but some rows were not resolved)\n",
                  v.rows, v.energy0);
    s += line;
    std::snprintf(line, sizeof line, "  vterm <= 0 (hypothesis (1.6)): %s (max vterm %.3g)\n", verdict_word(v.vterm.verdict()),
                  v.max_vterm);
    s += line;
    std::snprintf(line, sizeof line, "  every sample radial at t = 0 (defect <= %.1e): %s (largest defect %.3g)\n",
                  v.radial_tol, yes(v.radial), v.max_radial_defect);
    s += line;
    if (!v.samples_all_resolved) {
        if (std::isnan(v.samples_resolved_until)) std::snprintf(line, sizeof line, "  every sample resolved until: no row\n");
        else std::snprintf(line, sizeof line, "  every sample resolved until: t = %g\n", v.samples_resolved_until);
        s += line;
    }
    std::snprintf(line, sizeof line, "%8s %9s %14s %13s %12s %19s %11s %11s %11s\n", "R", "layer/dx", "resolved until",
                  "max margin_R", "IIIa<=4|E0|", "IIIb<=4|E0|+|II|/2", "IV<=4|E0|", "d2loc<=4E0", "first fail");
    s += line;
    for (const RadiusVerdict& r : v.radii) {
        char fail[32], until[32];
        if (r.first_failure_t < 0) std::snprintf(fail, sizeof fail, "-");
        else std::snprintf(fail, sizeof fail, "t=%g", r.first_failure_t);
        if (r.all_resolved) std::snprintf(until, sizeof until, "end");
        else if (!std::isnan(r.resolved_until)) std::snprintf(until, sizeof until, "t=%g", r.resolved_until);
        else std::snprintf(until, sizeof until, "never");
        std::snprintf(line, sizeof line, "%8g %8.1f%s %14s %13.6g %12s %19s %11s %11s %11s\n", r.R, r.layer_spacings,
                      r.layer_resolved ? " " : "!", until, r.max_margin, verdict_word(r.IIIa_bound.verdict()),
                      verdict_word(r.IIIb_bound.verdict()), verdict_word(r.IV_bound.verdict()),
                      verdict_word(r.d2loc_bound.verdict()), fail);
        s += line;
    }
    bool under = false;
    for (const RadiusVerdict& r : v.radii) under = under || !r.layer_resolved;
    if (under) {
        std::snprintf(line, sizeof line,
                      "  ! fewer than %g grid spacings across the layer of psi_R: no row is resolved for that R; refine N or use a larger R\n",
                      min_layer_spacings);
        s += line;
    }
    if (v.smallest_R) std::snprintf(line, sizeof line, "  smallest R whose d2loc_R <= 4E(0) verdict is held: %g\n", *v.smallest_R);
    else std::snprintf(line, sizeof line, "  d2loc_R <= 4E(0) is held for no R in the list\n");
    s += line;
    if (v.all_held()) {
        s += "  every check held at every row, and every row was resolved\n";
    } else {
        int failed = 0, unresolved = 0;
        auto count = [&](const CheckRecord& c) {
            failed += c.verdict() == Verdict::failed;
            unresolved += c.verdict() == Verdict::unresolved;
        };
        count(v.vterm);
        for (const RadiusVerdict& r : v.radii)
            for (const CheckRecord* c : {&r.IIIa_bound, &r.IIIb_bound, &r.IV_bound, &r.d2loc_bound}) count(*c);
        std::snprintf(line, sizeof line, "  not every check held: %d failed, %d unresolved\n", failed, unresolved);
        s += line;
    }
    return s;
}

}  // namespace dfe
