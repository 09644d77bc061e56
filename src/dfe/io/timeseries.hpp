#pragma once
/**
 * @file timeseries.hpp
 * @brief The time-series CSV: a header of column names (docs/physics.md §5) and one row per output time,
 * every number with 17 significant digits (`%.16e`), so that a row read back is the double written.
 *
 * Written by the root rank of the communicator to `<path>.tmp` while the run goes, one flushed line
 * per row, and renamed to `<path>` by commit(): a file at `<path>` is always complete. A writer
 * destroyed without commit leaves `<path>.tmp` as it is, for a restarted run to continue.
 * A failed write throws dfe::Error "writing <path>.tmp: <strerror>".
 */
#include "dfe/core/atomic_file.hpp"
#include "dfe/core/comm.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dfe {

class TimeSeriesWriter {
public:
    /** @brief Creates `<path>.tmp` on the root rank and writes the header (Not Collective). */
    TimeSeriesWriter(const Comm& comm, std::filesystem::path path, std::vector<std::string> columns);
    /**
     * @brief Continues the existing `<path>.tmp` after its first `rows` rows, cutting off any later
     * ones (Not Collective). Throws InputError on the root when the file is missing, has another
     * header or fewer rows.
     */
    TimeSeriesWriter(const Comm& comm, std::filesystem::path path, std::vector<std::string> columns, long rows);
    ~TimeSeriesWriter();
    TimeSeriesWriter(const TimeSeriesWriter&) = delete;
    TimeSeriesWriter& operator=(const TimeSeriesWriter&) = delete;

    /** @brief Appends a row; `values.size()` must equal the number of columns (Not Collective). */
    void write_row(std::span<const double> values);
    /** @brief Flushes, closes and renames the file into place (Not Collective). */
    void commit();

    [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }

private:
    struct Close {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };
    [[nodiscard]] std::string header() const;

    bool root_;
    std::filesystem::path path_;
    std::filesystem::path tmp_;  ///< `<path>.tmp`
    std::vector<std::string> columns_;
    std::unique_ptr<std::FILE, Close> file_;
    bool committed_ = false;
};

/** @brief Formats one number as the CSV does: 17 significant digits. */
std::string format_number(double value);

}  // namespace dfe
