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
    file_.reset(std::fopen(tmp_.path().c_str(), "w"));
    if (!file_) throw Error("cannot open " + tmp_.path().string() + " for writing: " + std::strerror(errno));
    std::string header;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i) header += ',';
        header += columns_[i];
    }
    header += '\n';
    std::fputs(header.c_str(), file_.get());
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
    if (std::fputs(line.c_str(), file_.get()) < 0) throw Error("write to " + tmp_.path().string() + " failed");
    std::fflush(file_.get());
}

void TimeSeriesWriter::commit()
{
    if (!root_ || committed_) return;
    if (std::fflush(file_.get()) != 0) throw Error("write to " + tmp_.path().string() + " failed");
    file_.reset();
    std::filesystem::rename(tmp_.path(), path_);
    tmp_.release();
    committed_ = true;
}

}  // namespace dfe
