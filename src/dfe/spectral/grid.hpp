#pragma once
/**
 * @file grid.hpp
 * @brief The periodic grid and its slab decomposition over a communicator.
 *
 * Conventions (docs/physics.md §2):
 * - Box [−L/2, L/2)^d, N points per dimension, x_n = −L/2 + n·L/N, d ∈ {1, 2, 3}.
 * - Wave numbers k = (2π/L)·(0, 1, …, N/2−1, −N/2, …, −1) per dimension (numpy fftfreq order).
 *   The Nyquist mode N/2 carries k = −πN/L; odd derivatives set its component to zero.
 * - ∫ f dx ≈ (L/N)^d Σ_n f(x_n)  (`cell_volume()`).
 *
 * Layouts. Fields are row-major with dimension 0 split over the ranks in contiguous slabs
 * (FFTW-MPI's default block distribution, computed once here). Spectral arrays are kept in FFTW-MPI's
 * *transposed* order, which saves one global transpose per transform:
 *
 * | layout                | d = 1     | d = 2                  | d = 3                          |
 * |-----------------------|-----------|------------------------|--------------------------------|
 * | physical complex      | [i0]      | [i0 local][i1]         | [i0 local][i1][i2]             |
 * | physical real (r2c)   | [i0 pad]  | [i0 local][i1 pad]     | [i0 local][i1][i2 pad]         |
 * | spectral complex      | [k0]      | [k1 local][k0]         | [k1 local][k0][k2]             |
 * | spectral half (r2c)   | [h0]      | [h1 local][k0]         | [k1 local][k0][h2]             |
 *
 * "pad" is the in-place r2c padding of the last dimension to 2(N/2+1) reals; "h" runs over 0..N/2.
 * In d = 1 the transforms are serial FFTW, so the communicator must have one rank. On a
 * communicator of one rank (d = 2, 3) the transforms are serial FFTW too, without FFTW-MPI's local
 * copies and transposes, and the spectral layouts are in natural order: [k0][k1]([k2]) and
 * [k0]([k1])[h_last]. Code that walks spectra goes through for_each_mode and the Layout, never
 * through a fixed order. A one-rank grid can also be asked for FFTW-MPI's transposed layouts
 * (OneRank::distributed): with FFTW_ESTIMATE, FFTW's serial 2D/3D in-place plans are about 10× slower
 * than its MPI ones on one rank (their column passes), so the ensemble uses those with `estimate`.
 */
#include "dfe/core/comm.hpp"

#include <array>
#include <cstddef>

namespace dfe {

/** @brief Which dimension a memory axis of a layout holds, and its extent on this rank. */
struct Axis {
    int dim = -1;                ///< physical dimension 0..2, or -1 for an unused axis (extent 1)
    std::ptrdiff_t n = 1;        ///< local extent
    std::ptrdiff_t start = 0;    ///< global index of the first local entry
    bool half = false;           ///< r2c half axis: indices 0..N/2, all non-negative
};

/** @brief A local block of a distributed array: three memory axes, slowest first. */
struct Layout {
    std::array<Axis, 3> axes{};
    std::ptrdiff_t stride_last = 1;  ///< allocated length of the fastest axis (padding for r2c real)
    [[nodiscard]] std::ptrdiff_t count() const { return axes[0].n * axes[1].n * axes[2].n; }
};

class Grid {
public:
    /** @brief On a communicator of one rank (d = 2, 3): serial FFTW in natural order, or FFTW-MPI's plans and layouts. */
    enum class OneRank { serial, distributed };

    /**
     * @brief Computes the decomposition of an N^d grid over `comm` (Collective).
     * @throws InputError when d, N or L are invalid or N cannot be split over comm.size() ranks
     *         with at least one plane on every rank in every layout.
     */
    Grid(const Comm& comm, int d, std::ptrdiff_t N, double L, OneRank one_rank = OneRank::serial);

    /** @brief True when the transforms are serial FFTW (d = 1, or one rank with OneRank::serial). */
    [[nodiscard]] bool serial() const { return serial_; }

    [[nodiscard]] const Comm& comm() const { return comm_; }
    [[nodiscard]] int d() const { return d_; }
    [[nodiscard]] std::ptrdiff_t N() const { return N_; }
    [[nodiscard]] double L() const { return L_; }
    [[nodiscard]] double dx() const { return L_ / static_cast<double>(N_); }
    /** @brief (L/N)^d: the quadrature weight of one grid point. */
    [[nodiscard]] double cell_volume() const { return cell_volume_; }
    /** @brief N^d. */
    [[nodiscard]] double global_points() const { return global_points_; }

    [[nodiscard]] const Layout& physical() const { return physical_; }
    [[nodiscard]] const Layout& physical_real() const { return physical_real_; }
    [[nodiscard]] const Layout& spectral() const { return spectral_; }
    [[nodiscard]] const Layout& spectral_half() const { return spectral_half_; }

    /** @brief Complex elements to allocate for an in-place complex transform on this rank. */
    [[nodiscard]] std::ptrdiff_t alloc_complex() const { return alloc_complex_; }
    /** @brief Real elements to allocate for an in-place r2c transform on this rank. */
    [[nodiscard]] std::ptrdiff_t alloc_real() const { return 2 * alloc_half_; }
    /** @brief Local points of the physical layout (= physical().count()). */
    [[nodiscard]] std::ptrdiff_t local_points() const { return physical_.count(); }

    /** @brief x_n = −L/2 + n·L/N. */
    [[nodiscard]] double coordinate(std::ptrdiff_t n) const { return -0.5 * L_ + static_cast<double>(n) * dx(); }
    /** @brief k for global index i of a full axis, fftfreq order. */
    [[nodiscard]] double wavenumber(std::ptrdiff_t i) const
    {
        return kscale_ * static_cast<double>(i < N_ / 2 ? i : i - N_);
    }
    [[nodiscard]] bool is_nyquist(std::ptrdiff_t i) const { return i == N_ / 2; }

    /**
     * @brief Calls f(complex_index, real_index, x) for every local physical point, in memory order.
     * `x` has the coordinates of dimensions 0..d−1 and zeros beyond. Not Collective.
     */
    template <class F>
    void for_each_point(F&& f) const;

    /**
     * @brief Calls f(index, k, odd_k) for every mode of a spectral layout (spectral() or
     * spectral_half()), in memory order. `k` is the wave vector in physical dimension order, `odd_k`
     * the same with Nyquist components zeroed (for odd derivatives). Not Collective.
     */
    template <class F>
    void for_each_mode(const Layout& layout, F&& f) const;

private:
    Comm comm_;
    int d_;
    bool serial_ = false;
    std::ptrdiff_t N_;
    double L_;
    double kscale_;
    double cell_volume_;
    double global_points_;
    Layout physical_, physical_real_, spectral_, spectral_half_;
    std::ptrdiff_t alloc_complex_ = 0;
    std::ptrdiff_t alloc_half_ = 0;
};

template <class F>
void Grid::for_each_point(F&& f) const
{
    const auto& a = physical_.axes;
    const std::ptrdiff_t pad = physical_real_.stride_last;
    std::array<double, 3> x{0.0, 0.0, 0.0};
    std::ptrdiff_t ic = 0;
    for (std::ptrdiff_t i0 = 0; i0 < a[0].n; ++i0) {
        x[0] = coordinate(a[0].start + i0);
        for (std::ptrdiff_t i1 = 0; i1 < a[1].n; ++i1) {
            if (d_ >= 2) x[1] = coordinate(i1);
            // The real layout pads only the fastest axis.
            std::ptrdiff_t ir = (d_ == 1) ? 0 : (d_ == 2 ? i0 * pad : (i0 * a[1].n + i1) * pad);
            for (std::ptrdiff_t i2 = 0; i2 < a[2].n; ++i2, ++ic) {
                if (d_ == 3) x[2] = coordinate(i2);
                const std::ptrdiff_t real_index = (d_ == 1) ? ic : ir + (d_ == 2 ? i1 : i2);
                f(ic, real_index, x);
            }
        }
    }
}

template <class F>
void Grid::for_each_mode(const Layout& layout, F&& f) const
{
    std::array<double, 3> k{0.0, 0.0, 0.0};
    std::array<double, 3> odd{0.0, 0.0, 0.0};
    std::ptrdiff_t index = 0;
    auto set = [&](const Axis& axis, std::ptrdiff_t local) {
        if (axis.dim < 0) return;
        const std::ptrdiff_t i = axis.start + local;
        k[axis.dim] = axis.half ? kscale_ * static_cast<double>(i) : wavenumber(i);
        odd[axis.dim] = is_nyquist(i) ? 0.0 : k[axis.dim];
    };
    const auto& a = layout.axes;
    for (std::ptrdiff_t i0 = 0; i0 < a[0].n; ++i0) {
        set(a[0], i0);
        for (std::ptrdiff_t i1 = 0; i1 < a[1].n; ++i1) {
            set(a[1], i1);
            for (std::ptrdiff_t i2 = 0; i2 < a[2].n; ++i2, ++index) {
                set(a[2], i2);
                f(index, k, odd);
            }
        }
    }
}

}  // namespace dfe
