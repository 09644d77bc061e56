#include "dfe/reductions/ring.hpp"

#include "dfe/backend/blas.hpp"
#include "dfe/core/error.hpp"
#include "dfe/reductions/plan.hpp"

#include <algorithm>
#include <array>
#include <type_traits>

namespace dfe {

Share Share::operator&(const Share& other) const
{
    const std::size_t a = std::max(first, other.first), b = std::min(end(), other.end());
    return b > a ? Share{a, b - a} : Share{a, 0};
}

Share balanced_share(std::size_t total, int parts, int q)
{
    const auto P = static_cast<std::size_t>(parts), Q = static_cast<std::size_t>(q);
    return {Q * (total / P) + std::min(Q, total % P), total / P + (Q < total % P ? 1 : 0)};
}

Share group_samples(std::size_t samples, int groups, int k)
{
    return balanced_share(samples, groups, k);  // GroupLayout's first(k), count(k)
}

Share column_share(std::size_t samples, int groups, int ranks_per_sample, int k, int group_rank)
{
    const Share group = group_samples(samples, groups, k);
    const Share part = balanced_share(group.count, ranks_per_sample, group_rank);
    return {group.first + part.first, part.count};
}

std::vector<RingTile> ring_tiles(std::size_t samples, int groups, int k, std::size_t scalar_bytes, std::size_t piece_bytes)
{
    const int G = groups;
    const Share own = group_samples(samples, G, k);
    const std::size_t budget = std::max<std::size_t>(piece_bytes / scalar_bytes, 1);  // scalars per piece
    auto rows_per_piece = [&](std::size_t columns, std::size_t rows) {
        return std::clamp<std::size_t>(budget / std::max<std::size_t>(columns, 1), 1, std::max<std::size_t>(rows, 1));
    };
    std::vector<RingTile> tiles;
    // Shift 0: squares on the diagonal and the strips to their right.
    const std::size_t c = own.count;
    const std::size_t nb = rows_per_piece(c, c);
    for (std::size_t a = 0; a < c; a += nb) {
        const std::size_t b = std::min(c, a + nb);
        const Share rows{own.first + a, b - a};
        tiles.push_back({0, rows, rows, false});
        if (b < c) tiles.push_back({0, rows, {own.first + b, c - b}, true});
    }
    for (int s = 1; s <= G / 2; ++s) {
        const int v = (k + s) % G;
        const Share visitor = group_samples(samples, G, v);
        Share rows = visitor, columns = own;
        if (2 * s == G) {
            if (k < G / 2)
                columns.count = (own.count + 1) / 2;
            else
                rows = {visitor.first + (visitor.count + 1) / 2, visitor.count - (visitor.count + 1) / 2};
        }
        if (rows.count == 0 || columns.count == 0) continue;
        const std::size_t nr = rows_per_piece(columns.count, rows.count);
        for (std::size_t a = 0; a < rows.count; a += nr)
            tiles.push_back({s, {rows.first + a, std::min(nr, rows.count - a)}, columns, true});
    }
    return tiles;
}

namespace {

template <class T>
constexpr int doubles_per = static_cast<int>(sizeof(T) / sizeof(double));

template <class T>
double* as_doubles(T* p)
{
    return reinterpret_cast<double*>(p);
}
template <class T>
const double* as_doubles(const T* p)
{
    return reinterpret_cast<const double*>(p);
}

inline double conj_of(double v) { return v; }
inline cplx conj_of(const cplx& v) { return std::conj(v); }

/// tile (rows × cols, column-major) = bᵀa or b†a over `points` rows of a and b (leading dimension ld).
void inner_products(int points, int ld, int rows, int cols, const double* b, const double* a, double* tile)
{
    const double one = 1.0, zero = 0.0;
    dgemm_("T", "N", &rows, &cols, &points, &one, b, &ld, a, &ld, &zero, tile, &rows, 1, 1);
}
void inner_products(int points, int ld, int rows, int cols, const cplx* b, const cplx* a, cplx* tile)
{
    const cplx one(1.0), zero(0.0);
    zgemm_("C", "N", &rows, &cols, &points, &one, b, &ld, a, &ld, &zero, tile, &rows, 1, 1);
}

/// The Hermitian square a†a (n × n) in full: zherk's upper triangle (half the work), the lower one its conjugate.
void square(int points, int ld, int n, const cplx* a, cplx* tile)
{
    const double one = 1.0, zero = 0.0;
    zherk_("U", "C", &n, &points, &one, a, &ld, &zero, tile, &n, 1, 1);
    const auto N = static_cast<std::size_t>(n);
    for (std::size_t j = 0; j < N; ++j)
        for (std::size_t i = j + 1; i < N; ++i) tile[j * N + i] = std::conj(tile[i * N + j]);
}
void square(int points, int ld, int n, const double* a, double* tile)
{
    inner_products(points, ld, n, n, a, a, tile);
}

/// target (n × w) = beta·target + a bᵀ or a b† for a (n × k, leading dimension lda) and b (w × k, ldb).
void outer_products(int n, int w, int k, const double* a, int lda, const double* b, int ldb, bool accumulate, double* target)
{
    const double one = 1.0, beta = accumulate ? 1.0 : 0.0;
    dgemm_("N", "T", &n, &w, &k, &one, a, &lda, b, &ldb, &beta, target, &n, 1, 1);
}
void outer_products(int n, int w, int k, const cplx* a, int lda, const cplx* b, int ldb, bool accumulate, cplx* target)
{
    const cplx one(1.0), beta(accumulate ? 1.0 : 0.0);
    zgemm_("N", "C", &n, &w, &k, &one, a, &lda, b, &ldb, &beta, target, &n, 1, 1);
}

}  // namespace

template <class T>
void ring_pass(const GroupLayout& layout, const T* own, std::ptrdiff_t ld, std::ptrdiff_t points, const TileSink<T>& sink,
               std::size_t piece_bytes)
{
    const int G = layout.groups();
    const int k = layout.group_index();
    const std::size_t M = layout.samples();
    const int g = layout.ranks_per_sample();
    const Comm& cross = layout.cross();
    const Comm& group = layout.group();
    const Share mine_all = column_share(M, G, g, k, group.rank());
    const auto tiles = ring_tiles(M, G, k, sizeof(T), piece_bytes);
    std::size_t largest = 0;
    for (int q = 0; q < G; ++q) largest = std::max(largest, layout.count(q));
    const auto LD = static_cast<std::size_t>(ld);
    const int ldi = static_cast<int>(ld), lp = static_cast<int>(points);
    auto block_doubles = [&](int grp) { return static_cast<int>(layout.count(grp) * LD) * doubles_per<T>; };

    std::vector<T> partial, completed;
    std::vector<int> counts(static_cast<std::size_t>(g));
    // One tile: the slab's partial sums, completed over the group, handed to the sink.
    auto compute = [&](const RingTile& t, const T* rows_block, std::size_t rows_first) {
        const int nr = static_cast<int>(t.rows.count), nc = static_cast<int>(t.columns.count);
        partial.resize(t.rows.count * t.columns.count);
        const T* b = rows_block + (t.rows.first - rows_first) * LD;
        const T* a = own + (t.columns.first - layout.first()) * LD;
        if (lp == 0)
            std::fill(partial.begin(), partial.end(), T(0));
        else if (t.shift == 0 && !t.mirror)
            square(lp, ldi, nc, a, partial.data());
        else
            inner_products(lp, ldi, nr, nc, b, a, partial.data());
        const Share mine = t.columns & mine_all;
        const T* values = partial.data() + (mine.first - t.columns.first) * t.rows.count;
        if (g > 1) {
            // Columns of rank q of the group are contiguous in the tile, in rank order.
            for (int q = 0; q < g; ++q)
                counts[static_cast<std::size_t>(q)] =
                    static_cast<int>((t.columns & column_share(M, G, g, k, q)).count * t.rows.count) * doubles_per<T>;
            completed.resize(mine.count * t.rows.count);
            DFE_MPI(MPI_Reduce_scatter(as_doubles(partial.data()), as_doubles(completed.data()), counts.data(), MPI_DOUBLE,
                                       MPI_SUM, group.get()));
            values = completed.data();
        }
        if (mine.count > 0) sink(t, mine, values);
    };
    auto run_shift = [&](int s, const T* rows_block, std::size_t rows_first) {
        for (const RingTile& t : tiles)
            if (t.shift == s) compute(t, rows_block, rows_first);
    };

    std::vector<T> visitor, incoming;
    if (G > 1) visitor.resize(largest * LD);
    if (G >= 4) incoming.resize(largest * LD);
    // The first visiting block is in flight while the group's own block is computed.
    const int to_rank = (k - 1 + G) % G, from_rank = (k + 1) % G;
    std::array<MPI_Request, 2> requests{MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    if (G > 1) {
        DFE_MPI(MPI_Irecv(as_doubles(visitor.data()), block_doubles(from_rank), MPI_DOUBLE, from_rank, 1, cross.get(), &requests[0]));
        DFE_MPI(MPI_Isend(as_doubles(own), block_doubles(k), MPI_DOUBLE, to_rank, 1, cross.get(), &requests[1]));
    }
    run_shift(0, own, layout.first());
    if (G > 1) DFE_MPI(MPI_Waitall(2, requests.data(), MPI_STATUSES_IGNORE));
    for (int s = 1; s <= G / 2; ++s) {
        if (s > 1) {
            // Pass the visiting block one group down the ring: now it is group (k + s)'s.
            DFE_MPI(MPI_Sendrecv(as_doubles(visitor.data()), block_doubles((k + s - 1) % G), MPI_DOUBLE, to_rank, s,
                                 as_doubles(incoming.data()), block_doubles((k + s) % G), MPI_DOUBLE, from_rank, s, cross.get(),
                                 MPI_STATUS_IGNORE));
            visitor.swap(incoming);
        }
        run_shift(s, visitor.data(), layout.first((k + s) % G));
    }
}

namespace {

/// The mirrored entries rank p sends to rank r after a ring pass, as blocks (rows j of r's columns,
/// columns i of p's): for each block, j-major, i-minor (r's column j gets a contiguous run of rows).
struct MirrorBlocks {
    struct Block {
        Share j, i;
    };
    std::vector<Block> blocks;
    std::size_t total = 0;

    MirrorBlocks(std::size_t M, int G, int g, int p, int r, std::size_t scalar_bytes, std::size_t piece_bytes)
    {
        const int kp = p / g, kr = r / g;
        const Share sp = column_share(M, G, g, kp, p % g), sr = column_share(M, G, g, kr, r % g);
        if (sp.count == 0 || sr.count == 0) return;
        for (const RingTile& t : ring_tiles(M, G, kp, scalar_bytes, piece_bytes)) {
            if (!t.mirror || (kp + t.shift) % G != kr) continue;
            const Share j = t.rows & sr, i = t.columns & sp;
            if (j.count == 0 || i.count == 0) continue;
            blocks.push_back({j, i});
            total += j.count * i.count;
        }
    }
};

/// Walks the entries of MirrorBlocks in order, a piece at a time.
class MirrorCursor {
public:
    explicit MirrorCursor(const MirrorBlocks& m) : m_(m) {}
    /// Calls f(j, i) for the next `n` entries.
    template <class F>
    void next(std::size_t n, F&& f)
    {
        for (; n > 0; --n) {
            const auto& b = m_.blocks[block_];
            f(b.j.first + jj_, b.i.first + ii_);
            if (++ii_ == b.i.count) {
                ii_ = 0;
                if (++jj_ == b.j.count) {
                    jj_ = 0;
                    ++block_;
                }
            }
        }
    }

private:
    const MirrorBlocks& m_;
    std::size_t block_ = 0, jj_ = 0, ii_ = 0;
};

}  // namespace

template <class T>
void exchange_mirrors(const GroupLayout& layout, T* columns, std::size_t piece_bytes)
{
    const Comm& world = layout.world();
    const int P = world.size(), me = world.rank();
    const int G = layout.groups(), g = layout.ranks_per_sample();
    const std::size_t M = layout.samples();
    const Share mine = column_share(M, G, g, layout.group_index(), layout.group().rank());
    const std::size_t piece = std::max<std::size_t>(piece_bytes / sizeof(T), 1);
    std::vector<T> out, in;
    // Round r: to me + r, from me − r; every ordered pair of ranks meets once. Messages are pieces of
    // the (deterministic) stream of entries, so both sides agree on their number and sizes.
    for (int r = 0; r < P; ++r) {
        const int to = (me + r) % P, from = (me - r + P) % P;
        const MirrorBlocks send(M, G, g, me, to, sizeof(T), piece_bytes), recv(M, G, g, from, me, sizeof(T), piece_bytes);
        if (send.total == 0 && recv.total == 0) continue;
        MirrorCursor packer(send), unpacker(recv);
        const std::size_t rounds = (std::max(send.total, recv.total) + piece - 1) / piece;
        for (std::size_t m = 0; m < rounds; ++m) {
            const std::size_t ns = std::min(piece, send.total - std::min(send.total, m * piece));
            const std::size_t nr = std::min(piece, recv.total - std::min(recv.total, m * piece));
            out.resize(ns);
            std::size_t o = 0;
            // Entry (row j of `to`'s column, row i of our column i): the mirror of our (j, i).
            packer.next(ns, [&](std::size_t j, std::size_t i) { out[o++] = conj_of(columns[(i - mine.first) * M + j]); });
            if (r == 0) {
                in = out;
            } else {
                in.resize(nr);
                DFE_MPI(MPI_Sendrecv(as_doubles(out.data()), static_cast<int>(ns) * doubles_per<T>, MPI_DOUBLE,
                                     ns > 0 ? to : MPI_PROC_NULL, 7, as_doubles(in.data()),
                                     static_cast<int>(nr) * doubles_per<T>, MPI_DOUBLE, nr > 0 ? from : MPI_PROC_NULL, 7,
                                     world.get(), MPI_STATUS_IGNORE));
            }
            std::size_t q = 0;
            unpacker.next(nr, [&](std::size_t j, std::size_t i) { columns[(j - mine.first) * M + i] = in[q++]; });
        }
    }
}

template <class T>
void grid_pass(const Comm& world, const T* own, std::ptrdiff_t ld, std::size_t n, std::size_t count,
               const std::vector<double>& scale, const PieceDestination<T>& destination, const PieceSink<T>& arrived,
               std::size_t piece_bytes)
{
    const int P = world.size(), me = world.rank();
    // Columns per piece: the product (n × xb) within the piece size, the same on every rank; the
    // samples in chunks of kb so that the scaled rows (xb × kb) fit one piece too.
    const std::size_t xb = std::clamp<std::size_t>(piece_bytes / (sizeof(T) * n), 1, n);
    const std::size_t kb = std::clamp<std::size_t>(piece_bytes / (sizeof(T) * xb), 1, std::max<std::size_t>(count, 1));
    std::vector<T> rows(xb * kb), scratch(n * xb);
    const int nn = static_cast<int>(n), lda = static_cast<int>(std::max<std::ptrdiff_t>(ld, 1)), ldb = static_cast<int>(xb);
    for (int q = 0; q < P; ++q) {
        const Share slab = balanced_share(n, P, q);
        for (std::size_t x0 = slab.first; x0 < slab.end(); x0 += xb) {
            const std::size_t w = std::min(xb, slab.end() - x0);
            T* target = q == me ? destination(x0 - slab.first, w) : nullptr;
            if (target == nullptr) target = scratch.data();
            if (count == 0) std::fill(target, target + n * w, T(0.0));
            for (std::size_t j0 = 0; j0 < count; j0 += kb) {
                const std::size_t k = std::min(kb, count - j0);
                // rows(x, j) = scale_j a_j(x) for the piece's columns x: column x is Σ_j a_j conj(rows(x, j)).
                for (std::size_t j = 0; j < k; ++j) {
                    const T* a = own + static_cast<std::ptrdiff_t>(j0 + j) * ld + x0;
                    for (std::size_t x = 0; x < w; ++x) rows[j * xb + x] = scale[j0 + j] * a[x];
                }
                outer_products(nn, static_cast<int>(w), static_cast<int>(k), own + static_cast<std::ptrdiff_t>(j0) * ld, lda,
                               rows.data(), ldb, j0 > 0, target);
            }
            const int doubles = static_cast<int>(n * w) * doubles_per<T>;
            if (q == me) {
                DFE_MPI(MPI_Reduce(MPI_IN_PLACE, as_doubles(target), doubles, MPI_DOUBLE, MPI_SUM, q, world.get()));
                arrived(x0 - slab.first, w, target);
            } else {
                DFE_MPI(MPI_Reduce(as_doubles(target), nullptr, doubles, MPI_DOUBLE, MPI_SUM, q, world.get()));
            }
        }
    }
}

namespace {

/// u (width × k) = slabᵀ x or slab† x, slab n × width (leading dimension n), x n × k (leading dimension ldx).
void adjoint_product(int n, int width, int k, const double* slab, const double* x, int ldx, double* u)
{
    const double one = 1.0, zero = 0.0;
    dgemm_("T", "N", &width, &k, &n, &one, slab, &n, x, &ldx, &zero, u, &width, 1, 1);
}
void adjoint_product(int n, int width, int k, const cplx* slab, const cplx* x, int ldx, cplx* u)
{
    const cplx one(1.0), zero(0.0);
    zgemm_("C", "N", &width, &k, &n, &one, slab, &n, x, &ldx, &zero, u, &width, 1, 1);
}

}  // namespace

template <class T>
std::vector<double> ring_quadratic_forms(const Comm& comm, const std::vector<Share>& slabs, std::size_t n, const T* held,
                                         const T* x, std::ptrdiff_t ld, std::size_t K, std::size_t piece_bytes)
{
    // x_k† H x_k = Σ_q Σ_{c ∈ slab q} x_k[c] conj((H[:, c]† x_k)): slab q's part needs only its columns.
    const int P = comm.size(), rank = comm.rank();
    std::size_t widest = 0;
    for (const Share& s : slabs) widest = std::max(widest, s.count);
    const Share mine = slabs[static_cast<std::size_t>(rank)];
    std::vector<T> here(n * widest), arriving(n * widest);
    std::copy_n(held, n * mine.count, here.data());
    std::vector<double> out(K, 0.0);
    const std::size_t chunk = std::max<std::size_t>(1, piece_bytes / sizeof(T) / std::max<std::size_t>(widest, 1));
    std::vector<T> u(widest * std::min(chunk, std::max<std::size_t>(K, 1)));
    for (int s = 0; s < P; ++s) {
        const int q = (rank - s + P) % P;  // whose slab is here
        const Share slab = slabs[static_cast<std::size_t>(q)];
        for (std::size_t k0 = 0; k0 < K && slab.count > 0; k0 += chunk) {
            const std::size_t k1 = std::min(K, k0 + chunk);
            adjoint_product(static_cast<int>(n), static_cast<int>(slab.count), static_cast<int>(k1 - k0), here.data(),
                            x + k0 * static_cast<std::size_t>(ld), static_cast<int>(ld), u.data());
            for (std::size_t k = k0; k < k1; ++k) {
                const T* xk = x + k * static_cast<std::size_t>(ld) + slab.first;
                const T* uk = u.data() + (k - k0) * slab.count;
                double acc = 0.0;
                for (std::size_t c = 0; c < slab.count; ++c) acc += std::real(xk[c] * conj_of(uk[c]));
                out[k] += acc;
            }
        }
        if (s + 1 < P) {
            // Pass the slab on: to rank + 1, from rank − 1 (which holds slab q − 1 now).
            const int to = (rank + 1) % P, from = (rank - 1 + P) % P;
            const Share incoming = slabs[static_cast<std::size_t>((q - 1 + P) % P)];
            DFE_MPI(MPI_Sendrecv(as_doubles(here.data()), static_cast<int>(slab.count * n) * doubles_per<T>, MPI_DOUBLE, to,
                                 0, as_doubles(arriving.data()), static_cast<int>(incoming.count * n) * doubles_per<T>,
                                 MPI_DOUBLE, from, 0, comm.get(), MPI_STATUS_IGNORE));
            here.swap(arriving);
        }
    }
    return out;
}

template std::vector<double> ring_quadratic_forms<double>(const Comm&, const std::vector<Share>&, std::size_t, const double*,
                                                          const double*, std::ptrdiff_t, std::size_t, std::size_t);
template std::vector<double> ring_quadratic_forms<cplx>(const Comm&, const std::vector<Share>&, std::size_t, const cplx*,
                                                        const cplx*, std::ptrdiff_t, std::size_t, std::size_t);

template void grid_pass<double>(const Comm&, const double*, std::ptrdiff_t, std::size_t, std::size_t, const std::vector<double>&,
                                const PieceDestination<double>&, const PieceSink<double>&, std::size_t);
template void grid_pass<cplx>(const Comm&, const cplx*, std::ptrdiff_t, std::size_t, std::size_t, const std::vector<double>&,
                              const PieceDestination<cplx>&, const PieceSink<cplx>&, std::size_t);

template void ring_pass<double>(const GroupLayout&, const double*, std::ptrdiff_t, std::ptrdiff_t, const TileSink<double>&,
                                std::size_t);
template void ring_pass<cplx>(const GroupLayout&, const cplx*, std::ptrdiff_t, std::ptrdiff_t, const TileSink<cplx>&, std::size_t);
template void exchange_mirrors<double>(const GroupLayout&, double*, std::size_t);
template void exchange_mirrors<cplx>(const GroupLayout&, cplx*, std::size_t);

}  // namespace dfe
