#pragma once
/**
 * @file observables.hpp
 * @brief Observables of one sample φ (physics.md §5). Ensemble values are Σ_j w_j × these.
 *
 * With ρ = |φ|², all integrals by the grid quadrature (L/N)^d Σ_n:
 *   mass        ∫ ρ
 *   kinetic     ½ ∫ |∇φ|²                 (Parseval on the spectrum, the same |k|² as the flow)
 *   interaction (μ/4) ∫ (V*ρ) ρ
 *   energy      kinetic + interaction
 *   V1          ∫ |x|² ρ
 *   dV1         4 Im ∫ conj(φ) x·∇φ
 *   d2V1        8 ‖∇φ‖² − 4μ ∫ ρ x·((∇V)*ρ)           (Prop 5.1)
 *   vterm       −4μ ∫ ρ ((V + ½ z·∇V)*ρ)               (= d2V1 − 16 E by the symmetry (6.1))
 * x is the plain coordinate of the box [−L/2, L/2)^d (no periodic wrap).
 */
#include "dfe/convolution.hpp"

#include <array>
#include <span>
#include <vector>
#include <string_view>

namespace dfe {

/** @brief Values of one sample, in the order of `sample_columns`. */
struct SampleObservables {
    double mass = 0, kinetic = 0, interaction = 0, energy = 0, V1 = 0, dV1 = 0, d2V1 = 0, vterm = 0;

    static constexpr std::size_t count = 8;
    [[nodiscard]] std::array<double, count> values() const
    {
        return {mass, kinetic, interaction, energy, V1, dV1, d2V1, vterm};
    }
};

/** @brief Output column names of SampleObservables, public interface (physics.md §5). */
inline constexpr std::array<std::string_view, SampleObservables::count> sample_columns{
    "mass", "kinetic", "interaction", "energy", "V1", "dV1", "d2V1", "vterm"};

/**
 * @brief Evaluates SampleObservables; owns its work buffers and coordinate tables, so evaluation
 * allocates nothing and runs flat loops. Per sample it costs one forward and d backward complex
 * FFTs and one r2c plus d c2r transforms: the interaction and vterm are Parseval sums on the half
 * spectrum of ρ, Σ_n ρ_n (K*ρ)_n = N^{−d} Σ_k K̂(k) |ρ̂_k|², with weight 2 for the half-spectrum
 * modes that stand for a conjugate pair.
 */
class ObservableEvaluator {
public:
    ObservableEvaluator(const Convolver& convolver, double mu);

    /**
     * @brief Observables of φ (physical layout, unchanged). Collective on the grid's communicator.
     * If `density` is given (grid.local_points() values), weight·|φ|² is added to it on the way,
     * which is how the ensemble accumulates γ^(1)(x,x) without another pass over the samples.
     */
    [[nodiscard]] SampleObservables evaluate(const cplx* phi, std::span<double> density = {}, double weight = 0.0);

private:
    const Convolver& convolver_;
    const FftPlans& plans_;
    double mu_;
    Buffer<cplx> spectrum_;  ///< φ̂
    Buffer<cplx> work_;      ///< ∂_a φ
    Buffer<double> rho_hat_; ///< ρ padded for r2c, then its half spectrum
    std::array<Buffer<double>, 3> grad_;  ///< ∂_aρ (free space), then (∂_a V)*ρ, physical real layout
    Buffer<double> rho_real_; ///< ρ, physical real layout
    std::vector<double> rho_;                 ///< ρ, physical complex-layout order
    std::vector<std::ptrdiff_t> real_index_;  ///< physical point → index in the padded real layout
    std::array<std::vector<double>, 3> x_;    ///< coordinates x_a of every local point
    std::vector<double> x2_;                  ///< |x|²
    std::vector<double> k2_;                  ///< |k|² on the spectral layout
    std::array<std::vector<double>, 3> k_odd_;       ///< k_a/N^d, Nyquist zeroed, spectral layout
};

/** @brief Multiplies φ by 1/‖φ‖ so that (L/N)^d Σ|φ|² = 1 (Collective). Returns the old norm. */
double normalize(const Grid& grid, cplx* phi);

}  // namespace dfe
