// Internal to the validator: what it computes once and shares across runs and
// threads: slice lists, generated profile snapshots and compiled invariants (every
// cache is guarded), and the terminology (fhir/terminology) that answers bindings.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/fhirpath/fhirpath.h"
#include "fhir/terminology/terminology.h"
#include "fhir/terminology/ucum.h"

namespace carebridge::fhir::validation {

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
  // `shared` is the FHIRPath engine's terminology when there is one (both then give the
  // same answers from one cache); without it the state keeps its own.
  ValidatorState(const definitions::Definitions& definitions, const terminology::Terminology* shared);
  const definitions::Definitions& defs;

  // Code systems, value set expansions and lookups.
  const terminology::Terminology& terminology() const { return *terminology_; }
  // The UCUM table beside the core definitions (read on first use); null without one.
  const terminology::Ucum* ucum();
  // A profile with a snapshot: as loaded, or generated from its base and differential.
  const definitions::StructureDef* profile(std::string_view url);
  // What gives the children of an element of one type: the profile it names for it, else the type.
  const definitions::StructureDef* type_shape(const definitions::ElementDef& element);
  // Slices of a sliced element of a profile: element index -> slice element indexes.
  const std::vector<uint32_t>& slices(const definitions::StructureDef& sd, uint32_t element);
  // Why the slicing of `sd`'s element cannot be evaluated ("" when it can): `work`'s answer,
  // worked out once per element (it depends on the profile alone, not on the instance).
  const std::string& undecidable_slicing(const definitions::StructureDef& sd, uint32_t element,
                                         const std::function<std::string()>& work);
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
  std::recursive_mutex mutex_;  // recursive: a profile's snapshot is generated from its base's
  std::unordered_map<std::string, std::unique_ptr<definitions::StructureDef>> snapshots_;
  std::unordered_map<const definitions::StructureDef*, std::unordered_map<uint32_t, std::vector<uint32_t>>> slices_;
  std::map<std::pair<const definitions::StructureDef*, uint32_t>, std::string> undecidable_;
  std::unordered_map<std::string, std::shared_ptr<const fhirpath::Expression>> invariants_;
  std::unordered_map<std::pair<const void*, const void*>, std::unique_ptr<ConstraintList>, PointerPairHash> constraint_lists_;
  std::unordered_set<std::string> failed_invariants_;
  std::unordered_set<std::string> expanding_;  // guards against profiles based on themselves
  std::unordered_map<const definitions::TypedJson*, std::unique_ptr<rapidjson::Document>> values_;
  std::unordered_map<const definitions::StructureDef*, std::unordered_set<std::string>> sub_extensions_;
  std::unique_ptr<terminology::Terminology> own_terminology_;  // when no engine's is shared
  std::once_flag ucum_once_;
  std::unique_ptr<terminology::Ucum> ucum_;
  const terminology::Terminology* terminology_;

  std::unique_ptr<definitions::StructureDef> generate_snapshot(const definitions::StructureDef& differential);
};

}  // namespace carebridge::fhir::validation
