// The one terminology module over the loaded definitions: code systems, ValueSet
// expansion and membership, code lookup, subsumption and ConceptMap $translate. The
// validator's bindings and FHIRPath's memberOf() / subsumes() both ask it, so they
// give the same answers. Each code system, value set and concept map is read once
// into an immutable value that lives as long as the Terminology; after that a lookup
// takes only a shared (reader) lock. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/result.h"
#include "fhir/terminology/code_system.h"
#include "fhir/terminology/concept_map.h"
#include "fhir/terminology/expansion.h"

namespace carebridge::fhir::terminology {

enum class LookupStatus { found, not_found, unknown };

struct Lookup {
  LookupStatus status = LookupStatus::unknown;
  const CodeSystem* code_system = nullptr;  // set when the system is loaded (even partly)
  const Concept* entry = nullptr;           // the concept, when found
  std::string_view display() const { return entry ? entry->display() : std::string_view{}; }
};

// Code systems and value sets a caller holds besides the definitions (those a client stored),
// by canonical URL ("url" or "url|version"); either may be left empty.
struct ExtraSources {
  std::function<const CodeSystem*(std::string_view canonical)> code_system;          // null: none
  std::function<std::optional<std::string>(std::string_view canonical)> value_set;  // its JSON
};

// How code A relates to code B in one code system's hierarchy ($subsumes).
enum class Subsumption { equivalent, subsumes, subsumed_by, not_subsumed, unknown };

class Terminology {
 public:
  explicit Terminology(const definitions::Definitions& definitions);
  ~Terminology();
  Terminology(const Terminology&) = delete;
  Terminology& operator=(const Terminology&) = delete;

  // The code system with this canonical URL ("url" or "url|version"); null when not loaded.
  const CodeSystem* code_system(std::string_view url) const;
  // The value set with this canonical URL, expanded as far as can be done locally; a
  // URL that names only a code system gives its implicit value set. Null when unknown.
  const Expansion* expansion(std::string_view value_set) const;
  // A ValueSet these definitions do not hold (one a client stored), given as JSON: expanded
  // with the code systems and value sets they do hold. Not cached: its content may change.
  Result<Expansion> expand(std::string_view value_set_json) const;
  // The same, where the code systems and value sets it names may also be `extra`'s (the
  // definitions' first); value sets that include each other count as unknown.
  Result<Expansion> expand(std::string_view value_set_json, const ExtraSources& extra) const;
  // The concept map with this canonical URL; null when not loaded.
  const ConceptMap* concept_map(std::string_view url) const;
  // Every concept map the definitions hold (read at the first call).
  const std::vector<const ConceptMap*>& concept_maps() const;

  // A code of a code system: found (with its display), not found (the system is loaded
  // completely and lacks it) or unknown. Ignores case when the system does.
  Lookup lookup(std::string_view system, std::string_view code) const;
  // Whether a Coding is in a value set (see Expansion::contains); unknown when the value set is.
  Membership contains(std::string_view value_set, std::string_view system, std::string_view code) const;
  // Whether a bare code (an element of type code) is in a value set.
  Membership contains_code(std::string_view value_set, std::string_view code) const;
  // How `a` relates to `b` in `system`; unknown unless the system is loaded completely and has both.
  Subsumption subsumes(std::string_view system, std::string_view a, std::string_view b) const;
  // $translate: the targets the concept map gives for a source code (following
  // other-map rules, each map once). Fails when the map is not loaded or no code is given.
  Result<Translation> translate(std::string_view concept_map, const TranslateRequest& request) const;
  // The same with a map these definitions do not hold (one a client stored); its other-map rules
  // follow the maps they do hold.
  Result<Translation> translate(const ConceptMap& map, const TranslateRequest& request) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace carebridge::fhir::terminology
