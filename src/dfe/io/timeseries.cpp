#include "dfe/io/timeseries.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>

namespace dfe {

std::string format_number(double value)
{
    return strf("%.16e", value);
}

std::string TimeSeriesWriter::header() const
{
    std::string header;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i) header += ',';
        header += columns_[i];
    }
    return header + '\n';
}

TimeSeriesWriter::TimeSeriesWriter(const Comm& comm, std::filesystem::path path, std::vector<std::string> columns)
    : root_(comm.is_root()), path_(std::move(path)), tmp_(temporary_path(path_)), columns_(std::move(columns))
{
    if (!root_) return;
    errno = 0;
    file_.reset(std::fopen(tmp_.c_str(), "w"));
    if (!file_) throw Error(os_error("creating", tmp_, errno));
    if (std::fputs(header().c_str(), file_.get()) < 0 || std::fflush(file_.get()) != 0)
        throw Error(os_error("writing", tmp_, errno));
}

TimeSeriesWriter::TimeSeriesWriter(const Comm& comm, std::filesystem::path path, std::vector<std::string> columns,
                                   long rows)
    : root_(comm.is_root()), path_(std::move(path)), tmp_(temporary_path(path_)), columns_(std::move(columns))
{
    if (!root_) return;
    const std::string where = "the run's time series '" + tmp_.string() + "'";
    std::FILE* in = std::fopen(tmp_.c_str(), "r");
    if (!in) throw InputError(where + " cannot be read (" + std::strerror(errno) + "): the run cannot be continued");
    const std::unique_ptr<std::FILE, Close> reader(in);
    // The header, then `rows` complete lines; the file is cut after them.
    std::string line;
    long lines = -1;
    long offset = 0;
    for (int c; lines < rows && (c = std::fgetc(in)) != EOF;) {
        line += static_cast<char>(c);
        if (c != '\n') continue;
        if (lines < 0 && line != header()) throw InputError(where + " has other columns than this run");
        ++lines;
        offset = std::ftell(in);
        line.clear();
    }
    if (lines < rows)
        throw InputError(where + " holds " + std::to_string(std::max(lines, 0L)) + " complete rows, the checkpoint " +
                         std::to_string(rows) + ": the run cannot be continued from this checkpoint");
    std::error_code error;
    std::filesystem::resize_file(tmp_, static_cast<std::uintmax_t>(offset), error);
    if (error) throw Error("cutting " + tmp_.string() + " back to " + std::to_string(rows) + " rows: " + error.message());
    errno = 0;
    file_.reset(std::fopen(tmp_.c_str(), "a"));
    if (!file_) throw Error(os_error("opening", tmp_, errno));
}

TimeSeriesWriter::~TimeSeriesWriter() = default;

void TimeSeriesWriter::write_row(std::span<const double> values)
{
    if (values.size() != columns_.size())
        throw Error("time-series row has " + std::to_string(values.size()) + " values for " +
                    std::to_string(columns_.size()) + " columns");
    if (!root_) return;
    std::string line;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) line += ',';
        line += format_number(values[i]);
    }
    line += '\n';
    // Flushed at every row: a run killed at any moment leaves every row written so far complete.
    errno = 0;
    if (std::fputs(line.c_str(), file_.get()) < 0 || std::fflush(file_.get()) != 0)
        throw Error(os_error("writing", tmp_, errno));
}

void TimeSeriesWriter::commit()
{
    if (!root_ || committed_) return;
    errno = 0;
    if (std::fflush(file_.get()) != 0) throw Error(os_error("writing", tmp_, errno));
    if (std::fclose(file_.release()) != 0) throw Error(os_error("closing", tmp_, errno));
    std::error_code error;
    std::filesystem::rename(tmp_, path_, error);
    if (error) throw Error("renaming " + tmp_.string() + " to " + path_.string() + ": " + error.message());
    committed_ = true;
}

}  // namespace dfe
