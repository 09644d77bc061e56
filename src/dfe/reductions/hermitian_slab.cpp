#include "dfe/reductions/hermitian_slab.hpp"

#include "dfe/core/compensated_sum.hpp"

#include "dfe/backend/blas.hpp"
#include "dfe/backend/petsc.hpp"
#include "dfe/core/error.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <tuple>

namespace dfe {

HermitianSlab::HermitianSlab(const Comm& comm, std::size_t dimension, const std::vector<Share>& slabs)
    : comm_(comm), n_(dimension)
{
    const auto P = static_cast<std::size_t>(comm.size());
    require_logic(slabs.size() == P, "HermitianSlab: one slab per rank");
    std::size_t next = 0;
    for (const Share& s : slabs) {
        require_logic(s.first == next || s.count == 0, "HermitianSlab: the column slabs are not contiguous in rank order");
        if (s.count > 0) next = s.end();
        counts_.push_back(static_cast<int>(s.count));
        offsets_.push_back(static_cast<int>(s.first));
    }
    require_logic(next == n_, "HermitianSlab: the column slabs do not cover the matrix");
    first_ = slabs[static_cast<std::size_t>(comm.rank())].first;
    count_ = slabs[static_cast<std::size_t>(comm.rank())].count;
    std::tie(vector_counts_, vector_offsets_) = column_counts(2);
}

cplx* HermitianSlab::columns()
{
    if (data_.size() != n_ * count_) data_.assign(n_ * count_, cplx(0.0));
    return data_.data();
}

std::pair<std::vector<int>, std::vector<int>> HermitianSlab::column_counts(std::size_t per_column) const
{
    std::vector<int> counts(counts_.size()), offsets(counts_.size());
    for (std::size_t r = 0; r < counts_.size(); ++r) {
        counts[r] = static_cast<int>(static_cast<std::size_t>(counts_[r]) * per_column);
        offsets[r] = static_cast<int>(static_cast<std::size_t>(offsets_[r]) * per_column);
    }
    return {counts, offsets};
}

double HermitianSlab::frobenius_squared() const
{
    // Up to N^{2d}/P terms: compensated, so that the sum keeps the accuracy of its terms.
    CompensatedSum sum;
    for (const cplx& v : data_) sum.add(std::norm(v));
    return comm_.sum(sum.value());
}

void HermitianSlab::gather_vector(const double* x_local, std::vector<double>& x_whole) const
{
    // Once per Krylov step: the counts are the constructor's.
    x_whole.resize(2 * n_);
    DFE_MPI(MPI_Allgatherv(x_local, vector_counts_[static_cast<std::size_t>(comm_.rank())], MPI_DOUBLE, x_whole.data(),
                           vector_counts_.data(), vector_offsets_.data(), MPI_DOUBLE, comm_.get()));
}

void HermitianSlab::multiply(const double* x_whole, double* y_local) const
{
    // y = (local columns)† x: row i of H is conj(column i).
    if (count_ == 0) return;
    const int n = static_cast<int>(n_), m = static_cast<int>(count_), one_column = 1;
    const cplx one(1.0), zero(0.0);
    zgemm_("C", "N", &m, &one_column, &n, &one, data_.data(), &n, reinterpret_cast<const cplx*>(x_whole), &n, &zero,
           reinterpret_cast<cplx*>(y_local), &m, 1, 1);
}

std::vector<cplx> HermitianSlab::apply(std::span<const cplx> x) const
{
    std::vector<double> whole(reinterpret_cast<const double*>(x.data()), reinterpret_cast<const double*>(x.data()) + 2 * n_);
    std::vector<cplx> y(n_, cplx(0.0));
    multiply(whole.data(), reinterpret_cast<double*>(y.data() + first_));
    std::vector<double> out;
    gather_vector(reinterpret_cast<const double*>(y.data() + first_), out);
    std::vector<cplx> result(n_);
    std::copy_n(reinterpret_cast<const cplx*>(out.data()), n_, result.data());
    return result;
}

std::vector<cplx> HermitianSlab::gather_everywhere() const
{
    const auto [counts, offsets] = column_counts(n_);
    require_logic(data_.size() == n_ * count_, "HermitianSlab: the columns were never filled");
    std::vector<cplx> all(n_ * n_);
    DFE_MPI(MPI_Allgatherv(data_.data(), counts[static_cast<std::size_t>(comm_.rank())], MPI_C_DOUBLE_COMPLEX, all.data(),
                           counts.data(), offsets.data(), MPI_C_DOUBLE_COMPLEX, comm_.get()));
    return all;
}

double HermitianSlab::lambda_dense() const
{
    const bool root = comm_.is_root();
    const auto [counts, offsets] = column_counts(n_);
    require_logic(data_.size() == n_ * count_, "HermitianSlab: the columns were never filled");
    std::vector<cplx> a(root ? n_ * n_ : 0);
    DFE_MPI(MPI_Gatherv(data_.data(), counts[static_cast<std::size_t>(comm_.rank())], MPI_C_DOUBLE_COMPLEX, a.data(),
                        counts.data(), offsets.data(), MPI_C_DOUBLE_COMPLEX, 0, comm_.get()));
    double lambda = 0.0;
    if (root) {
        const int n = static_cast<int>(n_);
        std::vector<double> w(n_), rwork(static_cast<std::size_t>(std::max(1, 3 * n - 2)));
        int info = 0, lwork = -1;
        cplx query;
        zheev_("N", "U", &n, a.data(), &n, w.data(), &query, &lwork, rwork.data(), &info, 1, 1);
        lwork = std::max(1, static_cast<int>(query.real()));
        std::vector<cplx> work(static_cast<std::size_t>(lwork));
        zheev_("N", "U", &n, a.data(), &n, w.data(), work.data(), &lwork, rwork.data(), &info, 1, 1);
        if (info != 0) throw Error("LAPACK zheev failed on the reduced density matrix (info " + std::to_string(info) + ")");
        lambda = w.back();  // ascending order
    }
    std::span<double> value(&lambda, 1);
    comm_.broadcast(value);
    return lambda;
}

namespace {

PetscErrorCode shell_mult_callback(Mat A, Vec x, Vec y)
{
    void* context = nullptr;
    PetscCall(MatShellGetContext(A, &context));
    auto* self = static_cast<std::function<void(const double*, double*)>*>(context);
    return petsc_apply(x, y, nullptr, *self);
}

}  // namespace

double HermitianSlab::lambda_iterative() const
{
    const auto n_local = static_cast<PetscInt>(2 * count_);
    const auto n_global = static_cast<PetscInt>(2 * n_);
    std::vector<double> whole;
    std::function<void(const double*, double*)> mult = [&](const double* x, double* y) {
        gather_vector(x, whole);
        multiply(whole.data(), y);
    };
    Mat raw = nullptr;
    DFE_PETSC(MatCreateShell(comm_.get(), n_local, n_local, n_global, n_global, &mult, &raw));
    PetscMat shell(raw);
    DFE_PETSC(MatShellSetOperation(shell.get(), MATOP_MULT, reinterpret_cast<void (*)(void)>(&shell_mult_callback)));
    DFE_PETSC(MatSetOption(shell.get(), MAT_SYMMETRIC, PETSC_TRUE));
    EPS raw_eps = nullptr;
    DFE_PETSC(EPSCreate(comm_.get(), &raw_eps));
    SlepcEps eps(raw_eps);
    DFE_PETSC(EPSSetOperators(eps.get(), shell.get(), nullptr));
    DFE_PETSC(EPSSetProblemType(eps.get(), EPS_HEP));
    DFE_PETSC(EPSSetWhichEigenpairs(eps.get(), EPS_LARGEST_REAL));
    DFE_PETSC(EPSSetDimensions(eps.get(), 1, PETSC_DEFAULT, PETSC_DEFAULT));
    // Relative residual 1e-13: the eigenvalue is then correct to about that relative accuracy
    // (for a symmetric operator the eigenvalue error is quadratic in the residual).
    DFE_PETSC(EPSSetTolerances(eps.get(), 1e-13, 10000));
    DFE_PETSC(EPSSolve(eps.get()));
    PetscInt converged = 0;
    DFE_PETSC(EPSGetConverged(eps.get(), &converged));
    if (converged < 1) throw Error("SLEPc did not converge to the largest eigenvalue of the reduced density matrix");
    PetscScalar kr = 0, ki = 0;
    DFE_PETSC(EPSGetEigenvalue(eps.get(), 0, &kr, &ki));
    return static_cast<double>(kr);
}

double HermitianSlab::lambda_max(EigenMethod method) const
{
    return method == EigenMethod::dense ? lambda_dense() : lambda_iterative();
}

}  // namespace dfe
