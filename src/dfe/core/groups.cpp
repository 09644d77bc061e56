#include "dfe/core/groups.hpp"

#include "dfe/core/error.hpp"

#include <algorithm>
#include <string>

namespace dfe {

namespace {

int checked_groups(const Comm& world, int g, std::size_t samples)
{
    require(g >= 1, "--ranks-per-sample must be >= 1 (got " + std::to_string(g) + ")");
    require(world.size() % g == 0, "--ranks-per-sample " + std::to_string(g) + " does not divide the " +
                                       std::to_string(world.size()) + " MPI ranks of the run");
    const int groups = world.size() / g;
    require(samples >= static_cast<std::size_t>(groups),
            "the measure has " + std::to_string(samples) + " sample(s) for " + std::to_string(groups) +
                " groups of ranks: use fewer ranks or more --ranks-per-sample");
    return groups;
}

}  // namespace

GroupLayout::GroupLayout(const Comm& world, int ranks_per_sample, std::size_t samples)
    : world_(world.dup()), samples_(samples)
{
    groups_ = checked_groups(world_, ranks_per_sample, samples);
    group_index_ = world_.rank() / ranks_per_sample;
    group_ = world_.split(group_index_, world_.rank());
    cross_ = world_.split(world_.rank() % ranks_per_sample, world_.rank());
}

std::size_t GroupLayout::first(int k) const
{
    const std::size_t G = static_cast<std::size_t>(groups_);
    const std::size_t K = static_cast<std::size_t>(k);
    return K * (samples_ / G) + std::min(K, samples_ % G);
}

std::size_t GroupLayout::count(int k) const
{
    const std::size_t G = static_cast<std::size_t>(groups_);
    return samples_ / G + (static_cast<std::size_t>(k) < samples_ % G ? 1 : 0);
}

int GroupLayout::owner(std::size_t j) const
{
    for (int k = 0; k < groups_; ++k)
        if (j < first(k) + count(k)) return k;
    throw Error("sample index " + std::to_string(j) + " is beyond the measure");
}

}  // namespace dfe
