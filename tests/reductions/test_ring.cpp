// The ring pass (src/dfe/reductions/ring.hpp): its tiles cover every pair of samples once, and with
// pieces far smaller than a tile (many squares, strips and row pieces, mirrors inside a group and
// across groups) the pass and the mirror exchange rebuild the naive matrices, on 1 to 4 ranks.
#include "helpers.hpp"
#include "random_measure.hpp"

#include "dfe/reductions/ring.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using dfe_test::RandomMeasure;
using dfe_test::Spread;
using dfe_test::world;

TEST_CASE("the ring's tiles cover every pair of samples exactly once", "[ring]")
{
    for (std::size_t M = 1; M <= 30; ++M)
        for (int G = 1; G <= 9 && static_cast<std::size_t>(G) <= M; ++G)
            for (std::size_t piece : {std::size_t{1}, std::size_t{40}, std::size_t{300}, dfe::reduction_piece_bytes}) {
                INFO("M = " << M << ", G = " << G << ", piece " << piece << " bytes");
                // cover[i][j]: how often the pair (i, j) is computed, as a value or as a mirror.
                std::vector<int> cover(M * M, 0);
                for (int k = 0; k < G; ++k) {
                    const dfe::Share own = dfe::group_samples(M, G, k);
                    for (const auto& t : dfe::ring_tiles(M, G, k, 16, piece)) {
                        CHECK((t.columns & own).count == t.columns.count);  // columns are own samples
                        CHECK((t.rows & dfe::group_samples(M, G, (k + t.shift) % G)).count == t.rows.count);
                        CHECK(t.rows.count * t.columns.count > 0);
                        // Pieces within the budget, unless a single row is already larger.
                        CHECK((t.rows.count == 1 || t.rows.count * t.columns.count * 16 <= piece));
                        for (std::size_t j = t.rows.first; j < t.rows.end(); ++j)
                            for (std::size_t i = t.columns.first; i < t.columns.end(); ++i) {
                                ++cover[i * M + j];
                                if (t.mirror) ++cover[j * M + i];
                            }
                    }
                }
                int wrong = 0;
                for (int v : cover) wrong += v != 1;
                CHECK(wrong == 0);
            }
}

TEST_CASE("ring pass and mirror exchange in small pieces rebuild the Gram matrix", "[ring][mpi]")
{
    const auto w = world();
    for (int g = 1; g <= w.size(); ++g) {
        if (w.size() % g != 0) continue;
        const int groups = w.size() / g;
        for (std::size_t M : {1, 4, 9, 23}) {
            if (M < static_cast<std::size_t>(groups)) continue;
            const RandomMeasure m(2, 12, M, 5 + M);
            const Spread s(w, g, m);
            const auto& layout = s.layout;
            const dfe::Share mine = dfe::column_share(M, groups, g, layout.group_index(), layout.group().rank());
            for (std::size_t piece : {std::size_t{16}, std::size_t{200}, std::size_t{5000}}) {
                INFO("ranks per sample " << g << ", M = " << M << ", piece " << piece << " bytes");
                // Complex: the unscaled inner products <φ_j, φ_i>, completed and exchanged.
                std::vector<dfe::cplx> columns(M * mine.count, dfe::cplx(std::nan(""), 0.0));
                dfe::ring_pass<dfe::cplx>(
                    layout, s.block.data(), s.stride, s.grid.local_points(),
                    [&](const dfe::RingTile& t, dfe::Share part, const dfe::cplx* v) {
                        for (std::size_t c = 0; c < part.count; ++c)
                            for (std::size_t r = 0; r < t.rows.count; ++r)
                                columns[(part.first + c - mine.first) * M + t.rows.first + r] = v[c * t.rows.count + r];
                    },
                    piece);
                dfe::exchange_mirrors<dfe::cplx>(layout, columns.data(), piece);
                double worst = 0.0;
                for (std::size_t c = 0; c < mine.count; ++c)
                    for (std::size_t j = 0; j < M; ++j) {
                        dfe::cplx v(0.0);
                        for (std::size_t x = 0; x < m.points(); ++x) v += std::conj(m.value(j, x)) * m.value(mine.first + c, x);
                        const double e = std::abs(columns[c * M + j] - v);
                        worst = std::max(worst, std::isnan(e) ? 1e300 : e);  // a NaN: an entry nobody wrote
                    }
                // Sums of 144 products of numbers ≤ √2 in other orders: ~1e-13 absolute.
                CHECK(worst < 1e-12);
                // Real: Σ over the tiles of (a_j·a_i)², mirrors twice, against the full double sum.
                std::vector<double> rho(static_cast<std::size_t>(s.stride) * layout.count());
                for (std::size_t e = 0; e < rho.size(); ++e) rho[e] = std::norm(s.block[e]);
                double squares = 0.0;
                dfe::ring_pass<double>(
                    layout, rho.data(), s.stride, s.grid.local_points(),
                    [&](const dfe::RingTile& t, dfe::Share part, const double* v) {
                        for (std::size_t e = 0; e < t.rows.count * part.count; ++e) squares += (t.mirror ? 2.0 : 1.0) * v[e] * v[e];
                    },
                    piece);
                squares = w.sum(squares);
                double expected = 0.0;
                for (std::size_t i = 0; i < M; ++i)
                    for (std::size_t j = 0; j < M; ++j) {
                        double dot = 0.0;
                        for (std::size_t x = 0; x < m.points(); ++x) dot += std::norm(m.value(i, x)) * std::norm(m.value(j, x));
                        expected += dot * dot;
                    }
                CHECK(squares == Approx(expected).epsilon(1e-13));  // positive terms: relative round-off ~1e-15
            }
        }
    }
}
