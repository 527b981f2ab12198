//===- Expression.h - Parameter expressions in model files ------*- C++ -*-===//
//
// Inside a block, a string value that starts with '$' is an expression over
// the block's parameters: "$channels" stands for the parameter's value (of any
// JSON type) and "$planes * 4" or "($width + 1) / 2" for integer arithmetic
// with + - * / % and parentheses.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_EXPRESSION_H
#define CNNC_FRONTENDS_JSON_EXPRESSION_H

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace cnnc::json {

using Json = nlohmann::ordered_json;
using ParamValues = std::map<std::string, Json>;

/// True when `value` is a string that asks for substitution.
bool isExpression(const Json &value);

/// Evaluates one expression; throws ImportError (with `where`) on a syntax
/// error, an unknown parameter, a non-integer operand, division by zero or
/// overflow.
Json evaluateExpression(const std::string &text, const ParamValues &params,
                        const std::string &where);

/// Returns `value` with every expression in it (at any depth) evaluated.
Json substituteExpressions(const Json &value, const ParamValues &params,
                           const std::string &where);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_EXPRESSION_H
