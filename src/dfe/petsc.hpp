#pragma once
/**
 * @file petsc.hpp
 * @brief PETSc and SLEPc objects (Mat, Vec, TS, EPS) as move-only RAII handles, and the check that
 * turns a PETSc error code into dfe::Error. Every handle must die before PetscFinalize
 * (dfe::Environment's destructor).
 */
#include <petscmat.h>
#include <petscts.h>
#include <petscvec.h>
#include <slepceps.h>

#include <memory>
#include <type_traits>

namespace dfe {

/** @brief Throws dfe::Error naming the call when a PETSc/SLEPc function returned non-zero. */
void check_petsc(PetscErrorCode code, const char* call, const char* file, int line);

namespace detail {
template <class T, PetscErrorCode (*Destroy)(T*)>
struct PetscDeleter {
    void operator()(std::remove_pointer_t<T>* p) const noexcept
    {
        T object = p;
        Destroy(&object);  // a destructor never throws; the error code has nowhere to go
    }
};
}  // namespace detail

/// Owned PETSc/SLEPc objects.
using PetscMat = std::unique_ptr<std::remove_pointer_t<Mat>, detail::PetscDeleter<Mat, MatDestroy>>;
using PetscVec = std::unique_ptr<std::remove_pointer_t<Vec>, detail::PetscDeleter<Vec, VecDestroy>>;
using PetscTS = std::unique_ptr<std::remove_pointer_t<TS>, detail::PetscDeleter<TS, TSDestroy>>;
using SlepcEps = std::unique_ptr<std::remove_pointer_t<EPS>, detail::PetscDeleter<EPS, EPSDestroy>>;

}  // namespace dfe

/// Wraps a PETSc or SLEPc call: `DFE_PETSC(MatAssemblyBegin(...))`.
#define DFE_PETSC(call) ::dfe::check_petsc((call), #call, __FILE__, __LINE__)
