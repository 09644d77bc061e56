// Smoke test: parallel HDF5 through the MPI-IO driver. Every rank writes its own block of
// a 1D dataset collectively, the file is closed, and every rank reads the whole dataset
// back.
#include "dup_comm.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <mpi.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace {

// Owning HDF5 id; closed at scope exit. Close errors cannot be reported from a destructor.
class Id {
public:
    Id(hid_t id, herr_t (*close)(hid_t)) noexcept : id_(id), close_(close) {}
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    ~Id()
    {
        if (id_ >= 0) {
            static_cast<void>(close_(id_));
        }
    }
    hid_t get() const noexcept { return id_; }
    bool valid() const noexcept { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

double value_at(hsize_t global_index) { return 0.5 * static_cast<double>(global_index) - 3.0; }

// A directory shared by all ranks: rank 0 creates it under TMPDIR (or /tmp) and
// broadcasts the name. On a cluster TMPDIR must then be on a file system every node sees.
std::string make_shared_temp_dir(MPI_Comm comm, int rank)
{
    std::string dir;
    if (rank == 0) {
        std::string pattern = (std::filesystem::temp_directory_path() / "dfe-smoke-hdf5-XXXXXX").string();
        if (mkdtemp(pattern.data()) != nullptr) {
            dir = pattern;
        }
    }
    int length = static_cast<int>(dir.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, comm);
    dir.resize(static_cast<std::size_t>(length));
    MPI_Bcast(dir.data(), length, MPI_CHAR, 0, comm);
    return dir;
}

}  // namespace

TEST_CASE("collective hyperslab write, then every rank reads the whole dataset", "[smoke][hdf5]")
{
    constexpr hsize_t per_rank = 100;
    dfe::smoke::DupComm comm(MPI_COMM_WORLD);
    const int rank = comm.rank();
    const auto nranks = static_cast<hsize_t>(comm.size());
    const hsize_t total = per_rank * nranks;

    const std::string dir = make_shared_temp_dir(comm.get(), rank);
    REQUIRE_FALSE(dir.empty());
    const std::string path = dir + "/smoke.h5";

    {
        Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
        REQUIRE(fapl.valid());
        REQUIRE(H5Pset_fapl_mpio(fapl.get(), comm.get(), MPI_INFO_NULL) >= 0);
        Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
        REQUIRE(file.valid());

        Id filespace(H5Screate_simple(1, &total, nullptr), H5Sclose);
        Id dataset(H5Dcreate2(file.get(), "values", H5T_NATIVE_DOUBLE, filespace.get(),
                              H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
        REQUIRE(dataset.valid());

        const hsize_t offset = per_rank * static_cast<hsize_t>(rank);
        REQUIRE(H5Sselect_hyperslab(filespace.get(), H5S_SELECT_SET, &offset, nullptr, &per_rank,
                                    nullptr) >= 0);
        Id memspace(H5Screate_simple(1, &per_rank, nullptr), H5Sclose);
        std::vector<double> block(per_rank);
        for (hsize_t k = 0; k < per_rank; ++k) {
            block[k] = value_at(offset + k);
        }

        Id dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
        REQUIRE(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE) >= 0);
        REQUIRE(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, memspace.get(), filespace.get(),
                         dxpl.get(), block.data()) >= 0);
    }  // all ids closed here: the file is complete on disk

    {
        Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
        REQUIRE(H5Pset_fapl_mpio(fapl.get(), comm.get(), MPI_INFO_NULL) >= 0);
        Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
        REQUIRE(file.valid());
        Id dataset(H5Dopen2(file.get(), "values", H5P_DEFAULT), H5Dclose);
        REQUIRE(dataset.valid());

        Id filespace(H5Dget_space(dataset.get()), H5Sclose);
        hsize_t extent = 0;
        REQUIRE(H5Sget_simple_extent_dims(filespace.get(), &extent, nullptr) == 1);
        REQUIRE(extent == total);

        std::vector<double> all(total, -1.0);
        REQUIRE(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                        all.data()) >= 0);
        // Tolerance zero: doubles are stored bit for bit (native type in and out), so any
        // difference is a wrong offset or a missing block, not rounding.
        for (hsize_t k = 0; k < total; ++k) {
            INFO("global index " << k);
            CHECK(all[k] == value_at(k));
        }
    }

    // Everyone has closed the file before rank 0 removes it.
    MPI_Barrier(comm.get());
    if (rank == 0) {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
        CHECK_FALSE(std::filesystem::exists(dir));
    }
}
