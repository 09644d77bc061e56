// Catch2 v2 main for test executables run under the MPI launcher.
//
// Order of life: MPI, then FFTW-MPI, then SLEPc (which initializes PETSc) are initialized; the Catch2 session runs
// on every rank; then everything is finalized in reverse order. Tests must destroy their
// PETSc/FFTW/HDF5 objects and free their communicators before returning (RAII in the
// test body does that), because finalization happens here, after the session.
//
// PETSc is initialized without the command line: argv belongs to Catch2, which rejects
// options it does not know. PETSc options still reach PETSc through the PETSC_OPTIONS
// environment variable (e.g. PETSC_OPTIONS="-log_view").
//
// Every rank returns the maximum failure count over MPI_COMM_WORLD, so a test that fails
// on one rank only still fails the whole launch, whatever the launcher does with the
// exit codes of the other ranks.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <fftw3-mpi.h>
#include <mpi.h>
#include <slepcsys.h>

#include <cstdio>

int main(int argc, char* argv[])
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        std::fputs("catch_mpi_main: MPI_Init failed\n", stderr);
        return 1;
    }
    fftw_mpi_init();
    // PETSC_COMM_WORLD stays MPI_COMM_WORLD; tests pass their own communicators anyway.
    if (SlepcInitializeNoArguments() != 0) {
        std::fputs("catch_mpi_main: SlepcInitialize failed\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }

    int local_failures = Catch::Session().run(argc, argv);

    int global_failures = 0;
    MPI_Allreduce(&local_failures, &global_failures, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);

    SlepcFinalize();
    fftw_mpi_cleanup();
    MPI_Finalize();
    return global_failures;
}
