#pragma once
/**
 * @file measure.hpp
 * @brief Discrete de Finetti measures μ₀ = Σ_j w_j δ_{φ_j}: weights > 0 summing to 1, and a way to
 * produce sample j on any rank's slab of any grid.
 *
 * Conventions (docs/physics.md §1–2): every sample has discrete L² norm 1, (L/N)^d Σ|φ_j|² = 1. Built-in
 * measures normalize the fields they generate; a samples file must already be normalized (to 1e-10)
 * and is refused otherwise, never renormalized.
 *
 * Built-in measures (`--measure`):
 * | kind             | sample j                                                                  |
 * |------------------|---------------------------------------------------------------------------|
 * | gaussian         | M = 1: (πσ²)^{−d/4} e^{−|x|²/(2σ²)}                                       |
 * | mixture          | one sample per `--component`: c e^{−|x−x₀|²/(2σ²)} e^{i k·x} e^{i b |x−x₀|²}|
 * | random-laguerre  | Σ_{n<K} c_n L_n^{(d/2−1)}(|x|²/σ²) e^{−|x|²/(2σ²)}, c_n complex normal       |
 * | random-gaussians | one Gaussian with random centre, kick and width                            |
 * | pseudo-conformal | M = 1, d = 3: S(0,x) = T^{−3/2} e^{−i|x|²/(4T)} P(|x|/T), the explicit collapse   |
 * | file             | row j of the `--samples` HDF5 file (samples_file.hpp)                     |
 * Random measures give equal weights 1/M and draw sample j from a stream that depends only on
 * (seed, j), so the measure is the same whatever the number of ranks or groups.
 *
 * `--component` syntax (public interface): comma-separated key=value pairs, e.g.
 * `weight=0.5,sigma=0.8,center=1:-0.5,kick=2:0,chirp=0.1` in d = 2.
 * | key    | value                                   | default      |
 * |--------|-----------------------------------------|--------------|
 * | weight | w_j, finite, > 0                        | required     |
 * | sigma  | σ, finite, > 0                          | `--sigma`    |
 * | center | x₀: d numbers separated by ':'          | 0 (origin)   |
 * | kick   | k: d numbers separated by ':'           | 0            |
 * | chirp  | b, finite                               | 0            |
 * | collapse | T > 0: the pseudo-conformal S(0) of blowup time T, translated to x₀ and boosted by k, instead of the Gaussian (d = 3; not with sigma or chirp) | none |
 * Each key at most once. The weights must sum to 1 within weight_sum_tolerance(M) and are never
 * renormalized.
 *
 * The pseudo-conformal sample is the explicit collapse of docs/physics.md §10 at t = 0, for
 * `--potential power --gamma 2`, μ = −1 and λ = λ_c: P = Q/√λ_c is the mass-1 ground state at λ_c
 * (radial_ground_state.hpp, interpolated by RadialProfile from the cached fine grid), T = `--blowup-time`.
 * The run-level conditions (d, potential, γ, μ, λ) are checked where options enter (apps/app_common.hpp,
 * require_pseudo_conformal below); make_builtin_measure checks d = 3 and T.
 *
 * Random streams (public: a seed reproduces its measure across versions and platforms up to libm
 * round-off). Sample j seeds a std::mt19937_64, whose output the C++ standard fixes, with
 * s(s(seed) xor j), s the SplitMix64 step (z += 0x9e3779b97f4a7c15, z = (z ^ z>>30)·0xbf58476d1ce4e5b9,
 * z = (z ^ z>>27)·0x94d049bb133111eb, z ^ z>>31). A uniform u ∈ [0, 1) is (engine() >> 11)·2^−53; a
 * pair of normals is Box–Muller, r = √(−2 ln(1 − u₁)), θ = 2π u₂, (r cos θ, r sin θ); a point of the
 * d-ball of radius ρ is ρ·v with v = (2u − 1, …) drawn again until |v|² ≤ 1.
 * - random-laguerre draws c_0, …, c_{K−1} in order, c_n = (g₁ + i g₂)/√2 from one normal pair.
 * - random-gaussians draws the centre (radius `--center-spread`), then the kick (`--kick-spread`),
 *   then the width w = width_min + (width_max − width_min)·u.
 */
#include "dfe/spectral/fft_plan.hpp"

#include "dfe/config/params.hpp"
#include "dfe/config/run_config.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dfe {

/** @brief The measure options as the user gives them (apps/ fills it). */

class Measure {
public:
    virtual ~Measure() = default;

    /** @brief M, the number of samples. */
    [[nodiscard]] virtual std::size_t size() const = 0;
    /** @brief w_j, j < M: positive, summing to 1. Same on every rank. */
    [[nodiscard]] virtual std::span<const double> weights() const = 0;
    /**
     * @brief Writes samples first .. first + fields.size() − 1 into `fields` (each an array of
     * grid.alloc_complex() in the physical layout of this rank's slab). Collective on grid.comm().
     * Throws InputError naming the sample when it cannot be produced (e.g. a bad sample in a file).
     */
    virtual void fill(const Grid& grid, std::size_t first, std::span<cplx* const> fields) const = 0;
    /** @brief One line that says where the measure came from, for run.h5 and checkpoints. */
    [[nodiscard]] virtual std::string provenance() const = 0;
};

/**
 * @brief The built-in measure described by `config` for dimension d (not `file`: see
 * samples_file.hpp). Validates every option and throws InputError naming the one at fault.
 * Not Collective.
 */
std::unique_ptr<Measure> make_builtin_measure(const MeasureConfig& config, int d);

/** @brief True for a mixture with a `collapse` component (whose run needs require_pseudo_conformal). */
[[nodiscard]] bool has_collapse_component(const MeasureConfig& config);

/**
 * @brief The run-level conditions of `--measure pseudo-conformal` or of a mixture with a `collapse`
 * component, one InputError each: d = 3, `--potential power`, γ = 2, μ = −1, no explicit `--lambda`
 * (`lambda_given`), and for the measure T > 0 finite. On success sets config.potential.lambda to λ_c
 * (critical_coupling_power2()). Not Collective.
 */
void require_pseudo_conformal(RunConfig& config, bool lambda_given);

/**
 * @brief The discrete mass (L/N)³ Σ|S(0,x)|² of the pseudo-conformal sample before it is normalized:
 * how well the grid (N, L) holds T^{−3/2}P(|x|/T), whose continuous mass is 1. Serial, deterministic
 * (the same on every rank). Not Collective.
 */
[[nodiscard]] double pseudo_conformal_grid_mass(double T, long N, double L);

/**
 * @brief Σ_j w_j by Neumaier's compensated summation: the error is about one rounding of the
 * result (≤ eps·|Σ|, plus O(M eps²)), whatever M, instead of the M·eps of a naive loop. Not Collective.
 */
[[nodiscard]] double weight_sum(std::span<const double> weights);

/**
 * @brief How far Σ_j w_j of M weights may be from 1: 1e-12 + 2·M·eps (eps = 2^−52).
 *
 * Why it grows with M: each stored weight carries a rounding of up to eps/2 of itself, so even
 * exactly computed weights are off by up to eps/2 in total; a writer that normalized them by a
 * naively summed total w_j = v_j / Σv carries that total's error, up to (M−1)·eps relative, into
 * every weight. 2·M·eps covers both with a factor 2 to spare; the compensated sum adds ~eps. The
 * fixed 1e-12 is the old tolerance, for the weights a user types (decimal fractions like 0.3). At
 * M = 10⁵ the tolerance is 4.6e-11; at the largest --count, 10⁷, it is 4.4e-9: still far below any
 * deliberate error (a weight sum of 1 + 1e-6 is refused at every M up to 10⁹).
 */
[[nodiscard]] double weight_sum_tolerance(std::size_t M);

/**
 * @brief Throws InputError "<sums_to> S (must be 1 to T)<after>" unless |weight_sum − 1| ≤
 * weight_sum_tolerance(M). The one check of the weights' sum (the mixture's weights, samples files).
 */
void require_unit_weight_sum(std::span<const double> weights, const std::string& sums_to, const std::string& after = "");

/**
 * @brief The generalized Laguerre polynomial L_n^{(α)}(x), n ≥ 0, by the three-term recurrence
 * (n+1) L_{n+1} = (2n+1+α−x) L_n − (n+α) L_{n−1}, L_0 = 1, L_1 = 1+α−x. Not Collective.
 */
[[nodiscard]] double laguerre(int n, double alpha, double x);

}  // namespace dfe
