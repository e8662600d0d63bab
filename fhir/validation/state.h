// Internal to the validator: what it computes once and shares across runs and
// threads: slice lists, expanded value sets, code systems,
// generated profile snapshots and compiled invariants. Every cache is guarded.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/fhirpath/fhirpath.h"

namespace carebridge::fhir::validation {

// A code system loaded from the definitions, reduced to what validation needs.
struct CodeSystemInfo {
  std::string url;
  bool complete = false;        // content = complete: every code is listed
  bool case_sensitive = true;
  std::unordered_map<std::string, std::string> parent;             // code -> parent code (first)
  std::unordered_map<std::string, std::vector<std::string>> children;
  std::unordered_map<std::string, std::unordered_map<std::string, std::string>> properties;
  std::vector<std::string> codes;  // in order
  std::unordered_map<std::string, std::vector<std::string>> displays;  // code -> display and designations
  // When the displays were cut at a length (many end at exactly the longest length): that length, else 0.
  size_t abridged_at = 0;
  bool has(const std::string& code) const { return parent.count(code) > 0; }
};

// A value set expanded locally.
struct Expansion {
  std::string name;
  std::unordered_set<std::string> codes;          // "system|code"
  std::unordered_set<std::string> bare_codes;     // "code" (for elements of type code)
  std::unordered_set<std::string> open_systems;   // any code of these systems is in
  bool complete = true;  // false when some part could not be expanded: be lenient
  bool contains(std::string_view system, std::string_view code) const;
};

// The constraints to evaluate on nodes of one element definition and type: those the
// validator does not check natively, each key once, compiled (null when the engine
// cannot compile it).
struct ConstraintList {
  struct Item {
    const definitions::Constraint* constraint;
    std::shared_ptr<const fhirpath::Expression> expression;
    bool first_failure = false;  // not compiled, and this list is the first to find out
  };
  std::vector<Item> items;
};

struct PointerPairHash {
  size_t operator()(const std::pair<const void*, const void*>& p) const noexcept {
    return std::hash<const void*>{}(p.first) * 31 + std::hash<const void*>{}(p.second);
  }
};

struct ValidatorState {
  explicit ValidatorState(const definitions::Definitions& definitions) : defs(definitions) {}
  const definitions::Definitions& defs;

  // A CodeSystem by URL, or null when not loaded.
  const CodeSystemInfo* code_system(std::string_view url);
  // A ValueSet expanded (null when unknown).
  const Expansion* expansion(std::string_view url);
  // A profile with a snapshot: as loaded, or generated from its base and differential.
  const definitions::StructureDef* profile(std::string_view url);
  // Slices of a sliced element of a profile: element index -> slice element indexes.
  const std::vector<uint32_t>& slices(const definitions::StructureDef& sd, uint32_t element);
  // The urls a complex extension's definition names for its parts (Extension.extension.url).
  const std::unordered_set<std::string>& sub_extensions(const definitions::StructureDef& extension);
  // A fixed or pattern value of a definition, parsed once (null when it is not JSON).
  const rapidjson::Document* value_json(const definitions::TypedJson& value);
  // The constraints of a node with `definition` and (unless in a profile) its type's root,
  // built once per pair. `first` is set when this call built the list.
  const ConstraintList& constraints(const fhirpath::Engine& engine, const definitions::ElementDef* definition,
                                    const definitions::StructureDef* type, bool& first);
  // A compiled constraint (null when the engine cannot compile it; reported once).
  std::shared_ptr<const fhirpath::Expression> invariant(const fhirpath::Engine& engine, const std::string& expression,
                                                        bool& first_failure);

 private:
  std::recursive_mutex mutex_;  // recursive: a value set expansion expands the value sets it includes
  std::unordered_map<std::string, std::unique_ptr<CodeSystemInfo>> code_systems_;
  std::unordered_map<std::string, std::unique_ptr<Expansion>> expansions_;
  std::unordered_map<std::string, std::unique_ptr<definitions::StructureDef>> snapshots_;
  std::unordered_map<const definitions::StructureDef*, std::unordered_map<uint32_t, std::vector<uint32_t>>> slices_;
  std::unordered_map<std::string, std::shared_ptr<const fhirpath::Expression>> invariants_;
  std::unordered_map<std::pair<const void*, const void*>, std::unique_ptr<ConstraintList>, PointerPairHash> constraint_lists_;
  std::unordered_set<std::string> failed_invariants_;
  std::unordered_set<std::string> expanding_;  // guards against value sets including themselves
  std::unordered_map<const definitions::TypedJson*, std::unique_ptr<rapidjson::Document>> values_;
  std::unordered_map<const definitions::StructureDef*, std::unordered_set<std::string>> sub_extensions_;

  std::unique_ptr<CodeSystemInfo> load_code_system(std::string_view url);
  std::unique_ptr<Expansion> expand(std::string_view url);
  std::unique_ptr<definitions::StructureDef> generate_snapshot(const definitions::StructureDef& differential);
};

}  // namespace carebridge::fhir::validation
