#pragma once
/**
 * @file petsc.hpp
 * @brief PETSc and SLEPc objects (Mat, Vec, TS, EPS) as move-only RAII handles, and the check that
 * turns a PETSc error code into dfe::Error. Every handle must die before PetscFinalize
 * (dfe::Environment's destructor).
 */
#include "dfe/core/error.hpp"

#include <petscmat.h>
#include <petscts.h>
#include <petscvec.h>
#include <slepceps.h>

#include <exception>
#include <memory>
#include <type_traits>

namespace dfe {

/** @brief Throws dfe::Error naming the call when a PETSc/SLEPc function returned non-zero. */
void check_petsc(PetscErrorCode code, const char* call, const char* file, int line);

namespace detail {
/// *Destroy is Collective on the object's communicator: while an exception unwinds the stack the
/// object is left alone (the run is about to be aborted; core/comm.hpp, "Failures").
template <class T, PetscErrorCode (*Destroy)(T*)>
struct PetscDeleter {
    void operator()(std::remove_pointer_t<T>* p) const noexcept
    {
        if (unwinding.now()) return;
        T object = p;
        Destroy(&object);  // a destructor never throws; the error code has nowhere to go
    }
    Unwinding unwinding;
};
}  // namespace detail

/// Owned PETSc/SLEPc objects.
using PetscMat = std::unique_ptr<std::remove_pointer_t<Mat>, detail::PetscDeleter<Mat, MatDestroy>>;
using PetscVec = std::unique_ptr<std::remove_pointer_t<Vec>, detail::PetscDeleter<Vec, VecDestroy>>;
using PetscTS = std::unique_ptr<std::remove_pointer_t<TS>, detail::PetscDeleter<TS, TSDestroy>>;
using SlepcEps = std::unique_ptr<std::remove_pointer_t<EPS>, detail::PetscDeleter<EPS, EPSDestroy>>;

/**
 * @brief The body of a PETSc callback y = f(x) on local arrays: f(const PetscScalar* x, PetscScalar* y)
 * runs between Get/RestoreArray of x (read) and y. Exceptions must not cross PETSc's C frames: one
 * thrown by f is stored in `*failure` (when given) and reported to PETSc as PETSC_ERR_LIB.
 */
template <class F>
PetscErrorCode petsc_apply(Vec x, Vec y, std::exception_ptr* failure, F&& f)
{
    const PetscScalar* in = nullptr;
    PetscScalar* out = nullptr;
    PetscCall(VecGetArrayRead(x, &in));
    PetscCall(VecGetArray(y, &out));
    PetscErrorCode status = 0;
    try {
        f(in, out);
    } catch (...) {
        if (failure) *failure = std::current_exception();
        status = PETSC_ERR_LIB;
    }
    PetscCall(VecRestoreArray(y, &out));
    PetscCall(VecRestoreArrayRead(x, &in));
    return status;
}

}  // namespace dfe

/// Wraps a PETSc or SLEPc call: `DFE_PETSC(MatAssemblyBegin(...))`.
#define DFE_PETSC(call) ::dfe::check_petsc((call), #call, __FILE__, __LINE__)
