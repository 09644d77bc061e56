#include "dfe/observables/columns.hpp"

#include "dfe/core/format.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace dfe {

std::string localized_column(std::string_view name, double R)
{
    return std::string(name) + strf("_R%g", R);
}

ColumnSchema::ColumnSchema(std::span<const double> R)
{
    names_.emplace_back("t");
    for (const ColumnSpec& c : sample_column_specs) names_.emplace_back(c.name);
    names_.emplace_back(glassey_column_spec.name);
    for (double r : R) {
        for (const ColumnSpec& c : localized_column_specs) names_.push_back(localized_column(c.name, r));
        names_.push_back(localized_column(margin_column_spec.name, r));
    }
    for (const ColumnSpec& c : extra_column_specs) names_.emplace_back(c.name);
    for (const ColumnSpec& c : monitor_column_specs) names_.emplace_back(c.name);
}

std::size_t ColumnSchema::index(std::string_view name) const
{
    const auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) throw std::logic_error("no time-series column " + std::string(name));
    return static_cast<std::size_t>(it - names_.begin());
}

}  // namespace dfe
