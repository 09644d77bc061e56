#pragma once
/**
 * @file sample_set.hpp
 * @brief A group's samples on this rank's slab, stored as one block (SampleBlock, reductions/gram.hpp)
 * so that the Gram products read them in place.
 */
#include "dfe/reductions/gram.hpp"
#include "dfe/spectral/fft_plan.hpp"

#include <span>
#include <vector>

namespace dfe {

class SampleSet {
public:
    /**
     * @brief Room for `count` samples of `grid`'s physical layout, to be filled (Not Collective). The
     * stride between samples is a multiple of 4 complex numbers (64 bytes), which keeps every sample
     * as aligned as the buffers FFTW planned on.
     */
    SampleSet(const Grid& grid, std::size_t count);

    [[nodiscard]] std::size_t count() const { return pointers_.size(); }
    /** @brief Sample j at data + j·stride, physical layout of this rank's slab. */
    [[nodiscard]] std::span<cplx* const> fields() { return pointers_; }
    [[nodiscard]] std::span<const cplx* const> fields() const { return {const_pointers_.data(), const_pointers_.size()}; }
    [[nodiscard]] cplx* operator[](std::size_t j) { return pointers_[j]; }
    /** @brief The samples as one block, for the Gram products. */
    [[nodiscard]] SampleBlock block() const { return {block_.data(), stride_, pointers_.size()}; }

private:
    std::ptrdiff_t stride_ = 0;  ///< distance between samples in block_
    Buffer<cplx> block_;         ///< the samples, one after another
    std::vector<cplx*> pointers_;
    std::vector<const cplx*> const_pointers_;
};

}  // namespace dfe
