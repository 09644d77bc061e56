#include "dfe/core/format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <sstream>

namespace dfe {

std::string strf(const char* format, ...)
{
    std::va_list args;
    va_start(args, format);
    std::array<char, 1024> buffer{};
    const int n = std::vsnprintf(buffer.data(), buffer.size(), format, args);
    va_end(args);
    if (n < 0) return {};
    return std::string(buffer.data(), std::min<std::size_t>(static_cast<std::size_t>(n), buffer.size() - 1));
}

std::string shortest(double v)
{
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
    return {buffer.data(), result.ptr};
}

std::string digits17(double v)
{
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

}  // namespace dfe
