#include "dfe/backend/hdf5.hpp"

#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>
#include <utility>

namespace dfe::h5 {

namespace {

/// HDF5 prints its whole error stack to stderr on every failure unless told not to; dfe reports one
/// line through an exception instead. The setting is HDF5's global state, so set it wherever a file
/// is opened or created: no HDF5 failure that matters can happen before that.
void silence_error_printing() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle mpio_access(const Comm& comm)
{
    Handle fapl(DFE_H5(H5Pcreate(H5P_FILE_ACCESS)), H5Pclose);
    DFE_H5(H5Pset_fapl_mpio(fapl.get(), comm.get(), MPI_INFO_NULL));
    return fapl;
}

/// Collective transfers in a file opened with MPI-IO; the serial driver refuses the property.
Handle transfer_for(hid_t dataset)
{
    Handle dxpl(DFE_H5(H5Pcreate(H5P_DATASET_XFER)), H5Pclose);
    const Handle file(DFE_H5(H5Iget_file_id(dataset)), H5Fclose);
    const Handle fapl(DFE_H5(H5Fget_access_plist(file.get())), H5Pclose);
    if (DFE_H5(H5Pget_driver(fapl.get())) == H5FD_MPIO) DFE_H5(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE));
    return dxpl;
}

/// The file and memory dataspaces of a slab transfer: the file space selects the slab (or nothing),
/// the memory space is the same number of contiguous doubles.
struct SlabSpaces {
    Handle file, memory;
};

SlabSpaces slab_spaces(hid_t dataset, const Slab& slab)
{
    SlabSpaces s;
    s.file = Handle(DFE_H5(H5Dget_space(dataset)), H5Sclose);
    const int rank = DFE_H5(H5Sget_simple_extent_ndims(s.file.get()));
    const hsize_t n = slab.elements();
    if (n > 0 && (slab.start.size() != static_cast<std::size_t>(rank) || slab.count.size() != slab.start.size()))
        throw Error("HDF5 slab with " + std::to_string(slab.count.size()) + " axes for a dataset of rank " +
                    std::to_string(rank));
    // A zero-length memory space is not allowed, so an empty transfer uses one element, unselected.
    const hsize_t memory_size = std::max<hsize_t>(n, 1);
    s.memory = Handle(DFE_H5(H5Screate_simple(1, &memory_size, nullptr)), H5Sclose);
    if (n == 0) {
        DFE_H5(H5Sselect_none(s.file.get()));
        DFE_H5(H5Sselect_none(s.memory.get()));
    } else {
        DFE_H5(H5Sselect_hyperslab(s.file.get(), H5S_SELECT_SET, slab.start.data(), nullptr, slab.count.data(),
                                   nullptr));
    }
    return s;
}

Description describe(hid_t type, hid_t space)
{
    Description out;
    out.type_class = DFE_H5(H5Tget_class(type));
    out.type_size = H5Tget_size(type);
    const int rank = DFE_H5(H5Sget_simple_extent_ndims(space));
    out.dims.resize(static_cast<std::size_t>(rank));
    DFE_H5(H5Sget_simple_extent_dims(space, out.dims.data(), nullptr));
    out.elements = static_cast<hsize_t>(DFE_H5(H5Sget_simple_extent_npoints(space)));
    return out;
}

/// Reads every element of an attribute (so that a caller who expected a scalar cannot overrun the
/// buffer) and returns the first.
template <class T>
T read_first(hid_t obj, const std::string& name, hid_t memory_type)
{
    Handle attribute(DFE_H5(H5Aopen(obj, name.c_str(), H5P_DEFAULT)), H5Aclose);
    Handle space(DFE_H5(H5Aget_space(attribute.get())), H5Sclose);
    const auto n = DFE_H5(H5Sget_simple_extent_npoints(space.get()));
    if (n < 1) throw Error("HDF5 attribute '" + name + "' has no elements");
    std::vector<T> values(static_cast<std::size_t>(n));
    DFE_H5(H5Aread(attribute.get(), memory_type, values.data()));
    return values.front();
}

void write_scalar_attribute(hid_t obj, const std::string& name, hid_t file_type, hid_t memory_type,
                            const void* value)
{
    Handle space(DFE_H5(H5Screate(H5S_SCALAR)), H5Sclose);
    // Writing an attribute again (a continued run.h5 records the run's parameters anew) replaces it.
    if (DFE_H5_ON(obj, H5Aexists(obj, name.c_str())) > 0) DFE_H5_ON(obj, H5Adelete(obj, name.c_str()));
    Handle attribute(DFE_H5_ON(obj, H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT)),
                     H5Aclose);
    DFE_H5_ON(obj, H5Awrite(attribute.get(), memory_type, value));
}

}  // namespace

// Defined at the end of this file.
namespace {
std::string failure_message(const char* call, const std::string& name, const char* file, int line);
bool closes_collectively(hid_t id) noexcept;
void remember_ranks(const std::filesystem::path& path, int ranks);
}  // namespace

Handle::Handle(hid_t id, CloseFunction close) noexcept : id_(id), close_(close) {}

Handle::~Handle() { release(); }

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(std::exchange(other.close_, nullptr))
{
}

Handle& Handle::operator=(Handle&& other) noexcept
{
    if (this != &other) {
        release();
        id_ = std::exchange(other.id_, H5I_INVALID_HID);
        close_ = std::exchange(other.close_, nullptr);
    }
    return *this;
}

void Handle::release() noexcept
{
    // A destructor must not throw; a failed close here happens only while another error unwinds
    // the stack, and that error is the one to report. While it does, a collective close is skipped
    // (core/comm.hpp, "Failures").
    if (id_ >= 0 && close_ != nullptr && !(unwinding_.now() && closes_collectively(id_))) close_(id_);
    id_ = H5I_INVALID_HID;
}

void Handle::close()
{
    if (id_ < 0 || close_ == nullptr) return;
    // The name goes with the id: ask for it first.
    const std::string name = file_name(id_);
    errno = 0;
    const herr_t result = close_(std::exchange(id_, H5I_INVALID_HID));
    if (result < 0) throw Error(failure_message("H5?close", name, __FILE__, __LINE__));
}

void fail(const char* call, const char* file, int line) { throw Error(failure_message(call, "", file, line)); }

Handle create_file(const Comm& comm, const std::filesystem::path& path)
{
    silence_error_printing();
    const Handle fapl = mpio_access(comm);
    errno = 0;
    const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
    if (id < 0) throw Error(failure_message("H5Fcreate", path.string(), __FILE__, __LINE__));
    remember_ranks(path, comm.size());
    return Handle(id, H5Fclose);
}

namespace {

/// `path` opened with MPI-IO on `comm` with H5Fopen's `flags`; unchecked: a failure here is the
/// caller's input error, not an HDF5 fault.
Handle open_parallel(const Comm& comm, const std::filesystem::path& path, unsigned flags)
{
    silence_error_printing();
    const Handle fapl = mpio_access(comm);
    Handle file(H5Fopen(path.c_str(), flags, fapl.get()), H5Fclose);
    if (file) remember_ranks(path, comm.size());
    return file;
}

}  // namespace

Handle open_file(const Comm& comm, const std::filesystem::path& path) { return open_parallel(comm, path, H5F_ACC_RDONLY); }

Handle open_file(const std::filesystem::path& path)
{
    silence_error_printing();
    remember_ranks(path, 1);
    return Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
}

void rename_into_place(const Comm& comm, const std::filesystem::path& tmp, const std::filesystem::path& path)
{
    comm.barrier();
    std::error_code error;
    if (comm.is_root()) std::filesystem::rename(tmp, path, error);
    // Agreeing on the outcome keeps every rank from going on (and reading `path`) before it exists.
    if (!comm.all(!error))
        throw Error("cannot rename " + tmp.string() + " to " + path.string() +
                    (error ? ": " + error.message() : std::string()));
}

H5I_type_t object_type(hid_t loc, const std::string& path)
{
    // H5Lexists fails (rather than says no) when a component on the way is missing or is not a
    // group, so walk the path one component at a time.
    std::string prefix = path.starts_with('/') ? "/" : "";
    H5I_type_t type = H5I_BADID;
    std::size_t begin = 0;
    while (begin < path.size()) {
        std::size_t end = path.find('/', begin);
        if (end == std::string::npos) end = path.size();
        if (end > begin) {
            if (type != H5I_BADID && type != H5I_GROUP) return H5I_BADID;
            if (!prefix.empty() && prefix.back() != '/') prefix += '/';
            prefix += path.substr(begin, end - begin);
            if (DFE_H5(H5Lexists(loc, prefix.c_str(), H5P_DEFAULT)) == 0) return H5I_BADID;
            // Unchecked: a link that leads nowhere (a dangling soft link) counts as no object.
            const Handle object(H5Oopen(loc, prefix.c_str(), H5P_DEFAULT), H5Oclose);
            if (!object) return H5I_BADID;
            type = H5Iget_type(object.get());
        }
        begin = end + 1;
    }
    return type;
}

Handle open_dataset(hid_t loc, const std::string& path)
{
    return Handle(DFE_H5_ON(loc, H5Dopen2(loc, path.c_str(), H5P_DEFAULT)), H5Dclose);
}

Handle create_group(hid_t loc, const std::string& name)
{
    return Handle(DFE_H5_ON(loc, H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), H5Gclose);
}

Handle create_dataset(hid_t loc, const std::string& name, std::span<const hsize_t> dims)
{
    Handle space(DFE_H5(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr)), H5Sclose);
    Handle dcpl(DFE_H5(H5Pcreate(H5P_DATASET_CREATE)), H5Pclose);
    DFE_H5(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER));
    return Handle(DFE_H5_ON(loc, H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(),
                                            H5P_DEFAULT)),
                  H5Dclose);
}

bool has_attribute(hid_t obj, const std::string& name) { return DFE_H5(H5Aexists(obj, name.c_str())) > 0; }

Description describe_attribute(hid_t obj, const std::string& name)
{
    Handle attribute(DFE_H5(H5Aopen(obj, name.c_str(), H5P_DEFAULT)), H5Aclose);
    Handle type(DFE_H5(H5Aget_type(attribute.get())), H5Tclose);
    Handle space(DFE_H5(H5Aget_space(attribute.get())), H5Sclose);
    return describe(type.get(), space.get());
}

Description describe_dataset(hid_t dataset)
{
    Handle type(DFE_H5(H5Dget_type(dataset)), H5Tclose);
    Handle space(DFE_H5(H5Dget_space(dataset)), H5Sclose);
    return describe(type.get(), space.get());
}

long long read_int64_attribute(hid_t obj, const std::string& name)
{
    return read_first<long long>(obj, name, H5T_NATIVE_LLONG);
}

double read_double_attribute(hid_t obj, const std::string& name)
{
    return read_first<double>(obj, name, H5T_NATIVE_DOUBLE);
}

std::string read_string_attribute(hid_t obj, const std::string& name)
{
    Handle attribute(DFE_H5(H5Aopen(obj, name.c_str(), H5P_DEFAULT)), H5Aclose);
    Handle stored(DFE_H5(H5Aget_type(attribute.get())), H5Tclose);
    if (H5Tget_class(stored.get()) != H5T_STRING || DFE_H5(H5Tis_variable_str(stored.get())) <= 0)
        throw Error("HDF5 attribute '" + name + "' is not a variable-length string");
    Handle memory(DFE_H5(H5Tcopy(H5T_C_S1)), H5Tclose);
    DFE_H5(H5Tset_size(memory.get(), H5T_VARIABLE));
    DFE_H5(H5Tset_cset(memory.get(), H5T_CSET_UTF8));
    char* text = nullptr;
    DFE_H5(H5Aread(attribute.get(), memory.get(), &text));
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
}

void write_attribute(hid_t obj, const std::string& name, long long value)
{
    write_scalar_attribute(obj, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &value);
}

void write_attribute(hid_t obj, const std::string& name, double value)
{
    write_scalar_attribute(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_attribute(hid_t obj, const std::string& name, const std::string& value)
{
    Handle type(DFE_H5(H5Tcopy(H5T_C_S1)), H5Tclose);
    DFE_H5(H5Tset_size(type.get(), H5T_VARIABLE));
    DFE_H5(H5Tset_cset(type.get(), H5T_CSET_UTF8));
    // A variable-length string is passed as a pointer to its characters.
    const char* text = value.c_str();
    write_scalar_attribute(obj, name, type.get(), type.get(), &text);
}

hsize_t Slab::elements() const
{
    if (count.empty()) return 0;
    hsize_t n = 1;
    for (const hsize_t c : count) n *= c;
    return n;
}

void write_slab(hid_t dataset, const Slab& slab, const double* data)
{
    const SlabSpaces spaces = slab_spaces(dataset, slab);
    const Handle dxpl = transfer_for(dataset);
    // HDF5 wants a buffer even when nothing is selected.
    const double nothing = 0.0;
    DFE_H5_ON(dataset, H5Dwrite(dataset, H5T_NATIVE_DOUBLE, spaces.memory.get(), spaces.file.get(), dxpl.get(),
                                slab.elements() > 0 ? data : &nothing));
}

Handle create_string_dataset(hid_t loc, const std::string& name, hsize_t n, std::size_t width)
{
    Handle type(DFE_H5(H5Tcopy(H5T_C_S1)), H5Tclose);
    DFE_H5(H5Tset_size(type.get(), width));
    DFE_H5(H5Tset_strpad(type.get(), H5T_STR_NULLPAD));
    Handle space(DFE_H5(H5Screate_simple(1, &n, nullptr)), H5Sclose);
    return Handle(
        DFE_H5_ON(loc, H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)),
        H5Dclose);
}

void write_strings(hid_t dataset, const Slab& slab, const std::vector<std::string>& values)
{
    Handle type(DFE_H5(H5Dget_type(dataset)), H5Tclose);
    const std::size_t width = H5Tget_size(type.get());
    std::vector<char> packed(std::max<std::size_t>(values.size(), 1) * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i].size() > width) throw Error("HDF5 string '" + values[i] + "' is longer than its dataset's width");
        std::copy(values[i].begin(), values[i].end(), packed.begin() + static_cast<std::ptrdiff_t>(i * width));
    }
    const SlabSpaces spaces = slab_spaces(dataset, slab);
    const Handle dxpl = transfer_for(dataset);
    DFE_H5_ON(dataset, H5Dwrite(dataset, type.get(), spaces.memory.get(), spaces.file.get(), dxpl.get(), packed.data()));
}

void read_slab(hid_t dataset, const Slab& slab, double* data)
{
    const SlabSpaces spaces = slab_spaces(dataset, slab);
    const Handle dxpl = transfer_for(dataset);
    double nothing = 0.0;
    DFE_H5_ON(dataset, H5Dread(dataset, H5T_NATIVE_DOUBLE, spaces.memory.get(), spaces.file.get(), dxpl.get(),
                               slab.elements() > 0 ? data : &nothing));
}

// ---- Growing files: extendible datasets, reopening for writing, flushing (run.h5 streams its rows).

Handle create_extendible_dataset(hid_t loc, const std::string& name, std::span<const hsize_t> dims,
                                 std::span<const hsize_t> chunk)
{
    if (dims.empty() || chunk.size() != dims.size())
        throw Error("HDF5 dataset '" + name + "': an extendible dataset needs one chunk size per axis");
    std::vector<hsize_t> maxdims(dims.begin(), dims.end());
    maxdims[0] = H5S_UNLIMITED;
    Handle space(DFE_H5(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data())), H5Sclose);
    Handle dcpl(DFE_H5(H5Pcreate(H5P_DATASET_CREATE)), H5Pclose);
    DFE_H5(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()));
    // Every chunk of the extent exists from the start: writing a row later moves raw data only and
    // never changes the file's metadata, so a run killed at any moment leaves a file that opens.
    DFE_H5(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY));
    DFE_H5(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER));
    return Handle(DFE_H5(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(),
                                    H5P_DEFAULT)),
                  H5Dclose);
}

void set_extent(hid_t dataset, std::span<const hsize_t> dims) { DFE_H5(H5Dset_extent(dataset, dims.data())); }

Handle open_file_for_writing(const Comm& comm, const std::filesystem::path& path)
{
    return open_parallel(comm, path, H5F_ACC_RDWR);
}

Handle open_group(hid_t loc, const std::string& path)
{
    return Handle(DFE_H5(H5Gopen2(loc, path.c_str(), H5P_DEFAULT)), H5Gclose);
}

void remove_link(hid_t loc, const std::string& name)
{
    if (DFE_H5(H5Lexists(loc, name.c_str(), H5P_DEFAULT)) > 0) DFE_H5(H5Ldelete(loc, name.c_str(), H5P_DEFAULT));
}

std::vector<std::string> read_strings(hid_t dataset, const Slab& slab)
{
    Handle type(DFE_H5(H5Dget_type(dataset)), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0)
        throw Error("HDF5 dataset is not of fixed-length strings");
    const std::size_t width = H5Tget_size(type.get());
    const auto n = static_cast<std::size_t>(slab.elements());
    std::vector<char> packed(std::max<std::size_t>(n, 1) * width, '\0');
    const SlabSpaces spaces = slab_spaces(dataset, slab);
    const Handle dxpl = transfer_for(dataset);
    DFE_H5(H5Dread(dataset, type.get(), spaces.memory.get(), spaces.file.get(), dxpl.get(), packed.data()));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        const char* begin = packed.data() + i * width;
        out.emplace_back(begin, std::find(begin, begin + width, '\0'));
    }
    return out;
}

// ---- Failures: the words of an error, and which closes are collective (hdf5.hpp's file comment) ----

namespace {

/// The ranks each file was opened on, by the name it was opened with (H5Fget_name returns that
/// name): asking HDF5 for a file's communicator would duplicate it, itself a collective.
std::map<std::string, int>& ranks_by_file()
{
    static std::map<std::string, int> ranks;
    return ranks;
}

void remember_ranks(const std::filesystem::path& path, int ranks) { ranks_by_file()[path.string()] = ranks; }

bool closes_collectively(hid_t id) noexcept
{
    try {
        const H5I_type_t type = H5Iget_type(id);
        if (type != H5I_FILE && type != H5I_DATASET && type != H5I_GROUP && type != H5I_ATTR && type != H5I_DATATYPE)
            return false;
        const auto found = ranks_by_file().find(file_name(id));
        return found != ranks_by_file().end() && found->second > 1;
    } catch (...) {
        return true;  // when in doubt, do not wait for ranks that may never come
    }
}

/// "writing", "closing", … for the HDF5 function that `call` (its text) names; empty for calls that
/// do not touch a file.
std::string operation(const std::string& function)
{
    static const std::array<std::pair<const char*, const char*>, 7> words{{{"write", "writing"},
                                                                            {"read", "reading"},
                                                                            {"create", "creating"},
                                                                            {"open", "opening"},
                                                                            {"close", "closing"},
                                                                            {"flush", "flushing"},
                                                                            {"extent", "extending"}}};
    // The API function names the kind of object in its first three letters: only files, datasets,
    // groups, attributes, objects and links live in a file (H5S, H5P, H5T, … do not).
    if (function.size() <= 3 || std::string("FDGAOL?").find(function[2]) == std::string::npos) return "";
    const std::string verb = function.substr(3);
    for (const auto& [stem, word] : words)
        if (verb.starts_with(stem) || verb.ends_with(stem)) return word;
    return "";
}

/// The operating system's words for an error, found in one entry of HDF5's error stack: the POSIX
/// drivers write "errno = 28, error message = 'No space left on device'", ROMIO the strerror text,
/// Open MPI's MPI-IO an MPI error class.
std::string os_cause(const std::string& text)
{
    if (const auto at = text.find("error message = '"); at != std::string::npos) {
        const auto begin = at + 17;
        const auto end = text.find('\'', begin);
        if (end != std::string::npos && end > begin) return text.substr(begin, end - begin);
    }
    static const std::array<std::pair<const char*, int>, 8> mpi_classes{{{"MPI_ERR_NO_SPACE", ENOSPC},
                                                                         {"MPI_ERR_QUOTA", EDQUOT},
                                                                         {"MPI_ERR_ACCESS", EACCES},
                                                                         {"MPI_ERR_READ_ONLY", EROFS},
                                                                         {"MPI_ERR_NO_SUCH_FILE", ENOENT},
                                                                         {"MPI_ERR_FILE_EXISTS", EEXIST},
                                                                         {"MPI_ERR_FILE_IN_USE", EBUSY},
                                                                         {"MPI_ERR_IO", EIO}}};
    for (const auto& [name, error] : mpi_classes)
        if (text.find(name) != std::string::npos) return std::strerror(error);
    std::string lower = text;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const int error : {ENOSPC, EDQUOT, EFBIG, EACCES, EPERM, EROFS, ENOENT, EIO}) {
        std::string words = std::strerror(error);
        for (char& c : words) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find(words) != std::string::npos) return std::strerror(error);
    }
    return "";
}

std::string failure_message(const char* call, const std::string& name, const char* file, int line)
{
    const int error = errno;
    // Innermost entry first: the outer ones only repeat which API function failed.
    std::vector<std::string> stack;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned, const H5E_error2_t* entry, void* out) -> herr_t {
            if (entry->desc != nullptr) static_cast<std::vector<std::string>*>(out)->push_back(entry->desc);
            return 0;
        },
        &stack);
    H5Eclear2(H5E_DEFAULT);

    std::string cause;
    for (const std::string& text : stack) {
        cause = os_cause(text);
        if (!cause.empty()) break;
    }
    if (cause.empty() && error != 0) cause = std::strerror(error);
    if (cause.empty() && !name.empty()) {
        // The MPI-IO layer may drop errno and word a full disk as a generic I/O failure.
        const std::string words = os_error("", name, 0);
        if (words.ends_with(std::strerror(ENOSPC))) cause = std::strerror(ENOSPC);
    }

    const std::string text(call);
    const std::string function = text.substr(0, text.find('('));
    const std::string where = function + " failed at " + file + ":" + std::to_string(line) +
                              (stack.empty() ? "" : ": " + stack.front());
    const std::string op = operation(function);
    if (op.empty() && name.empty()) return cause.empty() ? where : where + " (" + cause + ")";
    const std::string subject = (op.empty() ? function : op) + " " + (name.empty() ? "an HDF5 file" : name);
    return subject + ": " + (cause.empty() ? where : cause);
}

}  // namespace

std::string file_name(hid_t object)
{
    const ssize_t length = H5Fget_name(object, nullptr, 0);
    if (length <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return "";
    }
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Fget_name(object, name.data(), name.size());
    name.resize(static_cast<std::size_t>(length));
    return name;
}

void fail_on(hid_t object, const char* call, const char* file, int line)
{
    // The error stack is the evidence: keep it while asking for the name.
    const int error = errno;
    const hid_t saved = H5Eget_current_stack();
    const std::string name = file_name(object);
    if (saved >= 0) H5Eset_current_stack(saved);
    errno = error;
    throw Error(failure_message(call, name, file, line));
}

void flush(hid_t object) { DFE_H5_ON(object, H5Fflush(object, H5F_SCOPE_GLOBAL)); }

}  // namespace dfe::h5
