#include "dfe/run/convergence.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/core/comm.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/io/timeseries.hpp"
#include "dfe/observables/columns.hpp"
#include "dfe/observables/resolution.hpp"
#include "dfe/spectral/grid.hpp"
#include "dfe/spectral/interpolate.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dfe {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Every value of this rank's slab of `grid`, gathered whole (row-major) on every rank of grid.comm().
std::vector<cplx> gather_whole(const Grid& grid, const cplx* slab)
{
    const Comm& comm = grid.comm();
    const int local = static_cast<int>(2 * grid.local_points());
    std::vector<int> counts(static_cast<std::size_t>(comm.size())), offsets(counts.size(), 0);
    DFE_MPI(MPI_Allgather(&local, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.get()));
    for (std::size_t r = 1; r < counts.size(); ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
    std::vector<cplx> whole(static_cast<std::size_t>(offsets.back() + counts.back()) / 2);
    // The slabs split axis 0 in rank order, so the concatenation is the row-major field.
    DFE_MPI(MPI_Allgatherv(slab, local, MPI_DOUBLE, whole.data(), counts.data(), offsets.data(), MPI_DOUBLE, comm.get()));
    return whole;
}

/// The share of a whole field's mass within boundary_layer_spacings points of the faces (resolution.hpp).
double whole_boundary_mass(int d, long N, const std::vector<cplx>& phi)
{
    const long w = boundary_layer_spacings;
    auto near = [&](long n) { return std::min(n, N - n) < w; };
    const long Ny = d >= 2 ? N : 1, Nz = d >= 3 ? N : 1;
    double total = 0.0, layer = 0.0;
    for (long i = 0; i < N; ++i)
        for (long j = 0; j < Ny; ++j)
            for (long k = 0; k < Nz; ++k) {
                const double m = std::norm(phi[static_cast<std::size_t>((i * Ny + j) * Nz + k)]);
                total += m;
                if (near(i) || (d >= 2 && near(j)) || (d >= 3 && near(k))) layer += m;
            }
    return total > 0.0 ? layer / total : 0.0;
}

/// "held", …, or "-" for a run not made.
std::string word(const std::optional<Verdict>& v) { return v ? verdict_word(*v) : "-"; }

/// |x| when finite, else 0: the error sum counts the estimated errors only.
double magnitude(double x) { return std::isfinite(x) ? std::abs(x) : 0.0; }

/// A standard error of a row, 0 when there is none (no random draw, or NaN for the column).
double stderr_of(const std::vector<std::vector<double>>& stderrs, std::size_t row, std::size_t column)
{
    if (row >= stderrs.size() || column >= stderrs[row].size()) return 0.0;
    const double s = stderrs[row][column];
    return std::isfinite(s) ? s : 0.0;
}

}  // namespace

const char* study_run_name(StudyRun run)
{
    switch (run) {
    case StudyRun::base: return "base";
    case StudyRun::space: return "space";
    case StudyRun::time: return "time";
    case StudyRun::box: return "box";
    }
    return "?";
}

std::vector<StudyRun> parse_study_runs(const std::string& text, const std::string& option)
{
    std::vector<StudyRun> runs;
    if (text == "none") return runs;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t end = std::min(text.find(',', begin), text.size());
        const std::string item = text.substr(begin, end - begin);
        const auto it = std::find_if(study_runs.begin() + 1, study_runs.end(),
                                     [&](StudyRun r) { return item == study_run_name(r); });
        if (it == study_runs.end())
            throw InputError(option + ": '" + item + "' is not space, time or box (give a comma list of them, or none)");
        if (std::find(runs.begin(), runs.end(), *it) != runs.end()) throw InputError(option + ": " + item + " is listed twice");
        runs.push_back(*it);
        begin = end + 1;
    }
    return runs;
}

long enlarged_points(long N) { return N + 2 * ((N + 3) / 4); }

RunConfig variant_config(const RunConfig& base, StudyRun run)
{
    RunConfig c = base;
    c.out = (std::filesystem::path(base.out) / study_run_name(run)).string();
    c.write_samples.clear();
    switch (run) {
    case StudyRun::base: break;
    case StudyRun::space: c.N = 2 * base.N; break;
    case StudyRun::time:
        if (fixed_step_order(base) > 0) c.dt = 0.5 * base.dt;
        else c.tol = 0.5 * (base.tol > 0.0 ? base.tol : default_petsc_tol);
        break;
    case StudyRun::box:
        c.N = enlarged_points(base.N);
        c.L = base.L * static_cast<double>(c.N) / static_cast<double>(base.N);
        // An explicit observation grid that does not divide the new N falls back to the default.
        if (c.gamma2_grid > 0 && c.N % c.gamma2_grid != 0) c.gamma2_grid = 0;
        break;
    }
    return c;
}

int fixed_step_order(const RunConfig& config)
{
    if (config.integrator == Integrator::petsc || config.tol > 0.0) return 0;
    return config.integrator == Integrator::order4 ? 4 : 2;
}

double time_error_factor(const RunConfig& config)
{
    const int p = fixed_step_order(config);
    if (p == 0) return 1.0;
    const double q = std::ldexp(1.0, p);
    return q / (q - 1.0);
}

CarriedMeasure::CarriedMeasure(std::unique_ptr<Measure> base, int d, long N, double L, StudyRun run)
    : base_(std::move(base)), d_(d), N_(N), L_(L), run_(run)
{
    if (run != StudyRun::space && run != StudyRun::box) throw Error("CarriedMeasure: only the space and box runs carry a measure");
}

std::string CarriedMeasure::provenance() const
{
    return base_->provenance() + (run_ == StudyRun::space ? ", interpolated spectrally from N = " : ", zero-padded from L = ") +
           (run_ == StudyRun::space ? std::to_string(N_) : shortest(L_));
}

void CarriedMeasure::fill(const Grid& grid, std::size_t first, std::span<cplx* const> fields) const
{
    const Grid coarse(grid.comm(), d_, N_, L_);
    std::vector<cplx> slab(static_cast<std::size_t>(coarse.alloc_complex()));
    const Layout& fine = grid.physical();
    const std::size_t plane = static_cast<std::size_t>(fine.axes[1].n * fine.axes[2].n);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        cplx* one[] = {slab.data()};
        base_->fill(coarse, first + i, one);
        const std::vector<cplx> whole = gather_whole(coarse, slab.data());
        std::vector<cplx> carried = run_ == StudyRun::space ? refine_spectral(d_, N_, whole, grid.N())
                                                            : pad_box(d_, N_, whole, grid.N());
        if (run_ == StudyRun::space) {
            double norm2 = 0.0;
            for (const cplx& z : carried) norm2 += std::norm(z);
            const double scale = 1.0 / std::sqrt(norm2 * grid.cell_volume());
            for (cplx& z : carried) z *= scale;
        }
        const auto begin = carried.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(fine.axes[0].start) * plane);
        std::copy(begin, begin + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(fine.axes[0].n) * plane), fields[i]);
    }
}

void require_paddable(const Comm& comm, const Measure& measure, int d, long N, double L, double boundary_tol)
{
    // Each rank alone on its own communicator; the root reads every sample whole.
    const Comm self = comm.split(comm.rank(), 0);
    collectively(comm, [&] {
        if (!comm.is_root()) return;
        const Grid grid(self, d, N, L);
        std::vector<cplx> phi(static_cast<std::size_t>(grid.alloc_complex()));
        for (std::size_t j = 0; j < measure.size(); ++j) {
            cplx* one[] = {phi.data()};
            measure.fill(grid, j, one);
            const std::vector<cplx> whole(phi.begin(), phi.begin() + grid.local_points());
            const double m = whole_boundary_mass(d, N, whole);
            if (m > boundary_tol)
                throw InputError("the box run cannot enlarge the box of this samples file: sample " + std::to_string(j) + " has " +
                                 strf("%.3g", m) + " of its mass within " + std::to_string(boundary_layer_spacings) +
                                 " grid spacings of the faces (more than --boundary-tol " + shortest(boundary_tol) +
                                 "), which zero padding would cut; leave box out of --variants");
        }
    });
}

ConvergenceStudy::ConvergenceStudy(const RunConfig& base)
    : base_(base), time_factor_(time_error_factor(base)), columns_(base.R)
{
}

void ConvergenceStudy::add(StudyRun run, StudyRecord record) { records_[static_cast<std::size_t>(run)] = std::move(record); }

const StudyRecord* ConvergenceStudy::record(StudyRun run) const
{
    const auto& r = records_[static_cast<std::size_t>(run)];
    return r ? &*r : nullptr;
}

std::vector<std::string> ConvergenceStudy::columns() const
{
    auto names = ColumnSchema(base_.R).names();
    names.erase(names.begin() + static_cast<std::ptrdiff_t>(columns_.t));
    return names;
}

const std::vector<double>* ConvergenceStudy::matching_row(StudyRun run, std::size_t row) const
{
    const StudyRecord* base = record(StudyRun::base);
    const StudyRecord* other = record(run);
    if (!base || !other || row >= base->rows.size() || row >= other->rows.size()) return nullptr;
    const double t = base->rows[row][columns_.t], u = other->rows[row][columns_.t];
    if (std::abs(t - u) > 1e-9 * std::max(1.0, std::abs(t))) return nullptr;
    return &other->rows[row];
}

double ConvergenceStudy::error(StudyRun run, std::size_t row, std::size_t column) const
{
    const std::vector<double>* other = run == StudyRun::base ? nullptr : matching_row(run, row);
    if (!other) return nan;
    const double d = record(StudyRun::base)->rows[row][column] - (*other)[column];
    return run == StudyRun::time ? d * time_factor_ : d;
}

std::vector<CheckStudy> ConvergenceStudy::checks() const
{
    std::vector<CheckStudy> out;
    const StudyRecord* base = record(StudyRun::base);
    if (!base || base->rows.empty()) return out;
    auto study = [&](std::size_t check, std::size_t r) {
        CheckStudy s;
        s.check = check;
        s.R = check == vterm_check ? nan : base_.R[r];
        for (StudyRun run : study_runs) {
            const StudyRecord* rec = record(run);
            if (!rec) continue;
            const Verdicts& v = rec->verdicts;
            if (check == vterm_check) s.verdicts[static_cast<std::size_t>(run)] = v.vterm.verdict();
            else {
                const RadiusVerdict& rv = v.radii[r];
                const CheckRecord* c[] = {nullptr, &rv.IIIa_bound, &rv.IIIb_bound, &rv.IV_bound, &rv.d2loc_bound};
                s.verdicts[static_cast<std::size_t>(run)] = c[check]->verdict();
            }
        }
        for (const auto& v : s.verdicts) s.same = s.same && (!v || *v == *s.verdicts[0]);
        // The smallest margin over the resolved rows (all rows when none is resolved).
        const bool layer_ok = check == vterm_check || base->verdicts.radii[r].layer_resolved;
        std::size_t at = 0;
        bool found = false;
        for (int pass = 0; pass < 2 && !found; ++pass)
            for (std::size_t i = 0; i < base->rows.size(); ++i) {
                const bool resolved = layer_ok && base->rows[i][columns_.n_underresolved] == 0.0;
                if (pass == 0 && !resolved) continue;
                const double m = columns_.margin(check, r, base->rows[i], base->energy0);
                if (!found || m < s.margin) {
                    at = i;
                    s.margin = m;
                }
                found = true;
            }
        const auto& row = base->rows[at];
        s.t = row[columns_.t];
        s.slack = verdict_slack(row[columns_.kinetic]);
        auto err = [&](StudyRun run) {
            const std::vector<double>* other = matching_row(run, at);
            if (!other) return nan;
            const double d = s.margin - columns_.margin(check, r, *other, record(run)->energy0);
            return run == StudyRun::time ? d * time_factor_ : d;
        };
        s.err_space = err(StudyRun::space);
        s.err_time = err(StudyRun::time);
        s.err_box = err(StudyRun::box);
        s.error = magnitude(s.err_space) + magnitude(s.err_time) + magnitude(s.err_box);
        // The margin's standard error: its quantity's, plus 4 × E(0)'s where the bound holds E(0), plus
        // half of II_R's for IIIb (added, not in quadrature: their correlation is not known).
        const auto& se = base->stderrs;
        double e = stderr_of(se, at, columns_.quantity(check, r));
        if (check != vterm_check) e += 4.0 * stderr_of(se, 0, columns_.energy);
        if (check == IIIb_check) e += 0.5 * stderr_of(se, at, columns_.radii[r].II);
        s.std_error = e;
        s.robust = s.same && *s.verdicts[0] != Verdict::unresolved && std::abs(s.margin + s.slack) > s.error + 2.0 * s.std_error;
        out.push_back(s);
    };
    study(vterm_check, 0);
    for (std::size_t r = 0; r < base_.R.size(); ++r)
        for (std::size_t check = IIIa_check; check <= d2loc_check; ++check) study(check, r);
    return out;
}

void ConvergenceStudy::write_errors_csv(const std::filesystem::path& path) const
{
    const StudyRecord* base = record(StudyRun::base);
    const auto names = ColumnSchema(base_.R).names();
    write_text_file(path, [&](std::ostream& out) {
        out << "column,t,value,err_space,err_time,err_box\n";
        if (!base) return;
        for (std::size_t c = 0; c < names.size(); ++c) {
            if (c == columns_.t) continue;
            for (std::size_t r = 0; r < base->rows.size(); ++r)
                out << names[c] << ',' << format_number(base->rows[r][columns_.t]) << ',' << format_number(base->rows[r][c]) << ','
                    << format_number(error(StudyRun::space, r, c)) << ',' << format_number(error(StudyRun::time, r, c)) << ','
                    << format_number(error(StudyRun::box, r, c)) << '\n';
        }
    });
}

void ConvergenceStudy::write_verdicts_csv(const std::filesystem::path& path) const
{
    const auto rows = checks();
    write_text_file(path, [&](std::ostream& out) {
        out << "R,check,verdict_base,verdict_space,verdict_time,verdict_box,same_in_all_runs,t,margin,slack,err_space,"
               "err_time,err_box,error,stderr,robust\n";
        for (const CheckStudy& s : rows) {
            out << format_number(s.R) << ',' << check_names[s.check];
            for (const auto& v : s.verdicts) out << ',' << word(v);
            out << ',' << (s.same ? "true" : "false");
            for (double x : {s.t, s.margin, s.slack, s.err_space, s.err_time, s.err_box, s.error, s.std_error})
                out << ',' << format_number(x);
            out << ',' << (s.robust ? "true" : "false") << '\n';
        }
    });
}

std::string ConvergenceStudy::format_checks() const
{
    std::string s = strf("%8s %-32s %-11s %-5s %12s %10s %10s %10s %10s %7s\n", "R", "check", "verdict", "same", "margin",
                         "err_space", "err_time", "err_box", "stderr", "robust");
    for (const CheckStudy& c : checks())
        s += strf("%8s %-32s %-11s %-5s %12.4g %10.2g %10.2g %10.2g %10.2g %7s\n",
                  std::isnan(c.R) ? "-" : shortest(c.R).c_str(), std::string(check_names[c.check]).c_str(),
                  word(c.verdicts[0]).c_str(), c.same ? "yes" : "NO", c.margin, c.err_space, c.err_time, c.err_box,
                  c.std_error, c.robust ? "yes" : "no");
    return s;
}

}  // namespace dfe
