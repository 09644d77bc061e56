#include "dfe/io/timeseries.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

namespace dfe {

std::string format_number(double value)
{
    return strf("%.16e", value);
}

TimeSeriesWriter::TimeSeriesWriter(const Comm& comm, std::filesystem::path path, std::vector<std::string> columns)
    : root_(comm.is_root()), path_(std::move(path)), tmp_(path_, comm.is_root()), columns_(std::move(columns))
{
    if (!root_) return;
    errno = 0;
    file_.reset(std::fopen(tmp_.path().c_str(), "w"));
    if (!file_) throw Error(os_error("creating", tmp_.path(), errno));
    std::string header;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i) header += ',';
        header += columns_[i];
    }
    header += '\n';
    if (std::fputs(header.c_str(), file_.get()) < 0 || std::fflush(file_.get()) != 0)
        throw Error(os_error("writing", tmp_.path(), errno));
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
    errno = 0;
    if (std::fputs(line.c_str(), file_.get()) < 0 || std::fflush(file_.get()) != 0)
        throw Error(os_error("writing", tmp_.path(), errno));
}

void TimeSeriesWriter::commit()
{
    if (!root_ || committed_) return;
    errno = 0;
    if (std::fflush(file_.get()) != 0) throw Error(os_error("writing", tmp_.path(), errno));
    if (std::fclose(file_.release()) != 0) throw Error(os_error("closing", tmp_.path(), errno));
    std::error_code error;
    std::filesystem::rename(tmp_.path(), path_, error);
    if (error) throw Error("renaming " + tmp_.path().string() + " to " + path_.string() + ": " + error.message());
    tmp_.release();
    committed_ = true;
}

}  // namespace dfe
