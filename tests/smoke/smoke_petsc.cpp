// Smoke test: PETSc (real, double scalars) on an explicit communicator: a parallel dense
// matrix with known entries times a known vector.
#include "dup_comm.hpp"

#include <catch2/catch.hpp>

#include <mpi.h>
#include <petscmat.h>
#include <petscvec.h>

#include <vector>

namespace {

// Owning PETSc handle; destroyed (collectively) at scope exit, before PetscFinalize in
// the test main. Destroy errors cannot be reported from a destructor and are ignored.
template <typename Handle, PetscErrorCode (*destroy)(Handle*)>
class Owned {
public:
    Owned() = default;
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    ~Owned()
    {
        if (handle_ != nullptr) {
            static_cast<void>(destroy(&handle_));
        }
    }
    Handle* out() noexcept { return &handle_; }
    Handle get() const noexcept { return handle_; }

private:
    Handle handle_ = nullptr;
};
using OwnedMat = Owned<Mat, MatDestroy>;
using OwnedVec = Owned<Vec, VecDestroy>;

// Non-symmetric on purpose, so that a transposed product would be caught.
PetscScalar a_of(PetscInt i, PetscInt j) { return static_cast<PetscScalar>(i + 2 * j + 1); }
PetscScalar x_of(PetscInt j) { return static_cast<PetscScalar>(j + 1); }

}  // namespace

#define PETSC_REQUIRE(expr) REQUIRE((expr) == 0)

TEST_CASE("MatMult of a parallel dense matrix with known entries", "[smoke][petsc]")
{
    constexpr PetscInt n = 8;
    dfe::smoke::DupComm comm(MPI_COMM_WORLD);

    OwnedMat a;
    PETSC_REQUIRE(MatCreateDense(comm.get(), PETSC_DECIDE, PETSC_DECIDE, n, n, nullptr, a.out()));
    PetscInt row_begin = 0;
    PetscInt row_end = 0;
    PETSC_REQUIRE(MatGetOwnershipRange(a.get(), &row_begin, &row_end));

    std::vector<PetscInt> columns(n);
    std::vector<PetscScalar> row(n);
    for (PetscInt j = 0; j < n; ++j) {
        columns[j] = j;
    }
    for (PetscInt i = row_begin; i < row_end; ++i) {
        for (PetscInt j = 0; j < n; ++j) {
            row[j] = a_of(i, j);
        }
        PETSC_REQUIRE(MatSetValues(a.get(), 1, &i, n, columns.data(), row.data(), INSERT_VALUES));
    }
    PETSC_REQUIRE(MatAssemblyBegin(a.get(), MAT_FINAL_ASSEMBLY));
    PETSC_REQUIRE(MatAssemblyEnd(a.get(), MAT_FINAL_ASSEMBLY));

    OwnedVec x;
    OwnedVec y;
    PETSC_REQUIRE(MatCreateVecs(a.get(), x.out(), y.out()));
    PetscInt x_begin = 0;
    PetscInt x_end = 0;
    PETSC_REQUIRE(VecGetOwnershipRange(x.get(), &x_begin, &x_end));
    for (PetscInt j = x_begin; j < x_end; ++j) {
        const PetscScalar value = x_of(j);
        PETSC_REQUIRE(VecSetValues(x.get(), 1, &j, &value, INSERT_VALUES));
    }
    PETSC_REQUIRE(VecAssemblyBegin(x.get()));
    PETSC_REQUIRE(VecAssemblyEnd(x.get()));

    PETSC_REQUIRE(MatMult(a.get(), x.get(), y.get()));

    PetscInt y_begin = 0;
    PetscInt y_end = 0;
    PETSC_REQUIRE(VecGetOwnershipRange(y.get(), &y_begin, &y_end));
    CHECK(y_begin == row_begin);
    CHECK(y_end == row_end);

    const PetscScalar* y_local = nullptr;
    PETSC_REQUIRE(VecGetArrayRead(y.get(), &y_local));
    for (PetscInt i = y_begin; i < y_end; ++i) {
        double expected = 0.0;
        for (PetscInt j = 0; j < n; ++j) {
            expected += a_of(i, j) * x_of(j);
        }
        // Tolerance zero: all entries and partial sums are small integers, exactly
        // representable in double, so every summation order gives the exact result.
        INFO("row " << i);
        CHECK(y_local[i - y_begin] == expected);
    }
    PETSC_REQUIRE(VecRestoreArrayRead(y.get(), &y_local));
}
