// The resource estimate (src/dfe/ensemble/resources.hpp) against hand-computed closed forms, the
// planned grid sizes against built grids (on whatever number of ranks the test is launched with),
// and the refusals, including a grid whose byte count would overflow any integer type.
#include "dfe/ensemble/resources.hpp"
#include "dfe/core/error.hpp"
#include "dfe/observables/columns.hpp"
#include "dfe/spectral/grid.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <string>

namespace {

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

/// d = 2, N = 16, three samples, the default output schedule (11 rows, γ^(2) at first and last).
dfe::RunConfig small_config()
{
    dfe::RunConfig c;
    c.d = 2;
    c.N = 16;
    c.measure.kind = dfe::MeasureKind::random_gaussians;
    c.measure.count = 3;
    c.potential.kind = dfe::PotentialKind::gaussian;
    c.gamma2_times = "first,last";  // two explicit γ^(2) snapshots: their items are estimated too
    return c;
}

}  // namespace

TEST_CASE("planned grid sizes are the built grid's", "[resources][mpi]")
{
    const auto comm = world();
    for (int d = 1; d <= 3; ++d) {
        if (d == 1 && comm.size() > 1) continue;  // 1D is serial
        for (long N : {4L, 6L, 16L, 18L, 34L}) {
            if (d == 3 && N > 18) continue;
            for (auto one : {dfe::Grid::OneRank::serial, dfe::Grid::OneRank::distributed}) {
                const dfe::Grid grid(comm, d, N, 10.0, one);
                const auto planned = dfe::planned_grid_sizes(d, static_cast<double>(N), comm.size(), comm.rank());
                const auto built = dfe::grid_sizes(grid);
                INFO("d = " << d << ", N = " << N << ", rank " << comm.rank() << " of " << comm.size());
                CHECK(planned.local_points == built.local_points);
                CHECK(planned.spectral == built.spectral);
                CHECK(planned.spectral_half == built.spectral_half);
                CHECK(planned.alloc_complex == built.alloc_complex);
                CHECK(planned.alloc_real == built.alloc_real);
            }
        }
    }
}

TEST_CASE("the memory estimate of one rank is the closed form of the model", "[resources]")
{
    const auto c = small_config();
    const auto schedule = dfe::validate(c);
    REQUIRE(schedule.rows() == 11);
    const dfe::RankPlace place{1, 1, 0, 3};
    const auto s = dfe::planned_grid_sizes(2, 16, 1, 0);
    // 16² points; r2c: 16 rows of 2·9 reals; half spectrum 16·9 modes.
    REQUIRE(s.local_points == 256);
    REQUIRE(s.alloc_complex == 256);
    REQUIRE(s.alloc_real == 288);
    REQUIRE(s.spectral_half == 144);
    const auto e = dfe::estimate_memory(c, schedule, place, s, 1000.0);
    CHECK(e.bytes("process") == 1000);
    CHECK(e.bytes("samples") == 3 * 256 * 16);
    CHECK(e.bytes("FFT plans") == 256 * 16 + 288 * 8);
    CHECK(e.bytes("integrator") == 288 * 8);
    CHECK(e.bytes("convolution") == (3 + 2) * 144 * 8);
    CHECK(e.bytes("observables") == 3 * 256 * 16 + 3 * 288 * 8 + 5 * 256 * 8 + 256 * (9 + 16) + 256 * 16 + 9 * 256);
    CHECK(e.bytes("pair terms") == 0);
    CHECK(e.bytes("gamma1") == 256 * 8);
    // The reductions (reductions/plan.hpp): M = 3 ≤ N^d = 256 and ≤ n^d: the sample forms, dense (3 ≤ 256).
    CHECK(e.bytes("gamma1 matrix") == 3 * 3 * 16);  // one rank holds all 3 columns of G
    // One group: no ring blocks; one 3×3 tile; the mirror exchange's two pieces, bounded by the share² (3·3·16).
    CHECK(e.bytes("gamma1 pass") == 2 * 3 * 3 * 16);
    CHECK(e.bytes("eigenvalues") == 9 * 16 + 34 * 3 * 16);  // the root's gathered matrix, LAPACK's work
    // δ at the 256 observation points of the 3 samples, the 3×3 tile of δ·δ, γ^(1), its integral, masses.
    CHECK(e.bytes("gamma2 diagnostics") == 256 * 3 * 8 + 9 * 8 + 3 * 256 * 8 + 2 * 3 * 8);
    // The observation grid is the whole grid (n = 16): 256 rows of the factor on the only rank.
    CHECK(e.bytes("gamma2 factor") == 256 * 3 * 8);
    const double entry = 2 * sizeof(PetscInt) + 8;
    CHECK(e.bytes("gamma2 load") == (256 * 3 + 256 * 3) * entry);
    CHECK(e.bytes("gamma2 matrix") == 256 * 3 * 8 + 4 * 256 * 256 * 8 + 256 * 8);
    const double columns = static_cast<double>(dfe::ColumnSchema({}).size());
    // Streamed: the row in flight and the closing table, whatever the number of rows.
    CHECK(e.bytes("run record") == 26 * columns * 8 + 4 * 3 * 8);
    // The items of one phase live together; the largest phase (γ^(2)'s matrix here) adds to the rest.
    const double always = 1000 + 3 * 256 * 16 + 256 * 16 + 288 * 8 + 288 * 8 + 5 * 144 * 8 + e.bytes("observables") +
                          256 * 8 + 3 * 3 * 16 + 256 * 3 * 8 + e.bytes("run record");
    CHECK(e.total() == always + e.bytes("gamma2 matrix"));
    CHECK(e.largest(2) == "gamma2 matrix 2.0 MiB, observables 41 KiB");
}

TEST_CASE("the estimate of two ranks splits the samples and the observation rows", "[resources]")
{
    auto c = small_config();
    c.gamma2_times = "none";
    const auto schedule = dfe::validate(c);
    // Two groups of one rank: group 0 holds samples 0 and 1, group 1 sample 2.
    for (int rank : {0, 1}) {
        const dfe::RankPlace place{2, 1, rank, 3};
        const auto e = dfe::estimate_memory(c, schedule, place, dfe::planned_grid_sizes(2, 16, 1, 0));
        CHECK(e.bytes("samples") == (rank == 0 ? 2 : 1) * 256 * 16);
        // The largest group's block visits; group 0 computes its 2×2 tile (64 B) and the half pair
        // at distance G/2 = 1 (1×1), group 1 its 1×1 and the other half (1×1).
        CHECK(e.bytes("gamma1 pass") == 2 * 256 * 16 + (rank == 0 ? 4 : 1) * 16);
        CHECK(e.bytes("gamma1 matrix") == (rank == 0 ? 2 : 1) * 3 * 16);  // each rank its group's columns of G
        CHECK(e.bytes("gamma2 factor") == 0);  // made only at --gamma2-times
        CHECK(e.bytes("gamma2 matrix") == 0);
        CHECK(e.bytes("eigenvalues") == (rank == 0 ? 9 * 16 + 34 * 3 * 16 : 0));
    }
    // One group of two ranks: each holds half of every sample's slab.
    c.ranks_per_sample = 2;
    const auto half = dfe::planned_grid_sizes(2, 16, 2, 1);
    CHECK(half.local_points == 128);
    CHECK(half.spectral_half == 4 * 16);  // the half axis (9) split 5 + 4
    const auto e = dfe::estimate_memory(c, schedule, dfe::RankPlace{2, 2, 1, 3}, half);
    CHECK(e.bytes("samples") == 3 * 128 * 16);
    // The worst rank of the world is group 0's (more samples) and the root (LAPACK).
    const auto worst = dfe::largest_memory_estimate(c, schedule, 2, 3);
    CHECK(worst.total() >= e.total());
    CHECK(worst.bytes("eigenvalues") > 0);
}

TEST_CASE("a 3D grid of N = 10^6 gives a finite huge estimate and is refused", "[resources]")
{
    auto c = small_config();
    c.d = 3;
    c.N = 1000000;
    c.measure.count = 1;
    const auto schedule = dfe::validate(c);
    const auto e = dfe::largest_memory_estimate(c, schedule, 1, 1);
    REQUIRE(std::isfinite(e.total()));
    CHECK(e.total() > 1e19);
    CHECK(e.bytes("samples") == 1e18 * 16);
    const auto out = dfe::estimate_output(c, schedule, 1);
    CHECK(std::isfinite(out.total()));
    CHECK(out.bytes("checkpoint") == 1e18 * 16);
    try {
        dfe::require_memory(e, 16e9, "--max-memory");
        FAIL("not refused");
    } catch (const dfe::InputError& error) {
        const std::string m = error.what();
        CHECK(m.find('\n') == std::string::npos);
        CHECK(m.find("TiB per rank") != std::string::npos);
        CHECK(m.find("15 GiB is available per rank (--max-memory)") != std::string::npos);
        CHECK(m.find("more ranks") != std::string::npos);
        CHECK(m.find("--gamma2-grid") != std::string::npos);
    }
    // Where the grid is built, the same size is refused before any array is sized.
    CHECK_THROWS_AS(dfe::Grid(world(), 3, 1000000, 20.0), dfe::InputError);
}

TEST_CASE("the refusals name the numbers and what to change", "[resources]")
{
    const auto c = small_config();
    const auto schedule = dfe::validate(c);
    const auto e = dfe::largest_memory_estimate(c, schedule, 1, 3);
    CHECK_NOTHROW(dfe::require_memory(e, e.total(), "test"));
    CHECK_NOTHROW(dfe::require_memory(e, 0.0, "unknown"));  // nothing known: nothing checked
    CHECK_THROWS_WITH(dfe::require_memory(e, 1024.0, "test"), Catch::Contains("1.0 KiB is available per rank (test)"));
    const auto out = dfe::estimate_output(c, schedule, 3);
    // run.h5: 11 rows of the columns, γ^(1) (256) and 4 per-sample series (3), and 2 snapshots of 256².
    const double columns = static_cast<double>(dfe::ColumnSchema({}).size());
    CHECK(out.bytes("run.h5") == 11 * (columns + 256 + 12) * 8 + 2 * 256.0 * 256 * 8);
    CHECK(out.bytes("checkpoint") == 3 * 256 * 16);
    CHECK_NOTHROW(dfe::require_disk(out, -1.0, "dir"));
    CHECK_THROWS_WITH(dfe::require_disk(out, 1000.0, "dir"),
                      Catch::Contains("has 1000 B free") && Catch::Contains("--output-dt") && Catch::Contains("--gamma2-times"));
}

TEST_CASE("a reduction that would overflow MPI's int count is refused", "[resources]")
{
    auto c = small_config();  // 2D N = 16: 256 points per rank
    // The ring sends a group's block: 2·c·256 doubles; 4194303 samples in one group fit, one more does not.
    CHECK_NOTHROW(dfe::require_message_sizes(c, 1, 4194303));
    CHECK_THROWS_WITH(dfe::require_message_sizes(c, 1, 4194304), Catch::Contains("more than MPI's int count"));
    CHECK_THROWS_WITH(dfe::require_message_sizes(c, 1, 4194304), Catch::Contains("use more ranks"));
    // The same samples over two groups fit; there is no M × M message any more (the Gram tiles are
    // pieces, and with M > N^d = 256 the grid form's matrix is 256 × 256).
    CHECK_NOTHROW(dfe::require_message_sizes(c, 2, 4194304));
    // The dense eigensolver gathers dim² complex numbers on the root: dim = M in the sample form,
    // 46340² < 2^31 − 1 < 46341².
    c.eigensolver = "dense";
    c.reduction_form = "samples";
    CHECK_NOTHROW(dfe::require_message_sizes(c, 2, 46340));
    CHECK_THROWS_WITH(dfe::require_message_sizes(c, 2, 46341), Catch::Contains("--eigensolver iterative"));
    c.reduction_form = "auto";
    CHECK_NOTHROW(dfe::require_message_sizes(c, 2, 46341));  // auto form: the grid, 256 × 256
    c.eigensolver = "auto";
    c.reduction_form = "samples";
    CHECK_NOTHROW(dfe::require_message_sizes(c, 2, 46341));  // iterative
}

TEST_CASE("the estimate of the issue's large ensemble has no M-squared item", "[resources]")
{
    // 2D N = 32, M = 8192, two ranks, --gamma2-times none: the grid forms (N^d = n^d = 1024 < M).
    auto c = small_config();
    c.N = 32;
    c.measure.count = 8192;
    c.gamma2_times = "none";
    const auto schedule = dfe::validate(c);
    const auto e = dfe::largest_memory_estimate(c, schedule, 2, 8192);
    // 512 columns of Γ (1024 × 1024 complex) per rank, not 8192² of G.
    CHECK(e.bytes("gamma1 matrix") == 512.0 * 1024 * 16);
    // δ at 1024 observation points for 4096 samples, and two 4 MiB pieces (1024 × 512 reals).
    CHECK(e.bytes("gamma2 diagnostics") < 1024.0 * 4096 * 8 + 3 * 4.2e6 + 1e5);
    CHECK(e.bytes("gamma2 factor") == 0);
    // The samples (4096 × 1024 × 16 = 67 MB) dominate; everything without the process under 130 MB.
    CHECK(e.bytes("samples") == 4096.0 * 1024 * 16);
    CHECK(e.total() < 130e6);
    // Forced to the sample form the same run holds 4096 × 8192 of G per rank.
    c.reduction_form = "samples";
    const auto samples = dfe::largest_memory_estimate(c, schedule, 2, 8192);
    CHECK(samples.bytes("gamma1 matrix") == 4096.0 * 8192 * 16);
}
