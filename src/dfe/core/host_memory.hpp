#pragma once
/**
 * @file host_memory.hpp
 * @brief What the machine offers a run: the memory available to each rank, the peak resident set
 * of this process, the free space of a file system; and byte counts as text (`512M`, `1.5G`).
 *
 * Sizes are doubles: a request of 10^19 bytes must stay a (huge) number, never wrap.
 */
#include "dfe/core/comm.hpp"

#include <string>
#include <string_view>

namespace dfe {

/**
 * @brief A byte count from text: plain bytes (`1000000`), or a number with a binary suffix K, M, G,
 * T (optionally followed by `B` or `iB`, any case): `512M`, `4G`, `1.5G`, `64KiB`. Throws InputError
 * naming `option` for anything else (empty, negative, zero, not finite, an unknown suffix).
 */
double parse_size(std::string_view text, const std::string& option);

/** @brief `n` bytes as a short human figure: `412 MiB`, `1.5 GiB`, `8.7e+09 TiB` (binary units). */
std::string format_bytes(double n);

/** @brief The memory this node can still give, in bytes: what a new allocation may use. */
struct NodeMemory {
    double mem_available = 0.0;  ///< MemAvailable of /proc/meminfo (0: unknown)
    double cgroup_room = 0.0;    ///< the cgroup's limit minus its usage (v2 memory.max, v1 limit_in_bytes; 0: no limit)
    /** @brief The smaller of the two known figures (0 when neither is known). */
    [[nodiscard]] double available() const;
};

/** @brief Reads /proc/meminfo and this process's cgroup (Not Collective). */
NodeMemory node_memory();

/**
 * @brief The ranks of `comm` that share this rank's node (MPI_Comm_split_type with
 * MPI_COMM_TYPE_SHARED; Collective on `comm`).
 */
int ranks_on_node(const Comm& comm);

/**
 * @brief The memory available to each rank: node_memory().available() divided by the ranks of
 * `comm` on this node, the minimum over `comm` (Collective). 0 when unknown.
 */
double available_memory_per_rank(const Comm& comm);

/** @brief This process's peak resident set in bytes (VmHWM of /proc/self/status, else getrusage). */
double peak_rss_bytes();

/** @brief Free bytes for an unprivileged user on the file system holding `path` (statvfs); −1 when unknown. */
double free_disk_bytes(const std::string& path);

}  // namespace dfe
