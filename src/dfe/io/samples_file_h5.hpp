#pragma once
/**
 * @file samples_file_h5.hpp
 * @brief The samples-file writer on an HDF5 file that is already open (for checkpoints, which carry
 * their fields in the samples-file schema). Kept apart so that samples_file.hpp exposes no HDF5 type.
 */
#include "dfe/io/samples_file.hpp"

#include <hdf5.h>

namespace dfe {

/**
 * @brief Writes the schema above into an open parallel HDF5 file (root attributes d, N, L, /weights,
 * /samples/real, /samples/imag): how checkpoints carry their fields. Collective on layout.world().
 */
void write_samples(hid_t file, const GroupLayout& layout, const Grid& grid, std::span<const double> weights,
                   std::span<const cplx* const> fields);

}  // namespace dfe
