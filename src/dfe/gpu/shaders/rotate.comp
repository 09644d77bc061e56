#version 450
// φ ← φ·e^{i·angle·U}, U = V*|φ|² (NonlinearStep::apply), with the CPU's sincos: Cody–Waite
// reduction to |r| ≤ π/4 (π/2 in four parts), then Taylor polynomials to r^17 and r^16.
// GLSL has no double-precision sin/cos. Angles |θ| ≥ 1e6 lose accuracy in the reduction
// (the CPU takes the C library's sin/cos there): not supported by this backend.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

void sincos_small(double r, out double c, out double s)
{
    const double r2 = r * r;
    s = r + r * r2 * (-1.0LF / 6 + r2 * (1.0LF / 120 + r2 * (-1.0LF / 5040 + r2 * (1.0LF / 362880 + r2 * (-1.0LF / 39916800 +
        r2 * (1.0LF / 6227020800.0LF + r2 * (-1.0LF / 1307674368000.0LF + r2 * (1.0LF / 355687428096000.0LF))))))));
    c = 1.0LF + r2 * (-0.5LF + r2 * (1.0LF / 24 + r2 * (-1.0LF / 720 + r2 * (1.0LF / 40320 + r2 * (-1.0LF / 3628800 +
        r2 * (1.0LF / 479001600.0LF + r2 * (-1.0LF / 87178291200.0LF + r2 * (1.0LF / 20922789888000.0LF))))))));
}

void sincos_kernel(double theta, out double c, out double s)
{
    const double two_over_pi = 0.63661977236758134308LF;
    const double p1 = 1.57079632673412561417e+00LF;
    const double p2 = 6.07710050630396597660e-11LF;
    const double p3 = 2.02226624871116645580e-21LF;
    const double p4 = 8.47842766036889956997e-32LF;
    const double k = roundEven(theta * two_over_pi);
    precise double r = (((theta - k * p1) - k * p2) - k * p3) - k * p4;
    double cr, sr;
    sincos_small(r, cr, sr);
    const double q = k - 4.0LF * roundEven(0.25LF * k);
    const bool odd = q * q == 1.0LF;
    const double bc = odd ? sr : cr;
    const double bs = odd ? cr : sr;
    c = (q == 1.0LF || q * q == 4.0LF) ? -bc : bc;
    s = (q == -1.0LF || q * q == 4.0LF) ? -bs : bs;
}

void main()
{
    FOR_EACH_ITEM(i) {
        const uint row = i / pass.N;
        const uint j = i - row * pass.N;
        const double theta = pass.angle * rho[row * pass.pad + j];
        double c, s;
        if (abs(theta) < 0.78LF) sincos_small(theta, c, s);
        else sincos_kernel(theta, c, s);
        const dvec2 z = field[i];
        field[i] = dvec2(z.x * c - z.y * s, z.x * s + z.y * c);
    }
}
