// System values: making them, converting FHIR primitives and Quantity elements to
// them, and the equality, equivalence and ordering rules of FHIRPath.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fhir/fhirpath/decimal.h"
#include "fhir/fhirpath/fhirpath.h"
#include "fhir/fhirpath/temporal.h"

namespace carebridge::fhir::fhirpath {

Item make_boolean(bool value);
Item make_integer(int64_t value);
Item make_decimal(const Decimal& value);
Item make_string(std::string value);
Item make_quantity(const Decimal& value, std::string unit);
Item make_temporal(const Temporal& value);
Item make_element(const model::Element& element);
// Appends a node of the element model, made in place: navigation appends one per
// child it steps to, and moving a made Item (two strings) costs more than making it.
inline void append_element(Collection& out, const model::Element& element) { out.emplace_back().element = &element; }

// The System type a FHIR primitive type converts to ("positiveInt" -> Integer).
SystemType system_type_for(std::string_view fhir_type);
// Whether a FHIR complex type is a Quantity (or a specialization: Age, Duration, ...).
bool is_quantity_type(std::string_view fhir_type);

// Whether an item is a FHIR primitive with extensions but no value (a data-absent-reason
// birthDate): it exists, but gives nothing to compare or compute with, so operators and
// functions on values see it as empty (FHIR R4 fhirpath.html, hasValue()).
inline bool is_valueless(const Item& item) {
  return item.element && item.element->is_primitive() && !item.element->has_value;
}

// The System value of an item: itself for System values, the converted value for
// FHIR primitives with a value and Quantity elements; nullopt otherwise.
std::optional<Item> system_value(const Item& item);
// The Boolean an item is (a System Boolean or a boolean element with a value);
// nullopt for any other item. Reads it in place: truth tests need no copy of the item.
std::optional<bool> boolean_value(const Item& item);
// The text of a String (a System String or a string-like element with a value: string,
// code, uri, ...) where it lies; nullopt for any other item.
std::optional<std::string_view> string_text(const Item& item);

std::optional<int64_t> as_integer(const Item& system);
std::optional<Decimal> as_decimal(const Item& system);  // Integer or Decimal
std::optional<Temporal> as_temporal(const Item& system);

// `=` on two items: nullopt when the result is empty (different date precisions).
std::optional<bool> items_equal(const Item& a, const Item& b);
// `~` on two items.
bool items_equivalent(const Item& a, const Item& b);
// Ordering for < <= > >=: nullopt when not comparable (error set when the types differ).
std::optional<int> compare_items(const Item& a, const Item& b, std::string& error);

}  // namespace carebridge::fhir::fhirpath
