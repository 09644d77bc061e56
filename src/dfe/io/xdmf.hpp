#pragma once
/**
 * @file xdmf.hpp
 * @brief run.xmf, the XDMF sidecar of run.h5: γ^(1)(x,x) at every output time as a time series
 * that ParaView ("XDMF Reader") and VisIt open, without a copy of the data. The layout:
 *
 *   <Xdmf Version="2.0"><Domain>
 *     <Grid Name="gamma1" GridType="Collection" CollectionType="Temporal">
 *       <Grid Name="row R">                                one per output row, in order
 *         <Time Value="t_R"/>                              the row's t, exact (shortest round trip)
 *         <Topology TopologyType="3DCoRectMesh" Dimensions="Z Y X"/>
 *         <Geometry GeometryType="ORIGIN_DXDYDZ">          origin and spacing, listed Z Y X
 *         <Attribute Name="gamma1" Center="Node">          a HyperSlab DataItem: row R of the HDF
 *                                                          DataItem `run.h5:/gamma1` (rows, N[, N[, N]])
 *
 * The file name is relative (`run.h5`), so the directory can be moved. XDMF lists dimensions slowest
 * first, as run.h5 stores them in C order; a reader's X axis is therefore the fastest one, run.h5's
 * last grid axis: ParaView's (X, Y, Z) are the grid's coordinates (x_d, …, x_1). In 2D ParaView's X
 * is the second coordinate and its Y the first, as in matplotlib's imshow(gamma1[row], origin="lower");
 * d < 3 has a degenerate Z (d = 2) or Z and Y (d = 1) of one point at 0, so that the grid lies in
 * ParaView's XY plane (a 2DCoRectMesh would put it in the YZ plane). Every axis has origin −L/2 and
 * spacing L/N (docs/physics.md §2: x_n = −L/2 + n L/N).
 *
 * The sidecar is written with the same rule as the other outputs: under `<path>.tmp`, and renamed by
 * commit() only when complete. run_record.hpp says when.
 *
 * Readers (ParaView 5.11, Debian 12): the "XDMF Reader" (Xdmf 2) reads it. The Xdmf3 readers, which
 * OpenDataFile and the GUI offer first, read the times but not the attribute: they skip any HyperSlab
 * DataItem ("Skipping unrecognized array type [None]"); XDMF has no other standard way to point at
 * part of an HDF5 dataset, and the Xdmf3-only "file:/set|start:stride:count:dims" form is unreadable
 * to the XDMF Reader and VisIt.
 */
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "dfe/core/atomic_file.hpp"

namespace dfe {

/** @brief What the sidecar describes: run.h5's /gamma1 on the simulation grid. */
struct XdmfLayout {
    int d = 0;                  ///< 1, 2 or 3
    long N = 0;                 ///< points per axis
    double L = 0.0;             ///< the box: origin −L/2, spacing L/N on every axis
    long rows = 0;              ///< rows of /gamma1 (its first dimension)
    std::string h5 = "run.h5";  ///< the HDF5 file, relative to the sidecar's directory
};

/** @brief The sidecar's text before the first row's Grid (throws Error on a layout out of range). */
std::string xdmf_head(const XdmfLayout& layout);
/** @brief Row `row`'s Grid, at time `t`. */
std::string xdmf_row(const XdmfLayout& layout, long row, double t);
/** @brief The text after the last row's Grid. */
std::string xdmf_tail();

/**
 * @brief Writes a sidecar under `<path>.tmp`, rows appended in order and a block at a time, so that
 * memory does not grow with the rows; commit() renames it into place (Not Collective: one rank). A
 * sidecar destroyed before commit() removes `<path>.tmp`, unless an exception is unwinding the stack
 * (then it stays, as the other outputs' do). A failed write throws Error "writing <path>.tmp: <cause>".
 */
class XdmfSidecar {
public:
    /** @brief Creates `<path>.tmp` and writes the head. */
    XdmfSidecar(const std::filesystem::path& path, XdmfLayout layout);
    ~XdmfSidecar();
    XdmfSidecar(const XdmfSidecar&) = delete;
    XdmfSidecar& operator=(const XdmfSidecar&) = delete;

    /** @brief The times of the next rows. */
    void add(std::span<const double> times);
    /** @brief Writes the tail and closes the file; throws Error unless layout.rows rows were added. */
    void close();
    /** @brief Renames the closed `<path>.tmp` to `<path>`. */
    void commit();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    struct Close {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };
    void write(const std::string& text);

    std::filesystem::path path_;
    XdmfLayout layout_;
    TemporaryFile tmp_;
    std::unique_ptr<std::FILE, Close> file_;
    long rows_ = 0;
    bool closed_ = false;
};

}  // namespace dfe
