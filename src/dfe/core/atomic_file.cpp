#include "dfe/core/atomic_file.hpp"

#include "dfe/core/error.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <system_error>

namespace dfe {

std::filesystem::path temporary_path(const std::filesystem::path& path) { return path.string() + ".tmp"; }

TemporaryFile::~TemporaryFile()
{
    std::error_code ignored;
    if (remove_ && !unwinding_.now()) std::filesystem::remove(path_, ignored);
}

void write_text_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write)
{
    TemporaryFile tmp(path);
    // A std::ofstream keeps no errno of its own; a C stream reports each failure as it happens.
    std::string text;
    {
        std::ostringstream out;
        write(out);
        text = std::move(out).str();
    }
    errno = 0;
    std::FILE* file = std::fopen(tmp.path().c_str(), "w");
    if (file == nullptr) throw Error(os_error("creating", tmp.path(), errno));
    const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size() && std::fflush(file) == 0;
    const int cause = errno;
    if (std::fclose(file) != 0 || !written) throw Error(os_error("writing", tmp.path(), written ? errno : cause));
    std::error_code error;
    std::filesystem::rename(tmp.path(), path, error);
    if (error) throw Error("renaming " + tmp.path().string() + " to " + path.string() + ": " + error.message());
    tmp.release();
}

std::string os_error(const char* operation, const std::filesystem::path& path, int error)
{
    std::string cause;
    if (error != 0) {
        cause = std::strerror(error);
    } else {
        // A failure without errno (a stream that lost it): a full file system is the likely cause.
        struct statvfs fs {};
        const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
        if (statvfs(dir.c_str(), &fs) == 0 && fs.f_bavail == 0) cause = std::strerror(ENOSPC);
        else cause = "failed";
    }
    return std::string(operation) + " " + path.string() + ": " + cause;
}

}  // namespace dfe
