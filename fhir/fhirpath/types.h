// Types of items: the names type() and the CLI report, and the `is`/`as`/`ofType`
// test with FHIR inheritance (StructureDef::base) and the System namespace.
#pragma once

#include <string>

#include "fhir/fhirpath/ast.h"
#include "fhir/definitions/definitions.h"

namespace carebridge::fhir::fhirpath {

// "System.Integer" names without the namespace: "Integer", "Quantity".
std::string_view system_type_name(SystemType type);
// The FHIR type of an element as FHIRPath sees it: its type in the model, except that
// a resource's own `id` is an `id` (the R4 snapshot writes it as System.String with the
// fhir-type extension "string"; the resource definitions and schema type it `id`).
std::string_view fhir_type(const model::Element& element);
// `is`: whether `item` is of `type` or a type derived from it (code is a string).
bool is_of_type(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions);
// The same, and a FHIR primitive also is the System type its value has when `type` names
// it without a namespace (a boolean `is Boolean`): FHIR's own invariants are written so
// (que-7 "answer is Boolean"), and the reference validator compares type names without
// regard to case. Context::primitives_are_system_types asks for it.
bool is_of_type_lenient(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions);
// `as` and `ofType()`: as is_of_type, but FHIR primitive types are independent of each
// other (a code is not cast to string), as FHIR's ofType() override and the R4 suite have it.
bool casts_to_type(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions);
// The TypeInfo item type() returns (text = name, unit = namespace).
Item type_info(const Item& item);
// Whether a type specifier names a type: a System type or a FHIR type or core profile
// in any namespace (`System.Patient` names a type, just not one a value can have).
bool type_exists(const TypeSpecifier& type, const definitions::Definitions& definitions);

}  // namespace carebridge::fhir::fhirpath
