#pragma once
/**
 * @file run_history.hpp
 * @brief What the run record has written so far, kept so that a checkpoint can carry it and a
 * restarted run can write the same files (run_record.hpp, checkpoint.hpp).
 */
#include "dfe/io/run_file.hpp"

#include <array>
#include <vector>

namespace dfe {

/**
 * @brief What the run record (timeseries.csv, run.h5) has received so far, this rank's parts: what a
 * checkpoint must carry so that a restarted run writes the same files.
 */
struct RunHistory {
    std::vector<std::vector<double>> rows;    ///< every time-series row (the same on every rank)
    std::vector<std::vector<double>> gamma1;  ///< γ^(1) on this rank's slab, per row (group 0; empty elsewhere)
    /// Per sample_series (run_file.hpp): this group's samples, per row.
    std::array<std::vector<std::vector<double>>, sample_series.size()> samples;
    struct Snapshot {
        double t = 0.0;
        long row_start = 0, row_count = 0;  ///< this rank's rows of the n^d × n^d matrix
        std::vector<double> values;
    };
    std::vector<Snapshot> gamma2;

    /** @brief Writes everything into a new run record, as the run did (Collective). */
    void replay(RunFile& file) const;
};

}  // namespace dfe
