#pragma once
/**
 * @file interpolate.hpp
 * @brief A whole field carried to another grid of the same kind: to a finer grid of the same box by
 * trigonometric (spectral) interpolation, and to a larger box of the same spacing by zero padding in
 * real space. What a convergence study (run/convergence.hpp) does to a samples file's measure.
 *
 * Both act on a field held whole, in row-major order over the d axes (axis 0 slowest), x_n = −L/2 +
 * n·L/N (grid.hpp). They are serial (FFTW's serial plans, FFTW_ESTIMATE) and allocate a field of the
 * target size. Not Collective.
 *
 * **Refinement** N → N₂ (N₂ ≥ N, both even; same L). The interpolant is the trigonometric polynomial
 * through the N^d values, φ(x) = Σ_k c_k e^{ik·(x + L/2)} with c = DFT(φ)/N^d over the wave numbers
 * of grid.hpp, evaluated on the N₂^d points: the coarse point n is the fine point (N₂/N)·n, where the
 * interpolant takes the coarse value exactly. The Nyquist wave number −πN/L of an axis is split
 * symmetrically: half of its coefficient at −πN/L and half at +πN/L (so a real field stays real and
 * the interpolant is even under x ↦ −x when the field is). A field with no Nyquist component (a
 * band-limited one, |k_a| < πN/L) keeps its discrete norm exactly, (L/N₂)^d Σ|φ_fine|² = (L/N)^d Σ|φ|²
 * (Parseval); the split halves the weight of the Nyquist modes, so a field with Nyquist content loses
 * Σ_{Nyquist}|c_k|²·(1 − 2^{−m}) of its norm (m: the axes at Nyquist), which the caller renormalizes.
 *
 * **Box enlargement** N → N₂ = N + 2m points of the same spacing: the box [−L/2, L/2)^d grows to
 * [−L₂/2, L₂/2)^d with L₂ = L·N₂/N, the old point n becomes n + m on every axis, and the new points
 * are 0. Exact for a field that vanishes at the old faces; the discrete norm is kept exactly.
 */
#include "dfe/spectral/cplx.hpp"

#include <span>
#include <vector>

namespace dfe {

/**
 * @brief The trigonometric interpolant of the N^d field `in` (box length L) on N₂^d points of the same
 * box. N, N₂ even, N₂ ≥ N; throws std::invalid_argument otherwise. Not Collective.
 */
[[nodiscard]] std::vector<cplx> refine_spectral(int d, long N, std::span<const cplx> in, long N2);

/**
 * @brief The N^d field `in` zero-padded to N₂^d points of the same spacing, centred: N₂ − N even and
 * ≥ 0; throws std::invalid_argument otherwise. Not Collective.
 */
[[nodiscard]] std::vector<cplx> pad_box(int d, long N, std::span<const cplx> in, long N2);

}  // namespace dfe
