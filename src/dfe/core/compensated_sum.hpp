#pragma once
/**
 * @file compensated_sum.hpp
 * @brief Neumaier's compensated summation: the error of the sum is about one rounding of the total
 * (plus n·eps² relative), whatever the number n of terms, where a plain loop's grows like √n·eps
 * typically and n·eps at worst. The reductions sum up to ~10⁸ squares per output (purity of an
 * N^d × N^d matrix, fact_defect of an n^d × n^d one), where a plain loop loses ~1e-13.
 */
#include <cmath>

namespace dfe {

class CompensatedSum {
public:
    void add(double x)
    {
        const double t = sum_ + x;
        // The low-order bits lost by the addition, from whichever operand is the larger.
        correction_ += std::abs(sum_) >= std::abs(x) ? (sum_ - t) + x : (x - t) + sum_;
        sum_ = t;
    }
    [[nodiscard]] double value() const { return sum_ + correction_; }

private:
    double sum_ = 0.0;
    double correction_ = 0.0;
};

}  // namespace dfe
