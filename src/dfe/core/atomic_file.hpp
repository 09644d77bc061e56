#pragma once
/**
 * @file atomic_file.hpp
 * @brief The one way output files come into place: written under a temporary name `<path>.tmp` and
 * renamed over `<path>` only when complete, so that a reader never sees half a file. A run that fails
 * leaves its files under their temporary names (core/comm.hpp, "Failures"); a run that ends early
 * without an error removes them.
 */
#include "dfe/core/error.hpp"

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace dfe {

/** @brief `<path>.tmp`, the temporary name of `path`. */
std::filesystem::path temporary_path(const std::filesystem::path& path);

/**
 * @brief A temporary file name that is removed when the object goes out of scope, unless
 * release() was called (after the rename into place) or an exception is unwinding the stack (the
 * file stays for a restart or a post-mortem). Never throws on destruction.
 */
class TemporaryFile {
public:
    TemporaryFile() = default;
    /** @brief `<path>.tmp`; `owner`: whether this process removes it (one rank of a collective file). */
    explicit TemporaryFile(const std::filesystem::path& path, bool owner = true)
        : path_(temporary_path(path)), remove_(owner)
    {
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    ~TemporaryFile();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /** @brief The file is in place (or belongs to someone else): do not remove it. */
    void release() { remove_ = false; }

private:
    std::filesystem::path path_;
    bool remove_ = false;
    Unwinding unwinding_;
};

/**
 * @brief Writes a text file through `<path>.tmp` and a rename: `write` fills the stream; a stream that
 * cannot be opened, written or flushed throws Error naming the temporary file and the cause
 * ("writing /x/verdicts.csv.tmp: No space left on device"), leaving only `<path>.tmp`
 * (Not Collective: call on one rank).
 */
void write_text_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

/**
 * @brief "<operation> <path>: <cause>", the cause being strerror(`error`) ("No space left on device");
 * with `error` 0, "No space left on device" when the file system of `path` has no free block left,
 * else "failed". The wording of every failed file operation (Not Collective).
 */
std::string os_error(const char* operation, const std::filesystem::path& path, int error);

}  // namespace dfe
