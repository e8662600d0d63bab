// Type names and type tests.
#include "fhir/fhirpath/types.h"

#include <algorithm>
#include <cctype>

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

std::string_view fhir_type(const model::Element& element) {
  if (element.name == "id" && element.type == "string" && element.parent && element.parent->is_resource()) return "id";
  return element.type;
}

bool is_of_type(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions) {
  if (item.is_type_info) return false;
  if (item.element) {
    if (type.ns == "System") return false;
    if (type.ns.empty() && type.name == "Any") return true;
    return fhir_type_matches(fhir_type(*item.element), type.name, definitions);
  }
  if (type.ns == "FHIR") return false;
  return system_name_matches(item.type, type.name);
}

bool is_of_type_lenient(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions) {
  if (item.element && type.ns.empty() && item.element->is_primitive()) {
    std::string_view name = fhir_type(*item.element);
    static constexpr std::string_view kSystem[] = {"Boolean", "String", "Integer", "Decimal", "Date", "DateTime", "Time"};
    auto same = [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); };
    for (auto system : kSystem) {
      if (type.name == system && name.size() == system.size() && std::equal(name.begin(), name.end(), system.begin(), same))
        return true;
    }
  }
  return is_of_type(item, type, definitions);
}

bool casts_to_type(const Item& item, const TypeSpecifier& type, const definitions::Definitions& definitions) {
  if (item.element && item.element->is_primitive() && type.ns != "System") {
    const definitions::StructureDef* wanted = definitions.type(type.name);
    if (wanted && wanted->is_primitive()) return fhir_type(*item.element) == type.name;
  }
  return is_of_type(item, type, definitions);
}

Item type_info(const Item& item) {
  Item info;
  info.is_type_info = true;
  if (item.element) {
    info.text = std::string(fhir_type(*item.element));
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
  for (auto n : kSystem) {
    if (n == type.name) return true;
  }
  if (definitions.type(type.name)) return true;
  return definitions.structure("http://hl7.org/fhir/StructureDefinition/" + type.name) != nullptr;
}

}  // namespace carebridge::fhir::fhirpath
