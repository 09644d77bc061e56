#include "dfe/ensemble/sample_set.hpp"

#include <algorithm>

namespace dfe {

SampleSet::SampleSet(const Grid& grid, std::size_t count)
    : stride_((grid.alloc_complex() + 3) / 4 * 4),
      block_(stride_ * static_cast<std::ptrdiff_t>(std::max<std::size_t>(count, 1)))
{
    for (std::size_t j = 0; j < count; ++j) {
        pointers_.push_back(block_.data() + static_cast<std::ptrdiff_t>(j) * stride_);
        const_pointers_.push_back(pointers_.back());
    }
}

}  // namespace dfe
