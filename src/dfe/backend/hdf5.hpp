#pragma once
/**
 * @file hdf5.hpp
 * @brief HDF5 ids as move-only RAII handles, the one boundary where a failed HDF5 call becomes a
 * dfe::Error, and the few parallel-I/O helpers the samples file and run.h5 are written with.
 *
 * Parallel files are opened with the MPI-IO driver on a communicator the caller passes. In such a
 * file every call that changes metadata (creating a dataset, a group or an attribute, writing an
 * attribute) is Collective on that communicator and needs the same arguments on every rank; raw data
 * moves through collective transfers (`write_slab` / `read_slab`), in which a rank with nothing to
 * transfer selects nothing but still takes part. Since a file opened with MPI-IO refuses to close
 * while objects in it are open, close datasets and groups before their file.
 *
 * Failures (core/comm.hpp, "Failures"). Closing a file, dataset, group, attribute or named type of a
 * file opened with MPI-IO on more than one rank is Collective, so a Handle destroyed while a
 * failure (an exception other than an agreed InputError) unwinds the stack does not close such an id: it drops it (the run is being aborted; a
 * close entered by one rank alone would wait forever for the others). Every other id (dataspaces,
 * property lists, objects of serial or one-rank files) is closed as usual. A failed HDF5 call
 * throws dfe::Error worded as "<operation> <file>: <cause>" ("writing /scratch/run.h5.tmp: No space
 * left on device"): the cause is the operating system's words, taken from HDF5's error stack (its
 * MPI-IO or POSIX entries), else from errno, else "No space left on device" when the file's file
 * system has no free block left; HDF5's own printing of its error stack is switched off.
 */
#include "dfe/core/comm.hpp"
#include "dfe/core/error.hpp"

#include <hdf5.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace dfe::h5 {

/** @brief The HDF5 function that releases an id of one kind (H5Fclose, H5Dclose, …). */
using CloseFunction = herr_t (*)(hid_t);

/**
 * @brief An owned HDF5 id and the function that closes it. Move-only; an id < 0 makes an empty
 * handle (so a failed open can be tested with `if (!handle)`); the destructor never throws.
 */
class Handle {
public:
    Handle() = default;
    /** @brief Takes ownership of `id`, to be released by `close` (Not Collective). */
    Handle(hid_t id, CloseFunction close) noexcept;
    /**
     * @brief Closes the id (Collective for an object of a parallel file), except while an exception
     * unwinds the stack: then an object of a file opened with MPI-IO on several ranks is dropped
     * unclosed (see the file comment).
     */
    ~Handle();
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    /** @brief The id, negative when the handle is empty (Not Collective). */
    [[nodiscard]] hid_t get() const { return id_; }
    /** @brief Whether the handle owns an id (Not Collective). */
    [[nodiscard]] explicit operator bool() const { return id_ >= 0; }
    /**
     * @brief Releases the id now and throws dfe::Error if HDF5 reports a failure (a file's last
     * flush, say). Collective when the id is a file opened with MPI-IO.
     */
    void close();

private:
    void release() noexcept;

    hid_t id_ = H5I_INVALID_HID;
    CloseFunction close_ = nullptr;
    Unwinding unwinding_;  ///< while an exception unwinds the stack, collective closes are skipped
};

/**
 * @brief Throws dfe::Error for the failed HDF5 `call` (its text, "H5Dwrite(...)"): the operation in
 * words and the cause (see the file comment); the call and the place only when no cause is known
 * (Not Collective).
 */
[[noreturn]] void fail(const char* call, const char* file, int line);

/**
 * @brief Returns `result`, or throws through fail() when it is negative (HDF5's failure value)
 * (Not Collective).
 */
template <class T>
T check(T result, const char* call, const char* file, int line)
{
    if (result < 0) fail(call, file, line);
    return result;
}

/**
 * @brief Creates (truncating) `path` with the MPI-IO driver on `comm` (Collective on `comm`).
 * Silences HDF5's automatic error-stack printing: failures arrive as exceptions instead.
 */
Handle create_file(const Comm& comm, const std::filesystem::path& path);

/**
 * @brief Opens `path` read-only with the MPI-IO driver on `comm` (Collective on `comm`). Empty when
 * the file cannot be opened as HDF5 (missing, unreadable, not HDF5): the caller words the error.
 */
Handle open_file(const Comm& comm, const std::filesystem::path& path);

/**
 * @brief Opens `path` read-only with the default (serial) driver, on this rank alone
 * (Not Collective). Empty when the file cannot be opened as HDF5.
 */
Handle open_file(const std::filesystem::path& path);

/**
 * @brief Renames the finished, closed file `tmp` to `path` on rank 0 of `comm` once every rank has
 * closed it, and returns on every rank only when the file is in place, or throws dfe::Error on
 * every rank when the rename failed (Collective on `comm`).
 */
void rename_into_place(const Comm& comm, const std::filesystem::path& tmp, const std::filesystem::path& path);

/**
 * @brief The kind of object at `path` below `loc` (H5I_GROUP, H5I_DATASET, …), or H5I_BADID when
 * there is none, also when a component on the way is not a group (Not Collective).
 */
H5I_type_t object_type(hid_t loc, const std::string& path);

/** @brief Opens the dataset `path` below `loc` (Collective in a parallel file). */
Handle open_dataset(hid_t loc, const std::string& path);

/** @brief Creates the group `name` below `loc` (Collective in a parallel file). */
Handle create_group(hid_t loc, const std::string& name);

/**
 * @brief Creates a float64 dataset `name` below `loc` of fixed shape `dims`, contiguous, with no fill
 * (every element is meant to be written: filling would write the whole dataset twice)
 * (Collective in a parallel file).
 */
Handle create_dataset(hid_t loc, const std::string& name, std::span<const hsize_t> dims);

/** @brief The stored type class, type size and shape of an attribute or a dataset. */
struct Description {
    H5T_class_t type_class = H5T_NO_CLASS;
    std::size_t type_size = 0;
    std::vector<hsize_t> dims;  ///< empty for a scalar
    /** @brief Number of elements (1 for a scalar, 0 for a null dataspace). */
    hsize_t elements = 0;
};

/** @brief Whether `obj` has an attribute `name` (Not Collective). */
bool has_attribute(hid_t obj, const std::string& name);
/** @brief Type and shape of the attribute `name` of `obj` (Not Collective). */
Description describe_attribute(hid_t obj, const std::string& name);
/** @brief Type and shape of `dataset` (Not Collective). */
Description describe_dataset(hid_t dataset);

/** @brief The first element of attribute `name`, converted by HDF5 to int64 (Not Collective). */
long long read_int64_attribute(hid_t obj, const std::string& name);
/** @brief The first element of attribute `name`, converted by HDF5 to float64 (Not Collective). */
double read_double_attribute(hid_t obj, const std::string& name);

/** @brief A scalar variable-length string attribute; throws dfe::Error for any other type (Not Collective). */
std::string read_string_attribute(hid_t obj, const std::string& name);

/** @brief Writes a scalar int64 attribute (Collective in a parallel file, same value everywhere). */
void write_attribute(hid_t obj, const std::string& name, long long value);
/** @brief Writes a scalar float64 attribute (Collective in a parallel file, same value everywhere). */
void write_attribute(hid_t obj, const std::string& name, double value);
/**
 * @brief Writes a scalar variable-length UTF-8 string attribute, which Python's h5py reads as `str`
 * (Collective in a parallel file, same value everywhere). Each write_attribute replaces an
 * attribute of the same name.
 */
void write_attribute(hid_t obj, const std::string& name, const std::string& value);

/**
 * @brief A block of a dataset: `start` and `count` per axis. A slab without elements (no axes or a
 * zero count) selects nothing; the rank still takes part in a collective transfer.
 */
struct Slab {
    std::vector<hsize_t> start;
    std::vector<hsize_t> count;
    /** @brief Product of the counts (0 when there are no axes). */
    [[nodiscard]] hsize_t elements() const;
};

/**
 * @brief Writes `data` (slab.elements() contiguous doubles, C order) into `slab` of `dataset`.
 * Collective on the file's communicator in a file opened with MPI-IO, Not Collective otherwise.
 */
void write_slab(hid_t dataset, const Slab& slab, const double* data);

/**
 * @brief Creates a one-dimensional dataset `name` of `n` fixed-length ASCII strings of `width` bytes,
 * null-padded (h5py reads them as bytes, numpy dtype S<width>) (Collective in a parallel file).
 */
Handle create_string_dataset(hid_t loc, const std::string& name, hsize_t n, std::size_t width);

/**
 * @brief Writes `values` (each at most the dataset's width) into `slab` of a dataset made by
 * create_string_dataset. Collective on the file's communicator in a file opened with MPI-IO: ranks
 * with an empty slab select nothing.
 */
void write_strings(hid_t dataset, const Slab& slab, const std::vector<std::string>& values);

/**
 * @brief Reads `slab` of `dataset`, converted to double, into `data` (slab.elements() doubles, C
 * order). Collective on the file's communicator in a file opened with MPI-IO, Not Collective otherwise.
 */
void read_slab(hid_t dataset, const Slab& slab, double* data);

/**
 * @brief Creates a float64 dataset `name` below `loc` of shape `dims` whose first axis can grow
 * (maximum H5S_UNLIMITED), stored in chunks of shape `chunk`. Every chunk of the extent is allocated
 * at creation and nothing is filled, so that writing into the dataset later moves raw data only:
 * the file's metadata does not change until the extent does (Collective in a parallel file).
 */
Handle create_extendible_dataset(hid_t loc, const std::string& name, std::span<const hsize_t> dims,
                                 std::span<const hsize_t> chunk);
/** @brief Sets the shape of a dataset made by create_extendible_dataset (Collective in a parallel file). */
void set_extent(hid_t dataset, std::span<const hsize_t> dims);
/**
 * @brief Opens `path` for reading and writing with the MPI-IO driver on `comm` (Collective on
 * `comm`). Empty when the file cannot be opened as HDF5: the caller words the error.
 */
Handle open_file_for_writing(const Comm& comm, const std::filesystem::path& path);
/** @brief Opens the group `path` below `loc` (Collective in a parallel file). */
Handle open_group(hid_t loc, const std::string& path);
/**
 * @brief Reads `slab` of a dataset made by create_string_dataset, each string up to its first null
 * (Collective on the file's communicator in a file opened with MPI-IO).
 */
std::vector<std::string> read_strings(hid_t dataset, const Slab& slab);
/** @brief Removes the link `name` below `loc` when there is one (Collective in a parallel file). */
void remove_link(hid_t loc, const std::string& name);

/**
 * @brief The name of the file `object` (a file, or any object in one) was opened or created with;
 * empty when there is none (a dataspace, a property list) (Not Collective).
 */
std::string file_name(hid_t object);

/** @brief As fail(), naming the file of `object` (Not Collective). */
[[noreturn]] void fail_on(hid_t object, const char* call, const char* file, int line);

/** @brief As check(), naming the file of `object` in the error (Not Collective). */
template <class T>
T check_on(T result, hid_t object, const char* call, const char* file, int line)
{
    if (result < 0) fail_on(object, call, file, line);
    return result;
}

/**
 * @brief Flushes the file of `object` to storage (H5Fflush, global scope); throws dfe::Error
 * "flushing <file>: <cause>" (Collective in a parallel file).
 */
void flush(hid_t object);

}  // namespace dfe::h5

/// Wraps an HDF5 call whose negative result means failure: `hid_t id = DFE_H5(H5Dopen2(...));`.
/// errno is cleared first, so that a cause found there belongs to this call.
#define DFE_H5(call) (errno = 0, ::dfe::h5::check((call), #call, __FILE__, __LINE__))
/// As DFE_H5, naming the file of `object` in the error: `DFE_H5_ON(dataset, H5Dwrite(dataset, ...))`.
#define DFE_H5_ON(object, call) (errno = 0, ::dfe::h5::check_on((call), (object), #call, __FILE__, __LINE__))
