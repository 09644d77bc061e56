// dfe-groundstate: the focusing ground state −ΔQ + ωQ = (V*Q²)Q of a potential on the grid
// (src/dfe/physics/ground_state.hpp, docs/physics.md §11), on all ranks of the world as one group.
// Prints ‖Q‖², ‖∇Q‖², the interaction, the energy, the Nehari and Pohozaev residuals and the
// iterations, and writes the mass-1 profile P = Q/‖Q‖ (weight 1) as a samples file that
// `dfe-run --samples FILE --lambda LAMBDA_EFF` evolves as the standing wave e^{iωt}P.
// Bad input is one line on stderr and exit code 2, with no output file.
#include "app_common.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/groups.hpp"
#include "dfe/core/timer.hpp"
#include "dfe/io/samples_file.hpp"
#include "dfe/physics/convolution.hpp"
#include "dfe/physics/ground_state.hpp"
#include "dfe/physics/potential.hpp"
#include "dfe/spectral/grid.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_input_error = 2;
constexpr const char* program = "dfe-groundstate";

struct Options {
    // The defaults of dfe-run (config/run_config.hpp, config/params.hpp).
    int d = dfe::default_dimension;
    long N = 128;
    double L = 20.0;
    dfe::PotentialParams potential;
    dfe::GroundStateOptions gs;
    dfe::PlannerEffort planner = dfe::PlannerEffort::estimate;
    std::string out;
};

po::options_description make_options(Options& o, std::string& config_file)
{
    auto& p = o.potential;
    po::options_description grid("Grid (box [-L/2, L/2)^d, N points per dimension)");
    grid.add_options()
        ("d", dfe_app::with_default(&o.d), "dimension: 1, 2 or 3")
        ("N", dfe_app::with_default(&o.N), "grid points per dimension (even, >= 4)")
        ("L", dfe_app::with_default(&o.L), "box length, in length units; the box must hold Q (it decays like exp(-sqrt(omega) |x|))");
    po::options_description physics("Ground state  -Laplacian Q + omega Q = (V * Q^2) Q,  Q > 0");
    physics.add_options()
        ("potential", dfe_app::choice(&p.kind, dfe::parse_potential_kind),
         "V: gaussian (lambda exp(-|x|^2/(2 s^2))) | soft-power (lambda (|x|^2 + epsilon^2)^(-gamma/2)) | "
         "power (lambda |x|^-gamma, d = 3, 0 < gamma < 3)")
        ("lambda", dfe_app::with_default(&p.lambda), "potential strength lambda (> 0: attractive)")
        ("s", dfe_app::with_default(&p.s), "gaussian potential width s, in length units")
        ("epsilon", dfe_app::with_default(&p.epsilon), "soft-power regularization epsilon, in length units")
        ("gamma", dfe_app::with_default(&p.gamma), "soft-power and power exponent gamma")
        ("omega", dfe_app::with_default(&o.gs.omega), "frequency omega > 0: phi(t) = exp(i omega t) Q");
    po::options_description solver("Solver (Petviashvili's iteration)");
    solver.add_options()
        ("tol", dfe_app::with_default(&o.gs.tol),
         "stop at relative residual ||-Laplacian Q + omega Q - (V*Q^2)Q|| / ||omega Q|| <= tol")
        ("max-iter", dfe_app::with_default(&o.gs.max_iter), "most iterations")
        ("width", dfe_app::with_default(&o.gs.initial_width),
         "width of the initial Gaussian exp(-|x|^2/(2 width^2)); 0: 1/sqrt(omega)")
        ("fftw-planner", dfe_app::choice(&o.planner, dfe::parse_planner_effort), "FFTW planner effort: estimate | measure | patient");
    po::options_description output("Output");
    output.add_options()
        ("out", po::value(&o.out), "write the mass-1 profile Q/||Q|| (weight 1) to this HDF5 samples file (for dfe-run --samples)");
    po::options_description all;
    all.add(dfe_app::general_options(config_file)).add(grid).add(physics).add(solver).add(output);
    return all;
}

void check_inputs(const Options& o)
{
    dfe::require(std::isfinite(o.gs.omega) && o.gs.omega > 0.0, "--omega must be positive (got " + dfe::digits17(o.gs.omega) + ")");
    dfe::require(std::isfinite(o.gs.tol) && o.gs.tol > 0.0, "--tol must be positive (got " + dfe::digits17(o.gs.tol) + ")");
    dfe::require(o.gs.max_iter >= 1, "--max-iter must be >= 1 (got " + std::to_string(o.gs.max_iter) + ")");
    dfe::require(std::isfinite(o.gs.initial_width) && o.gs.initial_width >= 0.0,
                 "--width must be >= 0 (got " + dfe::digits17(o.gs.initial_width) + ")");
    dfe::require(o.potential.kind != dfe::PotentialKind::none && o.potential.lambda > 0.0,
                 "a focusing ground state needs an attractive potential: --potential gaussian, soft-power or power "
                 "with --lambda > 0");
    if (!o.out.empty()) {
        const fs::path target = fs::absolute(o.out);
        if (!fs::is_directory(target.parent_path()) || access(target.parent_path().c_str(), W_OK) != 0)
            throw dfe::InputError("--out '" + o.out + "': its directory does not exist or is not writable");
    }
}

int run(int argc, char** argv)
{
    const dfe::Comm world(MPI_COMM_WORLD);
    const dfe::RootOutput root(world);
    Options o;
    std::string config_file;
    const auto options = make_options(o, config_file);
    bool go = false;
    if (!dfe_app::agree(world, program, [&] {
            po::variables_map vm;
            go = dfe_app::parse_command_line(argc, argv, options, vm, program,
                                             "Computes the focusing ground state -Laplacian Q + omega Q = (V*Q^2) Q on the "
                                             "grid and writes its mass-1 profile as a samples file.\n",
                                             world.is_root());
            if (go) check_inputs(o);
        }))
        return exit_input_error;
    if (!go) return 0;

    // All ranks share the one field: one group holding one sample.
    std::optional<dfe::GroupLayout> layout;
    std::optional<dfe::Grid> grid;
    std::optional<dfe::Potential> potential;
    if (!dfe_app::agree(world, program, [&] {
            potential.emplace(o.potential, o.d);
            layout.emplace(world, world.size(), 1);
            grid.emplace(layout->group(), o.d, o.N, o.L);
        }))
        return exit_input_error;
    const dfe::FftPlans plans(*grid, o.planner);
    const dfe::Convolver convolver(plans, *potential);

    const auto start = std::chrono::steady_clock::now();
    const dfe::GroundState gs = dfe::solve_ground_state(convolver, o.gs);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    root.print("dfe-groundstate: -Laplacian Q + omega Q = (V*Q^2) Q, potential %s, d = %d, N = %ld, L = %s, omega = %s, %d rank(s)\n",
               potential->describe().c_str(), o.d, o.N, dfe::shortest(o.L).c_str(), dfe::shortest(o.gs.omega).c_str(),
               world.size());
    root.print("iterations      %d (%s s)\n", gs.iterations, dfe::strf("%.3f", seconds).c_str());
    root.print("residual        %.3e  (||-Laplacian Q + omega Q - (V*Q^2)Q|| / ||omega Q||, tol %s)\n", gs.residual,
               dfe::shortest(o.gs.tol).c_str());
    root.print("mass            %.15g  (||Q||^2)\n", gs.mass);
    root.print("grad2           %.15g  (||grad Q||^2)\n", gs.grad2);
    root.print("interaction     %.15g  (D = int (V*Q^2) Q^2)\n", gs.interaction);
    root.print("energy          %.15g  (E = ||grad Q||^2/2 - D/4)\n", gs.energy);
    root.print("nehari          %.3e  ((||grad Q||^2 + omega ||Q||^2 - D)/D)\n", gs.nehari);
    root.print("pohozaev        %.3e  (((d-2)/2 ||grad Q||^2 + (d/2) omega ||Q||^2 - (2d D + D_W)/4)/D)\n", gs.pohozaev);
    root.print("Q_max           %.15g\n", gs.q_max);
    root.print("edge            %.3e  (max |Q| on the box's faces / Q_max)\n", gs.edge);
    // P = Q/‖Q‖ solves −ΔP + ωP = ‖Q‖² (V*P²)P: the ground state of mass 1 at coupling λ‖Q‖².
    const double lambda_eff = o.potential.lambda * gs.mass;
    root.print("lambda_eff      %s  (lambda ||Q||^2: Q/||Q|| is the mass-1 ground state at this lambda)\n", dfe::digits17(lambda_eff).c_str());
    if (!gs.converged) {
        root.note("%s: error: the residual %.3e is above --tol %s after --max-iter %d iterations; no file written\n", program,
                  gs.residual, dfe::shortest(o.gs.tol).c_str(), o.gs.max_iter);
        return 1;
    }
    if (o.out.empty()) return 0;

    dfe::Buffer<dfe::cplx> p(grid->alloc_complex());
    const double scale = 1.0 / std::sqrt(gs.mass);
    grid->for_each_point([&](std::ptrdiff_t ic, std::ptrdiff_t ir, const auto&) { p[ic] = dfe::cplx(gs.q[ir] * scale, 0.0); });
    const std::vector<double> weights{1.0};
    const std::vector<const dfe::cplx*> fields{p.data()};
    dfe::write_samples_file(o.out, *layout, *grid, weights, fields);
    std::string shape;
    if (o.potential.kind == dfe::PotentialKind::gaussian) shape = " --s " + dfe::shortest(o.potential.s);
    if (o.potential.kind == dfe::PotentialKind::soft_power) shape = " --epsilon " + dfe::shortest(o.potential.epsilon);
    if (o.potential.kind != dfe::PotentialKind::gaussian) shape += " --gamma " + dfe::shortest(o.potential.gamma);
    root.print("wrote %s; evolve it with: dfe-run --samples %s --d %d --potential %s --lambda %s%s\n", o.out.c_str(),
               o.out.c_str(), o.d, std::string(dfe::name(o.potential.kind)).c_str(), dfe::digits17(lambda_eff).c_str(),
               shape.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return dfe_app::mpi_main(argc, argv, program, run); }
