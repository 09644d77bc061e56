// The samples file: a measure written on one layout of groups reads back bit for bit on any other,
// the file has the public schema, and every broken file is refused with a one-line InputError that
// names the file and the field or sample at fault.
#include "hdf5_test_support.hpp"
#include "dfe/core/error.hpp"
#include "dfe/backend/hdf5.hpp"
#include "dfe/observables/observables.hpp"
#include "dfe/io/samples_file.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <mpi.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using dfe::cplx;
using dfe::h5::Handle;

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

using dfe_test::no_open_hdf5_ids;

class TempDir : public dfe_test::TempDir {
public:
    explicit TempDir(const dfe::Comm& comm) : dfe_test::TempDir(comm, "dfe-samples") {}
};

/// Sample j on the whole grid, built on this rank alone so that every rank and every layout holds
/// the same bits: a normalized Gaussian with its own centre and kick (so the imaginary part matters).
std::vector<cplx> full_sample(const dfe::Comm& self, int d, long N, double L, std::size_t j)
{
    const dfe::Grid grid(self, d, N, L);
    std::vector<cplx> phi(static_cast<std::size_t>(grid.alloc_complex()));
    const double c = 0.6 * static_cast<double>(j) - 0.8;
    const double kick = 0.5 + static_cast<double>(j);
    grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
        double r2 = 0.0;
        for (int a = 0; a < d; ++a) r2 += std::pow(x[static_cast<std::size_t>(a)] - c * (a + 1), 2);
        phi[static_cast<std::size_t>(ic)] = std::exp(-0.5 * r2) * std::polar(1.0, kick * x[0]);
    });
    dfe::normalize(grid, phi.data());
    phi.resize(static_cast<std::size_t>(grid.local_points()));
    return phi;
}

/// Offset of this rank's slab in a whole-grid array.
std::size_t slab_offset(const dfe::Grid& grid)
{
    const auto& a0 = grid.physical().axes[0];
    return static_cast<std::size_t>(a0.start * (grid.local_points() / a0.n));
}

/// Fields for `count` samples on `grid`'s slab, with the pointers fill() and write_samples_file take.
struct Fields {
    std::vector<dfe::Buffer<cplx>> buffers;
    std::vector<cplx*> pointers;
    Fields(const dfe::Grid& grid, std::size_t count)
    {
        for (std::size_t i = 0; i < count; ++i) buffers.emplace_back(grid.alloc_complex());
        for (auto& b : buffers) pointers.push_back(b.data());
    }
};

const std::vector<double> test_weights{0.5, 0.3, 0.2};

/// The contents of a samples file written with plain HDF5 calls, to be broken one field at a time.
struct RawFile {
    std::optional<long long> d = 2, N = 16;
    std::optional<double> L = 10.0;
    std::vector<double> weights = test_weights;
    std::vector<hsize_t> shape{3, 16, 16};
    std::vector<double> real, imag;
    bool imag_float32 = false;

    explicit RawFile(const dfe::Comm& self)
    {
        for (std::size_t j = 0; j < 3; ++j)
            for (const cplx v : full_sample(self, 2, 16, 10.0, j)) {
                real.push_back(v.real());
                imag.push_back(v.imag());
            }
    }
};

template <class T>
void raw_attribute(hid_t file, const char* name, hid_t type, const T& value)
{
    const Handle space(DFE_H5(H5Screate(H5S_SCALAR)), H5Sclose);
    const Handle attribute(DFE_H5(H5Acreate2(file, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT)), H5Aclose);
    DFE_H5(H5Awrite(attribute.get(), type, &value));
}

void raw_dataset(hid_t loc, const char* name, hid_t file_type, const std::vector<hsize_t>& shape,
                 const std::vector<double>& values)
{
    const Handle space(DFE_H5(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr)), H5Sclose);
    const Handle set(DFE_H5(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)),
                     H5Dclose);
    DFE_H5(H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
}

/// Rank 0 writes `raw` with the serial driver while the others wait.
void write_raw(const dfe::Comm& comm, const fs::path& path, const RawFile& raw)
{
    comm.barrier();
    if (comm.is_root()) {
        const Handle file(DFE_H5(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)), H5Fclose);
        if (raw.d) raw_attribute(file.get(), "d", H5T_NATIVE_LLONG, *raw.d);
        if (raw.N) raw_attribute(file.get(), "N", H5T_NATIVE_LLONG, *raw.N);
        if (raw.L) raw_attribute(file.get(), "L", H5T_NATIVE_DOUBLE, *raw.L);
        raw_dataset(file.get(), "weights", H5T_IEEE_F64LE, {raw.weights.size()}, raw.weights);
        const Handle group(DFE_H5(H5Gcreate2(file.get(), "samples", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)),
                           H5Gclose);
        raw_dataset(group.get(), "real", H5T_IEEE_F64LE, raw.shape, raw.real);
        raw_dataset(group.get(), "imag", raw.imag_float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, raw.shape, raw.imag);
    }
    comm.barrier();
}

/// read_samples_info, make_file_measure and fill of every sample on a grid over all of `comm`.
void load(const dfe::Comm& comm, const fs::path& path)
{
    const dfe::SamplesFileInfo info = dfe::read_samples_info(comm, path);
    const dfe::Grid grid(comm, info.d, info.N, info.L);
    Fields fields(grid, info.weights.size());
    dfe::make_file_measure(path, info)->fill(grid, 0, fields.pointers);
}

/// f() throws InputError whose one-line message contains `expected`, and leaves no HDF5 id open.
template <class F>
void check_refused(F&& f, const std::string& expected)
{
    CHECK_THROWS_AS(f(), dfe::InputError);
    CHECK_THROWS_WITH(f(), Contains(expected) && !Contains("\n"));
    CHECK(no_open_hdf5_ids());
}

}  // namespace

TEST_CASE("a samples file reads back bit for bit on any layout of groups", "[samples][hdf5][mpi]")
{
    const auto comm = world();
    const auto self = comm.split(comm.rank(), 0);
    const TempDir dir(comm);
    const std::size_t M = test_weights.size();
    const double L = 10.0;

    for (int d = 1; d <= 3; ++d) {
        const long N = d == 3 ? 8 : 16;
        std::vector<std::vector<cplx>> full;
        for (std::size_t j = 0; j < M; ++j) full.push_back(full_sample(self, d, N, L, j));
        // One field per rank, or one field over every rank (d = 1 transforms are serial).
        std::vector<int> ranks_per_sample{1};
        if (d > 1 && comm.size() > 1) ranks_per_sample.push_back(comm.size());

        for (const int written_with : ranks_per_sample) {
            const fs::path path = dir / ("d" + std::to_string(d) + "-g" + std::to_string(written_with) + ".h5");
            {
                const dfe::GroupLayout layout(comm, written_with, M);
                const dfe::Grid grid(layout.group(), d, N, L);
                Fields fields(grid, layout.count());
                for (std::size_t i = 0; i < layout.count(); ++i)
                    std::copy_n(full[layout.first() + i].begin() + static_cast<std::ptrdiff_t>(slab_offset(grid)),
                                grid.local_points(), fields.buffers[i].data());
                dfe::write_samples_file(path, layout, grid, test_weights,
                                        {fields.pointers.data(), fields.pointers.size()});
            }
            CHECK(fs::exists(path));
            CHECK_FALSE(fs::exists(path.string() + ".tmp"));

            for (const int read_with : ranks_per_sample) {
                INFO("d = " << d << ", written with " << written_with << ", read with " << read_with
                            << " rank(s) per sample");
                const dfe::GroupLayout layout(comm, read_with, M);
                const dfe::Grid grid(layout.group(), d, N, L);
                const dfe::SamplesFileInfo info = dfe::read_samples_info(comm, path);
                CHECK(info.d == d);
                CHECK(info.N == N);
                CHECK(info.L == L);
                CHECK(info.weights == test_weights);

                const auto measure = dfe::make_file_measure(path, info);
                CHECK(measure->size() == M);
                CHECK(std::vector<double>(measure->weights().begin(), measure->weights().end()) == test_weights);
                CHECK(measure->provenance() == "file " + path.string() + " (3 samples)");

                Fields fields(grid, layout.count());
                measure->fill(grid, layout.first(), fields.pointers);
                long mismatches = 0;
                for (std::size_t i = 0; i < layout.count(); ++i) {
                    const cplx* expected = full[layout.first() + i].data() + slab_offset(grid);
                    for (std::ptrdiff_t k = 0; k < grid.local_points(); ++k)
                        mismatches += fields.buffers[i][k] != expected[k] ? 1 : 0;
                }
                CHECK(mismatches == 0);
            }
        }
    }
    CHECK(no_open_hdf5_ids());
}

TEST_CASE("write_samples_file writes the public schema", "[samples][hdf5][mpi]")
{
    const auto comm = world();
    const auto self = comm.split(comm.rank(), 0);
    const TempDir dir(comm);
    const fs::path path = dir / "schema.h5";
    const std::size_t M = test_weights.size();
    {
        const dfe::GroupLayout layout(comm, 1, M);
        const dfe::Grid grid(layout.group(), 2, 16, 10.0);
        Fields fields(grid, layout.count());
        for (std::size_t i = 0; i < layout.count(); ++i) {
            const auto phi = full_sample(self, 2, 16, 10.0, layout.first() + i);
            std::copy(phi.begin(), phi.end(), fields.buffers[i].data());
        }
        dfe::write_samples_file(path, layout, grid, test_weights, {fields.pointers.data(), fields.pointers.size()});
    }
    comm.barrier();
    CHECK_FALSE(fs::exists(path.string() + ".tmp"));
    if (!comm.is_root()) return;

    const Handle file(DFE_H5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)), H5Fclose);
    struct Expected {
        const char* name;
        H5T_class_t type_class;
    };
    for (const Expected e : {Expected{"d", H5T_INTEGER}, Expected{"N", H5T_INTEGER}, Expected{"L", H5T_FLOAT}}) {
        INFO("attribute " << e.name);
        const Handle attribute(DFE_H5(H5Aopen(file.get(), e.name, H5P_DEFAULT)), H5Aclose);
        const Handle type(DFE_H5(H5Aget_type(attribute.get())), H5Tclose);
        const Handle space(DFE_H5(H5Aget_space(attribute.get())), H5Sclose);
        CHECK(H5Tget_class(type.get()) == e.type_class);
        CHECK(H5Tget_size(type.get()) == 8);
        CHECK(H5Sget_simple_extent_type(space.get()) == H5S_SCALAR);
    }
    long long d = 0, N = 0;
    double L = 0.0;
    DFE_H5(H5Aread(Handle(DFE_H5(H5Aopen(file.get(), "d", H5P_DEFAULT)), H5Aclose).get(), H5T_NATIVE_LLONG, &d));
    DFE_H5(H5Aread(Handle(DFE_H5(H5Aopen(file.get(), "N", H5P_DEFAULT)), H5Aclose).get(), H5T_NATIVE_LLONG, &N));
    DFE_H5(H5Aread(Handle(DFE_H5(H5Aopen(file.get(), "L", H5P_DEFAULT)), H5Aclose).get(), H5T_NATIVE_DOUBLE, &L));
    CHECK(d == 2);
    CHECK(N == 16);
    CHECK(L == 10.0);

    struct Shape {
        const char* name;
        std::vector<hsize_t> dims;
    };
    for (const Shape& s : {Shape{"/weights", {3}}, Shape{"/samples/real", {3, 16, 16}},
                           Shape{"/samples/imag", {3, 16, 16}}}) {
        INFO("dataset " << s.name);
        const Handle set(DFE_H5(H5Dopen2(file.get(), s.name, H5P_DEFAULT)), H5Dclose);
        const Handle type(DFE_H5(H5Dget_type(set.get())), H5Tclose);
        const Handle space(DFE_H5(H5Dget_space(set.get())), H5Sclose);
        CHECK(H5Tequal(type.get(), H5T_IEEE_F64LE) > 0);
        std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
        CHECK(dims == s.dims);
    }
    std::vector<double> stored(M);
    const Handle set(DFE_H5(H5Dopen2(file.get(), "/weights", H5P_DEFAULT)), H5Dclose);
    DFE_H5(H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored.data()));
    CHECK(stored == test_weights);
}

TEST_CASE("100,000 weights 1/M are accepted, a sum of 1 + 1e-6 is not", "[samples][hdf5][mpi]")
{
    // The reading stage only: a run with 10⁵ samples needs the ensemble reductions' M-sized memory
    // (the app test app.refuses.samples_many_read checks the same file from numpy through dfe-run).
    // Summed naively, 10⁵ copies of fl(1/M) are 1 − 1.9e-12, beyond the old fixed 1e-12.
    const auto comm = world();
    const TempDir dir(comm);
    const fs::path path = dir / "many.h5";
    constexpr std::size_t M = 100'000;
    constexpr long N = 4;
    RawFile raw(comm.split(comm.rank(), 0));
    raw.d = 1;
    raw.N = N;
    raw.shape = {M, N};
    raw.real.assign(M * N, 0.5);  // (L/N)·Σ|φ|² = 1 for L = N = 4: not read by read_samples_info anyway
    raw.imag.assign(M * N, 0.0);
    raw.L = 4.0;
    raw.weights.assign(M, 1.0 / static_cast<double>(M));
    double naive = 0.0;
    for (const double w : raw.weights) naive += w;
    REQUIRE(std::abs(naive - 1.0) > 1e-12);  // what the old check refused
    write_raw(comm, path, raw);
    const dfe::SamplesFileInfo info = dfe::read_samples_info(comm, path);
    CHECK(info.weights.size() == M);
    CHECK(dfe::weight_sum(info.weights) == 1.0);

    for (double& w : raw.weights) w *= 1.0 + 1e-6;
    write_raw(comm, path, raw);
    check_refused([&] { dfe::read_samples_info(comm, path); }, "/weights sums to 1.000001 (must be 1 to 4.54e-11)");
}

TEST_CASE("broken samples files are refused, naming the field or the sample", "[samples][hdf5][mpi]")
{
    const auto comm = world();
    const auto self = comm.split(comm.rank(), 0);
    const TempDir dir(comm);
    const fs::path path = dir / "bad.h5";
    const std::string file = "samples file '" + path.string() + "': ";
    RawFile raw(self);

    SECTION("the unbroken file loads")
    {
        write_raw(comm, path, raw);
        CHECK_NOTHROW(load(comm, path));
    }
    SECTION("weights summing to 0.99")
    {
        raw.weights = {0.5, 0.3, 0.19};
        write_raw(comm, path, raw);
        check_refused([&] { dfe::read_samples_info(comm, path); }, file + "/weights sums to 0.99 (must be 1 to 1e-12)");
    }
    SECTION("a negative weight")
    {
        raw.weights = {0.6, -0.1, 0.5};
        write_raw(comm, path, raw);
        check_refused([&] { dfe::read_samples_info(comm, path); }, file + "/weights[1] = -0.1 is not positive");
    }
    SECTION("a sample with norm^2 1.001")
    {
        for (std::size_t k = 256; k < 512; ++k) {
            raw.real[k] *= std::sqrt(1.001);
            raw.imag[k] *= std::sqrt(1.001);
        }
        write_raw(comm, path, raw);
        check_refused([&] { load(comm, path); },
                      file + "sample 1 has norm^2 1.001 (must be 1 to 1e-10; the file is not renormalized)");
    }
    SECTION("samples of the wrong shape")
    {
        raw.shape = {3, 16};
        raw.real.resize(48);
        raw.imag.resize(48);
        write_raw(comm, path, raw);
        check_refused([&] { dfe::read_samples_info(comm, path); },
                      file + "/samples/real has shape (3, 16) but d = 2, N = 16 needs (M, 16, 16)");
    }
    SECTION("a missing attribute")
    {
        std::string name;
        SECTION("d")
        {
            raw.d.reset();
            name = "d";
        }
        SECTION("N")
        {
            raw.N.reset();
            name = "N";
        }
        SECTION("L")
        {
            raw.L.reset();
            name = "L";
        }
        write_raw(comm, path, raw);
        check_refused([&] { dfe::read_samples_info(comm, path); }, file + "attribute '" + name + "' is missing");
    }
    SECTION("a NaN in sample 2, on the last rank's slab")
    {
        raw.real[2 * 256 + 13 * 16 + 5] = std::numeric_limits<double>::quiet_NaN();
        write_raw(comm, path, raw);
        check_refused([&] { load(comm, path); }, file + "sample 2 has a non-finite value at grid index (13, 5)");
    }
    SECTION("imaginary parts stored as float32")
    {
        raw.imag_float32 = true;
        write_raw(comm, path, raw);
        check_refused([&] { dfe::read_samples_info(comm, path); }, file + "dataset /samples/imag is not float64");
    }
    SECTION("a text file")
    {
        if (comm.is_root()) std::ofstream(path) << "d,N,L\n2,16,10\n";
        comm.barrier();
        check_refused([&] { dfe::read_samples_info(comm, path); },
                      "cannot open samples file '" + path.string() + "' as HDF5");
    }
    SECTION("a missing file")
    {
        const fs::path missing = dir / "missing.h5";
        check_refused([&] { dfe::read_samples_info(comm, missing); },
                      "samples file '" + missing.string() + "' does not exist");
    }
}
