// Types of items: the names type() and the CLI report, and the `is`/`as`/`ofType`
// test with FHIR inheritance (StructureDef::base) and the System namespace.
#pragma once

#include <string>

#include "fhir/fhirpath/ast.h"
#include "fhir/definitions/definitions.h"

namespace carebridge::fhir::fhirpath {

// "System.Integer" names without the namespace: "Integer", "Quantity".
std::string_view system_type_name(SystemType type);
// Whether `item` is of `type` (or a type derived from it).
bool is_of_type(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions);
// The TypeInfo item type() returns (text = name, unit = namespace).
Item type_info(const Item& item);
// Whether a type specifier names a type that exists (FHIR definitions or System).
bool type_exists(const TypeSpecifier& type, const definitions::Definitions& definitions);

}  // namespace carebridge::fhir::fhirpath
