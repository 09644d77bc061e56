#pragma once
/**
 * @file root_output.hpp
 * @brief The one root-only output: messages that every rank reaches but only the communicator's root
 * prints (progress, notices, summaries), to stdout or stderr.
 */
#include "dfe/core/comm.hpp"

#include <cstdarg>
#include <cstdio>

namespace dfe {

class RootOutput {
public:
    explicit RootOutput(const Comm& comm) : root_(comm.is_root()) {}
    /** @brief Whether this rank prints. */
    [[nodiscard]] bool active() const { return root_; }
    /** @brief printf to stdout on the root. */
    [[gnu::format(printf, 2, 3)]] void print(const char* format, ...) const
    {
        if (!root_) return;
        std::va_list args;
        va_start(args, format);
        std::vprintf(format, args);
        va_end(args);
    }
    /** @brief printf to stderr on the root (notices, progress, warnings). */
    [[gnu::format(printf, 2, 3)]] void note(const char* format, ...) const
    {
        if (!root_) return;
        std::va_list args;
        va_start(args, format);
        std::vfprintf(stderr, format, args);
        va_end(args);
    }

private:
    bool root_;
};

}  // namespace dfe
