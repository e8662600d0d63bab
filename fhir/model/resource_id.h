// A FHIR resource id (R4 datatypes.html#id): 1 to 64 ASCII letters, digits, '-' and '.'.
#pragma once

#include <string_view>

namespace carebridge::fhir::model {

inline bool is_resource_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace carebridge::fhir::model
