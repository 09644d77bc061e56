#pragma once
// Shared by the HDF5 tests: a temporary directory every rank knows, and a check that no HDF5 id leaked.
#include "dfe/core/comm.hpp"

#include <hdf5.h>
#include <mpi.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace dfe_test {

namespace fs = std::filesystem;

/// Every HDF5 file and object this process opened has been closed again (RAII on every path).
inline bool no_open_hdf5_ids() { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0; }

/// A fresh directory made by rank 0 and known to every rank; removed with its contents at the end.
class TempDir {
public:
    TempDir(const dfe::Comm& comm, const std::string& prefix) : comm_(comm)
    {
        std::string name;
        if (comm.is_root()) {
            std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
            if (mkdtemp(pattern.data()) != nullptr) name = pattern;
        }
        int length = static_cast<int>(name.size());
        MPI_Bcast(&length, 1, MPI_INT, 0, comm.get());
        name.resize(static_cast<std::size_t>(length));
        MPI_Bcast(name.data(), length, MPI_CHAR, 0, comm.get());
        if (name.empty()) throw std::runtime_error("cannot make a temporary directory");
        path_ = name;
    }
    ~TempDir()
    {
        MPI_Barrier(comm_.get());
        std::error_code ignored;
        if (comm_.is_root()) fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    const dfe::Comm& comm_;
    fs::path path_;
};

}  // namespace dfe_test
