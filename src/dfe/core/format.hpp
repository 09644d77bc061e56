#pragma once
/**
 * @file format.hpp
 * @brief The number formatting of messages and text outputs, in one place.
 */
#include <string>

namespace dfe {

/** @brief printf into a std::string (at most 1023 characters). */
[[gnu::format(printf, 1, 2)]] std::string strf(const char* format, ...);

/** @brief The shortest decimal that reads back as v (std::to_chars): exact in messages and provenance. */
std::string shortest(double v);

/** @brief v with 17 significant digits (std::ostream, precision 17): the form of checkpoint parameters. */
std::string digits17(double v);

}  // namespace dfe
