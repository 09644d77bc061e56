#pragma once
/**
 * @file table.hpp
 * @brief A small table of named columns, numbers or words: how verdicts.csv and the table groups of
 * run.h5 (/verdicts, /hypotheses) are handed to their writers.
 */
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dfe {

/** @brief One column of a table group of run.h5: numbers (float64) or words (fixed-length strings). */
struct TableColumn {
    TableColumn(std::string n, std::vector<double> v) : name(std::move(n)), values(std::move(v)) {}
    TableColumn(std::string n, std::vector<std::string> v) : name(std::move(n)), values(std::move(v)) {}
    std::string name;
    std::variant<std::vector<double>, std::vector<std::string>> values;
};

}  // namespace dfe
