#include "dfe/core/error.hpp"

namespace dfe {

void check_mpi(int code, const char* call, const char* file, int line)
{
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw Error(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " +
                std::string(text, static_cast<std::size_t>(length)));
}

}  // namespace dfe
