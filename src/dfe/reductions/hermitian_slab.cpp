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

std::vector<cplx> HermitianSlab::gather_entries(std::span<const cplx> local) const
{
    require_logic(local.size() == count_, "HermitianSlab::gather_entries: one entry per local column");
    std::vector<double> whole;
    gather_vector(reinterpret_cast<const double*>(local.data()), whole);
    std::vector<cplx> out(n_);
    std::copy_n(reinterpret_cast<const cplx*>(whole.data()), n_, out.data());
    return out;
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

TopEigenpair HermitianSlab::lambda_dense(bool vector) const
{
    const bool root = comm_.is_root();
    const auto [counts, offsets] = column_counts(n_);
    require_logic(data_.size() == n_ * count_, "HermitianSlab: the columns were never filled");
    std::vector<cplx> a(root ? n_ * n_ : 0);
    DFE_MPI(MPI_Gatherv(data_.data(), counts[static_cast<std::size_t>(comm_.rank())], MPI_C_DOUBLE_COMPLEX, a.data(),
                        counts.data(), offsets.data(), MPI_C_DOUBLE_COMPLEX, 0, comm_.get()));
    TopEigenpair out;
    if (root) {
        const int n = static_cast<int>(n_);
        // The value always from the values-only solve, so that lambda_max is the same bits whether or
        // not the vector is wanted (zheev's two modes round differently); the vector from a second one.
        auto solve = [&](const char* jobz, std::vector<cplx>& matrix) {
            std::vector<double> w(n_), rwork(static_cast<std::size_t>(std::max(1, 3 * n - 2)));
            int info = 0, lwork = -1;
            cplx query;
            zheev_(jobz, "U", &n, matrix.data(), &n, w.data(), &query, &lwork, rwork.data(), &info, 1, 1);
            lwork = std::max(1, static_cast<int>(query.real()));
            std::vector<cplx> work(static_cast<std::size_t>(lwork));
            zheev_(jobz, "U", &n, matrix.data(), &n, w.data(), work.data(), &lwork, rwork.data(), &info, 1, 1);
            if (info != 0) throw Error("LAPACK zheev failed on the reduced density matrix (info " + std::to_string(info) + ")");
            return w.back();  // ascending order
        };
        std::vector<cplx> values_only = vector ? a : std::vector<cplx>();
        out.value = solve("N", vector ? values_only : a);
        if (vector) (void)solve("V", a);
    }
    std::span<double> value(&out.value, 1);
    comm_.broadcast(value);
    if (vector) {
        // The last column of a: the eigenvector of the largest eigenvalue, to the owners of its entries.
        out.local.resize(count_);
        DFE_MPI(MPI_Scatterv(root ? a.data() + (n_ - 1) * n_ : nullptr, counts_.data(), offsets_.data(),
                             MPI_C_DOUBLE_COMPLEX, out.local.data(), static_cast<int>(count_), MPI_C_DOUBLE_COMPLEX, 0,
                             comm_.get()));
    }
    return out;
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

TopEigenpair HermitianSlab::lambda_iterative(bool vector) const
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
    TopEigenpair out;
    out.value = static_cast<double>(kr);
    if (vector) {
        // The real form's eigenvector (Re v_0, Im v_0, …) is a complex eigenvector of H (the real
        // form's eigenspace of kr is {c v : c ∈ ℂ}); SLEPc returns it with unit 2-norm, the complex norm.
        Vec raw_v = nullptr;
        DFE_PETSC(MatCreateVecs(shell.get(), &raw_v, nullptr));
        PetscVec v(raw_v);
        DFE_PETSC(EPSGetEigenvector(eps.get(), 0, v.get(), nullptr));
        const PetscScalar* values = nullptr;
        DFE_PETSC(VecGetArrayRead(v.get(), &values));
        out.local.resize(count_);
        for (std::size_t c = 0; c < count_; ++c) out.local[c] = cplx(values[2 * c], values[2 * c + 1]);
        DFE_PETSC(VecRestoreArrayRead(v.get(), &values));
    }
    return out;
}

double HermitianSlab::lambda_max(EigenMethod method) const
{
    return method == EigenMethod::dense ? lambda_dense(false).value : lambda_iterative(false).value;
}

TopEigenpair HermitianSlab::top_eigenpair(EigenMethod method) const
{
    return method == EigenMethod::dense ? lambda_dense(true) : lambda_iterative(true);
}

std::vector<double> HermitianSlab::off_diagonal_squares() const
{
    require_logic(data_.size() == n_ * count_, "HermitianSlab: the columns were never filled");
    std::vector<double> out(count_);
    for (std::size_t c = 0; c < count_; ++c) {
        CompensatedSum sum;
        const cplx* column = data_.data() + c * n_;
        for (std::size_t i = 0; i < n_; ++i)
            if (i != first_ + c) sum.add(std::norm(column[i]));
        out[c] = sum.value();
    }
    return out;
}

std::vector<double> HermitianSlab::quadratic_forms(const cplx* x, std::ptrdiff_t ld, std::size_t K,
                                                   std::size_t piece_bytes) const
{
    require_logic(data_.size() == n_ * count_, "HermitianSlab: the columns were never filled");
    std::vector<Share> slabs;
    for (std::size_t r = 0; r < counts_.size(); ++r)
        slabs.push_back(Share{static_cast<std::size_t>(offsets_[r]), static_cast<std::size_t>(counts_[r])});
    return ring_quadratic_forms<cplx>(comm_, slabs, n_, data_.data(), x, ld, K, piece_bytes);
}

}  // namespace dfe
