#pragma once
/**
 * @file run_config.hpp
 * @brief The plain parameter set of a run, and its validation. The library never sees argv: apps/
 * turns options and config files into a RunConfig.
 *
 * Units: the equation is i∂_tφ + Δφ = μ(V*|φ|²)φ as written (ħ = 1, 2m = 1); lengths are in the units
 * of L, times in the same units squared.
 */
#include "dfe/config/params.hpp"

#include <string>
#include <vector>

namespace dfe {

/** @brief The default of --d (dfe-run, dfe-bench, dfe-potential). */
inline constexpr int default_dimension = 2;

struct RunConfig {
    int d = default_dimension;  ///< dimension, 1..3
    long N = 128;               ///< grid points per dimension
    double L = 20.0;            ///< box length; the box is [−L/2, L/2)^d
    double mu = -1.0;           ///< −1 focusing, +1 defocusing
    PotentialParams potential;  ///< V
    MeasureConfig measure;      ///< the initial de Finetti measure (default: one Gaussian of width σ)
    Integrator integrator = Integrator::strang;
    double dt = 1e-3;           ///< time step (adaptive: the first step tried, and the unit of --check-steps)
    double tol = 0.0;           ///< --tol: adaptive split step when > 0; petsc's tolerance (0: default_petsc_tol)
    double tail_tol = 1e-10;    ///< --tail-tol: a sample is under-resolved when its spectral tail exceeds it
    /// --boundary-tol: a sample is under-resolved when more than this share of its mass lies within
    /// 4 grid spacings of the box's faces (resolution.hpp; the default is justified in docs/physics.md §9).
    double boundary_tol = 1e-6;
    /// --allow-unresolved-initial: run even when the monitor would mark a sample at t = 0.
    bool allow_unresolved_initial = false;
    OnUnderresolved on_underresolved = OnUnderresolved::cont;  ///< --on-underresolved
    std::string petsc_options;  ///< -ts_* options of --integrator petsc, as given (PetscOptionsInsertString form)
    double t_end = 1.0;         ///< final time
    double output_dt = 0.1;     ///< interval between output rows; a multiple of dt
    std::string out = "dfe-out";        ///< output directory
    PlannerEffort fftw_planner = PlannerEffort::measure;  ///< --fftw-planner
    int ranks_per_sample = 1;   ///< g: ranks sharing one field through FFTW-MPI
    long gamma2_grid = 0;       ///< n, observation grid points per dimension; 0: the default of gamma2_points()
    std::string gamma2_times = "none";  ///< when to form and store γ^(2): times, first, last, all, none (default: never)
    std::string eigensolver = "auto";         ///< lambda_max: auto | dense | iterative
    std::string reduction_form = "auto";      ///< purity, lambda_max, fact_defect: auto | samples | grid (reductions/plan.hpp)
    /// --reduce-every K: purity, lambda_max, fact_defect and admissibility_residual at every K-th
    /// output row (row % K == 0) and at every --gamma2-times row only; NaN at the others.
    long reduce_every = 1;
    std::string write_samples;  ///< if set, the initial measure is written to this samples file
    std::vector<double> R;      ///< localization radii of ψ_R (--R); empty: no localized columns
    int cutoff_order = 10;      ///< k of the cutoff profile (--cutoff-order)
    double cutoff_width = 0.9;  ///< h of the cutoff profile (--cutoff-width)
    double radial_tol = 1e-6;   ///< a sample is radial when its radial_defect is below this (--radial-tol)
    /// The samples are an i.i.d. draw from a continuous measure (--random-draw yes; auto: the random
    /// built-in measures): every output row then carries its sampling error (docs/physics.md §12).
    bool random_draw = false;
    /// --backend: where the fixed steps run, "cpu" or "vulkan" (src/dfe/gpu/; built when Vulkan is found).
    std::string backend = "cpu";
    /// --gpu-device: the Vulkan device of every rank; −1: the rank's index on its node, round robin.
    int gpu_device = -1;
};

/** @brief The local error per step of --integrator petsc when --tol is not given (L² norm of the field). */
inline constexpr double default_petsc_tol = 1e-8;

/**
 * @brief n, the observation grid's points per dimension as used: --gamma2-grid, or when it is 0 the
 * largest divisor of N up to 64 (1D, 2D) or 16 (3D). The one place the default is computed.
 */
long gamma2_points(const RunConfig& config);

/**
 * @brief Parses a comma list of positive radii ("1,2.5,4"); throws InputError naming `option` and
 * the bad item. Duplicates are an error (they would give duplicate column names).
 */
std::vector<double> parse_radii(const std::string& text, const std::string& option);

/** @brief When to write: every `steps_per_output` steps and at the last step. */
struct Schedule {
    long total_steps = 0;
    long steps_per_output = 1;
    /** @brief Number of output rows, including t = 0 and t_end. */
    [[nodiscard]] long rows() const
    {
        return 1 + total_steps / steps_per_output + (total_steps % steps_per_output != 0 ? 1 : 0);
    }
};

/**
 * @brief The output rows (0 = t = 0) at which γ^(2) is formed, from config.gamma2_times: a comma list
 * of `first`, `last`, `all`, `none` and times that are output times. Throws InputError.
 */
std::vector<long> gamma2_rows(const RunConfig& config, const Schedule& schedule);

/**
 * @brief True when output row `row` computes the reductions that are not linear in the measure
 * (purity, lambda_max, fact_defect, admissibility_residual): every --reduce-every-th row and every
 * row of `gamma2_rows` (ascending, from gamma2_rows()).
 */
bool reduces_at(const RunConfig& config, const std::vector<long>& gamma2_rows, long row);

/**
 * @brief True when FFTW-MPI's slab decomposition of a d-dimensional N^d grid gives every one of g
 * ranks at least one plane in every layout (blocks of ⌈X/g⌉ planes of the X = N physical planes and
 * of the transposed ones: N, and in 2D also the N/2 + 1 of the r2c transform), as Grid requires.
 * 1D grids are serial: only g = 1.
 */
bool slab_split_fits(int d, long N, int g);

/**
 * @brief `--ranks-per-sample auto`: the smallest divisor g of `world_size` for which every group
 * (world_size / g of them) gets a sample (world_size / g ≤ samples) and the grid splits over g ranks
 * (slab_split_fits). As many groups as there are samples, up to the world size: one sample on 16
 * ranks gets g = 16, 4 samples get 4, 64 samples get 1. Throws InputError naming what to change
 * when no divisor fits.
 */
int auto_ranks_per_sample(int world_size, std::size_t samples, int d, long N);

/** @brief The time of output row `row`. */
double row_time(const RunConfig& config, const Schedule& schedule, long row);

/**
 * @brief Checks every field that does not need a communicator (finite numbers, signs, names,
 * step multiples) and returns the schedule. Throws InputError with a one-line message naming the
 * option. Grid sizes against the rank count are checked by Grid. Not Collective.
 */
Schedule validate(const RunConfig& config);

/**
 * @brief Refuses every radius R of --R whose cutoff ψ_R is not yet constant (= 2R) at the box's
 * faces: ψ_R is constant for |x| ≥ √((2+h)R) (cutoff.hpp), and the faces come as close as
 * |x| = L/2, so R must satisfy √((2+h)R) ≤ L/2. Throws InputError naming R, √((2+h)R), L/2 and what
 * to change. Not part of validate(): the library's tests put ψ_R's layer on the faces on purpose
 * (docs/physics.md §6 item 5); dfe-run calls it once the box is known (a samples file fixes L).
 * Not Collective.
 */
void require_radii_inside_box(const RunConfig& config);

}  // namespace dfe
