// Serial checks of run.xmf's text (the grid, the hyperslab of each row, exact times) and of its
// temporary-then-rename writing. That ParaView reads it as run.h5 holds the data: tests/app/check_xdmf.py.
#include "dfe/core/atomic_file.hpp"
#include "dfe/core/error.hpp"
#include "dfe/io/xdmf.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

/// A fresh directory under the system's temporary directory, removed at the end.
struct ScratchDir {
    fs::path path;
    ScratchDir() : path(fs::temp_directory_path() / ("dfe_test_xdmf_" + std::to_string(::getpid())))
    {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~ScratchDir()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

std::string read(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Every `<tag ...>` or `</tag>` of the text, in order (comments and the declaration left out).
std::vector<std::string> tags(const std::string& text)
{
    std::vector<std::string> out;
    const std::regex tag(R"(<(/?)([A-Za-z]+)[^>]*?(/?)>)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), tag); it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1].str() + (*it)[2].str() + (*it)[3].str());
    return out;
}

}  // namespace

TEST_CASE("a row of run.xmf: the grid ZYX, slowest first, and the row's hyperslab of /gamma1", "[xdmf]")
{
    SECTION("2D: a degenerate Z at 0")
    {
        const dfe::XdmfLayout l{2, 32, 16.0, 5};
        const std::string row = dfe::xdmf_row(l, 3, 0.25);
        CHECK_THAT(row, Contains("<Grid Name=\"row 3\""));
        CHECK_THAT(row, Contains("<Time Value=\"0.25\"/>"));
        CHECK_THAT(row, Contains("TopologyType=\"3DCoRectMesh\" Dimensions=\"1 32 32\""));
        CHECK_THAT(row, Contains("Format=\"XML\">0 -8 -8</DataItem>"));
        CHECK_THAT(row, Contains("Format=\"XML\">0.5 0.5 0.5</DataItem>"));
        CHECK_THAT(row, Contains("<DataItem ItemType=\"HyperSlab\" Dimensions=\"1 32 32\" Type=\"HyperSlab\">"));
        CHECK_THAT(row, Contains("<DataItem Dimensions=\"3 3\" NumberType=\"Int\" Format=\"XML\">3 0 0 1 1 1 1 32 32</DataItem>"));
        CHECK_THAT(row, Contains("<DataItem Dimensions=\"5 32 32\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">run.h5:/gamma1</DataItem>"));
    }
    SECTION("1D: degenerate Z and Y")
    {
        const std::string row = dfe::xdmf_row(dfe::XdmfLayout{1, 64, 20.0, 3}, 0, 0.0);
        CHECK_THAT(row, Contains("Dimensions=\"1 1 64\""));
        CHECK_THAT(row, Contains(">0 0 -10</DataItem>"));
        CHECK_THAT(row, Contains("<DataItem Dimensions=\"3 2\" NumberType=\"Int\" Format=\"XML\">0 0 1 1 1 64</DataItem>"));
        CHECK_THAT(row, Contains("<DataItem Dimensions=\"3 64\""));
    }
    SECTION("3D")
    {
        const std::string row = dfe::xdmf_row(dfe::XdmfLayout{3, 16, 12.0, 2}, 1, 0.01);
        CHECK_THAT(row, Contains("Dimensions=\"16 16 16\""));
        CHECK_THAT(row, Contains(">-6 -6 -6</DataItem>"));
        CHECK_THAT(row, Contains(">0.75 0.75 0.75</DataItem>"));
        CHECK_THAT(row, Contains("<DataItem Dimensions=\"3 4\" NumberType=\"Int\" Format=\"XML\">1 0 0 0 1 1 1 1 1 16 16 16</DataItem>"));
        CHECK_THAT(row, Contains("<DataItem Dimensions=\"2 16 16 16\""));
    }
    SECTION("another file name, relative as given")
    {
        dfe::XdmfLayout l{2, 8, 1.0, 1};
        l.h5 = "other.h5";
        CHECK_THAT(dfe::xdmf_row(l, 0, 0.0), Contains(">other.h5:/gamma1</DataItem>"));
    }
    SECTION("out of range")
    {
        CHECK_THROWS_AS(dfe::xdmf_row(dfe::XdmfLayout{2, 32, 16.0, 5}, 5, 0.0), dfe::Error);
        CHECK_THROWS_AS(dfe::xdmf_row(dfe::XdmfLayout{4, 32, 16.0, 5}, 0, 0.0), dfe::Error);
        CHECK_THROWS_AS(dfe::xdmf_head(dfe::XdmfLayout{2, 32, 0.0, 5}), dfe::Error);
    }
}

TEST_CASE("run.xmf's times read back as the doubles written", "[xdmf]")
{
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0.0, 10.0);
    const std::regex value(R"re(<Time Value="([^"]+)"/>)re");
    for (int i = 0; i < 1000; ++i) {
        const double t = u(rng) * std::pow(10.0, static_cast<int>(rng() % 12) - 6);
        std::smatch m;
        const std::string row = dfe::xdmf_row(dfe::XdmfLayout{2, 8, 1.0, 1}, 0, t);
        REQUIRE(std::regex_search(row, m, value));
        CHECK(std::strtod(m[1].str().c_str(), nullptr) == t);
    }
}

TEST_CASE("run.xmf is written under .tmp and renamed when complete", "[xdmf]")
{
    const ScratchDir dir;
    const fs::path path = dir.path / "run.xmf";
    const dfe::XdmfLayout l{2, 8, 4.0, 3};
    const std::vector<double> times{0.0, 0.5, 1.0};

    SECTION("complete: the head, every row in order, the tail; well nested")
    {
        dfe::XdmfSidecar sidecar(path, l);
        sidecar.add(std::span(times).first(2));
        sidecar.add(std::span(times).subspan(2));
        CHECK(fs::exists(dfe::temporary_path(path)));
        CHECK_FALSE(fs::exists(path));
        sidecar.close();
        CHECK_FALSE(fs::exists(path));
        sidecar.commit();
        CHECK(fs::exists(path));
        CHECK_FALSE(fs::exists(dfe::temporary_path(path)));
        const std::string text = read(path);
        CHECK(text == dfe::xdmf_head(l) + dfe::xdmf_row(l, 0, 0.0) + dfe::xdmf_row(l, 1, 0.5) + dfe::xdmf_row(l, 2, 1.0) +
                          dfe::xdmf_tail());
        // Every element is closed where it opened.
        std::vector<std::string> open;
        for (const std::string& t : tags(text)) {
            if (t.back() == '/') continue;
            if (t.front() == '/') {
                REQUIRE(!open.empty());
                CHECK(open.back() == t.substr(1));
                open.pop_back();
            } else {
                open.push_back(t);
            }
        }
        CHECK(open.empty());
    }
    SECTION("a sidecar given up before commit() removes its .tmp")
    {
        {
            dfe::XdmfSidecar sidecar(path, l);
            sidecar.add(times);
        }
        CHECK_FALSE(fs::exists(dfe::temporary_path(path)));
        CHECK_FALSE(fs::exists(path));
    }
    SECTION("the rows must be the layout's")
    {
        dfe::XdmfSidecar sidecar(path, l);
        sidecar.add(std::span(times).first(2));
        CHECK_THROWS_AS(sidecar.close(), dfe::Error);
        CHECK_THROWS_AS(sidecar.commit(), dfe::Error);
        CHECK_THROWS_AS(sidecar.add(std::vector<double>{1, 2}), dfe::Error);
        CHECK_FALSE(fs::exists(path));
    }
    SECTION("an unwritable directory: one message naming the file")
    {
        CHECK_THROWS_WITH(dfe::XdmfSidecar(dir.path / "no" / "such" / "run.xmf", l),
                          Contains("creating " + (dir.path / "no" / "such" / "run.xmf.tmp").string()));
    }
}
