#include "dfe/reductions/plan.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/reductions/ring.hpp"

#include <algorithm>
#include <cmath>

namespace dfe {

namespace {

constexpr double real_bytes = 8.0, complex_bytes = 16.0;

/// Krylov–Schur products to a relative residual of 1e-13, for the estimate only: the ensembles
/// measured take 30 to 80 (the ratio of the two largest eigenvalues decides).
constexpr double krylov_products = 100.0;

double power(double base, int d) { return std::pow(base, d); }

/// What one rank holds of the samples and of the observation grid.
struct RankShape {
    int P = 1, g = 1, G = 1, k = 0, q = 0;
    double M = 1, Nd = 1, nd = 1;
    Share own;           ///< the group's samples
    double c_max = 1;    ///< samples of the largest group
    double lp = 1;       ///< local points of a field
    double lpo = 1;      ///< local observation points
};

RankShape rank_shape(const ReductionShape& s, int rank)
{
    RankShape r;
    r.P = s.world_size;
    r.g = s.ranks_per_sample;
    r.G = std::max(1, r.P / std::max(1, r.g));
    r.k = rank / r.g;
    r.q = rank % r.g;
    r.M = static_cast<double>(s.samples);
    r.Nd = power(static_cast<double>(s.N), s.d);
    r.nd = power(static_cast<double>(s.n), s.d);
    r.own = group_samples(s.samples, r.G, r.k);
    r.c_max = std::ceil(r.M / r.G);
    if (r.g == 1) {
        r.lp = r.Nd;
        r.lpo = r.nd;
    } else {
        // FFTW-MPI's block distribution of dimension 0, and the observation rows (every N/n-th) in it.
        const double N = static_cast<double>(s.N), b = std::ceil(N / r.g), start = r.q * b;
        const double rows = std::clamp(N - start, 0.0, b);
        const double every = N / static_cast<double>(s.n);
        const double obs_rows = rows > 0 ? std::ceil((start + rows) / every) - std::ceil(start / every) : 0.0;
        r.lp = rows * power(N, s.d - 1);
        r.lpo = obs_rows * power(static_cast<double>(s.n), s.d - 1);
    }
    return r;
}

/// The largest tile and the largest completed part of one (bytes), and the flops of the tiles, of group k's ring pass.
struct TileSums {
    double largest = 0, completed = 0, flops = 0;
};

TileSums tile_sums(const ReductionShape& s, const RankShape& r, std::size_t scalar_bytes, double points)
{
    TileSums t;
    const Share share = column_share(s.samples, r.G, r.g, r.k, r.q);
    const bool complex = scalar_bytes == sizeof(cplx);
    for (const RingTile& tile : ring_tiles(s.samples, r.G, r.k, scalar_bytes)) {
        const double entries = static_cast<double>(tile.rows.count) * static_cast<double>(tile.columns.count);
        t.largest = std::max(t.largest, entries * static_cast<double>(scalar_bytes));
        if (r.g > 1)
            t.completed = std::max(t.completed, static_cast<double>(tile.rows.count) *
                                                    static_cast<double>((tile.columns & share).count) *
                                                    static_cast<double>(scalar_bytes));
        // A complex multiply-add is 8 flops, a real one 2; zherk's squares cost half.
        const double per = complex ? 8.0 : 2.0;
        t.flops += entries * points * per * (complex && tile.shift == 0 && !tile.mirror ? 0.5 : 1.0);
    }
    return t;
}

const char* eigen_name(EigenMethod m) { return m == EigenMethod::dense ? "dense" : "iterative"; }

}  // namespace

EigenMethod parse_eigen_method(const std::string& name, std::size_t dimension)
{
    if (name == "dense") return EigenMethod::dense;
    if (name == "iterative") return EigenMethod::iterative;
    if (name == "auto") return dimension <= dense_eigen_limit ? EigenMethod::dense : EigenMethod::iterative;
    throw InputError("--eigensolver must be auto, dense or iterative (got '" + name + "')");
}

FormRequest parse_reduction_form(const std::string& name)
{
    if (name == "auto") return FormRequest::automatic;
    if (name == "samples") return FormRequest::samples;
    if (name == "grid") return FormRequest::grid;
    throw InputError("--reduction-form must be auto, samples or grid (got '" + name + "')");
}

const char* form_name(ReductionForm form) { return form == ReductionForm::grid ? "grid" : "samples"; }

std::size_t ReductionPlan::gamma1_dimension() const
{
    if (gamma1 == ReductionForm::samples) return shape.samples;
    return static_cast<std::size_t>(std::llround(power(static_cast<double>(shape.N), shape.d)));
}

std::size_t ReductionPlan::observation_points() const
{
    return static_cast<std::size_t>(std::llround(power(static_cast<double>(shape.n), shape.d)));
}

ReductionCost ReductionPlan::total() const
{
    return {gamma1_cost.flops + eigen_cost.flops + gamma2_cost.flops,
            std::max({gamma1_cost.bytes, eigen_cost.bytes, gamma2_cost.bytes})};
}

ReductionPlan plan_reductions(const ReductionShape& shape, const std::string& eigensolver, FormRequest form)
{
    require(shape.samples >= 1 && shape.world_size >= 1 && shape.ranks_per_sample >= 1 && shape.N >= 1 && shape.n >= 1,
            "plan_reductions: empty shape");
    ReductionPlan p;
    p.shape = shape;
    const double M = static_cast<double>(shape.samples);
    const double Nd = power(static_cast<double>(shape.N), shape.d), nd = power(static_cast<double>(shape.n), shape.d);
    const bool whole = shape.ranks_per_sample == 1;
    if (form == FormRequest::automatic) {
        p.gamma1 = whole && Nd < M ? ReductionForm::grid : ReductionForm::samples;
        p.gamma2 = whole && nd < M ? ReductionForm::grid : ReductionForm::samples;
    } else {
        require(form == FormRequest::samples || whole,
                "--reduction-form grid needs --ranks-per-sample 1 (with " + std::to_string(shape.ranks_per_sample) +
                    " ranks per sample a rank holds only slabs of its samples); use auto or samples");
        p.gamma1 = p.gamma2 = form == FormRequest::grid ? ReductionForm::grid : ReductionForm::samples;
        p.forced = true;
    }
    p.eigen = parse_eigen_method(eigensolver, p.gamma1_dimension());

    // Costs on rank 0: it holds the largest group's first share and is the root of the dense solver.
    const RankShape r = rank_shape(shape, 0);
    const double c = static_cast<double>(r.own.count);
    const ReductionBytes b = reduction_bytes(p, 0);
    if (p.gamma1 == ReductionForm::samples)
        p.gamma1_cost.flops = tile_sums(shape, r, sizeof(cplx), r.lp).flops;
    else
        p.gamma1_cost.flops = 8.0 * Nd * Nd * c;
    p.gamma1_cost.bytes = b.gamma1_matrix + b.gamma1_pass;
    const double dim = static_cast<double>(p.gamma1_dimension());
    if (p.eigen == EigenMethod::dense) {
        p.eigen_cost.flops = 16.0 / 3.0 * dim * dim * dim;  // Householder tridiagonal reduction
    } else {
        const double share = p.gamma1 == ReductionForm::samples
                                 ? static_cast<double>(column_share(shape.samples, r.G, r.g, 0, 0).count)
                                 : static_cast<double>(balanced_share(static_cast<std::size_t>(dim), r.P, 0).count);
        p.eigen_cost.flops = krylov_products * 8.0 * dim * share;
    }
    p.eigen_cost.bytes = b.gamma1_matrix + b.eigen;
    if (p.gamma2 == ReductionForm::samples)
        p.gamma2_cost.flops = tile_sums(shape, r, sizeof(double), r.lpo).flops + 6.0 * r.lpo * c;
    else
        p.gamma2_cost.flops = 2.0 * nd * nd * c + 6.0 * nd * c;
    p.gamma2_cost.bytes = b.gamma1_matrix + b.gamma2_pass;
    return p;
}

ReductionPlan plan_reductions(const RunConfig& config, std::size_t samples, int world_size)
{
    return plan_reductions(
        {samples, config.N, gamma2_points(config), config.d, config.ranks_per_sample, world_size, config.random_draw},
        config.eigensolver, parse_reduction_form(config.reduction_form));
}

std::string ReductionPlan::describe() const
{
    const double M = static_cast<double>(shape.samples);
    const double Nd = power(static_cast<double>(shape.N), shape.d), nd = power(static_cast<double>(shape.n), shape.d);
    auto reason = [&](ReductionForm f, const char* points, double count) {
        if (forced) return std::string("(--reduction-form ") + form_name(f) + ")";
        if (shape.ranks_per_sample > 1) return "(ranks per sample " + std::to_string(shape.ranks_per_sample) + " > 1)";
        if (f == ReductionForm::grid) return strf("(%s = %.0f < M = %.0f)", points, count, M);
        return strf("(M = %.0f <= %s = %.0f)", M, points, count);
    };
    const ReductionCost t = total();
    return strf("reductions: gamma1 %s form %s, fact_defect %s form %s, lambda_max %s (dimension %zu); per output "
                "about %.3g GFlop, %.3g MB per rank",
                form_name(gamma1), reason(gamma1, "N^d", Nd).c_str(), form_name(gamma2), reason(gamma2, "n^d", nd).c_str(),
                eigen_name(eigen), gamma1_dimension(), t.flops * 1e-9, t.bytes * 1e-6);
}

ReductionBytes reduction_bytes(const ReductionPlan& plan, int world_rank, double stride)
{
    const ReductionShape& s = plan.shape;
    const RankShape r = rank_shape(s, world_rank);
    if (!(stride > 0)) stride = r.lp;
    const double c = static_cast<double>(r.own.count);
    const double piece = static_cast<double>(reduction_piece_bytes);
    ReductionBytes b;
    // Ring blocks: the visiting one, and from G = 4 on the incoming one.
    auto ring_blocks = [&](double per_sample_bytes) {
        return (r.G > 1 ? 1.0 : 0.0) * r.c_max * per_sample_bytes + (r.G >= 4 ? 1.0 : 0.0) * r.c_max * per_sample_bytes;
    };
    double share = 0.0;
    if (plan.gamma1 == ReductionForm::samples) {
        const Share mine = column_share(s.samples, r.G, r.g, r.k, r.q);
        share = static_cast<double>(mine.count);
        b.gamma1_matrix = share * r.M * complex_bytes;
        const TileSums t = tile_sums(s, r, sizeof(cplx), r.lp);
        const double pass = ring_blocks(stride * complex_bytes) + t.largest + t.completed;
        // The mirror exchange: one piece out, one in, each at most this share times the largest share.
        const double exchange = 2.0 * std::min(piece, share * std::ceil(r.c_max / r.g) * complex_bytes);
        b.gamma1_pass = std::max(pass, exchange);
    } else {
        share = static_cast<double>(balanced_share(static_cast<std::size_t>(r.Nd), r.P, world_rank).count);
        b.gamma1_matrix = share * r.Nd * complex_bytes;
        const double xb = std::clamp(std::floor(piece / (complex_bytes * std::max(r.Nd, r.c_max))), 1.0, r.Nd);
        b.gamma1_pass = xb * c * complex_bytes + r.Nd * xb * complex_bytes;
        if (s.sampling_error) {
            // ring_quadratic_forms: two slabs of the widest share in flight, one piece of products,
            // and the top eigenvector whole.
            const double widest = std::ceil(r.Nd / r.P);
            b.gamma1_pass = std::max(b.gamma1_pass, 2.0 * widest * r.Nd * complex_bytes + piece + r.Nd * complex_bytes);
        }
    }
    const double dim = static_cast<double>(plan.gamma1_dimension());
    if (plan.eigen == EigenMethod::dense)
        b.eigen = world_rank == 0 ? dim * dim * complex_bytes + 34.0 * dim * complex_bytes : 0.0;
    else
        b.eigen = 2.0 * dim * real_bytes + 20.0 * 2.0 * share * real_bytes;  // x gathered; SLEPc's basis and work vectors
    const double small = 3.0 * r.lpo * real_bytes + 2.0 * c * real_bytes;    // γ^(1), its integral, masses
    if (plan.gamma2 == ReductionForm::samples) {
        const double ld = std::max(r.lpo, 1.0);
        const TileSums t = tile_sums(s, r, sizeof(double), r.lpo);
        b.gamma2_pass = ld * c * real_bytes + ring_blocks(ld * real_bytes) + t.largest + t.completed + small;
        if (s.sampling_error) b.gamma2_pass += r.M * real_bytes;  // the rows a_j of the tiles
    } else {
        const double xb = std::clamp(std::floor(piece / (real_bytes * std::max(r.nd, r.c_max))), 1.0, r.nd);
        b.gamma2_pass = r.nd * c * real_bytes + xb * c * real_bytes + 2.0 * r.nd * xb * real_bytes + small;
        // The sampling error keeps C's columns, then passes them around: three slabs and a piece.
        if (s.sampling_error) b.gamma2_pass += 3.0 * std::ceil(r.nd / r.P) * r.nd * real_bytes + piece;
    }
    return b;
}

}  // namespace dfe
