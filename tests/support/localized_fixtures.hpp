#pragma once
// Fixtures shared by the localized-term tests: a 2D grid on which ψ_R's layers are resolved, and a
// non-radial and a radial mixed state.
#include "helpers.hpp"

#include <string>

namespace dfe_test {

/// 2D, L = 12, N = 96 (dx = 0.125): for R = 4 and 6 the layer of ψ_R is 10.5 and 12.8 spacings wide.
/// The Gaussian potential (s = 0.5) has V̂ ≈ e^{−79} at the Nyquist wave number.
inline dfe::RunConfig localized_config()
{
    auto c = dfe_test::small_config(2);
    c.N = 96;
    c.L = 12.0;
    c.integrator = dfe::Integrator::order4;
    c.dt = 1e-3;
    c.t_end = 0.04;
    c.output_dt = 0.005;
    c.R = {4.0, 6.0};
    c.gamma2_grid = 32;
    return c;
}

/// Non-radial mixed state: three Gaussians, off centre, kicked, different widths.
inline dfe::RunConfig nonradial(dfe::RunConfig c)
{
    c.measure.kind = dfe::MeasureKind::mixture;
    c.measure.components = {"weight=0.5,sigma=0.9,center=0.8:-0.4,kick=1:0.5", "weight=0.3,sigma=1.1,center=-1:0.7,kick=-0.5:1",
                            "weight=0.2,sigma=0.7,center=0.3:1.2,chirp=0.3"};
    return c;
}

/// Radial mixed state: centred Gaussians of different widths, one with a radial chirp.
inline dfe::RunConfig radial(dfe::RunConfig c)
{
    c.measure.kind = dfe::MeasureKind::mixture;
    c.measure.components = {"weight=0.6,sigma=0.8", "weight=0.4,sigma=1.0,chirp=0.2"};
    return c;
}

}  // namespace dfe_test
