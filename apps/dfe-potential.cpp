// dfe-potential: the hypotheses of Theorem 1.2 for a potential, before any run (docs/physics.md §8).
// Serial and MPI-free: it only evaluates the potential. Options share their names and defaults with
// dfe-run; bad input is one line on stderr and exit code 2, with no output file.
#include "app_common.hpp"
#include "dfe/core/atomic_file.hpp"
#include "dfe/core/format.hpp"
#include "dfe/core/error.hpp"
#include "dfe/physics/hypothesis.hpp"
#include "dfe/physics/potential.hpp"
#include "dfe/config/run_config.hpp"
#include "dfe/version.hpp"

#include <boost/program_options.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr int exit_input_error = 2;

struct Options {
    int d = dfe::default_dimension;
    dfe::PotentialParams potential;
    std::string R = "1,4,16,64";
    std::optional<double> r_max;
    std::string csv;
};

po::options_description make_options(Options& o, std::string& config_file)
{
    auto& p = o.potential;
    po::options_description physics("Potential V (radial, even, real)");
    physics.add_options()
        ("d", dfe_app::with_default(&o.d), "dimension: 1, 2 or 3")
        ("potential", dfe_app::choice(&p.kind, dfe::parse_potential_kind),
         "V: none | gaussian (lambda exp(-|x|^2/(2 s^2))) | soft-power (lambda (|x|^2 + epsilon^2)^(-gamma/2)) | "
         "power (lambda |x|^-gamma, d = 3, 0 < gamma < 3)")
        ("lambda", dfe_app::with_default(&p.lambda), "potential strength lambda")
        ("s", dfe_app::with_default(&p.s), "gaussian potential width s, in length units")
        ("epsilon", dfe_app::with_default(&p.epsilon), "soft-power regularization epsilon, in length units")
        ("gamma", dfe_app::with_default(&p.gamma), "soft-power and power exponent gamma");
    po::options_description report("Report");
    report.add_options()
        ("R", dfe_app::with_default(&o.R), "comma list of the R at which (1.7) and (1.8) are evaluated")
        ("r-max", po::value<double>(), "(1.6) and V >= 0 are checked on (0, r-max]; default 1e3 x the length scale "
                                       "(s for gaussian, epsilon for soft-power, 1 otherwise)")
        ("csv", po::value(&o.csv), "also write the per-R table (R, (1.7) sup, (1.8) ratio) to this CSV file");
    po::options_description all;
    all.add(dfe_app::general_options(config_file)).add(physics).add(report);
    return all;
}

/// The comma list of --R: every entry a positive, finite number.
/// Writes the per-R table to `path` through `path`.tmp and a rename; no file is left on failure.
void write_csv(const fs::path& path, const dfe::HypothesisReport& report)
{
    try {
        dfe::write_text_file(path, [&](std::ostream& out) {
            out << "R,h17_sup,h18_ratio\n";
            for (std::size_t i = 0; i < report.R.size(); ++i)
                out << dfe::strf("%.16e,%.16e,%.16e\n", report.R[i], report.h17_sup[i], report.h18_ratio[i]);
        });
    } catch (const std::exception& e) {
        throw dfe::InputError("--csv '" + path.string() + "': cannot write there (" + e.what() + ")");
    }
}

int run(int argc, char** argv)
{
    Options o;
    std::string config_file;
    const auto options = make_options(o, config_file);
    po::variables_map vm;
    if (!dfe_app::parse_command_line(argc, argv, options, vm, "dfe-potential",
                                     "Checks the hypotheses (1.6)-(1.8) of Theorem 1.2 for a potential V and prints a report.\n",
                                     true))
        return 0;
    if (vm.count("r-max")) o.r_max = vm["r-max"].as<double>();

    dfe::require(o.d >= 1 && o.d <= 3, "--d must be 1, 2 or 3 (got " + std::to_string(o.d) + ")");
    const dfe::Potential v(o.potential, o.d);
    const auto R = dfe::parse_radii(o.R, "--R");
    const double r_max = o.r_max ? *o.r_max : 1e3 * dfe::natural_length_scale(v);
    const auto report = dfe::hypothesis_report(v, R, r_max);
    if (!o.csv.empty()) write_csv(o.csv, report);
    std::fputs(dfe::format_hypothesis_report(report).c_str(), stdout);
    if (!o.csv.empty()) std::printf("wrote %s\n", o.csv.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const dfe::InputError& e) {
        std::fprintf(stderr, "dfe-potential: error: %s\n", e.what());
        return exit_input_error;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dfe-potential: error: %s\n", e.what());
        return 1;
    }
}
