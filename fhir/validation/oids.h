// OIDs as the reference validator takes them under urn:oid: (FHIR R4 datatypes.html#oid).
#pragma once

#include <string_view>

namespace carebridge::fhir::validation {

// primitives.cpp: whether an OID's dotted numbers ("2.16.840.1.113883", without urn:oid:)
// are long enough to name a registered namespace. Three or fewer short arcs ("1.2.3") are a
// root no namespace is registered at: the reference validator refuses them, except under
// 1.3 (ISO identified organizations).
bool names_a_namespace(std::string_view arcs);

}  // namespace carebridge::fhir::validation
