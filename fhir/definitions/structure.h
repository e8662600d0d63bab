// StructureDefinitions reduced to what Carebridge uses at run time: the snapshot
// elements with their types, cardinality, representation, constraints, bindings,
// fixed/pattern values and slicing, plus a per-element index of child names so the
// codecs, FHIRPath and the validator can walk a resource without scanning lists.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carebridge::fhir::definitions {

inline constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();
inline constexpr uint32_t kNoElement = std::numeric_limits<uint32_t>::max();

enum class StructureKind : uint8_t { PrimitiveType, ComplexType, Resource, Logical };
enum class Derivation : uint8_t { None, Specialization, Constraint };

// How the value of a primitive type is written in JSON.
enum class JsonValueKind : uint8_t { String, Number, Boolean };

struct StructureDef;

struct TypeRef {
  std::string code;  // "Quantity", "string", "Resource", "Reference"
  std::vector<std::string> profiles;
  std::vector<std::string> target_profiles;
  std::vector<std::string> aggregation;  // how a Reference may be held: contained | referenced | bundled (empty: any)
  // The base definition of `code`, when it is a FHIR type (resolved after loading).
  const StructureDef* structure = nullptr;
};

struct Constraint {
  std::string key;
  std::string severity;  // "error" | "warning"
  std::string human;
  std::string expression;
  std::string source;
};

struct Binding {
  std::string strength;  // required | extensible | preferred | example
  std::string value_set;
  // The elementdefinition-maxValueSet extension: with an extensible binding, the value set
  // every code must come from (empty: none).
  std::string max_value_set;
};

struct Discriminator {
  std::string type;  // value | exists | pattern | type | profile
  std::string path;
};

struct Slicing {
  std::vector<Discriminator> discriminators;
  bool ordered = false;
  std::string rules;  // closed | open | openAtEnd
};

// A fixed[x] or pattern[x] value, kept as compact JSON with its type.
struct TypedJson {
  std::string type;
  std::string json;
  // The text of a JSON string value ("\"day\"" → day); "" when the value is no string.
  std::string string_value() const {
    return json.size() >= 2 && json.front() == '"' && json.back() == '"' ? json.substr(1, json.size() - 2) : std::string();
  }
};

// A property name under which a child element may appear ("valueQuantity" for value[x]).
struct ChildName {
  std::string name;
  uint32_t element = kNoElement;  // index into StructureDef::elements
  uint16_t type = 0;              // index into that element's types (the choice taken)
};

struct ElementDef {
  std::string id;          // "Observation.component:systolic.code"
  std::string path;        // "Observation.component.code"
  std::string name;        // last path segment without "[x]": "value"
  std::string slice_name;
  uint32_t min = 0;
  uint32_t max = 1;        // kUnbounded for "*"
  bool max_given = false;  // the definition says "max" (a differential often leaves it out)
  bool repeats = false;    // base max is not 1: written as a JSON array
  bool is_choice = false;  // path ends in [x]
  bool xml_attribute = false;
  bool xhtml = false;
  bool is_modifier = false;
  bool is_summary = false;
  bool must_support = false;
  std::vector<TypeRef> types;
  std::vector<Constraint> constraints;
  std::optional<Binding> binding;
  std::optional<TypedJson> fixed;
  std::optional<TypedJson> pattern;
  std::optional<TypedJson> min_value, max_value;  // minValue[x] / maxValue[x]
  uint32_t max_length = 0;                        // maxLength: characters at most; 0: none
  std::optional<Slicing> slicing;
  std::string content_reference;       // "#Questionnaire.item"
  uint32_t content_target = kNoElement;  // element whose children this one reuses
  uint32_t parent = kNoElement;
  std::vector<uint32_t> children;      // direct children (unsliced), snapshot order
  std::vector<ChildName> child_names;  // by length, then name: for lookup by property name
};

struct StructureDef {
  std::string url;
  std::string version;
  std::string name;
  std::string type;  // the type it describes or constrains: "Patient"
  std::string base_definition;
  StructureKind kind = StructureKind::ComplexType;
  Derivation derivation = Derivation::None;
  bool is_abstract = false;
  bool has_snapshot = false;
  std::vector<std::string> contexts;  // extension contexts: "Patient", "Element"
  std::vector<std::string> context_invariants;  // FHIRPath true of an extension's host (contextInvariant)
  std::vector<ElementDef> elements;   // snapshot (or differential when no snapshot)
  const StructureDef* base = nullptr;  // resolved after loading
  std::vector<std::pair<std::string_view, uint32_t>> id_index;  // sorted by element id

  // Primitive types only: what the value looks like.
  JsonValueKind json_value = JsonValueKind::String;
  std::string system_type;  // "System.String", "System.Decimal", ...
  std::string value_regex;

  bool is_primitive() const { return kind == StructureKind::PrimitiveType; }
  bool is_resource() const { return kind == StructureKind::Resource; }

  // The element whose children describe `element`: itself, or its contentReference target.
  uint32_t shape_of(uint32_t element) const {
    const auto& e = elements[element];
    return e.content_target != kNoElement ? e.content_target : element;
  }
  // Finds the child of `element` written as `property` ("given", "valueQuantity").
  const ChildName* child(uint32_t element, std::string_view property) const;
  // Finds an element by its id ("Patient.contact.name"); kNoElement when absent.
  uint32_t find(std::string_view id) const;
};

// Upper-cases the first letter: the suffix a choice type takes ("dateTime" -> "DateTime").
std::string capitalize(std::string_view type_code);

// The id of the element a slice divides: "Patient.identifier" for "Patient.identifier:mrn", and
// for a reslice the slice it divides ("Patient.identifier:mrn" for "Patient.identifier:mrn/old").
std::string_view sliced_element_id(std::string_view slice_id);

}  // namespace carebridge::fhir::definitions
