// FHIRPath (normative R4, N1) over the element model: expressions compile once to
// a tree, are cached by text, and evaluate against any element of a resource.
// This header is the contract the validator, search indexing and the CLI use.
#pragma once

#include <functional>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/element.h"

namespace carebridge::fhir::terminology {
class Terminology;
}

namespace carebridge::fhir::fhirpath {

// The System types of FHIRPath; a FHIR element converts to one of them when it is a primitive.
enum class SystemType : uint8_t { Boolean, String, Integer, Decimal, Date, DateTime, Time, Quantity };

// One item of a collection: a node of a resource, or a System value made by the
// expression (a literal, a function result).
struct Item {
  const model::Element* element = nullptr;  // set for nodes of the element model
  SystemType type = SystemType::String;     // for System values
  std::string text;                          // System value text: "1.50", "2020-01", "true", string content
  std::string unit;                          // Quantity unit (UCUM code or calendar word)
  bool is_type_info = false;                 // a TypeInfo from type(): text = name, unit = namespace
};
using Collection = std::vector<Item>;

struct Result {
  bool ok = true;
  std::string error;  // "at 12: unknown function 'foo'"
  Collection items;
  // Singleton evaluation of collections as booleans (FHIRPath 4.5): empty -> nullopt.
  std::optional<bool> as_boolean() const;
};

// Evaluation context beyond the focus: %resource, %rootResource and extra variables.
struct Context {
  const model::Element* resource = nullptr;       // %resource (defaults to the focus' resource)
  const model::Element* root_resource = nullptr;  // %rootResource (defaults to %resource's container root)
  std::vector<std::pair<std::string, Collection>> variables;  // name (or %name) -> value
  // Report paths that cannot exist as errors (an unknown property of a known type,
  // a type name that is not the input's): what an author wants, not a validator.
  bool check_paths = false;
  // With check_paths: resource types a leading type name may name besides the input's
  // own, as a search parameter's expression on several bases does (`Patient.name |
  // Practitioner.name`): that branch is then empty for this input, not an error.
  std::vector<std::string> other_input_types;
  // With check_paths: a choice element named with its type (`valueQuantity` for value[x])
  // is accepted, as the reference validator's check of search expressions does.
  bool typed_choice_names = false;
  // resolve() of a reference it cannot find ("Patient/123" outside any Bundle) gives a
  // bodiless resource of the referenced type, so `subject.where(resolve() is Patient)`
  // works when indexing search parameters, as FHIR servers do. Off: nothing, as the
  // specification says for unresolvable references.
  bool resolve_by_type = false;
  // `is` with a System type's name without a namespace also takes the FHIR primitive of that
  // name (`answer is Boolean` for a boolean), as the reference validator reads FHIR's own
  // invariants. Off: the FHIRPath specification's strict reading (`Patient.active.is(Boolean)`
  // is false).
  bool primitives_are_system_types = false;
  // An invariant as the reference validator tests it: an empty result fails it, `in`
  // (`contains`) with no value to look for is true, as "all of none" is, and `is` of nothing
  // is false. Off: empty is no answer, and both are empty (the FHIRPath specification).
  bool empty_fails = false;
  // conformsTo() of a profile (a constraint on a type): whether the element conforms to it,
  // as a validator finds (nullopt: it cannot tell). Null: the resource's own meta.profile
  // claim is taken.
  std::function<std::optional<bool>(const model::Element&, const std::string& url)> conforms_to;
};

class Expression;  // a compiled expression tree

class Engine {
 public:
  explicit Engine(const definitions::Definitions& definitions);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Compiles (or returns from the cache) `text`; null with `error` ("at 7: ...") when invalid.
  // Thread-safe.
  std::shared_ptr<const Expression> compile(std::string_view text, std::string* error = nullptr) const;

  Result evaluate(const Expression& expression, const model::Element& focus, const Context& context = {}) const;
  Result evaluate(std::string_view text, const model::Element& focus, const Context& context = {}) const;
  // The result read as a condition, as Result::as_boolean() reads it: nullopt when it
  // is empty, more than one item or cannot be evaluated. No result collection is
  // built, which matters for invariants, evaluated on every element.
  std::optional<bool> test(const Expression& expression, const model::Element& focus, const Context& context = {}) const;
  // Evaluates with no input: $this is empty (literals, variables, functions of them).
  Result evaluate_without_input(const Expression& expression, const Context& context = {}) const;

  const definitions::Definitions& definitions() const;
  // The terminology memberOf(), subsumes() and subsumedBy() ask (thread-safe); the
  // validator shares it so both give the same answers.
  const terminology::Terminology& terminology() const;

 private:
  Result run(const Expression& expression, const model::Element* focus, const Context& context) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The FHIRPath string form of an item: a primitive element's value, a System value's text.
std::string to_string(const Item& item);
// The type name of an item as the official test suite writes it: FHIR types as in
// the definitions ("HumanName", "string"), System types as "Integer", "Quantity".
std::string type_name(const Item& item);

}  // namespace carebridge::fhir::fhirpath
