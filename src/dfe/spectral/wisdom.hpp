#pragma once
/**
 * @file wisdom.hpp
 * @brief FFTW's wisdom (the plans its planner chose) as text: saved with a checkpoint and in
 * `--fftw-wisdom` files, so that a restarted or repeated run executes the same algorithms and
 * reproduces the earlier one bit for bit.
 *
 * FFTW_MEASURE times candidate algorithms and keeps the fastest, so two runs of the same problem may
 * execute different ones and differ at the 1e-14 level. Wisdom is per process; plans made with
 * FFTW-MPI are chosen collectively, so the ranks of a group hold the same wisdom for them. Wisdom is
 * used only by plans made after it is imported.
 */
#include "dfe/core/comm.hpp"

#include <string>

namespace dfe {

/** @brief This process's accumulated wisdom, as FFTW exports it (Not Collective). */
std::string export_wisdom();

/**
 * @brief Adds `text` to this process's wisdom (FFTW replaces entries for the same problems). Returns
 * false when FFTW cannot read it (Not Collective).
 */
bool import_wisdom(const std::string& text);

/** @brief The wisdom of every rank of `comm` merged, on its root (empty elsewhere) (Collective on `comm`). */
std::string gather_wisdom(const Comm& comm);

}  // namespace dfe
