// Quantities in UCUM units searched whatever unit they are written in (FHIR R4 search,
// quantity parameters: "the server SHOULD canonicalize"): an Observation of 5,400 mg is found
// by value-quantity=5.4|http://unitsofmeasure.org|g, and one of 0.9 mmol/L by ...|umol/L.
// Each stored UCUM quantity has a second index row in its canonical form — the value in
// UCUM's base units, the unit named by its dimensions ("g", "m-3.g") under kCanonicalUcumSystem —
// and each searched UCUM quantity a second match in the same form. Units outside the UCUM
// subset fhirpath/quantity.h converts (Cel, [degF]), units with an {annotation} (what was
// counted) and the values of a Range (useContext) have no canonical form and are found by
// their own code only. Searches that name no UCUM unit, and _sort, never see the canonical
// rows (ValueMatch::not_system). mol, eq and osm count as numbers, as UCUM defines them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carebridge::fhir::search {

inline constexpr std::string_view kUcumSystem = "http://unitsofmeasure.org";
inline constexpr std::string_view kCanonicalUcumSystem = "https://carebridge.dev/fhir/ucum-canonical";

struct CanonicalUcum {
  std::string code;    // the dimensions: "g", "m-3.g", "s-1"; "1" for none
  double factor = 1;   // a value in the unit times this is the value in `code`
};

// The canonical form of a UCUM unit code; nullopt when it has none (see above).
std::optional<CanonicalUcum> canonical_ucum(std::string_view code);

}  // namespace carebridge::fhir::search
