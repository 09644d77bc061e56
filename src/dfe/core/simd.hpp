#pragma once
/**
 * @file simd.hpp
 * @brief DFE_VECTOR_CLONES: versions of a vectorized loop's function for AVX-512, AVX2 and the
 * baseline ISA, chosen at load time (GCC and Clang on x86-64 with glibc's ifunc); elsewhere the one
 * baseline version. For hot pointwise loops written in real arithmetic (std::complex's product
 * checks for NaN and does not vectorize); sums use `#pragma omp simd reduction` (-fopenmp-simd).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__)
#define DFE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DFE_VECTOR_CLONES
#endif
