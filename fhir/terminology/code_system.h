// A CodeSystem reduced to what terminology needs: its codes in order, their
// displays and designations, properties, the hierarchy (nested concepts and the
// parent / subsumedBy / child properties), case sensitivity and how much of the
// system the resource holds (CodeSystem.content).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/result.h"

namespace carebridge::fhir::terminology {

using definitions::StringMap;
using StringSet = std::unordered_set<std::string, definitions::StringHash, std::equal_to<>>;

// CodeSystem.content: how much of the code system the resource lists.
enum class Content { not_present, example, fragment, complete, supplement };

// A designation of a concept (CodeSystem.concept.designation): its language, use and text.
struct Designation {
  std::string language, use_system, use_code, use_display, value;
};

struct Concept {
  std::string code;
  std::vector<std::string> displays;                            // the display first (when any), then designations
  std::vector<std::pair<std::string, std::string>> properties;  // property code -> value as text (a Coding: its code)
  std::vector<uint32_t> parents, children;                      // indexes into CodeSystem::concepts
  std::vector<Designation> designations;
  bool has_display = false;  // displays.front() is the display, not a designation

  std::string_view display() const { return has_display ? std::string_view(displays.front()) : std::string_view{}; }
  // Not for use (concept-properties: status retired or inactive, or inactive true).
  bool inactive() const;
  // Not to be chosen itself, only its descendants (concept-properties: notSelectable true).
  bool abstract() const;
};

struct CodeSystem {
  static constexpr uint32_t kNone = UINT32_MAX;

  std::string url;
  std::string version;
  std::string name;
  Content content = Content::not_present;
  bool case_sensitive = true;
  std::vector<Concept> concepts;  // in the order the resource lists them
  StringMap<uint32_t> index;      // code -> concept
  StringMap<uint32_t> folded;     // lower-case code -> concept, when not case-sensitive
  // property code -> the value[x] member its values are given in ("valueInteger", ...), as first read
  StringMap<std::string> property_types;
  // When the displays were cut at a length (many end at exactly the longest length): that length, else 0.
  size_t abridged_at = 0;

  // Every code of the system is listed: a code not listed is not a code of it.
  bool complete() const { return content == Content::complete && !concepts.empty(); }
  // The concept with this code (ignoring case when the system is not case-sensitive), or kNone.
  uint32_t find(std::string_view code) const;
  const Concept* concept_of(std::string_view code) const;
  // `code` and everything below it (self: include `code` itself); cycles are followed once.
  std::vector<bool> descendants(uint32_t code, bool self) const;
  // `code` and everything above it (self: include `code` itself).
  std::vector<bool> ancestors(uint32_t code, bool self) const;
};

// How a display given for `found` compares with the code system's: one of its displays
// (ignoring case only, as the reference validator's equalsIgnoreCase), one but for its
// whitespace, perhaps right where the system's displays are cut short (abridged_at), or wrong.
// Nothing to compare (no display given, or none known): same.
enum class DisplayMatch { same, whitespace, cut_short, wrong };
DisplayMatch compare_display(const CodeSystem& cs, const Concept& found, std::string_view display);

// Reads a CodeSystem resource from its JSON text.
Result<CodeSystem> read_code_system(std::string_view json_text);

}  // namespace carebridge::fhir::terminology
