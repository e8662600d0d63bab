// Runs of ASCII digits in v2 text (dates, counts): whether a text is one, and its value.
#pragma once

#include <algorithm>
#include <string_view>

#include "fhir/validation/oids.h"

namespace carebridge::mappings::hl7v2 {

inline bool digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether `text` is an OID FHIR takes in urn:oid: (0, 1 or 2, then dot-separated numbers
// without leading zeros, naming a registered namespace): a sender's "1", "2.16..840" or
// "1.23" is a local name, not an OID, and written as urn:oid: it would make the whole
// Bundle invalid.
inline bool is_oid(std::string_view text) {
  if (!fhir::validation::names_a_namespace(text)) return false;
  if (text.size() < 3 || text[0] < '0' || text[0] > '2' || text[1] != '.') return false;
  for (size_t start = 2; start <= text.size();) {
    size_t end = std::min(text.find('.', start), text.size());
    std::string_view arc = text.substr(start, end - start);
    if (!digits(arc) || (arc.size() > 1 && arc[0] == '0')) return false;
    start = end + 1;
  }
  return true;
}

// The value of a run of digits (check digits() first; callers bound the length).
inline int number(std::string_view text) {
  int n = 0;
  for (char c : text) n = n * 10 + (c - '0');
  return n;
}

}  // namespace carebridge::mappings::hl7v2
