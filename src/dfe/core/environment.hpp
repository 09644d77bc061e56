#pragma once
/**
 * @file environment.hpp
 * @brief Process-wide set-up and tear-down: MPI, FFTW-MPI, PETSc and SLEPc, in that order, undone in
 * reverse.
 * One instance lives in main(); every other library object must be destroyed before it.
 */
namespace dfe {

class Environment {
public:
    Environment(int& argc, char**& argv);
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;
};

}  // namespace dfe
