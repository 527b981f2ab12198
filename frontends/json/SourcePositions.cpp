//===- SourcePositions.cpp - A model file's text and where its objects are ===//

#include "frontends/json/SourcePositions.h"

#include "frontends/json/ImportError.h"
#include "frontends/json/Limits.h"

#include <algorithm>
#include <iterator>

namespace cnnc::json {

std::string jsonPointerComponent(const std::string &key) {
  std::string escaped;
  for (char c : key)
    escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return escaped;
}

std::optional<std::pair<unsigned, unsigned>>
SourcePositions::find(const std::string &pointer) const {
  auto it = offsets.find(pointer);
  if (it == offsets.end())
    return std::nullopt;
  auto line = std::upper_bound(lineStarts.begin(), lineStarts.end(), it->second) - 1;
  return std::make_pair(unsigned(line - lineStarts.begin() + 1),
                        unsigned(it->second - *line + 1));
}

namespace {

/// Reads the text for nlohmann's parser and remembers how far it has read.
struct TrackingIterator {
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char *;
  using reference = const char &;

  const char *position;
  const char **furthest;

  reference operator*() const { return *position; }
  TrackingIterator &operator++() {
    ++position;
    *furthest = std::max(*furthest, position);
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackingIterator &other) const { return position == other.position; }
  bool operator!=(const TrackingIterator &other) const { return position != other.position; }
};

/// A container being parsed: its pointer, and where its next element goes.
struct Frame {
  bool isArray;
  size_t index;
  std::string key;
  std::string pointer;
};

} // namespace

Json parseModelJson(llvm::StringRef text, SourcePositions &positions) {
  positions.lineStarts = {0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n')
      positions.lineStarts.push_back(i + 1);

  const char *begin = text.data(), *furthest = begin;
  std::vector<Frame> stack;
  auto elementDone = [&] {
    if (!stack.empty() && stack.back().isArray)
      ++stack.back().index;
  };
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, Json &parsed) {
    using Event = nlohmann::json::parse_event_t;
    // The values of a model nest a few levels; far deeper nesting would only
    // exhaust the stack of the recursive code that reads them.
    if (depth > kMaxJsonDepth)
      throw ImportError{"", "JSON values nest more than " +
                                std::to_string(kMaxJsonDepth) + " levels deep"};
    switch (event) {
    case Event::object_start:
    case Event::array_start: {
      std::string pointer;
      if (!stack.empty())
        pointer = stack.back().pointer + "/" +
                  (stack.back().isArray ? std::to_string(stack.back().index)
                                        : jsonPointerComponent(stack.back().key));
      // The parser has just read the opening bracket.
      if (event == Event::object_start)
        positions.offsets[pointer] = size_t(furthest - begin) - 1;
      stack.push_back({event == Event::array_start, 0, "", pointer});
      break;
    }
    case Event::key:
      stack.back().key = parsed.get<std::string>();
      break;
    case Event::object_end:
    case Event::array_end:
      stack.pop_back();
      elementDone();
      break;
    case Event::value:
      elementDone();
      break;
    }
    return true;
  };
  try {
    return Json::parse(TrackingIterator{begin, &furthest},
                       TrackingIterator{begin + text.size(), &furthest}, callback);
  } catch (const nlohmann::json::parse_error &error) {
    // nlohmann reports the byte just past the problem (1-based).
    size_t offset = std::min<size_t>(error.byte ? error.byte - 1 : 0, text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = error.what();
    // Keep nlohmann's explanation, without its own "[json.exception...] parse
    // error at line L, column C: " preamble.
    size_t colon = what.find(": ");
    if (colon != std::string::npos)
      what = what.substr(colon + 2);
    throw ImportError{"", "invalid JSON: " + what, line, column};
  }
}

} // namespace cnnc::json
