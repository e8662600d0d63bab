// The rows a resource contributes to the search index: one per value of each
// SearchParameter of its type, in the kinds the store keeps apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace carebridge::fhir::search {

// Which kind of search value an index row holds (the store keeps each kind apart).
enum class IndexKind : uint8_t {
  String,     // text and norm (string parameters)
  Token,      // system, code and the display folded into norm (tokens, reference identifiers)
  Reference,  // code "Type/id" (or the reference as written) and text as written
  Range,      // low and high, with code and system for quantities (dates, numbers, quantities)
  Uri,        // text as written
};

// In a token row's norm, what follows this is the text of the CodeableConcept the
// coding is part of (after the coding's own display).
inline constexpr char kTextSeparator = '\x1f';
// The code of a position's row (Location `near`): a range row whose low is the latitude
// and high the longitude, in degrees.
inline constexpr std::string_view kPositionCode = "position";

// One search-index row of a resource: a value of one SearchParameter.
struct IndexEntry {
  IndexKind kind = IndexKind::String;
  std::string param;   // SearchParameter code: "name", "subject", "_profile"
  std::string system;  // token and quantity system
  std::string code;    // token code, quantity unit code, reference target "Type/id"
  std::string text;    // as written: string value, token display, uri, reference
  std::string norm;    // string values folded for matching (lower case, no accents)
  std::optional<double> low, high;  // number, quantity and date ranges (dates in epoch seconds)
};

}  // namespace carebridge::fhir::search
