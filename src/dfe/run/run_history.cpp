#include "dfe/run/run_history.hpp"

namespace dfe {

void RunHistory::replay(RunFile& file) const
{
    for (std::size_t r = 0; r < rows.size(); ++r) {
        file.write_row(static_cast<long>(r), rows[r]);
        file.write_gamma1(static_cast<long>(r), gamma1[r]);
        std::array<std::vector<double>, sample_series.size()> values;
        for (std::size_t k = 0; k < values.size(); ++k) values[k] = samples[k][r];
        file.write_sample_values(static_cast<long>(r), values);
    }
    for (std::size_t k = 0; k < gamma2.size(); ++k)
        file.write_gamma2(static_cast<long>(k), gamma2[k].t, gamma2[k].row_start, gamma2[k].row_count, gamma2[k].values);
}

}  // namespace dfe
