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

// The fullUrl index of one Bundle: built once when the Bundle is entered.
struct BundleIndex {
  const Element* bundle = nullptr;
  std::unordered_map<std::string_view, std::vector<const Element*>> by_full_url;  // -> entry.resource
  std::unordered_map<std::string, std::vector<const Element*>> by_type_id;       // "Patient/1" -> resources
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
  std::string_view full_url;                 // fullUrl of the Bundle entry holding the resource
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
  void report(Severity severity, std::string code, std::string message, const Element& at, const std::string& path);
  size_t issue_count() const { return issues_.size(); }
  size_t error_count_since(size_t start) const;
  std::vector<model::Issue>& issues() { return issues_; }

  // Validates a resource and everything in it (base definitions, rules, profiles).
  void resource(const Element& resource, const Path& path);
  // How many "#fragment" targets `root` has (anchors_too: also <a name>); when none and
  // `whole_bundle`, how many the enclosing Bundle has.
  int link_targets(const Element* root, std::string_view fragment, bool anchors_too, bool whole_bundle);

 private:
  std::vector<model::Issue>& issues_;
  std::unordered_map<const Element*, std::unique_ptr<FragmentIndex>> fragments_;
  const FragmentIndex& fragments(const Element& root);
  void walk(const Element& node, const Path& path);
  void children(const Element& node, const Path& path);
};

// primitives.cpp: the value of a primitive against the rules of its type.
void check_primitive(Run& run, const Element& node, const Path& path);
// terminology.cpp: codes against a binding, and against their CodeSystem.
void check_binding(Run& run, const Element& node, const definitions::Binding& binding, const Path& path);
void check_coding_system(Run& run, const Element& coding, const Path& path);
// narrative.cpp: an XHTML narrative div.
void check_narrative(Run& run, const Element& div, const Path& path);
// extensions.cpp: an extension or modifierExtension element.
void check_extension(Run& run, const Element& extension, const Path& path);
// references.cpp: a Reference element; contained resources of a resource.
void check_reference(Run& run, const Element& reference, const Path& path);
void note_local_reference(Run& run, const Element& node, const Path& path);
void check_contained(Run& run, const Element& resource, const Path& path);
// bundles.cpp: the index of a Bundle and its rules.
void index_bundle(const Element& bundle, BundleIndex& index);
void check_bundle(Run& run, const Element& bundle, const BundleIndex& index, const Path& path);
// profiles.cpp: a node against an element of a (profile) StructureDefinition.
void check_against(Run& run, const Element& node, const definitions::StructureDef& sd, uint32_t element,
                   const Path& path);
void check_profiles(Run& run, const Element& resource, const Path& path);
// values.cpp: whether an element matches a fixed (exact) or pattern (subset) JSON value.
bool matches_value(ValidatorState& state, const Element& node, const definitions::TypedJson& value, bool exact);
// resource_rules.cpp: rules of particular resource types (CapabilityStatement, SearchParameter, Questionnaire).
void check_resource_rules(Run& run, const Element& resource, const Path& path);
// invariants.cpp: FHIRPath constraints of a node's definition and type.
void check_invariants(Run& run, const Element& node, const definitions::ElementDef* definition,
                      const definitions::StructureDef* type, const Path& path);

// Helpers shared by passes.
const Element* child_named(const Element& node, std::string_view name);
std::string_view value_of(const Element* node);
// urls.cpp: whether text is an absolute URI as the reference validator decides it: a
// lower-case scheme, a colon and something after it without spaces ("urn:uuid:...", "http://...").
bool is_absolute_url(std::string_view url);
// Whether a URL is one of the example domains (example.org, acme.com...) the reference
// validator lets through unresolved.
bool is_example_url(std::string_view url);

}  // namespace carebridge::fhir::validation
