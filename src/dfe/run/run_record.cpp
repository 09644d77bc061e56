#include "dfe/run/run_record.hpp"

#include "dfe/ensemble/ensemble.hpp"

#include <cmath>

namespace dfe {

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

}  // namespace

RunRecord::RunRecord(const std::filesystem::path& dir, const Ensemble& ensemble, const RunConfig& config,
                     const std::string& provenance, const HypothesisReport& hypotheses)
    : dir_(dir), ensemble_(ensemble), config_(config), provenance_(provenance), hypotheses_(hypotheses),
      world_(ensemble.layout().world()), columns_(ColumnSchema(config.R).names()),
      writer_(world_, dir / "timeseries.csv", columns_), verdicts_(config, ensemble.grid().dx()),
      keeps_gamma1_(ensemble.layout().group_index() == 0)
{
    open_run_file(ensemble.schedule().rows(), static_cast<long>(ensemble.gamma2_rows().size()));
}

void RunRecord::open_run_file(long rows, long gamma2)
{
    const Ensemble& ensemble = ensemble_;
    run_file_.reset();  // the same temporary name: the old one goes first
    run_file_.emplace(dir_ / "run.h5", ensemble.layout(), ensemble.grid(), columns_, rows, ensemble.measure().weights(),
                      ensemble.gamma2().points_per_dim(), gamma2,
                      run_attributes(config_, world_.size(), ensemble.layout().samples(),
                                     ensemble.gamma2().points_per_dim(), provenance_));
    const auto& h = hypotheses_;
    run_file_->write_table("hypotheses",
                          {{"R", h.R}, {"sup_1_7", h.h17_sup}, {"ratio_1_8", h.h18_ratio},
                           {"positive_1_6_lower", h.h16_positive_lower}, {"positive_1_6_upper", h.h16_positive_upper}},
                          hypothesis_attributes(h));
}

void RunRecord::replay(RunHistory history, double energy0, double radial_defect0)
{
    history.replay(*run_file_);
    for (const auto& row : history.rows) {
        writer_.write_row(row);
        verdicts_.add_row(row, energy0, radial_defect0);
    }
    gamma2_written_ = static_cast<long>(history.gamma2.size());
    history_ = std::move(history);
}

void RunRecord::add(const EnsembleValues& v, const Ensemble& ensemble)
{
    const auto row = v.row_values();
    writer_.write_row(row);
    run_file_->write_row(v.row, row);
    run_file_->write_gamma1(v.row, ensemble.gamma1_local());
    std::array<std::vector<double>, sample_series.size()> samples;
    for (const auto& o : ensemble.sample_values()) {
        samples[0].push_back(o.mass);
        samples[1].push_back(o.energy);
        samples[2].push_back(o.grad_norm());
        samples[3].push_back(o.tail_fraction);
    }
    run_file_->write_sample_values(v.row, samples);
    if (v.gamma2) {
        run_file_->write_gamma2(gamma2_written_++, v.t, v.gamma2->row_start, v.gamma2->row_count, v.gamma2->rows);
        history_.gamma2.push_back({v.t, v.gamma2->row_start, v.gamma2->row_count, v.gamma2->rows});
    }
    // What a checkpoint needs; group 0 alone writes γ^(1).
    history_.rows.push_back(row);
    const auto g1 = ensemble.gamma1_local();
    history_.gamma1.push_back(keeps_gamma1_ ? std::vector<double>(g1.begin(), g1.end()) : std::vector<double>{});
    for (std::size_t k = 0; k < samples.size(); ++k) history_.samples[k].push_back(std::move(samples[k]));
    verdicts_.add(v);
}

void RunRecord::commit()
{
    const auto written = static_cast<long>(history_.rows.size());
    if (written < ensemble_.schedule().rows()) {
        // Stopped early: a run.h5 with exactly the rows and snapshots that exist.
        open_run_file(written, static_cast<long>(history_.gamma2.size()));
        history_.replay(*run_file_);
    }
    run_file_->write_underresolved_times(ensemble_.underresolved_times());
    if (!config_.R.empty()) {
        const auto& vd = verdicts_.verdicts();
        run_file_->write_table("verdicts", verdict_columns(vd),
                              {Attribute{"energy0", vd.energy0}, Attribute{"rows", static_cast<long long>(vd.rows)},
                               Attribute{"smallest_R", vd.smallest_R ? *vd.smallest_R : std::nan("")},
                               Attribute{"text", format_verdicts(vd)}});
        if (world_.is_root()) write_verdicts_csv(dir_ / "verdicts.csv", vd);
    }
    writer_.commit();
    run_file_->commit();
}

}  // namespace dfe
