// Quantities: UCUM unit expressions reduced to a factor over base dimensions (enough
// for the common clinical units), and FHIRPath calendar durations (year ... millisecond).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/fhirpath/decimal.h"

namespace carebridge::fhir::fhirpath {

// A unit as a decimal factor times powers of the base dimensions (m, g, s, mol, K,
// international unit, pH; mol, eq and osm count as numbers: 6.0221367e23 each). `magnitude`
// is the factor in binary floating point, kept to its relative precision through quotients
// (the decimal factor keeps FHIRPath's 8 decimal places: mL/min would be 2e-8).
struct CanonicalUnit {
  Decimal factor{1, 0};
  std::array<int, 7> dims{};
  double magnitude = 1;
};

// Whether `unit` is a calendar duration keyword (year, months, ...).
bool is_calendar_unit(std::string_view unit);
// The UCUM code a calendar keyword corresponds to ("day" -> "d").
std::string_view calendar_to_ucum(std::string_view unit);
// Parses a UCUM expression ("mg", "cm.m", "g/m", "[lb_av]", "1"); calendar words are
// taken as their UCUM equivalents. nullopt when a part is not known.
std::optional<CanonicalUnit> canonical_unit(std::string_view unit);
// Converts `value` in `from` into `to`; nullopt when the dimensions differ or a unit is unknown.
std::optional<Decimal> convert_quantity(const Decimal& value, std::string_view from, std::string_view to);
// Whether quantities in these units can be compared, equated and converted: known units
// of the same dimensions, but never a calendar year or month against a UCUM unit, nor a
// UCUM 'a' or 'mo' against a calendar word (`1 year` is only equivalent to `1 'a'`).
bool units_comparable(std::string_view a, std::string_view b);
// Whether `unit` is a UCUM expression this module understands (calendar words are not).
bool is_ucum_unit(std::string_view unit);
// The unit of a product or quotient ("cm.m", "g/m").
std::string multiply_units(std::string_view a, std::string_view b, bool divide);

}  // namespace carebridge::fhir::fhirpath
