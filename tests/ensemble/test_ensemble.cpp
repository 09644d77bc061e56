// The ensemble (docs/physics.md §1, §5, §6 item 8) against closed forms, independent computations and
// each other, on 1 to 4 ranks, with 1 or 2 ranks per sample.
#include "ensemble_fixtures.hpp"
#include "helpers.hpp"

#include "dfe/observables/observables.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>

using dfe_test::run_rows;

using dfe_test::FieldMeasure;
using dfe_test::OneSample;
using dfe_test::mixed_config;
using dfe_test::world;

namespace {

/// Checks every column of two runs against each other, relative to max(1, |value|).
void check_same(const std::vector<dfe_test::Row>& a, const std::vector<dfe_test::Row>& b, double tol,
                const dfe::RunConfig& config)
{
    REQUIRE(a.size() == b.size());
    const auto names = dfe::ColumnSchema(config.R).names();
    for (std::size_t r = 0; r < a.size(); ++r) {
        const auto x = a[r].v.row_values();
        const auto y = b[r].v.row_values();
        for (std::size_t k = 0; k < x.size(); ++k) {
            INFO("row " << r << ", column " << names[k] << ": " << x[k] << " vs " << y[k]);
            if (std::isnan(x[k]) || std::isnan(y[k])) {
                CHECK(std::isnan(x[k]) == std::isnan(y[k]));
                continue;
            }
            if (std::isinf(x[k]) || std::isinf(y[k])) {
                CHECK(x[k] == y[k]);  // glassey_T is +inf when the parabola has no positive root
                continue;
            }
            CHECK(std::abs(x[k] - y[k]) <= tol * std::max(1.0, std::abs(y[k])));
        }
    }
}

}  // namespace

TEST_CASE("results do not depend on ranks, ranks per sample, or how samples are spread", "[ensemble][ranks][mpi]")
{
    // Reference: every sample on this rank alone. Then the whole launch with g = 1 (samples spread
    // over groups, 3 + 2 on 2 ranks) and g = size (one group). Only summation orders differ: the
    // tolerance 1e-12 is round-off amplified mildly by 20 steps and the reductions.
    const auto w = world();
    auto c = mixed_config();
    c.R = {2.0, 6.0};  // the localized terms too, including the observation-grid pair sums
    const auto alone = run_rows(dfe_test::self_comm(w), c);
    auto spread = c;
    spread.ranks_per_sample = 1;
    check_same(run_rows(w, spread), alone, 1e-12, c);
    auto shared = c;
    shared.ranks_per_sample = w.size();
    check_same(run_rows(w, shared), alone, 1e-12, c);
}

TEST_CASE("one sample is factorized: purity = lambda_max = 1, fact_defect = 0", "[ensemble][mpi]")
{
    auto c = mixed_config(1);
    c.measure.kind = dfe::MeasureKind::gaussian;
    const auto w = world();
    c.ranks_per_sample = w.size();
    for (const auto& r : run_rows(w, c)) {
        // |⟨φ,φ⟩|² = 1 for a normalized sample: round-off of a grid sum.
        CHECK(r.v.purity == Approx(1.0).epsilon(1e-13));
        CHECK(r.v.lambda_max == Approx(1.0).epsilon(1e-13));
        // δ_1 = ρ_1 − γ^(1) is exactly zero for M = 1.
        CHECK(r.v.fact_defect == 0.0);
        REQUIRE(r.v.gamma2);
        CHECK(r.v.gamma2->fact_defect < 1e-15);
    }
}

TEST_CASE("two orthogonal samples: purity = Σw², lambda_max = max w", "[ensemble][mpi]")
{
    // φ_1 ∝ e^{−|x|²/2} is even and φ_2 ∝ x₁ e^{−|x|²/2} odd under x₁ → −x₁, so ⟨φ_1, φ_2⟩ = 0 up to
    // the unpaired grid point x₁ = −L/2, where both are below e^{−32}.
    auto c = mixed_config(2);
    const std::vector<double> weights{0.3, 0.7};
    const auto w = world();
    for (int g : {1, w.size()}) {
        if (w.size() / g > 2) continue;  // two samples fill at most two groups
        c.ranks_per_sample = g;
        auto measure = std::make_unique<FieldMeasure>(
            weights, std::vector<FieldMeasure::Shape>{
                         [](const auto& x) { return dfe::cplx(std::exp(-0.5 * (x[0] * x[0] + x[1] * x[1]))); },
                         [](const auto& x) { return dfe::cplx(x[0] * std::exp(-0.5 * (x[0] * x[0] + x[1] * x[1]))); }});
        const auto rows = run_rows(w, c, std::move(measure));
        for (const auto& r : rows) {
            INFO("g = " << g << ", t = " << r.t);
            // The flow keeps the parity, hence orthogonality; round-off of grid sums remains.
            CHECK(r.v.purity == Approx(0.3 * 0.3 + 0.7 * 0.7).epsilon(1e-13));
            CHECK(r.v.lambda_max == Approx(0.7).epsilon(1e-13));
            CHECK(r.v.fact_defect > 1e-3);  // a mixed state is not factorized on the diagonal
        }
    }
}

TEST_CASE("ensemble observables are the weighted sums of single-sample runs", "[ensemble][mpi]")
{
    auto c = mixed_config(4);
    c.gamma2_times = "none";
    const auto w = world();
    const auto ensemble = run_rows(w, c);
    std::shared_ptr<const dfe::Measure> base = dfe::make_builtin_measure(c.measure, c.d);
    std::vector<std::vector<dfe_test::Row>> single;
    auto alone = c;
    alone.ranks_per_sample = w.size();  // one sample: one group of every rank
    for (std::size_t j = 0; j < base->size(); ++j)
        single.push_back(run_rows(w, alone, std::make_unique<OneSample>(base, j)));
    for (std::size_t r = 0; r < ensemble.size(); ++r) {
        std::array<double, dfe::SampleObservables::count> expected{};
        for (std::size_t j = 0; j < single.size(); ++j) {
            const auto v = single[j][r].o.values();
            for (std::size_t k = 0; k < v.size(); ++k) expected[k] += base->weights()[j] * v[k];
        }
        const auto got = ensemble[r].o.values();
        for (std::size_t k = 0; k < got.size(); ++k) {
            INFO("t = " << ensemble[r].t << ", column " << dfe::sample_column_specs[k].name);
            // Same flows, other summation orders: round-off, 1e-12 of the column's scale.
            CHECK(std::abs(got[k] - expected[k]) < 1e-12 * std::max(1.0, std::abs(expected[k])));
        }
    }
}


TEST_CASE("glassey_T is the parabola's first positive root for every sign of E", "[ensemble][glassey]")
{
    using dfe::glassey_time;
    const double inf = std::numeric_limits<double>::infinity();
    // E < 0: (1 − t)(1 + t) = 1 − t², 8E = −1.
    CHECK(glassey_time(1.0, 0.0, -1.0 / 8.0) == Approx(1.0).epsilon(1e-15));
    // E = 0: 1 − 2t, root 1/2; dV1 ≥ 0: none.
    CHECK(glassey_time(1.0, -2.0, 0.0) == 0.5);
    CHECK(glassey_time(1.0, 0.0, 0.0) == inf);
    // E > 0, dV1 ≥ 0: none.
    CHECK(glassey_time(1.0, 0.5, 1.0) == inf);
    // E > 0 with two roots: (1 − t)(2 − t) = 2 − 3t + t², first root 1.
    CHECK(glassey_time(2.0, -3.0, 1.0 / 8.0) == Approx(1.0).epsilon(1e-15));
    // E > 0 with a minimum above 0: 2 − 2t + t², min 1 at t = 1.
    CHECK(glassey_time(2.0, -2.0, 1.0 / 8.0) == inf);
    // The pseudo-conformal collapse: A(T − t)², A = ‖xP‖², T = 1.5: V1 = A T², dV1 = −2AT, 8E = A.
    const double A = 2.7, T = 1.5;
    CHECK(glassey_time(A * T * T, -2.0 * A * T, A / 8.0) == Approx(T).epsilon(1e-15));
    // Perturbed by 1e-7 relative either way (the minimum moves off 0 by ~1e-7·V1, inside the
    // double-root tolerance 1e-4): still the vertex, within ~2e-7 of T. Without the tolerance a
    // minimum of −1e-7·V1 would give T(1 − 3e-4), and one of +1e-7·V1 no root at all.
    for (double e : {-1e-7, 1e-7}) {
        const double t = glassey_time(A * T * T * (1 + e), -2.0 * A * T, A / 8.0);
        CHECK(std::abs(t - T) <= 3e-7 * T);
    }
    // Outside the tolerance (minimum −1e-2·V1): the true first root T(1 − 0.1).
    CHECK(glassey_time(A * T * T * 0.99, -2.0 * A * T, A / 8.0) ==
          Approx(T * (1.0 - std::sqrt(1.0 - 0.99))).epsilon(1e-12));
}
