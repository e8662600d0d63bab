// Runs of ASCII digits in v2 text (dates, counts): whether a text is one, and its value.
#pragma once

#include <algorithm>
#include <string_view>

namespace carebridge::mappings::hl7v2 {

inline bool digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The value of a run of digits (check digits() first; callers bound the length).
inline int number(std::string_view text) {
  int n = 0;
  for (char c : text) n = n * 10 + (c - '0');
  return n;
}

}  // namespace carebridge::mappings::hl7v2
