#include "dfe/core/host_memory.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <mpi.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace dfe {

double parse_size(std::string_view text, const std::string& option)
{
    const std::string s(text);
    auto bad = [&] {
        return InputError(option + " '" + s + "' is not a size: give bytes, or a number with K, M, G or T (e.g. 512M, 4G, 1.5G)");
    };
    if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) throw bad();
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    if (end == s.c_str()) throw bad();
    std::string suffix(end);
    for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    double unit = 1.0;
    if (!suffix.empty()) {
        const std::string_view units = "KMGT";
        const auto at = units.find(suffix.front());
        if (at == std::string_view::npos && suffix != "B") throw bad();
        if (at != std::string_view::npos) {
            unit = std::pow(1024.0, static_cast<double>(at + 1));
            const std::string rest = suffix.substr(1);
            if (!rest.empty() && rest != "B" && rest != "IB") throw bad();
        }
    }
    const double bytes = value * unit;
    if (!std::isfinite(bytes) || !(bytes >= 1.0)) throw bad();
    return bytes;
}

std::string format_bytes(double n)
{
    static constexpr std::array<const char*, 5> units{"B", "KiB", "MiB", "GiB", "TiB"};
    std::size_t u = 0;
    double v = n;
    while (u + 1 < units.size() && std::abs(v) >= 1024.0) {
        v /= 1024.0;
        ++u;
    }
    if (u == 0) return strf("%.0f B", v);
    return strf(std::abs(v) < 9.95 ? "%.1f %s" : (std::abs(v) < 1e5 ? "%.0f %s" : "%.3g %s"), v, units[u]);
}

double NodeMemory::available() const
{
    if (mem_available > 0.0 && cgroup_room > 0.0) return std::min(mem_available, cgroup_room);
    return std::max(mem_available, cgroup_room);
}

namespace {

/// The first number in `path` (0 when unreadable or "max").
double read_number(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::string word;
    if (!(in >> word) || word == "max") return 0.0;
    char* end = nullptr;
    const double v = std::strtod(word.c_str(), &end);
    return end != word.c_str() && std::isfinite(v) && v > 0.0 ? v : 0.0;
}

/// This process's cgroup paths from /proc/self/cgroup: the v2 path ("0::/x") and the v1 memory one.
std::pair<std::string, std::string> cgroup_paths()
{
    std::ifstream in("/proc/self/cgroup");
    std::string line, v2, v1;
    while (std::getline(in, line)) {
        const auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (controllers.empty()) v2 = path;
        std::stringstream list(controllers);
        for (std::string c; std::getline(list, c, ',');)
            if (c == "memory") v1 = path;
    }
    return {v2, v1};
}

/// limit − usage of the first cgroup directory (from this process's own up to the mount root) that has a limit.
double cgroup_room(const std::filesystem::path& mount, const std::string& own, const char* limit_file, const char* usage_file)
{
    if (own.empty() && !std::filesystem::exists(mount / limit_file)) return 0.0;
    for (std::filesystem::path p = own.empty() ? "/" : own;; p = p.parent_path()) {
        const auto dir = mount / p.relative_path();
        const double limit = read_number(dir / limit_file);
        // cgroup v1 reports "no limit" as a huge page-rounded number.
        if (limit > 0.0 && limit < 1e18) return std::max(limit - read_number(dir / usage_file), 1.0);
        if (p == p.root_path() || p.empty()) break;
    }
    return 0.0;
}

}  // namespace

NodeMemory node_memory()
{
    NodeMemory m;
    std::ifstream in("/proc/meminfo");
    std::string key;
    double value = 0.0;
    std::string unit;
    while (in >> key >> value) {
        std::getline(in, unit);
        if (key == "MemAvailable:") m.mem_available = value * 1024.0;  // kB
    }
    const auto [v2, v1] = cgroup_paths();
    m.cgroup_room = cgroup_room("/sys/fs/cgroup", v2, "memory.max", "memory.current");
    if (m.cgroup_room == 0.0)
        m.cgroup_room = cgroup_room("/sys/fs/cgroup/memory", v1, "memory.limit_in_bytes", "memory.usage_in_bytes");
    return m;
}

int ranks_on_node(const Comm& comm)
{
    MPI_Comm node = MPI_COMM_NULL;
    DFE_MPI(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
    int size = 1;
    const int status = MPI_Comm_size(node, &size);
    MPI_Comm_free(&node);
    DFE_MPI(status);
    return size;
}

double available_memory_per_rank(const Comm& comm)
{
    const double share = node_memory().available() / static_cast<double>(ranks_on_node(comm));
    // The smallest share over the ranks; unknown (0) counts as unknown only if it is unknown everywhere.
    const double known = share > 0.0 ? share : std::numeric_limits<double>::infinity();
    const double smallest = -comm.max(-known);
    return std::isfinite(smallest) ? smallest : 0.0;
}

double peak_rss_bytes()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) * 1024.0;  // kB
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) == 0) return static_cast<double>(usage.ru_maxrss) * 1024.0;  // kB on Linux
    return 0.0;
}

double free_disk_bytes(const std::string& path)
{
    // The nearest existing directory: --out may not exist yet.
    std::filesystem::path p = std::filesystem::absolute(path);
    std::error_code ec;
    while (!p.empty() && !std::filesystem::exists(p, ec) && p != p.root_path()) p = p.parent_path();
    struct statvfs s {};
    if (statvfs(p.c_str(), &s) != 0) return -1.0;
    return static_cast<double>(s.f_bavail) * static_cast<double>(s.f_frsize);
}

}  // namespace dfe
