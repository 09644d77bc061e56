// run.h5: every dataset written collectively by a RunFile reads back, with plain HDF5 on one rank,
// at its public shape and with exactly the values written; an uncommitted RunFile leaves its temporary
// file, which a resumed RunFile continues.
#include "hdf5_test_support.hpp"
#include "dfe/core/error.hpp"
#include "dfe/backend/hdf5.hpp"
#include "dfe/io/run_file.hpp"
#include "dfe/io/timeseries.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <mpi.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using dfe::h5::Handle;

dfe::Comm world() { return dfe::Comm(MPI_COMM_WORLD); }

using dfe_test::no_open_hdf5_ids;

class TempDir : public dfe_test::TempDir {
public:
    explicit TempDir(const dfe::Comm& comm) : dfe_test::TempDir(comm, "dfe-run") {}
};

// The run: a 16² grid of side 10, three samples, four output rows, γ^(2) on a 4² observation grid.
constexpr int d = 2;
constexpr long N = 16;
constexpr double L = 10.0;
constexpr long rows = 4;
constexpr long n2 = 4;
constexpr long P = n2 * n2;  // observation points
constexpr long T2 = 2;
const std::vector<double> weights{0.5, 0.3, 0.2};
const std::vector<std::string> columns{"t", "mass", "energy", "V1"};

// Known values: each is a different function of its indices, so a misplaced block shows.
double row_value(long row, std::size_t c) { return 10.0 * static_cast<double>(row) + static_cast<double>(c) + 0.25; }
double gamma1_value(long row, double x0, double x1) { return static_cast<double>(row) + x0 * x0 - 0.5 * x1; }
double mass_value(long row, std::size_t j) { return 1.0 + static_cast<double>(row) + 0.01 * static_cast<double>(j); }
double energy_value(long row, std::size_t j) { return -static_cast<double>(row * static_cast<long>(j)) - 0.125; }
double grad_value(long row, std::size_t j) { return 2.0 * mass_value(row, j) + 0.5; }
double tail_value(long row, std::size_t j) { return 1e-12 * static_cast<double>(row + 1) * static_cast<double>(j + 1); }
double underresolved_value(std::size_t j) { return j == 1 ? 0.375 : std::nan(""); }
double gamma2_value(long k, long a, long b) { return 1000.0 * static_cast<double>(k) + static_cast<double>(a * P + b) / 7.0; }
double gamma2_time(long k) { return 0.5 * static_cast<double>(k + 1); }

const std::vector<dfe::Attribute> attributes{
    {"N", 16LL}, {"L", 10.0}, {"measure", std::string("file samples.h5 (3 samples)")}, {"version", std::string("0.1.0")}};

/// Writes the whole run through a RunFile; commits it if asked.
void write_run(const fs::path& path, const dfe::GroupLayout& layout, const dfe::Grid& grid, const dfe::Comm& comm,
               bool commit)
{
    dfe::RunFile file(path, layout, grid, columns, rows, weights, n2, T2, attributes);
    for (long row = 0; row < rows; ++row) {
        std::vector<double> values;
        for (std::size_t c = 0; c < columns.size(); ++c) values.push_back(row_value(row, c));
        file.write_row(row, values);

        std::vector<double> gamma1(static_cast<std::size_t>(grid.local_points()));
        grid.for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t, const std::array<double, 3>& x) {
            gamma1[static_cast<std::size_t>(ic)] = gamma1_value(row, x[0], x[1]);
        });
        file.write_gamma1(row, gamma1);

        std::array<std::vector<double>, dfe::sample_series.size()> series;
        for (std::size_t i = 0; i < layout.count(); ++i) {
            const std::size_t j = layout.first() + i;
            series[0].push_back(mass_value(row, j));
            series[1].push_back(energy_value(row, j));
            series[2].push_back(grad_value(row, j));
            series[3].push_back(tail_value(row, j));
        }
        file.write_sample_values(row, series);
    }
    std::vector<double> times;
    for (std::size_t i = 0; i < layout.count(); ++i) times.push_back(underresolved_value(layout.first() + i));
    file.write_underresolved_times(times);
    // Snapshot 0: the matrix rows split evenly over the world; snapshot 1: all on rank 0, so the
    // other ranks take part with nothing to write.
    for (long k = 0; k < T2; ++k) {
        const long start = k == 0 ? comm.rank() * P / comm.size() : 0;
        const long end = k == 0 ? (comm.rank() + 1) * P / comm.size() : (comm.is_root() ? P : 0);
        std::vector<double> block;
        for (long a = start; a < end; ++a)
            for (long b = 0; b < P; ++b) block.push_back(gamma2_value(k, a, b));
        file.write_gamma2(k, gamma2_time(k), start, end - start, block);
    }
    if (commit) file.commit();
}

/// A whole float64 dataset, after checking its type and shape.
std::vector<double> read_dataset(hid_t file, const std::string& name, const std::vector<hsize_t>& shape)
{
    INFO("dataset " << name);
    const Handle set(DFE_H5(H5Dopen2(file, name.c_str(), H5P_DEFAULT)), H5Dclose);
    const Handle type(DFE_H5(H5Dget_type(set.get())), H5Tclose);
    const Handle space(DFE_H5(H5Dget_space(set.get())), H5Sclose);
    CHECK(H5Tequal(type.get(), H5T_IEEE_F64LE) > 0);
    std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    REQUIRE(dims == shape);
    std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
    DFE_H5(H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
    return values;
}

std::string read_string_attribute(hid_t object, const char* name)
{
    const Handle attribute(DFE_H5(H5Aopen(object, name, H5P_DEFAULT)), H5Aclose);
    const Handle type(DFE_H5(H5Aget_type(attribute.get())), H5Tclose);
    REQUIRE(H5Tis_variable_str(type.get()) > 0);
    char* text = nullptr;
    DFE_H5(H5Aread(attribute.get(), type.get(), &text));
    std::string out(text);
    H5free_memory(text);
    return out;
}

template <class T>
T read_attribute(hid_t object, const char* name, hid_t memory_type)
{
    const Handle attribute(DFE_H5(H5Aopen(object, name, H5P_DEFAULT)), H5Aclose);
    T value{};
    DFE_H5(H5Aread(attribute.get(), memory_type, &value));
    return value;
}

/// Rank 0 checks every dataset of a committed run file.
void check_file(const fs::path& path)
{
    const Handle file(DFE_H5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)), H5Fclose);
    const hid_t f = file.get();

    CHECK(read_attribute<long long>(f, "N", H5T_NATIVE_LLONG) == 16);
    CHECK(read_attribute<double>(f, "L", H5T_NATIVE_DOUBLE) == 10.0);
    CHECK(read_string_attribute(f, "measure") == "file samples.h5 (3 samples)");
    CHECK(read_string_attribute(f, "version") == "0.1.0");

    CHECK(read_dataset(f, "/weights", {3}) == weights);
    {
        const Handle group(DFE_H5(H5Gopen2(f, "/timeseries", H5P_DEFAULT)), H5Gclose);
        CHECK(read_string_attribute(group.get(), "columns") == "t,mass,energy,V1");
    }
    for (std::size_t c = 0; c < columns.size(); ++c) {
        std::vector<double> expected;
        for (long row = 0; row < rows; ++row) expected.push_back(row_value(row, c));
        CHECK(read_dataset(f, "/timeseries/" + columns[c], {rows}) == expected);
    }

    const auto gamma1 = read_dataset(f, "/gamma1", {rows, N, N});
    const auto x = [](long i) { return -0.5 * L + static_cast<double>(i) * (L / static_cast<double>(N)); };
    long gamma1_mismatches = 0;
    for (long row = 0; row < rows; ++row)
        for (long i0 = 0; i0 < N; ++i0)
            for (long i1 = 0; i1 < N; ++i1)
                gamma1_mismatches += gamma1[static_cast<std::size_t>((row * N + i0) * N + i1)] !=
                                     gamma1_value(row, x(i0), x(i1));
    CHECK(gamma1_mismatches == 0);

    std::vector<double> mass, energy, grad, tail;
    for (long row = 0; row < rows; ++row)
        for (std::size_t j = 0; j < weights.size(); ++j) {
            mass.push_back(mass_value(row, j));
            energy.push_back(energy_value(row, j));
            grad.push_back(grad_value(row, j));
            tail.push_back(tail_value(row, j));
        }
    CHECK(read_dataset(f, "/samples/mass", {rows, 3}) == mass);
    CHECK(read_dataset(f, "/samples/energy", {rows, 3}) == energy);
    CHECK(read_dataset(f, "/samples/grad_norm", {rows, 3}) == grad);
    CHECK(read_dataset(f, "/samples/tail_fraction", {rows, 3}) == tail);
    const auto under = read_dataset(f, "/samples/underresolved_time", {3});
    for (std::size_t j = 0; j < 3; ++j) {
        INFO("sample " << j);
        if (std::isnan(underresolved_value(j)))
            CHECK(std::isnan(under[j]));
        else
            CHECK(under[j] == underresolved_value(j));
    }

    std::vector<double> values, times, coordinates;
    for (long k = 0; k < T2; ++k) {
        times.push_back(gamma2_time(k));
        for (long a = 0; a < P; ++a)
            for (long b = 0; b < P; ++b) values.push_back(gamma2_value(k, a, b));
    }
    // Observation point m is grid point m·N/n.
    for (long m = 0; m < n2; ++m) coordinates.push_back(x(m * (N / n2)));
    CHECK(read_dataset(f, "/gamma2/values", {T2, P, P}) == values);
    CHECK(read_dataset(f, "/gamma2/times", {T2}) == times);
    CHECK(read_dataset(f, "/gamma2/x", {n2}) == coordinates);
    CHECK(coordinates == std::vector<double>{-5.0, -2.5, 0.0, 2.5});
}

}  // namespace

TEST_CASE("run.h5 holds exactly what was written, at its public shapes", "[run_file][hdf5][mpi]")
{
    const auto comm = world();
    const TempDir dir(comm);
    // One field per rank (several groups; group 0 writes γ^(1)), and one field over every rank.
    std::vector<int> ranks_per_sample{1};
    if (comm.size() > 1) ranks_per_sample.push_back(comm.size());
    for (const int g : ranks_per_sample) {
        INFO(g << " rank(s) per sample");
        const fs::path path = dir / ("run-g" + std::to_string(g) + ".h5");
        const dfe::GroupLayout layout(comm, g, weights.size());
        const dfe::Grid grid(layout.group(), d, N, L);
        write_run(path, layout, grid, comm, true);
        comm.barrier();
        CHECK(fs::exists(path));
        CHECK_FALSE(fs::exists(path.string() + ".tmp"));
        if (comm.is_root()) check_file(path);
        comm.barrier();
    }
    CHECK(no_open_hdf5_ids());
}

TEST_CASE("a run file destroyed without commit keeps its temporary file, and a resumed one continues it",
          "[run_file][hdf5][mpi]")
{
    const auto comm = world();
    const TempDir dir(comm);
    const fs::path path = dir / "run.h5";
    const dfe::GroupLayout layout(comm, 1, weights.size());
    const dfe::Grid grid(layout.group(), d, N, L);
    write_run(path, layout, grid, comm, false);
    comm.barrier();
    CHECK_FALSE(fs::exists(path));
    CHECK(fs::exists(path.string() + ".tmp"));

    auto with_id = attributes;
    with_id.push_back({"run_id", std::string("0123abcd")});
    {
        // Another run's record is refused on every rank.
        CHECK_THROWS_AS(dfe::RunFile(path, layout, grid, columns, rows, weights, n2, T2, with_id, dfe::RunFile::Mode::resume),
                        dfe::InputError);
        auto other_columns = columns;
        other_columns.back() = "V2";
        CHECK_THROWS_AS(dfe::RunFile(path, layout, grid, other_columns, rows, weights, n2, T2, attributes,
                                     dfe::RunFile::Mode::resume),
                        dfe::InputError);
    }
    {
        dfe::RunFile file(path, layout, grid, columns, rows, weights, n2, T2, attributes, dfe::RunFile::Mode::resume);
        CHECK(file.rows() == rows);
        CHECK(file.gamma2_rows() == T2);
        const auto read = file.read_rows(1, rows - 1);
        REQUIRE(read.size() == static_cast<std::size_t>(rows - 1));
        long mismatches = 0;
        for (long row = 1; row < rows; ++row)
            for (std::size_t c = 0; c < columns.size(); ++c)
                mismatches += read[static_cast<std::size_t>(row - 1)][c] != row_value(row, c);
        CHECK(mismatches == 0);
        CHECK(file.read_gamma2_times(T2) == std::vector<double>{gamma2_time(0), gamma2_time(1)});
        // Continued to two more rows and one more snapshot, then cut to one row less than before.
        file.restart(with_id, rows + 2, T2 + 1);
        CHECK(file.rows() == rows + 2);
        file.resize(rows - 1, T2);
        file.commit();
    }
    comm.barrier();
    if (comm.is_root()) {
        const Handle f(DFE_H5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)), H5Fclose);
        std::vector<double> expected;
        for (long row = 0; row + 1 < rows; ++row) expected.push_back(row_value(row, 1));
        CHECK(read_dataset(f.get(), "/timeseries/mass", {rows - 1}) == expected);
        CHECK(read_dataset(f.get(), "/gamma1", {rows - 1, N, N}).size() == static_cast<std::size_t>((rows - 1) * N * N));
        CHECK(read_string_attribute(f.get(), "run_id") == "0123abcd");
        CHECK(read_dataset(f.get(), "/gamma2/times", {T2}) == std::vector<double>{gamma2_time(0), gamma2_time(1)});
    }
    comm.barrier();
    CHECK_FALSE(fs::exists(path.string() + ".tmp"));
    CHECK(no_open_hdf5_ids());
}

TEST_CASE("a time series continues after the rows a checkpoint kept, and refuses a file that has fewer", "[timeseries][mpi]")
{
    const auto comm = world();
    const TempDir dir(comm);
    if (comm.is_root()) {
        const dfe::Comm self(MPI_COMM_SELF);
        const fs::path path = dir / "timeseries.csv";
        const auto row = [](long r) { return std::vector<double>{0.5 * static_cast<double>(r), 1.0, -2.0, 3.0}; };
        {
            dfe::TimeSeriesWriter writer(self, path, columns);
            for (long r = 0; r < 5; ++r) writer.write_row(row(r));
        }  // not committed: the temporary file stays, every row complete
        CHECK(fs::exists(path.string() + ".tmp"));
        CHECK_THROWS_AS(dfe::TimeSeriesWriter(self, path, columns, 6), dfe::InputError);
        auto other = columns;
        other[1] = "m";
        CHECK_THROWS_AS(dfe::TimeSeriesWriter(self, path, other, 3), dfe::InputError);
        {
            dfe::TimeSeriesWriter writer(self, path, columns, 3);
            writer.write_row(row(7));
            writer.commit();
        }
        std::ifstream in(path);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        REQUIRE(lines.size() == 5);
        CHECK(lines[0] == "t,mass,energy,V1");
        CHECK(lines[3].starts_with(dfe::format_number(1.0) + ","));
        CHECK(lines[4].starts_with(dfe::format_number(3.5) + ","));
        CHECK_FALSE(fs::exists(path.string() + ".tmp"));
    }
    comm.barrier();
}
