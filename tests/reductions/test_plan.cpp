// The reductions' cost model (src/dfe/reductions/plan.hpp): the words of --reduction-form and
// --eigensolver, which form is chosen for which shape and why, the header line, and the memory the
// plan says each rank holds.
#include "dfe/core/error.hpp"
#include "dfe/reductions/plan.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

dfe::ReductionShape shape(std::size_t M, long N, int d, int g = 1, int P = 2, long n = 0)
{
    return {M, N, n > 0 ? n : N, d, g, P};
}

}  // namespace

TEST_CASE("--reduction-form and --eigensolver words", "[plan]")
{
    CHECK(dfe::parse_reduction_form("auto") == dfe::FormRequest::automatic);
    CHECK(dfe::parse_reduction_form("samples") == dfe::FormRequest::samples);
    CHECK(dfe::parse_reduction_form("grid") == dfe::FormRequest::grid);
    CHECK_THROWS_AS(dfe::parse_reduction_form("gram"), dfe::InputError);
    CHECK_THROWS_WITH(dfe::parse_reduction_form("Grid"), "--reduction-form must be auto, samples or grid (got 'Grid')");
    // auto: dense up to dimension 256 of the chosen matrix.
    CHECK(dfe::parse_eigen_method("auto", 256) == dfe::EigenMethod::dense);
    CHECK(dfe::parse_eigen_method("auto", 257) == dfe::EigenMethod::iterative);
    CHECK(dfe::parse_eigen_method("dense", 100000) == dfe::EigenMethod::dense);
    CHECK(dfe::parse_eigen_method("iterative", 1) == dfe::EigenMethod::iterative);
    CHECK_THROWS_WITH(dfe::parse_eigen_method("lapack", 3), Catch::Contains("--eigensolver must be auto, dense or iterative"));
}

TEST_CASE("the grid form is chosen when the grid is smaller than the ensemble and ranks hold whole samples", "[plan]")
{
    // The case: 2D N = 32, M = 8192, n = 32, two ranks.
    const auto big = dfe::plan_reductions(shape(8192, 32, 2));
    CHECK(big.gamma1 == dfe::ReductionForm::grid);
    CHECK(big.gamma2 == dfe::ReductionForm::grid);
    CHECK(big.gamma1_dimension() == 1024);
    CHECK(big.eigen == dfe::EigenMethod::iterative);  // dimension 1024 > 256
    const std::string line = big.describe();
    CHECK_THAT(line, Catch::StartsWith("reductions: gamma1 grid form (N^d = 1024 < M = 8192), fact_defect grid form "
                                       "(n^d = 1024 < M = 8192), lambda_max iterative (dimension 1024); per output about "));
    CHECK(line.find('\n') == std::string::npos);
    // Grid form: each rank holds 512 columns of Γ (1024 × 1024 complex over 2 ranks): 8 MiB.
    const auto bytes = dfe::reduction_bytes(big, 0);
    CHECK(bytes.gamma1_matrix == 512.0 * 1024 * 16);
    // Well below the 200 MB the whole rank may use at this size (the samples take 67 MB).
    CHECK(bytes.gamma1_matrix + std::max({bytes.gamma1_pass, bytes.eigen, bytes.gamma2_pass}) < 60e6);
    // The flops: the grid product 8 N^{2d} c = 8·1024²·4096 ≈ 34 GFlop per rank dominates.
    CHECK(big.total().flops == Approx(8.0 * 1024 * 1024 * 4096 + 2.0 * 1024 * 1024 * 4096 + 6.0 * 1024 * 4096 +
                                      100.0 * 8 * 1024 * 512));

    // M = 64 < N^d: the sample form, dense (64 ≤ 256).
    const auto small = dfe::plan_reductions(shape(64, 32, 2));
    CHECK(small.gamma1 == dfe::ReductionForm::samples);
    CHECK(small.gamma2 == dfe::ReductionForm::samples);
    CHECK(small.eigen == dfe::EigenMethod::dense);
    CHECK_THAT(small.describe(), Catch::Contains("gamma1 samples form (M = 64 <= N^d = 1024)"));
    // M = N^d: not smaller, the sample form; dimension 1024: iterative.
    const auto equal = dfe::plan_reductions(shape(1024, 32, 2));
    CHECK(equal.gamma1 == dfe::ReductionForm::samples);
    CHECK(equal.eigen == dfe::EigenMethod::iterative);
    // A coarse observation grid can take the grid form while γ^(1) takes the sample form.
    const auto mixed = dfe::plan_reductions(shape(1024, 32, 2, 1, 2, 16));
    CHECK(mixed.gamma1 == dfe::ReductionForm::samples);
    CHECK(mixed.gamma2 == dfe::ReductionForm::grid);
    // Slabs (ranks per sample 2): always the sample form.
    const auto slabs = dfe::plan_reductions(shape(8192, 32, 2, 2, 2));
    CHECK(slabs.gamma1 == dfe::ReductionForm::samples);
    CHECK(slabs.gamma2 == dfe::ReductionForm::samples);
    CHECK_THAT(slabs.describe(), Catch::Contains("gamma1 samples form (ranks per sample 2 > 1)"));
}

TEST_CASE("the forms can be forced, the grid form only with whole samples", "[plan]")
{
    const auto forced = dfe::plan_reductions(shape(8192, 32, 2), "dense", dfe::FormRequest::samples);
    CHECK(forced.gamma1 == dfe::ReductionForm::samples);
    CHECK(forced.gamma2 == dfe::ReductionForm::samples);
    CHECK(forced.eigen == dfe::EigenMethod::dense);
    CHECK_THAT(forced.describe(), Catch::Contains("gamma1 samples form (--reduction-form samples)"));
    // The dense solver of the sample form gathers M × M on the root, and only there.
    CHECK(dfe::reduction_bytes(forced, 0).eigen == 8192.0 * 8192 * 16 + 34.0 * 8192 * 16);
    CHECK(dfe::reduction_bytes(forced, 1).eigen == 0.0);
    // Sample form on two groups: each rank holds its group's 4096 columns of G, no more.
    CHECK(dfe::reduction_bytes(forced, 1).gamma1_matrix == 4096.0 * 8192 * 16);
    const auto grid = dfe::plan_reductions(shape(10, 32, 2), "auto", dfe::FormRequest::grid);
    CHECK(grid.gamma1 == dfe::ReductionForm::grid);
    CHECK(grid.eigen == dfe::EigenMethod::iterative);  // N^d = 1024
    CHECK_THROWS_WITH(dfe::plan_reductions(shape(10, 32, 2, 2, 2), "auto", dfe::FormRequest::grid),
                      Catch::Contains("--reduction-form grid needs --ranks-per-sample 1"));
    CHECK_THROWS_AS(dfe::plan_reductions(shape(10, 32, 2), "fast"), dfe::InputError);
}

TEST_CASE("no reduction array grows like M squared on a rank of the chosen plan", "[plan]")
{
    // 2D N = 32 on 64 ranks (the grid forms): from M = 10^4 to 10^5 the arrays grow at most linearly
    // in M (δ at the observation points, n^d × M/P); the M × M Gram matrix would need 160 GB.
    double previous = 0.0;
    for (std::size_t M : {10000u, 100000u}) {
        const auto p = dfe::plan_reductions(shape(M, 32, 2, 1, 64));
        double most = 0.0;
        for (int r = 0; r < 64; ++r) {
            const auto b = dfe::reduction_bytes(p, r, 1024);
            most = std::max(most, b.gamma1_matrix + std::max({b.gamma1_pass, b.eigen, b.gamma2_pass}));
        }
        if (previous > 0) CHECK(most < 11.0 * previous);  // M grew tenfold
        previous = most;
    }
    CHECK(previous < 200e6);
}
