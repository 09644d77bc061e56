// Serial checks of the closed forms behind the potentials' spectral kernels.
#include "dfe/core/error.hpp"
#include "dfe/physics/potential.hpp"
#include "dfe/config/run_config.hpp"
#include "dfe/evolution/split_step.hpp"
#include "dfe/io/timeseries.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>

using dfe::InputError;
using Catch::Matchers::Contains;

namespace {

}  // namespace

TEST_CASE("gaussian kernels match their closed forms", "[potential]")
{
    const double lambda = 1.7, s = 0.6;
    for (int d = 1; d <= 3; ++d) {
        const dfe::Potential v({dfe::PotentialKind::gaussian, lambda, s}, d);
        const double v0 = lambda * std::pow(2.0 * std::numbers::pi * s * s, 0.5 * d);
        // V̂(0) = ∫V; the relative tolerance is round-off of a few flops.
        CHECK(v.hat(0.0) == Approx(v0).epsilon(1e-14));
        // ∫ z·∇V dz = −d ∫ V (integration by parts), i.e. (z·∇V)^(0) = −d V̂(0).
        CHECK(v.hat_z_grad(0.0) == Approx(-d * v0).epsilon(1e-14));
        // −(d + k·∂_k) applied to V̂ by a centred difference in |k|, against the closed form.
        const double k = 1.3, h = 1e-4;
        auto vh = [&](double kk) { return v.hat(kk * kk); };
        const double radial = k * (vh(k + h) - vh(k - h)) / (2.0 * h);  // k·∇_k V̂ for radial V̂
        // O(h²) difference error ~ 1e-8 relative.
        CHECK(v.hat_z_grad(k * k) == Approx(-(d * vh(k) + radial)).epsilon(1e-7));
        CHECK(v.value(0.0) == lambda);
        CHECK(v.value(s) == Approx(lambda * std::exp(-0.5)).epsilon(1e-15));
    }
    const dfe::Potential none({dfe::PotentialKind::none, 1.0, 0.5}, 2);
    CHECK(none.is_zero());
    CHECK(none.hat(1.0) == 0.0);
}

