#include "dfe/spectral/grid.hpp"

#include "dfe/core/error.hpp"
#include "dfe/core/format.hpp"

#include <fftw3-mpi.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace dfe {

namespace {

Axis full(int dim, std::ptrdiff_t n, std::ptrdiff_t start = 0) { return Axis{dim, n, start, false}; }
Axis half(int dim, std::ptrdiff_t n, std::ptrdiff_t start = 0) { return Axis{dim, n, start, true}; }

}  // namespace

Grid::Grid(const Comm& comm, int d, std::ptrdiff_t N, double L, OneRank one_rank)
    : comm_(comm.dup()), d_(d), N_(N), L_(L)
{
    require(d >= 1 && d <= 3, "--d must be 1, 2 or 3 (got " + std::to_string(d) + ")");
    require(N >= 4 && N % 2 == 0,
            "--N must be an even number of grid points >= 4 (got " + std::to_string(N) + ")");
    require(std::isfinite(L) && L > 0.0, "--L must be a positive finite box length");
    // Array sizes are std::ptrdiff_t element counts and byte counts are 16 per element: N^d beyond
    // 2^59 would wrap (N = 10^6 in 3D asked fftw_malloc for 1.6e19 bytes).
    require(std::pow(static_cast<double>(N), d) <= std::ldexp(1.0, 59),
            "--N " + std::to_string(N) + " in d = " + std::to_string(d) + " gives " +
                strf("%.3g", std::pow(static_cast<double>(N), d)) + " grid points, more than one field can address (2^59)");
    require(d > 1 || comm_.size() == 1,
            "d = 1 uses serial FFTs: run it with one rank per sample (got " +
                std::to_string(comm_.size()) + " ranks for one field)");

    kscale_ = 2.0 * std::numbers::pi / L_;
    cell_volume_ = std::pow(L_ / static_cast<double>(N_), d_);
    global_points_ = std::pow(static_cast<double>(N_), d_);
    const std::ptrdiff_t H = N_ / 2 + 1;  // r2c half extent
    const Axis none{};

    if (d_ == 1) {
        serial_ = true;
        physical_ = Layout{{full(0, N_), none, none}, N_};
        physical_real_ = Layout{{full(0, N_), none, none}, 2 * H};
        spectral_ = Layout{{full(0, N_), none, none}, N_};
        spectral_half_ = Layout{{half(0, H), none, none}, H};
        alloc_complex_ = N_;
        alloc_half_ = H;
        return;
    }

    if (comm_.size() == 1 && one_rank == OneRank::serial) {
        // One rank: serial FFTW on the whole grid, spectra in natural (not transposed) order.
        serial_ = true;
        const std::ptrdiff_t M = d_ == 2 ? 1 : N_;  // extent of the middle axis in 3D
        if (d_ == 2) {
            physical_ = Layout{{full(0, N_), full(1, N_), none}, N_};
            physical_real_ = Layout{{full(0, N_), full(1, N_), none}, 2 * H};
            spectral_ = Layout{{full(0, N_), full(1, N_), none}, N_};
            spectral_half_ = Layout{{full(0, N_), half(1, H), none}, H};
        } else {
            physical_ = Layout{{full(0, N_), full(1, N_), full(2, N_)}, N_};
            physical_real_ = Layout{{full(0, N_), full(1, N_), full(2, N_)}, 2 * H};
            spectral_ = Layout{{full(0, N_), full(1, N_), full(2, N_)}, N_};
            spectral_half_ = Layout{{full(0, N_), full(1, N_), half(2, H)}, H};
        }
        alloc_complex_ = N_ * N_ * M;
        alloc_half_ = N_ * M * H;
        return;
    }

    // FFTW-MPI's block distribution, asked once for the complex and once for the r2c shape.
    std::vector<std::ptrdiff_t> shape(static_cast<std::size_t>(d_), N_);
    std::ptrdiff_t n0 = 0, s0 = 0, n1 = 0, s1 = 0;
    alloc_complex_ = fftw_mpi_local_size_transposed(d_, shape.data(), comm_.get(), &n0, &s0, &n1, &s1);
    shape.back() = H;
    std::ptrdiff_t rn0 = 0, rs0 = 0, rn1 = 0, rs1 = 0;
    alloc_half_ = fftw_mpi_local_size_transposed(d_, shape.data(), comm_.get(), &rn0, &rs0, &rn1, &rs1);
    if (rn0 != n0 || rs0 != s0)
        throw Error("FFTW-MPI split the complex and r2c slabs differently; cannot share one layout");

    // Every rank must own at least one plane in every layout; otherwise some ranks idle and the
    // user asked for more ranks per sample than the grid can use.
    const long long fewest = comm_.min(std::min({n0, n1, rn1}));
    require(fewest > 0, "--N " + std::to_string(N_) + " cannot be split over " +
                            std::to_string(comm_.size()) +
                            " ranks per sample: every rank needs at least one slab plane "
                            "(use a larger N or fewer ranks per sample)");

    if (d_ == 2) {
        physical_ = Layout{{full(0, n0, s0), full(1, N_), none}, N_};
        physical_real_ = Layout{{full(0, n0, s0), full(1, N_), none}, 2 * H};
        spectral_ = Layout{{full(1, n1, s1), full(0, N_), none}, N_};
        spectral_half_ = Layout{{half(1, rn1, rs1), full(0, N_), none}, N_};
    } else {
        physical_ = Layout{{full(0, n0, s0), full(1, N_), full(2, N_)}, N_};
        physical_real_ = Layout{{full(0, n0, s0), full(1, N_), full(2, N_)}, 2 * H};
        spectral_ = Layout{{full(1, n1, s1), full(0, N_), full(2, N_)}, N_};
        spectral_half_ = Layout{{full(1, rn1, rs1), full(0, N_), half(2, H)}, H};
    }
}

}  // namespace dfe
