// Type names and type tests.
#include "fhir/fhirpath/types.h"

#include "fhir/fhirpath/value.h"

namespace carebridge::fhir::fhirpath {
namespace {

bool system_name_matches(SystemType type, std::string_view name) {
  if (name == "Any") return true;
  return system_type_name(type) == name;
}

// Walks the FHIR type and its bases ("code" -> "string" -> "Element" ...).
bool fhir_type_matches(std::string_view type, std::string_view wanted, const definitions::Definitions& definitions) {
  if (type == wanted) return true;
  const definitions::StructureDef* sd = definitions.type(type);
  for (int guard = 0; sd && guard < 32; ++guard, sd = sd->base) {
    if (sd->type == wanted || sd->name == wanted) return true;
  }
  return false;
}

}  // namespace

std::string_view system_type_name(SystemType type) {
  switch (type) {
    case SystemType::Boolean: return "Boolean";
    case SystemType::String: return "String";
    case SystemType::Integer: return "Integer";
    case SystemType::Decimal: return "Decimal";
    case SystemType::Date: return "Date";
    case SystemType::DateTime: return "DateTime";
    case SystemType::Time: return "Time";
    case SystemType::Quantity: return "Quantity";
  }
  return "String";
}

bool is_of_type(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions) {
  if (item.is_type_info) return false;
  if (item.element) {
    if (type.ns == "System") return false;
    if (type.ns.empty() && type.name == "Any") return true;
    return fhir_type_matches(item.element->type, type.name, definitions);
  }
  if (type.ns == "FHIR") return false;
  return system_name_matches(item.type, type.name);
}

Item type_info(const Item& item) {
  Item info;
  info.is_type_info = true;
  if (item.element) {
    info.text = std::string(item.element->type);
    info.unit = "FHIR";
  } else {
    info.text = std::string(system_type_name(item.type));
    info.unit = "System";
  }
  return info;
}

bool type_exists(const TypeSpecifier& type, const definitions::Definitions& definitions) {
  static constexpr std::string_view kSystem[] = {"Boolean", "String", "Integer", "Decimal", "Date",
                                                 "DateTime", "Time", "Quantity", "Any"};
  if (type.ns != "FHIR") {
    for (auto n : kSystem) {
      if (n == type.name) return true;
    }
    if (type.ns == "System") return false;
  }
  return definitions.type(type.name) != nullptr;
}

}  // namespace carebridge::fhir::fhirpath
