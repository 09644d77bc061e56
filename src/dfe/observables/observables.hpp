#pragma once
/**
 * @file observables.hpp
 * @brief Observables of one sample φ (docs/physics.md §5). Ensemble values are Σ_j w_j × these.
 *
 * With ρ = |φ|², all integrals by the grid quadrature (L/N)^d Σ_n:
 *   mass        ∫ ρ
 *   kinetic     ½ ∫ |∇φ|²                 (Parseval on the spectrum, the same |k|² as the flow)
 *   interaction (μ/4) ∫ (V*ρ) ρ
 *   energy      kinetic + interaction
 *   V1          ∫ |x|² ρ
 *   dV1         4 Im ∫ conj(φ) x·∇φ
 *   d2V1        8 ‖∇φ‖² − 4μ ∫ ρ x·((∇V)*ρ)           (Prop 5.1)
 *   vterm       −4μ ∫ ρ ((V + ½ W)*ρ), W = z·∇V      (= d2V1 − 16 E by the symmetry (6.1))
 * and for every localization radius R, with s = |x|²/R and ψ_R, F, ρ_cut of cutoff.hpp:
 *   loc_R    ∫ ψ_R ρ
 *   dloc_R   2 Im ∫ conj(φ) ∇ψ_R·∇φ = 4 Im ∫ ψ'(s) conj(φ) x·∇φ
 *   II_R     −8 ∫ F(s) |∇φ|² − (16/R) ∫ ρ_cut(s) |x·∇φ|²        (F = 1 − ψ', ρ_cut = −ψ'')
 *   IV_R     −∫ ψ_R Δ²ρ, Δ²ρ spectral (docs/physics.md §7: equal to −∫ Δ²ψ_R ρ, far more accurate)
 *   III_R    4μ ∫ ρ F(s) x·((∇V)*ρ)   (= 2μ ∫∫ γ^(2) a_R·∇V, a_R = F(x)x − F(y)y, by the x ↔ y symmetry)
 *   d2loc_R  8 ∫ ψ'|∇φ|² + (16/R) ∫ ψ''|x·∇φ|² + IV_R − 4μ ∫ ρ ψ'(s) x·((∇V)*ρ)
 *   IIIa_R, IIIb_R  pair sums over the simulation grid (pair_terms.hpp)
 *   lemma61_residual_R  d2loc_R − (16E + II_R + vterm + III_R + IV_R)
 * F(s) is evaluated as itself (exactly 0 for |x|² ≤ (2−h)R), never as 1 − ψ': II_R, III_R, IIIa_R
 * and IIIb_R are sums of terms that live where F > 0, so a state inside that ball gives values of the
 * size of its mass outside, not differences of numbers of the size of the kinetic or interaction
 * energy (docs/physics.md §5). The price: Lemma 6.1 no longer holds term by term. Its residual is
 * −2μ(2∫ρ x·((∇V)*ρ) − ∫ρ(W*ρ)), the same discretization error as d2V1 − (16E + vterm) (the two
 * discrete forms of the symmetrization (6.1)), plus round-off; it is reported per radius.
 * dloc_R and IV_R are single sums with no such structure: dloc_R's terms are bounded by
 * |x||φ||∇φ| and IV_R's (Parseval) terms by |k|⁴|ψ̂_R||ρ̂|, whose sum does not grow as a core collapses.
 * x is the plain coordinate of the box [−L/2, L/2)^d (no periodic wrap).
 *
 * radial_defect (not a column): √(Σ_{a<b} ∫|(x_a∂_b − x_b∂_a)φ|² / ∫|x|²|∇φ|²), zero iff φ is
 * radial (angular momentum vanishes); in 1D ‖φ − φ(−·)‖/(2‖φ‖), zero iff φ is even.
 */
#include "dfe/physics/convolution.hpp"
#include "dfe/physics/cutoff.hpp"
#include "dfe/observables/columns.hpp"
#include "dfe/observables/pair_terms.hpp"
#include "dfe/observables/resolution.hpp"
#include "dfe/spectral/field.hpp"

#include <array>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dfe {

/** @brief Values of one sample, in the order of sample_column_specs (columns.hpp), then the localized ones. */
struct SampleObservables {
    double mass = 0, kinetic = 0, interaction = 0, energy = 0, V1 = 0, dV1 = 0, d2V1 = 0, vterm = 0;
    /// localized_count values per radius, radius-major, in the order of localized_column_specs.
    std::vector<double> localized;
    double radial_defect = 0.0;
    /// Not columns: the resolution monitor's spectral tail fraction and boundary mass (resolution.hpp);
    /// ‖∇φ‖ = √(2·kinetic). The ensemble's largest boundary mass is the column max_boundary_mass.
    double tail_fraction = 0.0;
    double boundary_mass = 0.0;
    [[nodiscard]] double grad_norm() const { return std::sqrt(2.0 * kinetic); }

    static constexpr std::size_t count = 8;
    [[nodiscard]] std::array<double, count> values() const
    {
        return {mass, kinetic, interaction, energy, V1, dV1, d2V1, vterm};
    }
};

/** @brief What the localized terms need: the cutoff and the radii. */
struct LocalizedSpec {
    Cutoff cutoff;
    std::vector<double> R;   ///< radii; empty: no localized terms
};

/**
 * @brief Evaluates SampleObservables; owns its work buffers and coordinate tables, so evaluation
 * allocates nothing and runs flat loops. Per sample it costs one forward and d backward complex
 * FFTs and one r2c plus d c2r transforms (plus the observation-grid convolutions when radii are
 * given): the interaction, vterm and IV_R are Parseval sums on the half spectrum of ρ.
 * The constructor is Collective on the grid's communicator (it transforms the cutoffs ψ_R).
 */
class ObservableEvaluator {
public:
    ObservableEvaluator(const Convolver& convolver, double mu, LocalizedSpec localized = {});
    ~ObservableEvaluator();

    /**
     * @brief Observables of φ (physical layout, unchanged). Collective on the grid's communicator.
     * If `density` is given (grid.local_points() values), weight·|φ|² is added to it on the way,
     * which is how the ensemble accumulates γ^(1)(x,x) without another pass over the samples.
     */
    [[nodiscard]] SampleObservables evaluate(const cplx* phi, std::span<double> density = {}, double weight = 0.0);

    [[nodiscard]] const LocalizedSpec& localized() const { return spec_; }

private:
    // The passes of evaluate(), in order; each adds its local sums to part_.
    void density_pass(const cplx* phi, std::span<double> density, double weight);  ///< ρ, mass, V1, γ^(1)
    void spectrum_pass(const cplx* phi);   ///< φ̂: ‖∇φ‖², the spectral tail
    void gradient_pass(const cplx* phi);   ///< ∇φ: dV1, the radial defect, per-point terms
    const cplx* convolution_pass();        ///< ρ̂: interaction, W, x·((∇V)*ρ); returns ρ̂
    void localized_pass(const cplx* rho_hat);  ///< the sums of every radius, IV_R, IIIa_R, IIIb_R
    [[nodiscard]] SampleObservables assemble() const;  ///< the values from the reduced sums

    const Convolver& convolver_;
    const FftPlans& plans_;
    double mu_;
    LocalizedSpec spec_;
    std::unique_ptr<PairTerms> pairs_;
    Buffer<cplx> spectrum_;  ///< φ̂
    std::array<Buffer<cplx>, 3> work_;    ///< ∂_a φ
    Buffer<double> rho_hat_; ///< ρ padded for r2c, then its half spectrum
    std::array<Buffer<double>, 3> grad_;  ///< ∂_aρ (free space), then (∂_a V)*ρ, physical real layout
    Buffer<double> rho_real_; ///< ρ, physical real layout (free-space potentials only)
    std::ptrdiff_t rows_ = 0, pad_ = 0;       ///< rows of the last axis; their stride in the real layout
    std::vector<double> rho_;                 ///< ρ, physical complex-layout order
    std::array<std::vector<double>, 3> x_;    ///< coordinates x_a of every local point
    std::vector<double> x2_;                  ///< |x|²
    std::vector<double> k2_;                  ///< |k|² on the spectral layout
    std::vector<unsigned char> tail_;         ///< 1 on the resolution monitor's tail modes
    std::vector<unsigned char> edge_;         ///< 1 on the points of the monitor's boundary layer (resolution.hpp)
    std::array<std::vector<double>, 3> k_odd_;       ///< k_a/N^d, Nyquist zeroed, spectral layout
    // Per point and radius (radius-major): ψ_R, ψ'(s), F(s) = 1 − ψ'(s), (16/R) ψ''(s).
    std::vector<double> psi_, dpsi_, F_, h2_;
    /// Per radius, on the half spectrum as (re, im): w_k |k|⁴ conj(ψ̂_R(k)) / N^d, so that
    /// Σ_n ψ_R Δ²ρ = Σ_k Re(iv_kernel·ρ̂) (w_k: half_weights).
    std::vector<double> iv_kernel_;
    std::vector<double> xdv_;                 ///< x·((∇V)*ρ) per point
    // Per point scratch for the localized sums.
    std::vector<double> im_xg_, grad_pt_, xg2_;
    std::vector<double> pair_out_;
    std::vector<double> part_;
};

}  // namespace dfe
