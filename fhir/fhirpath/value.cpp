// System values and FHIRPath equality, equivalence and ordering.
#include "fhir/fhirpath/value.h"

#include <algorithm>

#include "fhir/fhirpath/letter_case.h"
#include "fhir/fhirpath/quantity.h"

namespace carebridge::fhir::fhirpath {
namespace {

using model::Element;

bool is_number(SystemType t) { return t == SystemType::Integer || t == SystemType::Decimal; }
bool is_temporal(SystemType t) { return t == SystemType::Date || t == SystemType::DateTime || t == SystemType::Time; }

// A string as equivalence (~) compares it: whitespace runs as one space, letters of one case.
std::string normalize_whitespace_lower(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return fold_case(out);
}

// Deep equality of two element trees (complex types compare member by member).
bool elements_equal(const Element& a, const Element& b, bool equivalent) {
  if (a.is_primitive() != b.is_primitive()) return false;
  if (a.is_primitive() && (a.has_value || b.has_value)) {
    if (a.has_value != b.has_value) return false;
    auto x = system_value(make_element(a)), y = system_value(make_element(b));
    if (!x || !y) return false;
    if (equivalent) {
      if (!items_equivalent(*x, *y)) return false;
    } else if (items_equal(*x, *y) != true) {
      return false;
    }
  }
  const Element* ca = a.first_child;
  const Element* cb = b.first_child;
  for (; ca && cb; ca = ca->next, cb = cb->next) {
    if (ca->name != cb->name || !elements_equal(*ca, *cb, equivalent)) return false;
  }
  return ca == nullptr && cb == nullptr;
}

// Integer and Decimal convert implicitly to Quantity with the unit '1'.
void promote_to_quantity(Item& x, const Item& other) {
  if (other.type == SystemType::Quantity && (x.type == SystemType::Integer || x.type == SystemType::Decimal)) {
    x.type = SystemType::Quantity;
    x.unit = "1";
  }
}

std::optional<bool> quantities_equal(const Item& a, const Item& b, bool equivalent) {
  auto va = Decimal::parse(a.text), vb = Decimal::parse(b.text);
  if (!va || !vb) return std::nullopt;
  // A calendar year or month equals no UCUM duration, but is equivalent to 'a' or 'mo'.
  if (!equivalent && a.unit != b.unit && !units_comparable(a.unit, b.unit)) return std::nullopt;
  auto converted = convert_quantity(*vb, b.unit, a.unit);
  if (!converted) return std::nullopt;
  if (equivalent) {
    int digits = std::min(va->scale, vb->scale);
    return compare(va->rescaled(digits), converted->rescaled(digits)) == 0;
  }
  return compare(*va, *converted) == 0;
}

}  // namespace

Item make_boolean(bool value) {
  Item i;
  i.type = SystemType::Boolean;
  i.text = value ? "true" : "false";
  return i;
}

Item make_integer(int64_t value) {
  Item i;
  i.type = SystemType::Integer;
  i.text = std::to_string(value);
  return i;
}

Item make_decimal(const Decimal& value) {
  Item i;
  i.type = SystemType::Decimal;
  i.text = value.to_string();
  return i;
}

Item make_string(std::string value) {
  Item i;
  i.type = SystemType::String;
  i.text = std::move(value);
  return i;
}

Item make_quantity(const Decimal& value, std::string unit) {
  Item i;
  i.type = SystemType::Quantity;
  i.text = value.to_string();
  i.unit = std::move(unit);
  return i;
}

Item make_temporal(const Temporal& value) {
  Item i;
  i.type = value.is_time ? SystemType::Time : value.has_time ? SystemType::DateTime : SystemType::Date;
  i.text = time::format(value);
  return i;
}

Item make_element(const model::Element& element) {
  Item i;
  i.element = &element;
  return i;
}

SystemType system_type_for(std::string_view t) {
  if (t == "boolean") return SystemType::Boolean;
  if (t == "integer" || t == "positiveInt" || t == "unsignedInt" || t == "integer64") return SystemType::Integer;
  if (t == "decimal") return SystemType::Decimal;
  if (t == "date") return SystemType::Date;
  if (t == "dateTime" || t == "instant") return SystemType::DateTime;
  if (t == "time") return SystemType::Time;
  return SystemType::String;
}

bool is_quantity_type(std::string_view t) {
  return t == "Quantity" || t == "Age" || t == "Duration" || t == "Distance" || t == "Count" ||
         t == "SimpleQuantity" || t == "MoneyQuantity";
}

std::optional<bool> boolean_value(const Item& item) {
  if (item.is_type_info) return std::nullopt;
  if (!item.element) {
    if (item.type != SystemType::Boolean) return std::nullopt;
    return item.text == "true";
  }
  const Element& e = *item.element;
  if (!e.is_primitive() || !e.has_value || system_type_for(e.type) != SystemType::Boolean) return std::nullopt;
  return e.value == "true";
}

std::optional<std::string_view> string_text(const Item& item) {
  if (item.is_type_info) return std::nullopt;
  if (!item.element) {
    if (item.type != SystemType::String) return std::nullopt;
    return item.text;
  }
  const Element& e = *item.element;
  if (!e.is_primitive() || !e.has_value || system_type_for(e.type) != SystemType::String) return std::nullopt;
  return e.value;
}

std::optional<Item> system_value(const Item& item) {
  if (!item.element) {
    if (item.is_type_info) return std::nullopt;
    return item;
  }
  const Element& e = *item.element;
  if (e.is_primitive()) {
    if (!e.has_value) return std::nullopt;
    Item out;
    out.type = system_type_for(e.type);
    out.text = std::string(e.value);
    return out;
  }
  if (is_quantity_type(e.type)) {
    const Element* value = e.child("value");
    if (!value || !value->has_value) return std::nullopt;
    auto d = Decimal::parse(value->value);
    if (!d) return std::nullopt;
    const Element* code = e.child("code");
    const Element* unit = e.child("unit");
    std::string u = code && code->has_value ? std::string(code->value) : unit && unit->has_value ? std::string(unit->value) : "1";
    return make_quantity(*d, u);
  }
  return std::nullopt;
}

std::optional<int64_t> as_integer(const Item& s) {
  if (s.type != SystemType::Integer) return std::nullopt;
  auto d = Decimal::parse(s.text);
  if (!d) return std::nullopt;
  return d->to_int64();
}

std::optional<Decimal> as_decimal(const Item& s) {
  if (!is_number(s.type)) return std::nullopt;
  return Decimal::parse(s.text);
}

std::optional<Temporal> as_temporal(const Item& s) {
  if (s.type == SystemType::Time) return parse_time(s.text);
  if (s.type == SystemType::Date || s.type == SystemType::DateTime) return parse_date_time(s.text);
  return std::nullopt;
}

std::optional<bool> items_equal(const Item& a, const Item& b) {
  if (a.is_type_info || b.is_type_info) return a.is_type_info == b.is_type_info && a.text == b.text && a.unit == b.unit;
  if (a.element && b.element && !(a.element->is_primitive() && b.element->is_primitive())) {
    if (is_quantity_type(a.element->type) && is_quantity_type(b.element->type)) {
      // fall through to the System comparison below
    } else {
      return elements_equal(*a.element, *b.element, false);
    }
  }
  auto x = system_value(a), y = system_value(b);
  if (!x || !y) return false;
  promote_to_quantity(*x, *y);
  promote_to_quantity(*y, *x);
  if (is_number(x->type) && is_number(y->type)) {
    auto dx = as_decimal(*x), dy = as_decimal(*y);
    return dx && dy && compare(*dx, *dy) == 0;
  }
  if (is_temporal(x->type) && is_temporal(y->type)) {
    auto tx = as_temporal(*x), ty = as_temporal(*y);
    if (!tx || !ty) return false;
    if (tx->is_time != ty->is_time) return false;
    auto c = compare(*tx, *ty);
    if (!c) return std::nullopt;
    return *c == 0;
  }
  if (x->type == SystemType::Quantity && y->type == SystemType::Quantity) return quantities_equal(*x, *y, false);
  if (x->type != y->type) return false;
  return x->text == y->text;
}

bool items_equivalent(const Item& a, const Item& b) {
  if (a.element && b.element && !(a.element->is_primitive() && b.element->is_primitive()) &&
      !(is_quantity_type(a.element->type) && is_quantity_type(b.element->type))) {
    return elements_equal(*a.element, *b.element, true);
  }
  auto x = system_value(a), y = system_value(b);
  if (!x || !y) return false;
  promote_to_quantity(*x, *y);
  promote_to_quantity(*y, *x);
  if (is_number(x->type) && is_number(y->type)) {
    auto dx = as_decimal(*x), dy = as_decimal(*y);
    if (!dx || !dy) return false;
    int digits = std::min(dx->scale, dy->scale);
    return compare(dx->rescaled(digits), dy->rescaled(digits)) == 0;
  }
  if (is_temporal(x->type) && is_temporal(y->type)) {
    auto tx = as_temporal(*x), ty = as_temporal(*y);
    if (!tx || !ty || tx->is_time != ty->is_time) return false;
    auto c = compare(*tx, *ty);
    return c && *c == 0;
  }
  if (x->type == SystemType::Quantity && y->type == SystemType::Quantity) {
    return quantities_equal(*x, *y, true).value_or(false);
  }
  if (x->type != y->type) return false;
  if (x->type == SystemType::String) return normalize_whitespace_lower(x->text) == normalize_whitespace_lower(y->text);
  return x->text == y->text;
}

std::optional<int> compare_items(const Item& a, const Item& b, std::string& error) {
  auto x = system_value(a), y = system_value(b);
  if (!x || !y) {
    error = "cannot compare values that are not primitive";
    return std::nullopt;
  }
  promote_to_quantity(*x, *y);
  promote_to_quantity(*y, *x);
  if (is_number(x->type) && is_number(y->type)) {
    auto dx = as_decimal(*x), dy = as_decimal(*y);
    if (!dx || !dy) return std::nullopt;
    return compare(*dx, *dy);
  }
  if (is_temporal(x->type) && is_temporal(y->type)) {
    auto tx = as_temporal(*x), ty = as_temporal(*y);
    if (!tx || !ty) return std::nullopt;
    if (tx->is_time != ty->is_time) {
      error = "cannot compare a time with a date";
      return std::nullopt;
    }
    return compare(*tx, *ty);
  }
  if (x->type == SystemType::Quantity && y->type == SystemType::Quantity) {
    auto va = Decimal::parse(x->text), vb = Decimal::parse(y->text);
    if (!va || !vb) return std::nullopt;
    if (x->unit != y->unit && !units_comparable(x->unit, y->unit)) return std::nullopt;
    auto converted = convert_quantity(*vb, y->unit, x->unit);
    if (!converted) return std::nullopt;
    return compare(*va, *converted);
  }
  if (x->type == SystemType::String && y->type == SystemType::String) {
    int c = x->text.compare(y->text);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (x->type != y->type || x->type == SystemType::Boolean) {
    error = "cannot compare these types";
  }
  return std::nullopt;
}

}  // namespace carebridge::fhir::fhirpath
