#version 450
// ρ̂ ← V̂ ρ̂ on the half spectrum of every sample (Convolver::potential's multiplier).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

void main()
{
    FOR_EACH_ITEM(i) {
        const double v = vhat[i % pass.half_count];
        rho[2 * i] *= v;
        rho[2 * i + 1] *= v;
    }
}
