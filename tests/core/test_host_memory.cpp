// Byte counts as text, and what the machine reports (src/dfe/core/host_memory.hpp).
#include "dfe/core/host_memory.hpp"
#include "dfe/core/error.hpp"

#include <catch2/catch.hpp>

#include <vector>

TEST_CASE("sizes parse with binary suffixes", "[host_memory]")
{
    CHECK(dfe::parse_size("1000", "--max-memory") == 1000);
    CHECK(dfe::parse_size("512M", "--max-memory") == 512.0 * 1024 * 1024);
    CHECK(dfe::parse_size("4G", "--max-memory") == 4.0 * 1024 * 1024 * 1024);
    CHECK(dfe::parse_size("1.5g", "--max-memory") == 1.5 * 1024 * 1024 * 1024);
    CHECK(dfe::parse_size("64KiB", "--max-memory") == 64.0 * 1024);
    CHECK(dfe::parse_size("2TB", "--max-memory") == 2.0 * 1024 * 1024 * 1024 * 1024);
    for (const char* bad : {"", "G", "-1G", "0", "4X", "4GX", "nan", " 4G", "1e999"})
        CHECK_THROWS_WITH(dfe::parse_size(bad, "--max-memory"), Catch::Contains("--max-memory '") && Catch::Contains("is not a size"));
}

TEST_CASE("byte counts print in binary units", "[host_memory]")
{
    CHECK(dfe::format_bytes(512) == "512 B");
    CHECK(dfe::format_bytes(1536) == "1.5 KiB");
    CHECK(dfe::format_bytes(412.0 * 1024 * 1024) == "412 MiB");
    CHECK(dfe::format_bytes(1.6e19) == "1.46e+07 TiB");
}

TEST_CASE("the peak resident set grows with what is touched", "[host_memory]")
{
    const double before = dfe::peak_rss_bytes();
    REQUIRE(before > 0);
    std::vector<char> block(64 << 20, 1);
    CHECK(dfe::peak_rss_bytes() >= before + 0.9 * static_cast<double>(block.size()));
    const dfe::NodeMemory node = dfe::node_memory();
    CHECK(node.available() > 0);
    CHECK(dfe::free_disk_bytes(".") > 0);
    CHECK(dfe::free_disk_bytes("./does/not/exist/yet") > 0);  // the nearest existing directory's
}
