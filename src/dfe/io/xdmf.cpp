#include "dfe/io/xdmf.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <cerrno>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace dfe {

namespace {

/// Numbers separated by single spaces.
template <typename T>
std::string joined(const std::vector<T>& values)
{
    std::string out;
    for (const T& v : values) {
        if (!out.empty()) out += ' ';
        if constexpr (std::is_floating_point_v<T>) out += shortest(v);
        else out += std::to_string(v);
    }
    return out;
}

/// The mesh's three dimensions, slowest first (Z Y X): d < 3 pads the slow end with 1.
std::vector<long> mesh_dims(const XdmfLayout& l)
{
    std::vector<long> dims(static_cast<std::size_t>(3 - l.d), 1L);
    dims.insert(dims.end(), static_cast<std::size_t>(l.d), l.N);
    return dims;
}

/// /gamma1's shape: (rows, N[, N[, N]]).
std::vector<long> dataset_dims(const XdmfLayout& l)
{
    std::vector<long> dims{l.rows};
    dims.insert(dims.end(), static_cast<std::size_t>(l.d), l.N);
    return dims;
}

void check_layout(const XdmfLayout& l)
{
    if (l.d < 1 || l.d > 3 || l.N < 1 || !(l.L > 0.0) || l.rows < 0 || l.h5.empty())
        throw Error("xdmf: layout out of range (d " + std::to_string(l.d) + ", N " + std::to_string(l.N) + ", L " +
                    shortest(l.L) + ", rows " + std::to_string(l.rows) + ")");
}

}  // namespace

std::string xdmf_head(const XdmfLayout& l)
{
    check_layout(l);
    return "<?xml version=\"1.0\" ?>\n"
           "<!-- gamma^(1)(x,x) of " + l.h5 + " /gamma1 at every output time, on the simulation grid (dfe-run).\n"
           "     Dimensions are slowest first, as " + l.h5 + " stores them: the X axis of ParaView and VisIt is\n"
           "     the grid's last coordinate. ParaView: open with the \"XDMF Reader\". -->\n"
           "<Xdmf Version=\"2.0\">\n"
           "  <Domain>\n"
           "    <Grid Name=\"gamma1\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
}

std::string xdmf_row(const XdmfLayout& l, long row, double t)
{
    check_layout(l);
    if (row < 0 || row >= l.rows)
        throw Error("xdmf: row " + std::to_string(row) + " outside [0, " + std::to_string(l.rows) + ")");
    const double dx = l.L / static_cast<double>(l.N);
    std::vector<double> origin(3, 0.0), spacing(3, dx);
    for (int a = 3 - l.d; a < 3; ++a) origin[static_cast<std::size_t>(a)] = -l.L / 2;
    const auto mesh = joined(mesh_dims(l));
    // Row `row` of /gamma1: start (row, 0, …), stride 1, count (1, N, …).
    const std::size_t rank = static_cast<std::size_t>(l.d) + 1;
    std::vector<long> slab{row};
    slab.insert(slab.end(), rank - 1, 0L);
    slab.insert(slab.end(), rank, 1L);
    slab.push_back(1L);
    slab.insert(slab.end(), rank - 1, l.N);
    const std::string name = std::to_string(row);
    return "      <Grid Name=\"row " + name + "\" GridType=\"Uniform\">\n"
           "        <Time Value=\"" + shortest(t) + "\"/>\n"
           "        <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" + mesh + "\"/>\n"
           "        <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
           "          <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">" +
           joined(origin) + "</DataItem>\n"
           "          <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">" +
           joined(spacing) + "</DataItem>\n"
           "        </Geometry>\n"
           "        <Attribute Name=\"gamma1\" AttributeType=\"Scalar\" Center=\"Node\">\n"
           "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"" + mesh + "\" Type=\"HyperSlab\">\n"
           "            <DataItem Dimensions=\"3 " + std::to_string(rank) + "\" NumberType=\"Int\" Format=\"XML\">" +
           joined(slab) + "</DataItem>\n"
           "            <DataItem Dimensions=\"" + joined(dataset_dims(l)) +
           "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" + l.h5 + ":/gamma1</DataItem>\n"
           "          </DataItem>\n"
           "        </Attribute>\n"
           "      </Grid>\n";
}

std::string xdmf_tail()
{
    return "    </Grid>\n"
           "  </Domain>\n"
           "</Xdmf>\n";
}

XdmfSidecar::XdmfSidecar(const std::filesystem::path& path, XdmfLayout layout)
    : path_(path), layout_(std::move(layout)), tmp_(path)
{
    const std::string head = xdmf_head(layout_);
    errno = 0;
    file_.reset(std::fopen(tmp_.path().c_str(), "w"));
    if (!file_) throw Error(os_error("creating", tmp_.path(), errno));
    write(head);
}

XdmfSidecar::~XdmfSidecar() = default;

void XdmfSidecar::write(const std::string& text)
{
    errno = 0;
    if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size())
        throw Error(os_error("writing", tmp_.path(), errno));
}

void XdmfSidecar::add(std::span<const double> times)
{
    if (closed_ || rows_ + static_cast<long>(times.size()) > layout_.rows)
        throw Error("xdmf: " + std::to_string(rows_ + static_cast<long>(times.size())) + " rows for a sidecar of " +
                    std::to_string(layout_.rows) + (closed_ ? " (closed)" : ""));
    std::string text;
    for (double t : times) text += xdmf_row(layout_, rows_++, t);
    write(text);
}

void XdmfSidecar::close()
{
    if (closed_) return;
    if (rows_ != layout_.rows)
        throw Error("xdmf: " + std::to_string(rows_) + " rows written of " + std::to_string(layout_.rows));
    write(xdmf_tail());
    errno = 0;
    if (std::fflush(file_.get()) != 0) throw Error(os_error("writing", tmp_.path(), errno));
    if (std::fclose(file_.release()) != 0) throw Error(os_error("closing", tmp_.path(), errno));
    closed_ = true;
}

void XdmfSidecar::commit()
{
    if (!closed_) throw Error("xdmf: " + tmp_.path().string() + " renamed before it was closed");
    std::error_code error;
    std::filesystem::rename(tmp_.path(), path_, error);
    if (error) throw Error("renaming " + tmp_.path().string() + " to " + path_.string() + ": " + error.message());
    tmp_.release();
}

}  // namespace dfe
