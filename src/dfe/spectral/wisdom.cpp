#include "dfe/spectral/wisdom.hpp"

#include <fftw3-mpi.h>

namespace dfe {

std::string export_wisdom()
{
    std::string text;
    fftw_export_wisdom([](char c, void* out) { static_cast<std::string*>(out)->push_back(c); }, &text);
    return text;
}

bool import_wisdom(const std::string& text)
{
    return text.empty() || fftw_import_wisdom_from_string(text.c_str()) != 0;
}

std::string gather_wisdom(const Comm& comm)
{
    // fftw_mpi_gather_wisdom merges every rank's wisdom into the root's own; the root's store is
    // restored afterwards, so that gathering changes no plan this process makes later.
    const std::string own = export_wisdom();
    fftw_mpi_gather_wisdom(comm.get());
    if (!comm.is_root()) return {};
    std::string merged = export_wisdom();
    fftw_forget_wisdom();
    import_wisdom(own);
    return merged;
}

}  // namespace dfe
