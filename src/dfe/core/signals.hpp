#pragma once
/**
 * @file signals.hpp
 * @brief Stop requests by signal: SIGUSR1 (what Slurm's --signal=B:USR1@T and a batch script's trap
 * send ahead of a time limit) and SIGTERM (what scancel and a requeue send). The handler only sets a
 * flag; the run reads it between chunks of steps and agrees on it over all ranks.
 */
#include <csignal>

namespace dfe {

class StopSignals {
public:
    /** @brief Installs the handlers for SIGUSR1 and SIGTERM; the destructor restores the previous ones. */
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    /** @brief The first stop signal received (SIGUSR1 or SIGTERM), or 0 (async-signal-safe flag). */
    [[nodiscard]] static int received();
    /** @brief "USR1", "TERM" or a number. */
    [[nodiscard]] static const char* name(int signal);

private:
    struct sigaction old_usr1_{}, old_term_{};
};

}  // namespace dfe
