// The canonical form of UCUM units for search (see ucum_canonical.h).
#include "fhir/search/ucum_canonical.h"

#include <cmath>

#include "fhir/fhirpath/quantity.h"

namespace carebridge::fhir::search {

std::optional<CanonicalUcum> canonical_ucum(std::string_view code) {
  // An {annotation} says what was counted ({copies}/mL against {cells}/mL): a unit with one is
  // compared as written; so are calendar words, which are no UCUM codes.
  if (code.empty() || code.find('{') != std::string_view::npos || fhir::fhirpath::is_calendar_unit(code)) return std::nullopt;
  auto unit = fhir::fhirpath::canonical_unit(code);
  if (!unit || !(unit->magnitude > 0) || !std::isfinite(unit->magnitude)) return std::nullopt;
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
  out.factor = unit->magnitude;
  return out;
}

}  // namespace carebridge::fhir::search
