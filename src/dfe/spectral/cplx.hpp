#pragma once
/**
 * @file cplx.hpp
 * @brief The complex number type of every field: std::complex<double>, layout-compatible with
 * fftw_complex (two doubles, real part first).
 */
#include <complex>

namespace dfe {

using cplx = std::complex<double>;

}  // namespace dfe
