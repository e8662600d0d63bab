// ConceptMap (R4) and $translate as a library function: a source code of a system
// to the target codes the map's groups give (group.element.target with their
// equivalence), and, when a group has no element for the code, its `unmapped` rule
// (provided: the code itself; fixed: the group's fixed code; other-map: another map).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/terminology/code_system.h"

namespace carebridge::fhir::terminology {

// dependsOn and product of a target: another element's value the mapping depends on or produces.
struct MapDependency {
  std::string property, system, value, display;
};

struct ConceptMap {
  struct Target {
    std::string code, display;
    std::string equivalence;  // R4 ConceptMapEquivalence: equivalent, equal, wider, ..., unmatched, disjoint
    std::string comment;
    std::vector<MapDependency> depends_on, product;
  };
  struct Element {
    std::string code, display;
    std::vector<Target> targets;
  };
  enum class Unmapped { none, provided, fixed, other_map };
  struct Group {
    std::string source, target;  // code system canonicals (versions apart); empty: not said
    std::vector<Element> elements;
    StringMap<std::vector<uint32_t>> by_code;  // source code -> elements
    Unmapped unmapped = Unmapped::none;
    std::string unmapped_code, unmapped_display, unmapped_url;
  };
  std::string url, version, name;
  std::vector<Group> groups;
};

// Reads a ConceptMap resource from its JSON text.
Result<ConceptMap> read_concept_map(std::string_view json_text);

// The map read backwards ($translate's reverse): each group from its target to its source, each
// target code mapped to the source codes that gave it, with the equivalence seen from the other
// side (wider and narrower, subsumes and specializes swap); no unmapped rules.
ConceptMap reversed(const ConceptMap& map);

struct TranslateRequest {
  std::string_view system;         // the source code's system (empty: any group)
  std::string_view code;           // the source code
  std::string_view target_system;  // only groups mapping to this system (empty: any)
};

struct TranslationMatch {
  std::string system, code, display;  // the target concept (system: the group's target)
  // ConceptMapEquivalence of the target. R4 gives none for the unmapped rule: we say
  // "equal" for `provided` (the code is used as it is) and "inexact" for `fixed`.
  std::string equivalence;
  std::string comment;
  std::vector<MapDependency> depends_on, product;
  std::string source;                                          // the url of the ConceptMap that gave this match
  ConceptMap::Unmapped unmapped = ConceptMap::Unmapped::none;  // which unmapped rule gave it (none: an element)
};

struct Translation {
  // Some match maps the code (an equivalence other than unmatched or disjoint), as $translate's `result`.
  bool result = false;
  std::vector<TranslationMatch> matches;
};

}  // namespace carebridge::fhir::terminology
