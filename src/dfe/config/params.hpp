#pragma once
/**
 * @file params.hpp
 * @brief The typed parameters of a run, at the bottom of the include graph: the choices as enums,
 * parsed and validated once where options enter (apps/), with their public spellings, and the
 * plain parameter blocks of the potential and the measure.
 *
 * Every enum has `name(e)`, its option spelling (written to run.h5 and checkpoints), and
 * `parse_<enum>(text)`, which throws InputError with a one-line message naming the option and
 * the accepted values.
 */
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dfe {

/** @brief --integrator: strang | order4 (fixed or --tol adaptive split steps) | petsc (PETSc TS). */
enum class Integrator { strang, order4, petsc };
/** @brief --potential: none | gaussian | soft-power | power (docs/physics.md §3). */
enum class PotentialKind { none, gaussian, soft_power, power };
/** @brief --measure: gaussian | mixture | random-laguerre | random-gaussians | pseudo-conformal | file (set by --samples). */
enum class MeasureKind { gaussian, mixture, random_laguerre, random_gaussians, pseudo_conformal, file };
/** @brief --fftw-planner: estimate | measure | patient (FFTW's planner effort). */
enum class PlannerEffort { estimate, measure, patient };
/** @brief --on-underresolved: what happens when a sample is marked under-resolved (resolution.hpp). */
enum class OnUnderresolved {
    stop,    ///< the run stops cleanly (checkpoint, outputs, exit code 4)
    freeze,  ///< the sample is no longer evolved; it keeps contributing its frozen state
    cont,    ///< only reported ("continue")
};

std::string_view name(Integrator v);
std::string_view name(PotentialKind v);
std::string_view name(MeasureKind v);
std::string_view name(PlannerEffort v);
std::string_view name(OnUnderresolved v);

Integrator parse_integrator(std::string_view text);
PotentialKind parse_potential_kind(std::string_view text);
MeasureKind parse_measure_kind(std::string_view text);
PlannerEffort parse_planner_effort(std::string_view text);
OnUnderresolved parse_on_underresolved(std::string_view text);

/** @brief The potential V (docs/physics.md §3); validated by Potential for a dimension. */
struct PotentialParams {
    PotentialKind kind = PotentialKind::gaussian;
    double lambda = 1.0;    ///< strength λ
    double s = 0.5;         ///< gaussian width s
    double epsilon = 1.0;   ///< soft-power regularization ε
    double gamma = 1.0;     ///< soft-power and power exponent γ
};

/** @brief The initial de Finetti measure; validated by make_builtin_measure (measure.hpp). */
struct MeasureConfig {
    MeasureKind kind = MeasureKind::gaussian;
    double sigma = 1.0;                   ///< base width σ (gaussian, random-laguerre, random-gaussians)
    std::vector<std::string> components;  ///< mixture: one "key=value,..." string per component
    long count = 8;                       ///< random measures: M
    std::uint64_t seed = 1;               ///< random measures: seed of every sample's stream
    int modes = 4;                        ///< random-laguerre: K functions per sample
    double center_spread = 2.0;           ///< random-gaussians: centres uniform in the ball of this radius
    double kick_spread = 1.0;             ///< random-gaussians: kicks uniform in the ball of this radius
    double width_min = 0.7;               ///< random-gaussians: widths uniform in [width_min, width_max]
    double width_max = 1.5;
    double blowup_time = 1.0;             ///< pseudo-conformal: the blowup time T of the collapse S
    std::string samples_file;             ///< file: path of the HDF5 samples file
};

}  // namespace dfe
