// The convergence study of run/convergence.hpp: the variants' configurations, Richardson's estimate on
// synthetic sequences of known order, the verdicts' study on synthetic records (same word, margin
// against the errors and the standard error), the two CSV files, and a samples file's measure carried
// to 2N and to the larger box (on 1 and 2 ranks).
#include "dfe/run/convergence.hpp"

#include "dfe/core/error.hpp"
#include "dfe/observables/columns.hpp"
#include "dfe/spectral/field.hpp"

#include <catch2/catch.hpp>

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

/// A row in the order of ColumnSchema(R): every value 0 but t and those given by name.
std::vector<double> row(const std::vector<double>& R, double t, const std::map<std::string, double>& values)
{
    const dfe::ColumnSchema schema(R);
    std::vector<double> r(schema.size(), 0.0);
    r[schema.index("t")] = t;
    for (const auto& [name, value] : values) r[schema.index(name)] = value;
    return r;
}

/// The record of rows, with the verdicts a run would have found on them.
dfe::StudyRecord record(const dfe::RunConfig& c, const std::vector<std::vector<double>>& rows, double E0)
{
    dfe::StudyRecord rec;
    rec.rows = rows;
    rec.energy0 = E0;
    dfe::VerdictTracker tracker(c, c.L / static_cast<double>(c.N));
    for (const auto& r : rows) tracker.add_row(r, E0, 0.0);
    rec.verdicts = tracker.verdicts();
    return rec;
}

std::vector<std::string> lines(const fs::path& path)
{
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

fs::path scratch(const std::string& name)
{
    const auto dir = fs::temp_directory_path() / ("dfe_test_convergence_" + std::to_string(getpid()));
    fs::create_directories(dir);
    return dir / name;
}

}  // namespace

TEST_CASE("the study's runs: what each changes", "[convergence]")
{
    dfe::RunConfig c;
    c.d = 3;
    c.N = 64;
    c.L = 10.0;
    c.dt = 1e-3;
    c.out = "study";
    c.write_samples = "x.h5";
    const auto space = dfe::variant_config(c, dfe::StudyRun::space);
    CHECK(space.N == 128);
    CHECK(space.L == 10.0);
    CHECK(space.out == (fs::path("study") / "space").string());
    CHECK(space.write_samples.empty());
    const auto time = dfe::variant_config(c, dfe::StudyRun::time);
    CHECK(time.dt == 5e-4);
    CHECK(time.N == 64);
    // The box: N + 2⌈N/4⌉ points of the same spacing.
    const auto box = dfe::variant_config(c, dfe::StudyRun::box);
    CHECK(box.N == 96);
    CHECK(box.L == Approx(15.0).epsilon(1e-15));
    CHECK(box.L / static_cast<double>(box.N) == Approx(c.L / static_cast<double>(c.N)).epsilon(1e-15));
    CHECK(dfe::enlarged_points(6) == 10);
    CHECK(dfe::enlarged_points(10) == 16);
    // An observation grid that does not divide the box's N falls back to the default.
    c.gamma2_grid = 64;
    CHECK(dfe::variant_config(c, dfe::StudyRun::box).gamma2_grid == 0);
    CHECK(dfe::variant_config(c, dfe::StudyRun::space).gamma2_grid == 64);
    // Adaptive integrators halve the tolerance, not the first step.
    c.tol = 1e-6;
    CHECK(dfe::variant_config(c, dfe::StudyRun::time).tol == 5e-7);
    CHECK(dfe::variant_config(c, dfe::StudyRun::time).dt == 1e-3);
    c.tol = 0.0;
    c.integrator = dfe::Integrator::petsc;
    CHECK(dfe::variant_config(c, dfe::StudyRun::time).tol == 0.5 * dfe::default_petsc_tol);
}

TEST_CASE("--variants: a comma list of space, time, box, or none", "[convergence]")
{
    using R = dfe::StudyRun;
    CHECK(dfe::parse_study_runs("space,time,box", "--variants") == std::vector<R>{R::space, R::time, R::box});
    CHECK(dfe::parse_study_runs("box,time", "--variants") == std::vector<R>{R::box, R::time});
    CHECK(dfe::parse_study_runs("none", "--variants").empty());
    CHECK_THROWS_WITH(dfe::parse_study_runs("space,grid", "--variants"),
                      "--variants: 'grid' is not space, time or box (give a comma list of them, or none)");
    CHECK_THROWS_WITH(dfe::parse_study_runs("time,time", "--variants"), "--variants: time is listed twice");
    CHECK_THROWS_AS(dfe::parse_study_runs("", "--variants"), dfe::InputError);
}

TEST_CASE("Richardson's estimate recovers the error of a sequence of known order", "[convergence]")
{
    // v(dt) = v* + C dt^p + D dt^(p+1): the estimate (v(dt) − v(dt/2))·2^p/(2^p − 1) is
    // C dt^p + D dt^(p+1)·(2^p − 1/2)/(2^p − 1), the true error C dt^p + D dt^(p+1) to within
    // D dt^(p+1)/(2(2^p − 1)): with D dt/C = 0.05 that is under 1 % (5 % is the check's bound); the
    // plain difference would be 25 % (p = 2) or 6 % (p = 4) short.
    for (auto [integrator, p] : {std::pair{dfe::Integrator::strang, 2}, std::pair{dfe::Integrator::order4, 4}}) {
        dfe::RunConfig c;
        c.integrator = integrator;
        c.dt = 0.01;
        CHECK(dfe::fixed_step_order(c) == p);
        const double exact = 0.4, C = 3.0, D = 15.0;
        auto v = [&](double dt) { return exact + C * std::pow(dt, p) + D * std::pow(dt, p + 1); };
        dfe::ConvergenceStudy study(c);
        const std::vector<double> R;
        const auto kinetic = dfe::ColumnSchema(R).index("kinetic");
        study.add(dfe::StudyRun::base, record(c, {row(R, 0.0, {{"kinetic", exact}}), row(R, 1.0, {{"kinetic", v(c.dt)}})}, 0.0));
        study.add(dfe::StudyRun::time, record(c, {row(R, 0.0, {{"kinetic", exact}}), row(R, 1.0, {{"kinetic", v(c.dt / 2)}})}, 0.0));
        const double truth = v(c.dt) - exact;
        CHECK(study.error(dfe::StudyRun::time, 1, kinetic) == Approx(truth).epsilon(0.05));
        CHECK(study.error(dfe::StudyRun::time, 0, kinetic) == 0.0);
        // Runs not made, and a row the other run does not have: NaN.
        CHECK(std::isnan(study.error(dfe::StudyRun::space, 1, kinetic)));
        CHECK(std::isnan(study.error(dfe::StudyRun::time, 2, kinetic)));
    }
    // Adaptive steps: the plain difference (factor 1).
    dfe::RunConfig adaptive;
    adaptive.tol = 1e-6;
    CHECK(dfe::time_error_factor(adaptive) == 1.0);
    adaptive.tol = 0.0;
    adaptive.integrator = dfe::Integrator::petsc;
    CHECK(dfe::time_error_factor(adaptive) == 1.0);
}

TEST_CASE("the verdicts' study: the same word in every run, and a margin larger than the errors", "[convergence]")
{
    dfe::RunConfig c;
    c.d = 2;
    c.N = 64;
    c.L = 6.4;  // dx = 0.1: R = 16's layer is resolved (test_verdicts.cpp)
    c.R = {16.0};
    const double E0 = -1.0;  // bounds: IIIa ≤ 4, IIIb ≤ 4 + |II|/2, IV ≤ 4, d2loc ≤ −4, vterm ≤ 0
    auto rows = [&](double IIIa, double d2loc, double IV) {
        return std::vector<std::vector<double>>{
            row(c.R, 0.0, {{"kinetic", 1.0}, {"IIIa_R16", 1.0}, {"d2loc_R16", -5.0}, {"IV_R16", IV}, {"vterm", -1.0}}),
            row(c.R, 0.1, {{"kinetic", 1.0}, {"IIIa_R16", IIIa}, {"d2loc_R16", d2loc}, {"IV_R16", IV}, {"vterm", -0.5}})};
    };
    dfe::ConvergenceStudy study(c);
    // IIIa: margin 4 − 3.9 = 0.1 at t = 0.1, its errors 0.01 (space) and 4/3·0.02 (time): robust.
    // d2loc: margin −4 − (−4.001) = 0.001, errors 0.002 and 0.004/3·…: held everywhere, not robust.
    // IV: held in the base (3.99 ≤ 4), failed with 2N (4.01): not the same word.
    study.add(dfe::StudyRun::base, record(c, rows(3.9, -4.001, 3.99), E0));
    study.add(dfe::StudyRun::space, record(c, rows(3.89, -4.003, 4.01), E0));
    study.add(dfe::StudyRun::time, record(c, rows(3.88, -4.002, 3.99), E0));
    const auto checks = study.checks();
    REQUIRE(checks.size() == 5);
    auto find = [&](std::size_t check) {
        return *std::find_if(checks.begin(), checks.end(), [&](const dfe::CheckStudy& s) { return s.check == check; });
    };
    const auto vterm = find(dfe::vterm_check);
    CHECK(std::isnan(vterm.R));
    CHECK(vterm.margin == 0.5);
    CHECK(vterm.t == 0.1);
    CHECK(vterm.robust);
    const auto a = find(dfe::IIIa_check);
    CHECK(a.R == 16.0);
    CHECK(a.same);
    CHECK(a.margin == Approx(0.1));
    CHECK(a.err_space == Approx(-0.01));
    CHECK(a.err_time == Approx(-0.02 * 4.0 / 3.0));
    CHECK(std::isnan(a.err_box));
    CHECK(a.error == Approx(0.01 + 0.02 * 4.0 / 3.0));
    CHECK(a.robust);
    const auto d2 = find(dfe::d2loc_check);
    CHECK(d2.same);
    CHECK(*d2.verdicts[0] == dfe::Verdict::held);
    CHECK(d2.margin == Approx(0.001));
    CHECK_FALSE(d2.robust);
    const auto iv = find(dfe::IV_check);
    CHECK(*iv.verdicts[0] == dfe::Verdict::held);
    CHECK(*iv.verdicts[1] == dfe::Verdict::failed);
    CHECK_FALSE(iv.verdicts[3].has_value());
    CHECK_FALSE(iv.same);
    CHECK_FALSE(iv.robust);

    // A random draw: two standard errors of the margin count against it. IIIa's margin 0.1 against
    // errors 0.037 and 2 × (0.02 + 4 × 0.001) = 0.048: still robust; with a stderr of 0.04, not.
    auto with_stderr = [&](double s) {
        dfe::ConvergenceStudy st(c);
        auto base = record(c, rows(3.9, -4.001, 3.99), E0);
        const dfe::ColumnSchema schema(c.R);
        base.stderrs.assign(2, std::vector<double>(schema.size(), std::nan("")));
        base.stderrs[1][schema.index("IIIa", 16.0)] = s;
        base.stderrs[0][schema.index("energy")] = 0.001;
        st.add(dfe::StudyRun::base, base);
        st.add(dfe::StudyRun::space, record(c, rows(3.89, -4.003, 4.01), E0));
        st.add(dfe::StudyRun::time, record(c, rows(3.88, -4.002, 3.99), E0));
        const auto all = st.checks();
        return *std::find_if(all.begin(), all.end(), [&](const dfe::CheckStudy& x) { return x.check == dfe::IIIa_check; });
    };
    CHECK(with_stderr(0.02).std_error == Approx(0.024));
    CHECK(with_stderr(0.02).robust);
    CHECK_FALSE(with_stderr(0.04).robust);

    if (world().is_root()) {
        const auto path = scratch("verdicts.csv");
        study.write_verdicts_csv(path);
        const auto text = lines(path);
        REQUIRE(text.size() == 6);
        CHECK(text[0] == "R,check,verdict_base,verdict_space,verdict_time,verdict_box,same_in_all_runs,t,margin,slack,"
                         "err_space,err_time,err_box,error,stderr,robust");
        CHECK(text[1].rfind("nan,vterm_le_0,held,held,held,-,true,", 0) == 0);
        CHECK(text[4].rfind("1.6000000000000000e+01,IV_le_4absE0,held,failed,held,-,false,", 0) == 0);
        CHECK(text[4].substr(text[4].size() - 6) == ",false");
        CHECK(!fs::exists(path.string() + ".tmp"));
    }
}

TEST_CASE("convergence.csv: long form, one line per column and base row", "[convergence]")
{
    dfe::RunConfig c;
    c.dt = 0.01;
    const std::vector<double> R;
    dfe::ConvergenceStudy study(c);
    study.add(dfe::StudyRun::base, record(c, {row(R, 0.0, {{"mass", 1.0}}), row(R, 0.5, {{"mass", 1.5}})}, 0.0));
    study.add(dfe::StudyRun::box, record(c, {row(R, 0.0, {{"mass", 1.0}}), row(R, 0.5, {{"mass", 1.25}})}, 0.0));
    const auto names = study.columns();
    CHECK(names.size() + 1 == dfe::ColumnSchema(R).size());
    CHECK(std::find(names.begin(), names.end(), "t") == names.end());
    if (!world().is_root()) return;
    const auto path = scratch("convergence.csv");
    study.write_errors_csv(path);
    const auto text = lines(path);
    REQUIRE(text.size() == 1 + 2 * names.size());
    CHECK(text[0] == "column,t,value,err_space,err_time,err_box");
    CHECK(text[1] == "mass,0.0000000000000000e+00,1.0000000000000000e+00,nan,nan,0.0000000000000000e+00");
    CHECK(text[2] == "mass,5.0000000000000000e-01,1.5000000000000000e+00,nan,nan,2.5000000000000000e-01");
    CHECK(text[3].rfind("kinetic,0.0", 0) == 0);
}

TEST_CASE("a samples file's measure carried to 2N and to the larger box", "[convergence][mpi]")
{
    // A Gaussian of σ = 1 on L = 16, N = 48 (dx = 1/3): its spectrum at Nyquist is e^{−(π/dx)²/2}
    // ≈ 5e-20 and its value at the faces (|x_a| = 8) e^{−32}/√π ≈ 7e-15, so it is periodic and band-limited
    // to round-off: the interpolant on N = 96 and the padded field on the box of N = 72, L = 24 are the
    // Gaussian of that grid to ~1e-14 (1e-12 is the bound). (With faces at 6σ the Gaussian's 1e-8 jump
    // across the periodic box would show as Gibbs ripples of that size in the interpolant.)
    const dfe::Comm comm = world();
    dfe::MeasureConfig mc;
    mc.kind = dfe::MeasureKind::gaussian;
    mc.sigma = 1.0;
    const int d = 2;
    const long N = 48;
    const double L = 16.0;
    for (auto [run, N2, L2] : {std::tuple{dfe::StudyRun::space, 96L, 16.0}, std::tuple{dfe::StudyRun::box, 72L, 24.0}}) {
        const dfe::CarriedMeasure carried(dfe::make_builtin_measure(mc, d), d, N, L, run);
        CHECK(carried.size() == 1);
        const dfe::Grid grid(comm, d, N2, L2);
        std::vector<dfe::cplx> phi(static_cast<std::size_t>(grid.alloc_complex())), direct(phi.size());
        dfe::cplx* one[] = {phi.data()};
        carried.fill(grid, 0, one);
        dfe::fill_gaussian(grid, 1.0, direct.data());
        double diff = 0.0, norm2 = 0.0;
        for (std::ptrdiff_t i = 0; i < grid.local_points(); ++i) {
            diff = std::max(diff, std::abs(phi[static_cast<std::size_t>(i)] - direct[static_cast<std::size_t>(i)]));
            norm2 += std::norm(phi[static_cast<std::size_t>(i)]);
        }
        CHECK(comm.max(diff) < 1e-12);
        CHECK(grid.cell_volume() * comm.sum(norm2) == Approx(1.0).epsilon(1e-13));
    }
    // A sample with mass at the faces cannot be padded: one line, on every rank.
    mc.sigma = 5.0;
    const auto wide = dfe::make_builtin_measure(mc, d);
    CHECK_THROWS_WITH(dfe::require_paddable(comm, *wide, d, N, L, 1e-6),
                      Catch::Matchers::StartsWith("the box run cannot enlarge the box of this samples file: sample 0 has"));
    mc.sigma = 1.0;
    CHECK_NOTHROW(dfe::require_paddable(comm, *dfe::make_builtin_measure(mc, d), d, N, L, 1e-6));
}
