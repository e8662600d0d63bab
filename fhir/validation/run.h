// Internal to the validator: one validation run (the resource being checked, where
// we are in it, the issues found so far) and the passes it is made of. Each pass
// lives in its own file; validator.cpp walks the tree and calls them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fhir/validation/rest_url.h"
#include "fhir/validation/state.h"
#include "fhir/validation/validator.h"

namespace carebridge::fhir::validation {

using model::Element;
using model::Severity;

// A FHIRPath location built on the stack while walking; turned into text only
// when an issue is reported, so walking a large Bundle stays linear.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;
  int index = -1;  // position among repeats, -1 when the element does not repeat
  std::string text() const;
};

// One entry of a Bundle, as the index keeps it.
struct BundleEntry {
  const Element* entry = nullptr;
  const Element* resource = nullptr;  // may be null (a delete in a transaction)
  std::string_view full_url;          // empty when the entry has none
  std::string_view version;           // resource.meta.versionId
};

// The index of one Bundle, built once when the Bundle is entered (bundles.cpp): entries by
// fullUrl (and fullUrl/_history/version) and by Type/id (and Type/id/_history/version).
struct BundleIndex {
  const Element* bundle = nullptr;
  std::string_view type;  // Bundle.type
  std::vector<BundleEntry> entries;
  std::unordered_map<std::string, std::vector<uint32_t>> by_full_url;
  std::unordered_map<std::string, std::vector<uint32_t>> by_type_id;
  const std::vector<uint32_t>* full_url(const std::string& url) const;
  const std::vector<uint32_t>* type_id(const std::string& key) const;
};

// The "#x" targets of a resource (fragments.cpp): element ids, narrative ids, <a name> anchors.
struct FragmentIndex {
  std::unordered_map<std::string, int> ids;        // element and resource ids
  std::unordered_map<std::string, int> xhtml_ids;  // id attributes in narratives
  std::unordered_map<std::string, int> anchors;    // <a name="x">
  int targets(const std::string& fragment, bool anchors_too) const;
};

// Where the walk is: the resource, its container (for "#id") and Bundle context.
struct Frame {
  const Element* resource = nullptr;
  const Element* container = nullptr;        // the resource whose contained[] "#id" refers to
  std::unordered_set<std::string>* referenced = nullptr;  // "#id" values seen in the container
  const BundleIndex* bundle = nullptr;
  const Element* entry = nullptr;            // the Bundle entry holding the resource
  std::string_view full_url;                 // fullUrl of that entry (empty: none)
};

class Run {
 public:
  Run(const definitions::Definitions& definitions, const fhirpath::Engine* fhirpath_engine, ValidatorState& shared,
      const Options& run_options, std::vector<model::Issue>& issues)
      : defs(definitions), engine(fhirpath_engine), state(shared), options(run_options), issues_(issues) {}

  const definitions::Definitions& defs;
  const fhirpath::Engine* engine;
  ValidatorState& state;
  const Options& options;
  Frame frame;

  void report(Severity severity, std::string code, std::string message, const Element& at, const Path& path);
  // The severity of a finding the ingest policy tolerates: an error when strict, a warning when ingesting.
  Severity tolerable() const { return options.policy == Policy::Ingest ? Severity::Warning : Severity::Error; }
  // The same, and a warning too for a converter's output (Options::sender_coded): what the
  // sender coded (a mistyped code, an unusual code system name) is kept, not refused.
  bool sender_tolerated() const { return options.policy == Policy::Ingest || options.sender_coded; }
  Severity sender_tolerable() const { return sender_tolerated() ? Severity::Warning : Severity::Error; }
  void report(Severity severity, std::string code, std::string message, const Element& at, const std::string& path);
  size_t issue_count() const { return issues_.size(); }
  size_t error_count_since(size_t start) const;
  std::vector<model::Issue>& issues() { return issues_; }

  // Validates a resource and everything in it (base definitions, rules, profiles).
  void resource(const Element& resource, const Path& path);
  // How many "#fragment" targets `root` has (anchors_too: also <a name>); when none and
  // `whole_bundle`, how many the enclosing Bundle has.
  int link_targets(const Element* root, std::string_view fragment, bool anchors_too, bool whole_bundle);
  // The constraints of a (definition, type) pair, asked of the shared state once per run:
  // every node asks, and the state's answer needs its lock. `first` as the state sets it.
  const ConstraintList& constraints(const definitions::ElementDef* definition, const definitions::StructureDef* type,
                                    bool& first);

  // The types a Reference element may point to (its target profiles' types), found once
  // per definition and run: every Reference asks. `any` when one profile allows all types.
  struct ReferenceTargets {
    bool any = false;
    std::vector<std::string_view> types;
  };
  const ReferenceTargets& reference_targets(const definitions::ElementDef& definition);
  // The type each Reference checked in the base pass points to (its `type`, the contained
  // or Bundle resource it resolves to, or its URL's), for the profiles' narrower targets.
  std::unordered_map<const Element*, std::string_view> referenced_types;
  // The contained or Bundle resource each Reference checked in the base pass resolves to.
  std::unordered_map<const Element*, const Element*> referenced_resources;
  // Conformance resources the definitions hold, read from their JSON once a run: "Type|canonical"
  // -> the document (null when none is known), as every MeasureReport of a Bundle names its Measure.
  std::unordered_map<std::string, std::unique_ptr<model::Document>> known_documents;
  // Whether `resource` conforms to `profile` (no error against it), found once per pair and
  // run: the resources a Bundle's references resolve to are checked against the profiles
  // their elements name, and many references point to one Patient.
  bool conforms(const Element& resource, const definitions::StructureDef& profile);
  // What a Coding.system names, found once per system and run: codings repeat few systems,
  // and each look-up hashes the url in several tables.
  struct SystemInfo {
    bool value_set_only = false;    // the url of a ValueSet and of no CodeSystem
    bool code_system_only = false;  // the url of a CodeSystem and of no ValueSet
    const terminology::CodeSystem* code_system = nullptr;  // null when not loaded
  };
  const SystemInfo& system_info(std::string_view system);
  // The expansion of a binding's value set (null when unknown), asked of the terminology
  // once per binding and run: every coded node asks, and the terminology hashes the url.
  const terminology::Expansion* expansion(const definitions::Binding& binding);

 private:
  std::vector<model::Issue>& issues_;
  std::unordered_map<const Element*, std::unique_ptr<FragmentIndex>> fragments_;
  std::unordered_map<std::pair<const void*, const void*>, const ConstraintList*, PointerPairHash> constraint_lists_;
  std::unordered_map<const definitions::ElementDef*, ReferenceTargets> reference_targets_;
  std::unordered_map<std::string_view, SystemInfo> systems_;  // views into the resource being validated
  std::unordered_map<const definitions::Binding*, const terminology::Expansion*> expansions_;
  std::unordered_map<std::pair<const void*, const void*>, bool, PointerPairHash> conformance_;
  const FragmentIndex& fragments(const Element& root);
  void walk(const Element& node, const Path& path);
  void children(const Element& node, const Path& path);
};

// primitives.cpp: the value of a primitive against the rules of its type.
void check_primitive(Run& run, const Element& node, const Path& path);
// terminology.cpp: codes against a binding, and against their CodeSystem.
void check_binding(Run& run, const Element& node, const definitions::Binding& binding, const Path& path);
void check_coding_system(Run& run, const Element& coding, const Path& path);
// A Quantity (Age, Count, Distance, Duration, ...) whose system is UCUM has a UCUM code.
void check_quantity_code(Run& run, const Element& quantity, const Path& path);
// The name of a Coding's system (systems.cpp); false when it was reported as misnamed.
bool check_system_name(Run& run, const Element& coding, std::string_view system, const Path& path);
// An Identifier's system, and its value when the system says it is a URI.
void check_identifier(Run& run, const Element& identifier, const Path& path);
// periods.cpp: per-1, start not after end, compared at the lower precision.
void check_period(Run& run, const Element& period, const Path& path);
// attachments.cpp: an Attachment's size and hash against its inline data.
void check_attachment(Run& run, const Element& attachment, const Path& path);
// narrative.cpp: an XHTML narrative div.
void check_narrative(Run& run, const Element& div, const Path& path);
// extensions.cpp: an extension or modifierExtension element.
void check_extension(Run& run, const Element& extension, const Path& path);
// references.cpp: a Reference element; contained resources of a resource.
void check_reference(Run& run, const Element& reference, const Path& path);
// The contained or Bundle resource `reference` resolves to, resolving it now (quietly) when the
// walk has not reached it yet; null when it resolves to none.
const Element* resolved_resource(Run& run, const Element& reference, const Path& path);
void note_local_reference(Run& run, const Element& node, const Path& path);
void check_contained(Run& run, const Element& resource, const Path& path);
// bundles.cpp: the index of a Bundle and its rules.
void index_bundle(const Element& bundle, BundleIndex& index);
void check_bundle(Run& run, const Element& bundle, const BundleIndex& index, const Path& path);
// bundle_search.cpp: search result Bundles.
void check_search_results(Run& run, const Element& bundle, const BundleIndex& index, const Path& path);
// bundle_documents.cpp: documents and messages refer to what they carry, and every entry is reachable.
void check_bundle_links(Run& run, const BundleIndex& index, const Path& path);
// bundle_references.cpp: a reference inside a Bundle entry, resolved as the reference validator does
// (null when it does not resolve in the Bundle; problems are reported).
const Element* resolve_in_bundle(Run& run, std::string_view ref, const Element& at, const Path& ref_path);
// A profile's element allows fewer targets than the base (US Core's subject: a Patient):
// the type the base pass found the Reference to point to must be one of them.
void check_profile_reference(Run& run, const Element& reference, const definitions::ElementDef& profiled, const Path& path);
// profiles.cpp: a node against an element of a (profile) StructureDefinition.
void check_against(Run& run, const Element& node, const definitions::StructureDef& sd, uint32_t element,
                   const Path& path);
void check_profiles(Run& run, const Element& resource, const Path& path);
// The profiles element `e` names for the node's type (type.profile): an unknown one is an
// error; of several, the node conforms to one. `owner` (the profile `e` is from) is skipped.
void check_type_profiles(Run& run, const Element& node, const definitions::ElementDef& e,
                         const definitions::StructureDef* owner, const Path& path);
// values.cpp: whether an element matches a fixed (exact) or pattern (subset) JSON value.
bool matches_value(ValidatorState& state, const Element& node, const definitions::TypedJson& value, bool exact);
// values.cpp: whether the pattern (or fixed value) `value` has a part at `path` (child names
// from it: "system" in a patternIdentifier); and whether `node` matches one such part as a
// pattern. A slice written with patternIdentifier {system} and discriminated by "system"
// tells items apart by it.
bool has_part(ValidatorState& state, const definitions::TypedJson& value, const std::vector<std::string_view>& path);
bool matches_part(ValidatorState& state, const Element& node, const definitions::TypedJson& value,
                  const std::vector<std::string_view>& path);
// values.cpp: maxLength, minValue[x] and maxValue[x] of `e` on a primitive node (`of`: whose
// element it is, for the message: "per the profile ...", or empty for the core definitions).
void check_limits(Run& run, const Element& node, const definitions::ElementDef& e, const std::string& of, const Path& path);
// resource_rules.cpp: rules of particular resource types (CapabilityStatement, SearchParameter, Questionnaire).
void check_resource_rules(Run& run, const Element& resource, const Path& path);
// A constraining StructureDefinition's differential against its base (differentials.cpp).
void check_differential(Run& run, const Element& sd, const Path& path);
// Other rules of a constraining StructureDefinition: kind, extension url, binding targets, type profiles.
void check_structure_definition(Run& run, const Element& sd, const Path& path);
// questionnaire_responses.cpp: a QuestionnaireResponse against its Questionnaire, when found.
void check_questionnaire_response(Run& run, const Element& response, const Path& path);
// search_expressions.cpp: a SearchParameter's expression compiles and fits its bases.
void check_search_expression(Run& run, const Element& search_parameter, const Path& path);
// invariants.cpp: FHIRPath constraints of a node's definition and type.
void check_invariants(Run& run, const Element& node, const definitions::ElementDef* definition,
                      const definitions::StructureDef* type, const Path& path);

// value_set_filters.cpp: compose filters of a ValueSet on a code system we have.
void check_value_set_filters(Run& run, const Element& value_set, const Path& path);

// Helpers shared by passes.
const Element* child_named(const Element& node, std::string_view name);
// Calls f(child, its path) for each child of `node` called `name`.
template <typename F>
void each_named(const Element& node, std::string_view name, const Path& path, F&& f) {
  int i = 0;
  for (const Element* c : node.children()) {
    if (c->name != name) continue;
    Path p{&path, name, c->repeats() ? i : -1};
    ++i;
    f(*c, p);
  }
}
// Each compose.include and compose.exclude of a ValueSet that names a code system, with the
// system it names: f(include, its path, system).
template <typename F>
void each_composed_system(const Element& vs, const Path& path, F&& f) {
  const Element* compose = vs.child("compose");
  if (!compose) return;
  Path compose_path{&path, "compose", -1};
  for (const char* part : {"include", "exclude"}) {
    each_named(*compose, part, compose_path, [&](const Element& include, const Path& ip) {
      const Element* system = include.child("system");
      if (system && system->has_value && !system->value.empty()) f(include, ip, system->value);
    });
  }
}
// Quantity and the types R4 derives from it (Age, Count, Distance, Duration, SimpleQuantity, MoneyQuantity).
bool quantity_type(std::string_view type);
std::string_view value_of(const Element* node);
// Whether text holds a space, tab, CR or LF.
bool has_whitespace(std::string_view text);
// Where a byte below `limit` (at most 0x80) may first be: text is skipped eight bytes at a
// time while none is (whitespace and control characters are all below 0x21, and most
// values have none); the caller checks the rest byte by byte.
size_t skip_bytes_not_below(std::string_view text, unsigned char limit);
// is_absolute_url, RestUrl and match_rest_url: rest_url.h (urls.cpp).

}  // namespace carebridge::fhir::validation
