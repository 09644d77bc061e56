#include "dfe/core/weighted_spread.hpp"

#include "dfe/core/compensated_sum.hpp"
#include "dfe/core/error.hpp"

#include <cmath>
#include <functional>
#include <limits>

namespace dfe {

double sum_squared_shares(std::span<const double> w)
{
    CompensatedSum total, squares;
    for (double v : w) total.add(v);
    for (double v : w) squares.add((v / total.value()) * (v / total.value()));
    return squares.value();
}

namespace {

/// The two passes, with `reduce` summing partial sums over the ranks (or not at all).
std::vector<Spread> spread_with(const std::function<void(std::vector<double>&)>& reduce, std::span<const double> w,
                                std::span<const double> x, std::size_t K, double shares)
{
    require_logic(x.size() == w.size() * K, "weighted_spread: K values per weight");
    const std::size_t n = w.size();
    // Pass 1: Σw and Σ w x_k.
    std::vector<CompensatedSum> first(K + 1);
    for (std::size_t j = 0; j < n; ++j) {
        first[K].add(w[j]);
        for (std::size_t k = 0; k < K; ++k) first[k].add(w[j] * x[j * K + k]);
    }
    std::vector<double> sums(K + 1);
    for (std::size_t k = 0; k <= K; ++k) sums[k] = first[k].value();
    reduce(sums);
    const double total = sums[K];
    std::vector<Spread> out(K);
    for (std::size_t k = 0; k < K; ++k) out[k].mean = sums[k] / total;
    // Pass 2: Σ w (x_k − x̄_k)².
    std::vector<CompensatedSum> second(K);
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < K; ++k) {
            const double dev = x[j * K + k] - out[k].mean;
            second[k].add(w[j] * dev * dev);
        }
    std::vector<double> squares(K);
    for (std::size_t k = 0; k < K; ++k) squares[k] = second[k].value();
    reduce(squares);
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t k = 0; k < K; ++k) {
        const double s2 = squares[k] / total / (1.0 - shares);
        out[k].stderr = shares < 1.0 && std::isfinite(s2) ? std::sqrt(shares * s2) : nan;
    }
    return out;
}

}  // namespace

std::vector<Spread> weighted_spread(const Comm& comm, std::span<const double> w, std::span<const double> x,
                                    std::size_t K, double shares)
{
    return spread_with([&](std::vector<double>& v) { comm.sum_in_place(v); }, w, x, K, shares);
}

std::vector<Spread> weighted_spread(std::span<const double> w, std::span<const double> x, std::size_t K, double shares)
{
    return spread_with([](std::vector<double>&) {}, w, x, K, shares);
}

}  // namespace dfe
