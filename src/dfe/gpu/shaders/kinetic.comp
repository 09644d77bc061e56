#version 450
// φ̂ ← (scale·t0[i0]·t1[i1]·t2[i2])·φ̂, the separable kinetic multiplier (KineticPhase::apply).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

void main()
{
    FOR_EACH_ITEM(i) {
        const uint p = i % pass.points;
        const uint i2 = p % pass.N;
        const uint i1 = (p / pass.N) % pass.n1;
        const uint i0 = p / (pass.N * pass.n1);
        const uint t = pass.table_base;
        dvec2 c = cmul(dvec2(pass.scale, 0.0), table[t + i0]);
        c = cmul(c, table[t + pass.N + i1]);
        field[i] = cmul(field[i], cmul(c, table[t + 2 * pass.N + i2]));
    }
}
