#pragma once
/**
 * @file blas.hpp
 * @brief The few BLAS/LAPACK routines the reductions use, through their Fortran interface (column
 * major, arguments by reference, hidden character lengths last as gfortran passes them). On Debian
 * the library behind libblas.so.3 / liblapack.so.3 is chosen by update-alternatives; the quick start
 * installs the serial OpenBLAS, about 6x faster than the reference BLAS on the γ^(2) product.
 */
#include <complex>
#include <cstddef>

extern "C" {
void zgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const std::complex<double>* alpha, const std::complex<double>* a, const int* lda,
            const std::complex<double>* b, const int* ldb, const std::complex<double>* beta,
            std::complex<double>* c, const int* ldc, std::size_t transa_len, std::size_t transb_len);
void zherk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
            const std::complex<double>* a, const int* lda, const double* beta, std::complex<double>* c, const int* ldc,
            std::size_t uplo_len, std::size_t trans_len);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc, std::size_t transa_len, std::size_t transb_len);
void zheev_(const char* jobz, const char* uplo, const int* n, std::complex<double>* a, const int* lda, double* w,
            std::complex<double>* work, const int* lwork, double* rwork, int* info, std::size_t jobz_len,
            std::size_t uplo_len);
}
