#include "dfe/run/run_record.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"
#include "dfe/ensemble/ensemble.hpp"
#include "dfe/io/xdmf.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <system_error>

namespace dfe {

namespace fs = std::filesystem;

namespace {

std::vector<Attribute> hypothesis_attributes(const HypothesisReport& h)
{
    auto flag = [](bool b) { return static_cast<long long>(b ? 1 : 0); };
    return {Attribute{"holds", flag(h.holds)},           Attribute{"failing", h.failing},
            Attribute{"max_1_6", h.h16_max},             Attribute{"max_1_6_at", h.h16_max_at},
            Attribute{"holds_1_6", flag(h.h16_holds)},   Attribute{"holds_1_7", flag(h.h17_holds)},
            Attribute{"holds_1_8", flag(h.h18_holds)},   Attribute{"V_nonnegative", flag(h.v_nonnegative)},
            Attribute{"text", format_hypothesis_report(h)}};
}

/// 128 random bits in hex, drawn on the root and the same on every rank (Collective).
std::string new_run_id(const Comm& world)
{
    std::array<double, 4> parts{};
    if (world.is_root()) {
        std::random_device device;
        for (double& p : parts) p = static_cast<double>(device() & 0xffffffffu);
    }
    world.broadcast(parts);
    std::string id;
    for (double p : parts) id += strf("%08x", static_cast<unsigned>(p));
    return id;
}

/// The record's files, final and temporary names.
struct RecordFiles {
    fs::path csv, h5;
    explicit RecordFiles(const fs::path& dir) : csv(dir / "timeseries.csv"), h5(dir / "run.h5") {}
    [[nodiscard]] bool in_progress() const { return fs::exists(temporary_path(csv)) && fs::exists(temporary_path(h5)); }
    [[nodiscard]] bool finished() const { return fs::exists(csv) && fs::exists(h5); }
};

}  // namespace

void require_record(const fs::path& dir, const fs::path& origin)
{
    const RecordFiles here(dir), there(origin);
    if (here.in_progress() || here.finished()) return;
    std::error_code same;
    const bool elsewhere = !origin.empty() && !fs::equivalent(origin, dir, same);
    if (elsewhere && (there.in_progress() || there.finished())) return;
    throw InputError("no record of this run in '" + dir.string() + "' (run.h5.tmp and timeseries.csv.tmp, or run.h5 and "
                     "timeseries.csv)" + (elsewhere ? " nor in '" + origin.string() + "'" : std::string()) +
                     ": a checkpoint holds the fields and the state, the rows are in the record; give --out the "
                     "directory the run wrote");
}

namespace {

/**
 * Puts the record to continue at DIR under its temporary names (root only): DIR's own files in
 * progress, DIR's finished files renamed back, or a copy of the files in `origin`.
 */
void bring_record(const fs::path& dir, const fs::path& origin)
{
    require_record(dir, origin);
    const RecordFiles here(dir);
    auto rename_back = [](const fs::path& from, const fs::path& to) {
        std::error_code error;
        fs::rename(from, to, error);
        if (error) throw Error("renaming " + from.string() + " to " + to.string() + ": " + error.message());
    };
    // The sampling-error tables of a random draw travel with timeseries.csv when they are there.
    const std::array<fs::path, 2> extra{"timeseries_stderr.csv", "timeseries_estimate.csv"};
    if (here.in_progress()) return;
    if (here.finished()) {
        for (const fs::path& name : extra)
            if (fs::exists(dir / name)) rename_back(dir / name, temporary_path(dir / name));
        // A finished run goes on: its files are being written again, and its verdicts are redone.
        // run.xmf goes first, with the run.h5 it points at (commit() writes it again).
        std::error_code error;
        fs::remove(dir / "run.xmf", error);
        if (error) throw Error("removing " + (dir / "run.xmf").string() + ": " + error.message());
        rename_back(here.csv, temporary_path(here.csv));
        rename_back(here.h5, temporary_path(here.h5));
        std::error_code ignored;
        fs::remove(dir / "verdicts.csv", ignored);
        return;
    }
    const RecordFiles there(origin);
    const bool progress = there.in_progress();
    for (const auto& [from, to] : {std::pair{progress ? temporary_path(there.csv) : there.csv, temporary_path(here.csv)},
                                   std::pair{progress ? temporary_path(there.h5) : there.h5, temporary_path(here.h5)}}) {
        std::error_code error;
        fs::copy_file(from, to, fs::copy_options::overwrite_existing, error);
        if (error) throw Error("copying the run's record " + from.string() + " to " + to.string() + ": " + error.message());
    }
    for (const fs::path& name : extra) {
        const fs::path from = progress ? temporary_path(origin / name) : origin / name;
        if (!fs::exists(from)) continue;
        std::error_code error;
        fs::copy_file(from, temporary_path(dir / name), fs::copy_options::overwrite_existing, error);
        if (error) throw Error("copying the run's record " + from.string() + ": " + error.message());
    }
}

}  // namespace

void RowDigest::add(long row, std::vector<double> values)
{
    if (row % stride_ == 0) {
        kept_.push_back(values);
        if (kept_.size() > 2 * capacity_) {
            // Twice as many as wanted: every second one goes, and later rows are taken half as often.
            std::vector<std::vector<double>> thinned;
            for (std::size_t i = 0; i < kept_.size(); i += 2) thinned.push_back(std::move(kept_[i]));
            kept_ = std::move(thinned);
            stride_ *= 2;
        }
    }
    last_ = std::move(values);
    last_row_ = row;
}

std::vector<std::vector<double>> RowDigest::rows() const
{
    std::vector<std::vector<double>> out = kept_;
    if (last_row_ >= 0 && last_row_ % stride_ != 0) out.push_back(last_);
    return out;
}

RunRecord::RunRecord(const fs::path& dir, const Ensemble& ensemble, const RunConfig& config, const std::string& provenance,
                     const HypothesisReport& hypotheses)
    : dir_(dir), ensemble_(ensemble), config_(config), provenance_(provenance), hypotheses_(hypotheses),
      world_(ensemble.layout().world()), columns_(ColumnSchema(config.R).names()), run_id_(new_run_id(world_)),
      verdicts_(config, ensemble.grid().dx())
{
    writer_.emplace(world_, dir / "timeseries.csv", columns_);
    if (config.random_draw) {
        error_writer_.emplace(world_, dir / "timeseries_stderr.csv", columns_);
        estimate_writer_.emplace(world_, dir / "timeseries_estimate.csv", columns_);
    }
    run_file_ = std::make_unique<RunFile>(dir_ / "run.h5", ensemble.layout(), ensemble.grid(), columns_,
                                          ensemble.schedule().rows(), ensemble.measure().weights(),
                                          ensemble.gamma2().points_per_dim(),
                                          static_cast<long>(ensemble.gamma2_rows().size()), attributes());
    if (config.random_draw) run_file_->enable_sampling_error();
    write_hypotheses();
}

RunRecord::RunRecord(const fs::path& dir, const Ensemble& ensemble, const RunConfig& config, const std::string& provenance,
                     const HypothesisReport& hypotheses, const CheckpointInfo& checkpoint, const RecordPosition& keep)
    : dir_(dir), ensemble_(ensemble), config_(config), provenance_(provenance), hypotheses_(hypotheses),
      world_(ensemble.layout().world()), columns_(ColumnSchema(config.R).names()), run_id_(checkpoint.record.run_id),
      verdicts_(config, ensemble.grid().dx()), rows_written_(keep.rows), gamma2_written_(keep.gamma2_snapshots)
{
    collectively(world_, [&] {
        if (world_.is_root()) bring_record(dir, checkpoint.record.directory);
    });
    const auto& layout = ensemble.layout();
    const auto run_attributes = attributes();
    run_file_ = std::make_unique<RunFile>(dir_ / "run.h5", layout, ensemble.grid(), columns_, keep.rows,
                                          ensemble.measure().weights(), ensemble.gamma2().points_per_dim(),
                                          keep.gamma2_snapshots, run_attributes, RunFile::Mode::resume);
    const std::string where = "the run's record '" + temporary_path(dir_ / "run.h5").string() + "'";
    if (run_file_->rows() < keep.rows || run_file_->gamma2_rows() < keep.gamma2_snapshots)
        throw InputError(where + " holds " + std::to_string(run_file_->rows()) + " rows and " +
                         std::to_string(run_file_->gamma2_rows()) + " gamma2 snapshots, fewer than the checkpoint's " +
                         std::to_string(keep.rows) + " and " + std::to_string(keep.gamma2_snapshots));
    check_gamma2_times(keep.gamma2_snapshots);
    collectively(world_, [&] {
        writer_.emplace(world_, dir / "timeseries.csv", columns_, keep.rows);
        if (config.random_draw) {
            error_writer_.emplace(world_, dir / "timeseries_stderr.csv", columns_, keep.rows);
            estimate_writer_.emplace(world_, dir / "timeseries_estimate.csv", columns_, keep.rows);
        }
    });
    run_file_->restart(run_attributes, ensemble.schedule().rows(), static_cast<long>(ensemble.gamma2_rows().size()));
    if (config.random_draw) run_file_->enable_sampling_error();
    write_hypotheses();
    // The verdicts and the closing table from the rows kept, a block at a time.
    constexpr long block = 4096;
    for (long first = 0; first < keep.rows; first += block)
        for (auto& row : run_file_->read_rows(first, std::min(block, keep.rows - first))) {
            verdicts_.add_row(row, checkpoint.state.energy0, checkpoint.state.radial_defect0);
            digest_.add(first++, std::move(row));
        }
}

RunRecord::~RunRecord() = default;

std::vector<Attribute> RunRecord::attributes() const
{
    auto out = run_attributes(config_, world_.size(), ensemble_.layout().samples(), ensemble_.gamma2().points_per_dim(),
                              provenance_);
    out.push_back(Attribute{"run_id", run_id_});
    return out;
}

void RunRecord::write_hypotheses()
{
    const auto& h = hypotheses_;
    run_file_->write_table("hypotheses",
                           {{"R", h.R}, {"sup_1_7", h.h17_sup}, {"ratio_1_8", h.h18_ratio},
                            {"positive_1_6_lower", h.h16_positive_lower}, {"positive_1_6_upper", h.h16_positive_upper}},
                           hypothesis_attributes(h));
    run_file_->flush();
}

void RunRecord::check_gamma2_times(long snapshots) const
{
    const auto written = run_file_->read_gamma2_times(snapshots);
    const auto& rows = ensemble_.gamma2_rows();
    for (long k = 0; k < snapshots; ++k) {
        const double wanted = k < static_cast<long>(rows.size())
                                  ? row_time(config_, ensemble_.schedule(), rows[static_cast<std::size_t>(k)])
                                  : std::nan("");
        const double got = written[static_cast<std::size_t>(k)];
        if (!(std::abs(got - wanted) <= 1e-12 * std::max(1.0, std::abs(got))))
            throw InputError("the run's record holds a gamma2 snapshot at t = " + shortest(got) + " where --gamma2-times '" +
                             config_.gamma2_times + "' now asks for " +
                             (std::isnan(wanted) ? std::string("none") : "t = " + shortest(wanted)) +
                             ": give --gamma2-times as the list of times the run used");
    }
}

void RunRecord::add(const EnsembleValues& v, const Ensemble& ensemble)
{
    auto row = v.row_values();
    writer_->write_row(row);
    run_file_->write_row(v.row, row);
    if (error_writer_) {
        require_logic(v.stderr_row.size() == row.size() && v.estimate_row.size() == row.size(),
                      "RunRecord::add: a random draw's row without its sampling error");
        error_writer_->write_row(v.stderr_row);
        estimate_writer_->write_row(v.estimate_row);
        run_file_->write_error_row(v.row, v.stderr_row, v.estimate_row);
    }
    run_file_->write_gamma1(v.row, ensemble.gamma1_local());
    std::array<std::vector<double>, sample_series.size()> samples;
    for (const auto& o : ensemble.sample_values()) {
        samples[0].push_back(o.mass);
        samples[1].push_back(o.energy);
        samples[2].push_back(o.grad_norm());
        samples[3].push_back(o.tail_fraction);
    }
    run_file_->write_sample_values(v.row, samples);
    if (v.gamma2)
        run_file_->write_gamma2(gamma2_written_++, v.t, v.gamma2->row_start, v.gamma2->row_count, v.gamma2->rows);
    // The row is on the storage before the run goes on.
    run_file_->flush();
    rows_written_ = v.row + 1;
    verdicts_.add(v);
    digest_.add(v.row, std::move(row));
}

RecordPosition RunRecord::position() const
{
    return {run_id_, fs::absolute(dir_), rows_written_, gamma2_written_};
}

void RunRecord::commit()
{
    // Stopped early: a run.h5 with exactly the rows and snapshots that exist.
    if (rows_written_ < run_file_->rows() || gamma2_written_ < run_file_->gamma2_rows())
        run_file_->resize(rows_written_, gamma2_written_);
    run_file_->write_underresolved_times(ensemble_.underresolved_times());
    if (!config_.R.empty()) {
        const auto& vd = verdicts_.verdicts();
        run_file_->write_table("verdicts", verdict_columns(vd),
                               {Attribute{"energy0", vd.energy0}, Attribute{"rows", static_cast<long long>(vd.rows)},
                                Attribute{"smallest_R", vd.smallest_R ? *vd.smallest_R : std::nan("")},
                                Attribute{"text", format_verdicts(vd)}});
        if (world_.is_root()) write_verdicts_csv(dir_ / "verdicts.csv", vd);
    }
    if (error_writer_) {
        error_writer_->commit();
        estimate_writer_->commit();
    }
    writer_->commit();
    // run.xmf (io/xdmf.hpp) describes run.h5 as committed: complete under its temporary name before
    // run.h5 is renamed, renamed right after it.
    std::optional<XdmfSidecar> sidecar;
    write_sidecar(sidecar);
    run_file_->commit();
    if (sidecar) sidecar->commit();
}

void RunRecord::write_sidecar(std::optional<XdmfSidecar>& sidecar) const
{
    const auto& grid = ensemble_.grid();
    if (world_.is_root())
        sidecar.emplace(dir_ / "run.xmf", XdmfLayout{grid.d(), static_cast<long>(grid.N()), grid.L(), rows_written_});
    // The times of the rows as run.h5 holds them, a block at a time.
    const std::size_t t = ColumnSchema(config_.R).index("t");
    constexpr long block = 4096;
    std::vector<double> times;
    for (long first = 0; first < rows_written_; first += block) {
        times.clear();
        for (const auto& row : run_file_->read_rows(first, std::min(block, rows_written_ - first))) times.push_back(row[t]);
        if (sidecar) sidecar->add(times);
    }
    if (!sidecar) return;
    sidecar->close();
    // A run.xmf of an earlier run in DIR goes before its run.h5 is replaced: no run.xmf ever points at
    // another run.h5 than the one it was written for.
    std::error_code error;
    fs::remove(sidecar->path(), error);
    if (error) throw Error("removing " + sidecar->path().string() + ": " + error.message());
}

}  // namespace dfe
