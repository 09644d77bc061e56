#include "dfe/io/samples_file.hpp"
#include "dfe/io/samples_file_h5.hpp"

#include "dfe/core/atomic_file.hpp"

#include "dfe/core/error.hpp"
#include "dfe/backend/hdf5.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <system_error>
#include <utility>

namespace dfe {

namespace {

namespace fs = std::filesystem;

constexpr double norm_tolerance = 1e-10;

std::string describe_file(const fs::path& path) { return "samples file '" + path.string() + "'"; }

/// Enough digits to see a deviation at the tolerance it is checked against, and no trailing noise.
std::string number(double value, int digits = 15)
{
    char text[40];
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    return text;
}

/// Python's spelling of a shape, "(4,)" or "(M, 64)", as the users of h5py see it.
std::string shape_text(const std::vector<std::string>& axes)
{
    std::string out = "(";
    for (std::size_t i = 0; i < axes.size(); ++i) out += (i ? ", " : "") + axes[i];
    return out + (axes.size() == 1 ? ",)" : ")");
}

std::string shape_text(const std::vector<hsize_t>& dims)
{
    std::vector<std::string> axes;
    for (const hsize_t n : dims) axes.push_back(std::to_string(n));
    return shape_text(axes);
}

long long integer_attribute(hid_t file, const std::string& name, const std::string& where)
{
    const std::string what = where + ": attribute '" + name + "'";
    require(h5::has_attribute(file, name), what + " is missing");
    const h5::Description a = h5::describe_attribute(file, name);
    require(a.type_class == H5T_INTEGER, what + " is not an integer");
    require(a.elements == 1, what + " is not a scalar");
    return h5::read_int64_attribute(file, name);
}

double real_attribute(hid_t file, const std::string& name, const std::string& where)
{
    const std::string what = where + ": attribute '" + name + "'";
    require(h5::has_attribute(file, name), what + " is missing");
    const h5::Description a = h5::describe_attribute(file, name);
    // An integer is a lossless spelling of a length (h5py stores `attrs['L'] = 20` as int64).
    require(a.type_class == H5T_FLOAT || a.type_class == H5T_INTEGER, what + " is not a number");
    require(a.elements == 1, what + " is not a scalar");
    return h5::read_double_attribute(file, name);
}

struct Float64Dataset {
    h5::Handle handle;
    std::vector<hsize_t> dims;
};

Float64Dataset float64_dataset(hid_t file, const std::string& name, const std::string& where)
{
    const H5I_type_t type = h5::object_type(file, name);
    require(type != H5I_BADID, where + ": dataset " + name + " is missing");
    require(type == H5I_DATASET, where + ": " + name + " is not a dataset");
    Float64Dataset out{h5::open_dataset(file, name), {}};
    const h5::Description desc = h5::describe_dataset(out.handle.get());
    require(desc.type_class == H5T_FLOAT && desc.type_size == 8, where + ": dataset " + name + " is not float64");
    out.dims = desc.dims;
    return out;
}

/// The whole validation of read_samples_info, on one rank with the serial driver: the checks stop at
/// the first fault, and ordinary sequential code is the clearest way to write them.
SamplesFileInfo read_info_here(const fs::path& path)
{
    const std::string where = describe_file(path);
    std::error_code error;
    require(fs::exists(path, error), where + " does not exist");
    const h5::Handle file = h5::open_file(path);
    require(static_cast<bool>(file), "cannot open " + where + " as HDF5");

    SamplesFileInfo info;
    const long long d = integer_attribute(file.get(), "d", where);
    require(d >= 1 && d <= 3, where + ": attribute 'd' = " + std::to_string(d) + " must be 1, 2 or 3");
    info.d = static_cast<int>(d);
    const long long N = integer_attribute(file.get(), "N", where);
    require(N >= 4 && N % 2 == 0, where + ": attribute 'N' = " + std::to_string(N) + " must be an even number >= 4");
    info.N = static_cast<long>(N);
    info.L = real_attribute(file.get(), "L", where);
    require(std::isfinite(info.L) && info.L > 0.0,
            where + ": attribute 'L' = " + number(info.L) + " must be finite and > 0");

    const Float64Dataset weights = float64_dataset(file.get(), "/weights", where);
    require(weights.dims.size() == 1, where + ": /weights has shape " + shape_text(weights.dims) + " but must be (M,)");
    const hsize_t M = weights.dims[0];
    require(M >= 1, where + ": /weights is empty");
    info.weights.resize(M);
    h5::read_slab(weights.handle.get(), h5::Slab{{0}, {M}}, info.weights.data());
    for (std::size_t j = 0; j < info.weights.size(); ++j) {
        const double w = info.weights[j];
        const std::string what = where + ": /weights[" + std::to_string(j) + "] = " + number(w);
        require(std::isfinite(w), what + " is not finite");
        require(w > 0.0, what + " is not positive");
    }
    // Compensated, against a tolerance that grows with M (measure.hpp): 10⁵ weights 1/M written by
    // numpy pass, a sum of 1 + 1e-6 does not.
    require_unit_weight_sum(info.weights, where + ": /weights sums to");

    std::vector<hsize_t> expected(1 + static_cast<std::size_t>(info.d), static_cast<hsize_t>(info.N));
    expected[0] = M;
    std::vector<std::string> needed(expected.size(), std::to_string(info.N));
    needed[0] = "M";
    for (const char* name : {"/samples/real", "/samples/imag"}) {
        const Float64Dataset part = float64_dataset(file.get(), name, where);
        require(part.dims == expected, where + ": " + name + " has shape " + shape_text(part.dims) + " but d = " +
                                           std::to_string(info.d) + ", N = " + std::to_string(info.N) + " needs " +
                                           shape_text(needed) + " with M = " + std::to_string(M) + " from /weights");
    }
    return info;
}

/// Sample j's rows of this rank's slab: (j, start0, 0[, 0]) count (1, n0, N[, N]).
h5::Slab sample_slab(const Grid& grid, std::size_t j)
{
    const Axis& a0 = grid.physical().axes[0];
    h5::Slab slab{{j, static_cast<hsize_t>(a0.start)}, {1, static_cast<hsize_t>(a0.n)}};
    for (int axis = 1; axis < grid.d(); ++axis) {
        slab.start.push_back(0);
        slab.count.push_back(static_cast<hsize_t>(grid.N()));
    }
    return slab;
}

/// "(i0, i1[, i2])": the global grid index of local point k of the physical layout.
std::string grid_index(const Grid& grid, std::ptrdiff_t k)
{
    const Axis& a0 = grid.physical().axes[0];
    const std::ptrdiff_t plane = grid.local_points() / a0.n;  // points per dimension-0 plane
    std::string out = "(" + std::to_string(a0.start + k / plane);
    if (grid.d() == 2) out += ", " + std::to_string(k % plane);
    if (grid.d() == 3) out += ", " + std::to_string(k % plane / grid.N()) + ", " + std::to_string(k % grid.N());
    return out + ")";
}

class FileMeasure final : public Measure {
public:
    FileMeasure(fs::path path, SamplesFileInfo info) : path_(std::move(path)), info_(std::move(info)) {}

    [[nodiscard]] std::size_t size() const override { return info_.weights.size(); }
    [[nodiscard]] std::span<const double> weights() const override { return info_.weights; }
    void fill(const Grid& grid, std::size_t first, std::span<cplx* const> fields) const override;
    [[nodiscard]] std::string provenance() const override
    {
        return "file " + path_.string() + " (" + std::to_string(size()) + " samples)";
    }

private:
    fs::path path_;
    SamplesFileInfo info_;
};

void FileMeasure::fill(const Grid& grid, std::size_t first, std::span<cplx* const> fields) const
{
    const std::string where = describe_file(path_);
    if (first + fields.size() > size())
        throw Error(where + ": samples " + std::to_string(first) + " .. " + std::to_string(first + fields.size()) +
                    " asked of a measure with " + std::to_string(size()));
    // The grid is the same on every rank of grid.comm(), so this verdict needs no agreement.
    require(grid.d() == info_.d && grid.N() == info_.N && grid.L() == info_.L,
            where + " holds d = " + std::to_string(info_.d) + ", N = " + std::to_string(info_.N) +
                ", L = " + number(info_.L) + " but the run's grid is d = " + std::to_string(grid.d()) +
                ", N = " + std::to_string(grid.N()) + ", L = " + number(grid.L()));

    const Comm& comm = grid.comm();
    const h5::Handle file = h5::open_file(comm, path_);
    collectively(comm, [&] { require(static_cast<bool>(file), "cannot open " + where + " as HDF5"); });
    const h5::Handle real = h5::open_dataset(file.get(), "/samples/real");
    const h5::Handle imag = h5::open_dataset(file.get(), "/samples/imag");

    const std::ptrdiff_t n = grid.local_points();
    std::vector<double> re(static_cast<std::size_t>(n)), im(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::size_t j = first + i;
        const h5::Slab slab = sample_slab(grid, j);
        h5::read_slab(real.get(), slab, re.data());
        h5::read_slab(imag.get(), slab, im.data());

        // A bad value sits on one rank's slab only; the lowest such rank names it for everybody.
        collectively(comm, [&] {
            for (std::ptrdiff_t k = 0; k < n; ++k) {
                const auto u = static_cast<std::size_t>(k);
                require(std::isfinite(re[u]) && std::isfinite(im[u]),
                        where + ": sample " + std::to_string(j) + " has a non-finite value at grid index " +
                            grid_index(grid, k));
            }
        });
        double local = 0.0;
        cplx* phi = fields[i];
        for (std::ptrdiff_t k = 0; k < n; ++k) {
            const auto u = static_cast<std::size_t>(k);
            phi[k] = cplx(re[u], im[u]);
            local += std::norm(phi[k]);
        }
        const double norm2 = grid.cell_volume() * comm.sum(local);
        // MPI does not promise bit-identical reductions on every rank, so the verdict is agreed.
        collectively(comm, [&] {
            require(std::abs(norm2 - 1.0) <= norm_tolerance,
                    where + ": sample " + std::to_string(j) + " has norm^2 " + number(norm2, 12) + " (must be 1 to " +
                        number(norm_tolerance) + "; the file is not renormalized)");
        });
    }
}

void write_file(const fs::path& tmp, const GroupLayout& layout, const Grid& grid, std::span<const double> weights,
                std::span<const cplx* const> fields)
{
    h5::Handle file = h5::create_file(layout.world(), tmp);
    write_samples(file.get(), layout, grid, weights, fields);
    // A file opened with MPI-IO closes only after everything in it; closing explicitly reports a
    // failed final flush instead of losing it in a destructor.
    file.close();
}

}  // namespace

void write_samples(hid_t file_id, const GroupLayout& layout, const Grid& grid, std::span<const double> weights,
                   std::span<const cplx* const> fields)
{
    const Comm& world = layout.world();
    h5::write_attribute(file_id, "d", static_cast<long long>(grid.d()));
    h5::write_attribute(file_id, "N", static_cast<long long>(grid.N()));
    h5::write_attribute(file_id, "L", grid.L());

    const hsize_t M = weights.size();
    h5::Handle weight_set = h5::create_dataset(file_id, "weights", std::array{M});
    h5::write_slab(weight_set.get(), world.is_root() ? h5::Slab{{0}, {M}} : h5::Slab{}, weights.data());

    h5::Handle samples = h5::create_group(file_id, "samples");
    std::vector<hsize_t> dims(1 + static_cast<std::size_t>(grid.d()), static_cast<hsize_t>(grid.N()));
    dims[0] = M;
    h5::Handle real = h5::create_dataset(samples.get(), "real", dims);
    h5::Handle imag = h5::create_dataset(samples.get(), "imag", dims);

    // Every group writes its own samples in the same collective calls, so every rank loops as often
    // as the largest group needs; group 0 holds the most samples (count(k) decreases with k).
    const std::size_t rounds = layout.count(0);
    const std::ptrdiff_t n = grid.local_points();
    std::vector<double> re(static_cast<std::size_t>(n)), im(static_cast<std::size_t>(n));
    for (std::size_t r = 0; r < rounds; ++r) {
        h5::Slab slab;
        if (r < layout.count()) {
            slab = sample_slab(grid, layout.first() + r);
            for (std::ptrdiff_t k = 0; k < n; ++k) {
                re[static_cast<std::size_t>(k)] = fields[r][k].real();
                im[static_cast<std::size_t>(k)] = fields[r][k].imag();
            }
        }
        h5::write_slab(real.get(), slab, re.data());
        h5::write_slab(imag.get(), slab, im.data());
    }

    real.close();
    imag.close();
    samples.close();
    weight_set.close();
}

SamplesFileInfo read_samples_info(const Comm& comm, const std::filesystem::path& path)
{
    SamplesFileInfo info;
    collectively(comm, [&] {
        if (comm.is_root()) info = read_info_here(path);
    });
    // Doubles carry d, N and M exactly (all far below 2^53).
    std::array<double, 4> header{static_cast<double>(info.d), static_cast<double>(info.N), info.L,
                                 static_cast<double>(info.weights.size())};
    comm.broadcast(header);
    info.d = static_cast<int>(header[0]);
    info.N = static_cast<long>(header[1]);
    info.L = header[2];
    info.weights.resize(static_cast<std::size_t>(header[3]));
    comm.broadcast(info.weights);
    return info;
}

std::unique_ptr<Measure> make_file_measure(const std::filesystem::path& path, SamplesFileInfo info)
{
    return std::make_unique<FileMeasure>(path, std::move(info));
}

void write_samples_file(const std::filesystem::path& path, const GroupLayout& layout, const Grid& grid,
                        std::span<const double> weights, std::span<const cplx* const> fields)
{
    if (weights.size() != layout.samples() || fields.size() != layout.count())
        throw Error("write_samples_file: " + std::to_string(weights.size()) + " weights and " +
                    std::to_string(fields.size()) + " fields for a layout of " + std::to_string(layout.samples()) +
                    " samples of which this group holds " + std::to_string(layout.count()));
    // Whichever rank sees the failure, no partial file may survive; removing is idempotent.
    TemporaryFile tmp(path);
    write_file(tmp.path(), layout, grid, weights, fields);
    h5::rename_into_place(layout.world(), tmp.path(), path);
    tmp.release();
}

}  // namespace dfe
