// The bindings and push constants every pass of the Vulkan stepper shares (gpu/batch_stepper.hpp).
// Included by the *.comp shaders; compiled with glslangValidator at build time.
#extension GL_ARB_gpu_shader_fp64 : require

layout(local_size_x = 256) in;

/// The fields of one batch, physical complex layout [sample][i0][i1][i2], (re, im) pairs.
layout(std430, set = 0, binding = 0) buffer Field { dvec2 field[]; };
/// |φ|², then V*|φ|², in VkFFT's in-place r2c layout: rows of `pad` reals (2(N/2 + 1)).
layout(std430, set = 0, binding = 1) buffer Rho { double rho[]; };
/// V̂/N^d on the half spectrum [k0][k1][h2] of one sample (the CPU Convolver's multiplier).
layout(std430, set = 0, binding = 2) readonly buffer VHat { double vhat[]; };
/// e^{−ik²fh} along each of the 3 memory axes (N entries each; unused axes hold 1), per fraction f.
layout(std430, set = 0, binding = 3) readonly buffer Table { dvec2 table[]; };

layout(push_constant) uniform Pass {
    double scale;   ///< kinetic: 1/N^d
    double angle;   ///< rotate: −μ·b·h
    uint count;     ///< items of this pass over the whole batch
    uint points;    ///< N^d, complex points per sample
    uint N;         ///< points per dimension
    uint pad;       ///< reals per row of the r2c layout
    uint half_count;  ///< complex modes per sample of the half spectrum
    uint n1;        ///< extent of memory axis 1 (1 in 1D)
    uint table_base;  ///< first entry of this fraction's tables
} pass;

/// a·b of complex numbers as (re, im), in the order of the CPU's phase_row.
dvec2 cmul(dvec2 a, dvec2 b) { return dvec2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }

/// Grid-stride loop over the pass's items: dispatches are capped at 65535 groups.
#define FOR_EACH_ITEM(i) \
    for (uint i = gl_GlobalInvocationID.x; i < pass.count; i += gl_NumWorkGroups.x * gl_WorkGroupSize.x)
