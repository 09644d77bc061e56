#include "dfe/free_space.hpp"

#include "dfe/error.hpp"

namespace dfe {

// Temporary until the padded convolution lands (same change set).
FreeSpaceConvolution::FreeSpaceConvolution(const Grid&, const Potential&, PlannerEffort)
{
    throw Error("free-space convolution not built yet");
}
FreeSpaceConvolution::~FreeSpaceConvolution() = default;
void FreeSpaceConvolution::potential(double*) const {}
ConvolutionSums FreeSpaceConvolution::convolve_all(const double*, std::span<double* const>) const { return {}; }

}  // namespace dfe
