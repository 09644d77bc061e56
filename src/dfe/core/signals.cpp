#include "dfe/core/signals.hpp"

#include "dfe/core/error.hpp"

#include <cerrno>
#include <cstring>

namespace dfe {

namespace {

volatile std::sig_atomic_t first_signal = 0;

extern "C" void on_stop_signal(int signal)
{
    if (first_signal == 0) first_signal = signal;
}

}  // namespace

StopSignals::StopSignals()
{
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // MPI and file calls in progress continue
    if (sigaction(SIGUSR1, &action, &old_usr1_) != 0 || sigaction(SIGTERM, &action, &old_term_) != 0)
        throw Error(std::string("sigaction: ") + std::strerror(errno));
}

StopSignals::~StopSignals()
{
    sigaction(SIGUSR1, &old_usr1_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
}

int StopSignals::received() { return first_signal; }

const char* StopSignals::name(int signal)
{
    switch (signal) {
    case SIGUSR1: return "USR1";
    case SIGTERM: return "TERM";
    default: return "?";
    }
}

}  // namespace dfe
