#version 450
// ρ = |φ|² into the padded real layout (NonlinearStep::potential_of's norm_row).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

void main()
{
    FOR_EACH_ITEM(i) {
        const uint row = i / pass.N;  // rows of every sample follow each other in both layouts
        const uint j = i - row * pass.N;
        const dvec2 z = field[i];
        rho[row * pass.pad + j] = z.x * z.x + z.y * z.y;
    }
}
