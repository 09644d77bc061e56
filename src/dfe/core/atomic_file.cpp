#include "dfe/core/atomic_file.hpp"

#include "dfe/core/error.hpp"

#include <fstream>
#include <system_error>

namespace dfe {

std::filesystem::path temporary_path(const std::filesystem::path& path) { return path.string() + ".tmp"; }

TemporaryFile::~TemporaryFile()
{
    std::error_code ignored;
    if (remove_) std::filesystem::remove(path_, ignored);
}

void write_text_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write)
{
    TemporaryFile tmp(path);
    {
        std::ofstream out(tmp.path());
        if (!out) throw Error("cannot write " + tmp.path().string());
        write(out);
        if (!out.flush()) throw Error("cannot write " + tmp.path().string());
    }
    std::filesystem::rename(tmp.path(), path);
    tmp.release();
}

}  // namespace dfe
