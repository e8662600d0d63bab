// The canonical form of UCUM units for search (see ucum_canonical.h).
#include "fhir/search/ucum_canonical.h"

#include "fhir/fhirpath/quantity.h"

namespace carebridge::fhir::search {

std::optional<CanonicalUcum> canonical_ucum(std::string_view code) {
  if (code.empty()) return std::nullopt;
  auto unit = fhir::fhirpath::canonical_unit(code);
  if (!unit || unit->factor.is_zero() || unit->factor.negative()) return std::nullopt;
  // The dimensions in fhirpath/quantity.h's order, each with its exponent.
  static constexpr std::string_view kBase[] = {"m", "g", "s", "mol", "K", "[IU]", "[pH]"};
  CanonicalUcum out;
  for (size_t i = 0; i < unit->dims.size(); ++i) {
    if (unit->dims[i] == 0) continue;
    if (!out.code.empty()) out.code += '.';
    out.code += kBase[i];
    if (unit->dims[i] != 1) out.code += std::to_string(unit->dims[i]);
  }
  if (out.code.empty()) out.code = "1";
  out.factor = unit->factor.to_double();
  return out;
}

}  // namespace carebridge::fhir::search
