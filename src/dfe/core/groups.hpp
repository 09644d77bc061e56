#pragma once
/**
 * @file groups.hpp
 * @brief Who evolves which samples: the world split into groups of ranks that share one field.
 *
 * The world communicator (size P) is split into G = P / g groups of g consecutive ranks
 * (`--ranks-per-sample g`). Group k holds samples [first(k), first(k) + count(k)), contiguous blocks
 * balanced to within one sample: count(k) = ⌊M/G⌋ + (k < M mod G). Three communicators:
 *   world  all ranks
 *   group  the g ranks of this group; one field's FFTW-MPI slabs live here
 *   cross  the G ranks with the same rank inside their group; they hold the same slab of their
 *          groups' samples, so a sum over samples of slab-local values is a sum over `cross`.
 */
#include "dfe/core/comm.hpp"

#include <cstddef>

namespace dfe {

class GroupLayout {
public:
    /**
     * @brief Splits `world` (Collective on it). Throws InputError when the world size is not a
     * multiple of `ranks_per_sample`, or when there are fewer samples than groups.
     */
    GroupLayout(const Comm& world, int ranks_per_sample, std::size_t samples);

    [[nodiscard]] const Comm& world() const { return world_; }
    [[nodiscard]] const Comm& group() const { return group_; }
    [[nodiscard]] const Comm& cross() const { return cross_; }

    [[nodiscard]] int groups() const { return groups_; }
    [[nodiscard]] int group_index() const { return group_index_; }
    [[nodiscard]] int ranks_per_sample() const { return group_.size(); }
    [[nodiscard]] std::size_t samples() const { return samples_; }

    /** @brief First sample of group k. */
    [[nodiscard]] std::size_t first(int k) const;
    /** @brief Number of samples of group k. */
    [[nodiscard]] std::size_t count(int k) const;
    /** @brief This group's first sample and count. */
    [[nodiscard]] std::size_t first() const { return first(group_index_); }
    [[nodiscard]] std::size_t count() const { return count(group_index_); }
    /** @brief The group that holds sample j. */
    [[nodiscard]] int owner(std::size_t j) const;

private:
    Comm world_, group_, cross_;
    int groups_ = 1;
    int group_index_ = 0;
    std::size_t samples_ = 0;
};

}  // namespace dfe
