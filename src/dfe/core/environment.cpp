#include "dfe/core/environment.hpp"

#include "dfe/core/error.hpp"

#include <fftw3-mpi.h>
#include <mpi.h>
#include <slepcsys.h>

namespace dfe {

Environment::Environment(int& argc, char**& argv)
{
    DFE_MPI(MPI_Init(&argc, &argv));
    fftw_mpi_init();
    // PETSc and SLEPc see no command line: options are Boost's (PETSC_OPTIONS still works).
    if (SlepcInitializeNoArguments() != 0) throw Error("SlepcInitialize failed");
}

Environment::~Environment()
{
    SlepcFinalize();
    fftw_mpi_cleanup();
    MPI_Finalize();
}

}  // namespace dfe
