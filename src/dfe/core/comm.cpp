#include "dfe/core/comm.hpp"

#include "dfe/core/error.hpp"

#include <utility>

namespace dfe {

Comm::Comm(MPI_Comm parent)
{
    MPI_Comm dup = MPI_COMM_NULL;
    DFE_MPI(MPI_Comm_dup(parent, &dup));
    *this = Comm(dup, Adopt{});
}

Comm::Comm(MPI_Comm owned, Adopt) : comm_(owned)
{
    DFE_MPI(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
    DFE_MPI(MPI_Comm_rank(comm_, &rank_));
    DFE_MPI(MPI_Comm_size(comm_, &size_));
}

Comm::~Comm()
{
    // An exception in flight ends the run through MPI_Abort (comm.hpp, "Failures"): the other ranks
    // are not freeing this communicator with us.
    if (unwinding_.now()) return;
    reset();
}

Comm::Comm(Comm&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)), rank_(other.rank_), size_(other.size_)
{
}

Comm& Comm::operator=(Comm&& other) noexcept
{
    if (this != &other) {
        reset();
        comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
        rank_ = other.rank_;
        size_ = other.size_;
    }
    return *this;
}

void Comm::reset() noexcept
{
    // A destructor never throws; MPI_Comm_free can only fail after MPI_Finalize, which would be a
    // lifetime bug of the caller that no exception could repair.
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
    comm_ = MPI_COMM_NULL;
}

Comm Comm::split(int color, int key) const
{
    MPI_Comm out = MPI_COMM_NULL;
    DFE_MPI(MPI_Comm_split(comm_, color, key, &out));
    return Comm(out, Adopt{});
}

double Comm::sum(double value) const
{
    double out = 0.0;
    DFE_MPI(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_SUM, comm_));
    return out;
}

void Comm::sum_in_place(std::span<double> values) const
{
    DFE_MPI(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE,
                          MPI_SUM, comm_));
}

double Comm::max(double value) const
{
    double out = 0.0;
    DFE_MPI(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm_));
    return out;
}

long long Comm::min(long long value) const
{
    long long out = 0;
    DFE_MPI(MPI_Allreduce(&value, &out, 1, MPI_LONG_LONG, MPI_MIN, comm_));
    return out;
}

bool Comm::all(bool value) const
{
    int in = value ? 1 : 0;
    int out = 0;
    DFE_MPI(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, comm_));
    return out != 0;
}

void Comm::broadcast(std::span<double> values, int root) const
{
    DFE_MPI(MPI_Bcast(values.data(), static_cast<int>(values.size()), MPI_DOUBLE, root, comm_));
}

void Comm::barrier() const { DFE_MPI(MPI_Barrier(comm_)); }

void agree_on_input_error(const Comm& comm, const std::optional<std::string>& message)
{
    int mine = message ? comm.rank() : comm.size();
    int first = comm.size();
    DFE_MPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm.get()));
    if (first == comm.size()) return;
    int length = message && first == comm.rank() ? static_cast<int>(message->size()) : 0;
    DFE_MPI(MPI_Bcast(&length, 1, MPI_INT, first, comm.get()));
    std::string text = first == comm.rank() ? *message : std::string(static_cast<std::size_t>(length), ' ');
    DFE_MPI(MPI_Bcast(text.data(), length, MPI_CHAR, first, comm.get()));
    throw InputError(text);
}

}  // namespace dfe
