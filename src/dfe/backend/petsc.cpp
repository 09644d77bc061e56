#include "dfe/backend/petsc.hpp"

#include "dfe/core/error.hpp"

#include <string>

namespace dfe {

void check_petsc(PetscErrorCode code, const char* call, const char* file, int line)
{
    if (code == 0) return;
    const char* text = nullptr;
    PetscErrorMessage(code, &text, nullptr);
    throw Error(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": PETSc error " +
                std::to_string(static_cast<int>(code)) + (text ? std::string(" (") + text + ")" : ""));
}

}  // namespace dfe
