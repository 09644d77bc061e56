// The verdict words of verdicts.hpp (docs/physics.md §9) on synthetic time-series rows: which rows are
// resolved (n_underresolved, ψ_R's layer), held / failed / unresolved, resolved_until, the summary,
// and verdicts.csv with words and numbers.
#include "dfe/run/verdicts.hpp"

#include "dfe/core/error.hpp"
#include "dfe/observables/columns.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

namespace {

/// R = 16 has a layer of 16.0·… spacings at dx = 0.1 (resolved); R = 0.25 of 2.2 (not).
dfe::RunConfig config()
{
    dfe::RunConfig c;
    c.d = 2;
    c.N = 64;
    c.L = 6.4;  // dx = 0.1
    c.R = {16.0, 0.25};
    return c;
}

/// A row in the order of ColumnSchema(c.R): every value 0 but those given by name.
std::vector<double> row(const dfe::RunConfig& c, const std::map<std::string, double>& values)
{
    const auto names = dfe::ColumnSchema(c.R).names();
    std::vector<double> r(names.size(), 0.0);
    for (const auto& [name, value] : values) {
        const auto it = std::find(names.begin(), names.end(), name);
        REQUIRE(it != names.end());
        r[static_cast<std::size_t>(it - names.begin())] = value;
    }
    return r;
}

}  // namespace

TEST_CASE("verdict words: held, failed at a resolved row, unresolved", "[verdicts]")
{
    const auto c = config();
    const double E0 = -1.0;  // checks: IIIa ≤ 4, IIIb ≤ 4 + |II|/2, IV ≤ 4, d2loc ≤ −4, vterm ≤ 0
    SECTION("every row resolved, every check held")
    {
        dfe::VerdictTracker v(c, c.L / static_cast<double>(c.N));
        for (double t : {0.0, 0.1, 0.2}) v.add_row(row(c, {{"t", t}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}}), E0, 0.0);
        const auto& r = v.verdicts().radii[0];
        CHECK(r.layer_resolved);
        CHECK(r.d2loc_bound.verdict() == dfe::Verdict::held);
        CHECK(r.IIIa_bound.verdict() == dfe::Verdict::held);
        CHECK(r.resolved_until == 0.2);
        CHECK(v.verdicts().vterm.verdict() == dfe::Verdict::held);
        // R = 0.25: its layer is not resolved, so no row is, whatever the values say.
        const auto& small = v.verdicts().radii[1];
        CHECK_FALSE(small.layer_resolved);
        CHECK(small.d2loc_bound.verdict() == dfe::Verdict::unresolved);
        CHECK(std::isnan(small.resolved_until));
        CHECK_FALSE(v.verdicts().all_held());  // R = 0.25 is unresolved
        CHECK(format_verdicts(v.verdicts()).find("not every check held: 0 failed, 4 unresolved") != std::string::npos);
    }
    SECTION("a failure at an under-resolved row is unresolved, not held and not failed")
    {
        dfe::VerdictTracker v(c, c.L / static_cast<double>(c.N));
        v.add_row(row(c, {{"t", 0.0}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}}), E0, 0.0);
        v.add_row(row(c, {{"t", 0.1}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}}), E0, 0.0);
        // From t = 0.2 a sample is marked under-resolved, and d2loc_R16 > 4E(0) there.
        v.add_row(row(c, {{"t", 0.2}, {"kinetic", 1.0}, {"d2loc_R16", 3.0}, {"n_underresolved", 1.0}}), E0, 0.0);
        v.add_row(row(c, {{"t", 0.3}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}, {"n_underresolved", 1.0}}), E0, 0.0);
        const auto& r = v.verdicts().radii[0];
        CHECK(r.d2loc_bound.verdict() == dfe::Verdict::unresolved);
        CHECK(r.d2loc_bound.failed_unresolved);
        CHECK(r.IIIa_bound.verdict() == dfe::Verdict::unresolved);
        CHECK(r.resolved_until == 0.1);
        CHECK(r.first_failure_t == -1.0);  // no failure at a resolved row
        CHECK(v.verdicts().samples_resolved_until == 0.1);
        CHECK(v.verdicts().vterm.verdict() == dfe::Verdict::unresolved);
        CHECK_FALSE(v.verdicts().smallest_R.has_value());
        const std::string text = format_verdicts(v.verdicts());
        CHECK(text.find("every check held at every row") == std::string::npos);
        CHECK(text.find("every sample resolved until: t = 0.1") != std::string::npos);
    }
    SECTION("a failure at a resolved row is failed, whatever comes after")
    {
        dfe::VerdictTracker v(c, c.L / static_cast<double>(c.N));
        v.add_row(row(c, {{"t", 0.0}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}, {"IIIb_R16", 4.4}, {"II_R16", -1.0}}), E0, 0.0);
        v.add_row(row(c, {{"t", 0.1}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}, {"IIIb_R16", 4.6}, {"II_R16", -1.0}}), E0, 0.0);
        v.add_row(row(c, {{"t", 0.2}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}, {"n_underresolved", 2.0}}), E0, 0.0);
        const auto& r = v.verdicts().radii[0];
        CHECK(r.IIIb_bound.verdict() == dfe::Verdict::failed);  // 4.6 > 4 + 1/2 at a resolved row
        CHECK(r.first_failure_t == 0.1);
        CHECK(r.d2loc_bound.verdict() == dfe::Verdict::unresolved);
        // The slack 1e-9·16·kinetic: vterm = 1e-9 ≤ 1.6e-8 counts as held.
        dfe::VerdictTracker w(c, c.L / static_cast<double>(c.N));
        w.add_row(row(c, {{"t", 0.0}, {"kinetic", 1.0}, {"vterm", 1e-9}, {"d2loc_R16", -5.0}}), E0, 0.0);
        CHECK(w.verdicts().vterm.verdict() == dfe::Verdict::held);
        w.add_row(row(c, {{"t", 0.1}, {"kinetic", 1.0}, {"vterm", 1e-7}, {"d2loc_R16", -5.0}}), E0, 0.0);
        CHECK(w.verdicts().vterm.verdict() == dfe::Verdict::failed);
    }
    SECTION("one radius, all resolved and held: the summary says so")
    {
        auto one = c;
        one.R = {16.0};
        dfe::VerdictTracker v(one, one.L / static_cast<double>(one.N));
        v.add_row(row(one, {{"t", 0.0}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}}), E0, 0.0);
        CHECK(v.verdicts().all_held());
        CHECK(v.verdicts().smallest_R == 16.0);
        CHECK(format_verdicts(v.verdicts()).find("every check held at every row, and every row was resolved") != std::string::npos);
    }
    SECTION("a row of the wrong length is refused")
    {
        dfe::VerdictTracker v(c, 0.1);
        CHECK_THROWS_AS(v.add_row(std::vector<double>(5, 0.0), E0, 0.0), dfe::Error);
    }
}

TEST_CASE("verdicts.csv: words for the checks and flags, numbers for the numbers", "[verdicts]")
{
    const auto c = config();
    dfe::VerdictTracker v(c, c.L / static_cast<double>(c.N));
    v.add_row(row(c, {{"t", 0.0}, {"kinetic", 1.0}, {"d2loc_R16", -5.0}}), -1.0, 0.5);
    const auto dir = std::filesystem::temp_directory_path() / ("dfe_test_verdicts_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    dfe::write_verdicts_csv(dir / "verdicts.csv", v.verdicts());
    std::ifstream in(dir / "verdicts.csv");
    std::string header, first, second;
    std::getline(in, header);
    std::getline(in, first);
    std::getline(in, second);
    CHECK(header == "R,layer_spacings,layer_resolved,resolved_until,max_margin,vterm_le_0,IIIa_le_4absE0,"
                    "IIIb_le_4absE0_plus_half_absII,IV_le_4absE0,d2loc_le_4E0,first_failure_t,radial,max_radial_defect");
    CHECK(first.rfind("1.6000000000000000e+01,", 0) == 0);
    CHECK(first.find(",true,0.0000000000000000e+00,") != std::string::npos);  // layer resolved, resolved until t = 0
    CHECK(first.find(",held,held,held,held,held,-1.0000000000000000e+00,false,5.0000000000000000e-01") != std::string::npos);
    CHECK(second.find(",false,nan,") != std::string::npos);
    CHECK(second.find(",held,unresolved,unresolved,unresolved,unresolved,") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "verdicts.csv.tmp"));
    std::filesystem::remove_all(dir);
}
