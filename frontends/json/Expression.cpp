//===- Expression.cpp - Parameter expressions in model files --------------===//

#include "frontends/json/Expression.h"

#include "frontends/json/ImportError.h"

#include <cctype>
#include <cstdint>

namespace cnnc::json {

namespace {

/// Recursive-descent evaluator over 64-bit integers:
///   expr   := term (('+' | '-') term)*
///   term   := factor (('*' | '/' | '%') factor)*
///   factor := integer | '$' name | '(' expr ')' | '-' factor
class Evaluator {
public:
  Evaluator(const std::string &text, const ParamValues &params,
            const std::string &where)
      : text(text), params(params), where(where) {}

  int64_t run() {
    int64_t value = expr();
    skipSpace();
    if (pos != text.size())
      fail("unexpected '" + std::string(1, text[pos]) + "'");
    return value;
  }

private:
  [[noreturn]] void fail(const std::string &why) const {
    throw ImportError{where, "in expression \"" + text + "\": " + why};
  }

  void skipSpace() {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }

  bool accept(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }

  int64_t checked(bool overflowed, int64_t value) const {
    if (overflowed)
      fail("the result does not fit in a 64-bit integer");
    return value;
  }

  int64_t expr() {
    int64_t value = term();
    while (true) {
      int64_t rhs, result;
      if (accept('+')) {
        rhs = term();
        value = checked(__builtin_add_overflow(value, rhs, &result), result);
      } else if (accept('-')) {
        rhs = term();
        value = checked(__builtin_sub_overflow(value, rhs, &result), result);
      } else {
        return value;
      }
    }
  }

  int64_t term() {
    int64_t value = factor();
    while (true) {
      char op = 0;
      for (char c : {'*', '/', '%'})
        if (!op && accept(c))
          op = c;
      if (!op)
        return value;
      int64_t rhs = factor(), result;
      if (op == '*') {
        value = checked(__builtin_mul_overflow(value, rhs, &result), result);
        continue;
      }
      if (rhs == 0)
        fail("division by zero");
      if (value == INT64_MIN && rhs == -1)
        fail("the result does not fit in a 64-bit integer");
      value = op == '/' ? value / rhs : value % rhs;
    }
  }

  int64_t factor() {
    skipSpace();
    if (accept('(')) {
      int64_t value = expr();
      if (!accept(')'))
        fail("missing ')'");
      return value;
    }
    if (accept('-')) {
      int64_t value = factor(), result;
      return checked(__builtin_sub_overflow(int64_t(0), value, &result), result);
    }
    if (accept('$'))
      return parameter();
    if (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      int64_t value = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        int64_t result;
        value = checked(__builtin_mul_overflow(value, int64_t(10), &result), result);
        value = checked(__builtin_add_overflow(value, int64_t(text[pos] - '0'), &result), result);
        ++pos;
      }
      return value;
    }
    fail(pos < text.size() ? "unexpected '" + std::string(1, text[pos]) + "'"
                           : std::string("unexpected end"));
  }

  int64_t parameter() {
    size_t start = pos;
    while (pos < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
      ++pos;
    std::string name = text.substr(start, pos - start);
    if (name.empty())
      fail("expected a parameter name after '$'");
    auto it = params.find(name);
    if (it == params.end())
      fail("unknown parameter '" + name + "'" + knownParameters());
    if (!it->second.is_number_integer())
      fail("parameter '" + name + "' is " + describeValue(it->second) +
           ", not an integer");
    return it->second.get<int64_t>();
  }

  std::string knownParameters() const {
    if (params.empty())
      return " (no parameters are defined here)";
    std::string names;
    for (const auto &[name, value] : params)
      names += (names.empty() ? "" : ", ") + name;
    return " (parameters here: " + names + ")";
  }

  const std::string &text;
  const ParamValues &params;
  const std::string &where;
  size_t pos = 0;
};

/// "$name" alone: the parameter's value, whatever its type.
bool isLoneParameter(const std::string &text, std::string &name) {
  if (text.size() < 2 || text[0] != '$')
    return false;
  for (size_t i = 1; i < text.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(text[i])) && text[i] != '_')
      return false;
  name = text.substr(1);
  return true;
}

} // namespace

bool isExpression(const Json &value) {
  if (!value.is_string())
    return false;
  const std::string &text = value.get_ref<const std::string &>();
  // "$planes * 4", and "($width + 1) / 2" or "-$shift" as the format's
  // documentation writes them; other strings ("nearest") are values.
  return !text.empty() &&
         (text[0] == '$' ||
          ((text[0] == '(' || text[0] == '-') && text.find('$') != std::string::npos));
}

Json evaluateExpression(const std::string &text, const ParamValues &params,
                        const std::string &where) {
  std::string name;
  if (isLoneParameter(text, name)) {
    auto it = params.find(name);
    if (it != params.end())
      return it->second;
  }
  return Evaluator(text, params, where).run();
}

Json substituteExpressions(const Json &value, const ParamValues &params,
                           const std::string &where) {
  if (isExpression(value))
    return evaluateExpression(value.get<std::string>(), params, where);
  if (value.is_array() || value.is_object()) {
    Json result = value;
    for (auto &element : result)
      element = substituteExpressions(element, params, where);
    return result;
  }
  return value;
}

} // namespace cnnc::json
