#include "dfe/environment.hpp"

#include "dfe/error.hpp"

#include <fftw3-mpi.h>
#include <mpi.h>

namespace dfe {

Environment::Environment(int& argc, char**& argv)
{
    DFE_MPI(MPI_Init(&argc, &argv));
    fftw_mpi_init();
}

Environment::~Environment()
{
    fftw_mpi_cleanup();
    MPI_Finalize();
}

}  // namespace dfe
