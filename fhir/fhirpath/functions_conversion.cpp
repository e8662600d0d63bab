// Conversion functions: toBoolean toInteger toDecimal toString toDate toDateTime
// toTime toQuantity and their convertsTo* tests.
#include <cctype>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/quantity.h"

namespace carebridge::fhir::fhirpath {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_integer_text(std::string_view s) {
  size_t i = s.starts_with('+') || s.starts_with('-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool is_decimal_text(std::string_view s) {
  size_t i = s.starts_with('+') || s.starts_with('-') ? 1 : 0;
  size_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) ++digits;
  if (digits == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t fraction = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) ++fraction;
    if (fraction == 0) return false;
  }
  return i == s.size();
}

std::optional<Item> to_boolean(const Item& v) {
  switch (v.type) {
    case SystemType::Boolean: return v;
    case SystemType::Integer:
      if (v.text == "1" || v.text == "0") return make_boolean(v.text == "1");
      return std::nullopt;
    case SystemType::Decimal: {
      auto d = Decimal::parse(v.text);
      if (d && compare(*d, Decimal{1, 0}) == 0) return make_boolean(true);
      if (d && d->is_zero()) return make_boolean(false);
      return std::nullopt;
    }
    case SystemType::String: {
      std::string s = lower(v.text);
      if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "1" || s == "1.0") return make_boolean(true);
      if (s == "false" || s == "f" || s == "no" || s == "n" || s == "0" || s == "0.0") return make_boolean(false);
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::optional<Item> to_integer(const Item& v) {
  if (v.type == SystemType::Integer) return v;
  if (v.type == SystemType::Boolean) return make_integer(v.text == "true" ? 1 : 0);
  if (v.type == SystemType::String && is_integer_text(v.text)) {
    auto d = Decimal::parse(v.text);
    auto i = d ? d->to_int64() : std::nullopt;
    if (i && *i <= 2147483647 && *i >= -2147483648LL) return make_integer(*i);
  }
  return std::nullopt;
}

std::optional<Item> to_decimal(const Item& v) {
  if (v.type == SystemType::Decimal) return v;
  if (v.type == SystemType::Integer) {
    Item d = v;
    d.type = SystemType::Decimal;
    return d;
  }
  if (v.type == SystemType::Boolean) return make_decimal(Decimal{v.text == "true" ? 10 : 0, 1});
  if (v.type == SystemType::String && is_decimal_text(v.text)) {
    if (auto d = Decimal::parse(v.text)) {
      Item r = make_decimal(*d);
      return r;
    }
  }
  return std::nullopt;
}

std::optional<Item> to_string_item(const Item& v) {
  if (v.type == SystemType::Quantity) {
    bool calendar = is_calendar_unit(v.unit);
    return make_string(v.text + (calendar ? " " + v.unit : " '" + v.unit + "'"));
  }
  // A partial DateTime literal's T (@2015T) is syntax, not part of the value (N1 5.5.8).
  if (v.type == SystemType::DateTime && v.text.ends_with('T')) return make_string(v.text.substr(0, v.text.size() - 1));
  // A FHIR decimal written with an exponent (1.50e2) in FHIRPath's form, digits and a point (150).
  if (v.type == SystemType::Decimal && v.text.find_first_of("eE") != std::string::npos)
    if (auto d = Decimal::parse(v.text)) return make_string(d->to_string());
  return make_string(v.text);
}

std::optional<Item> to_date(const Item& v) {
  if (v.type != SystemType::Date && v.type != SystemType::DateTime && v.type != SystemType::String) return std::nullopt;
  auto t = parse_date_time(v.text);
  if (!t) return std::nullopt;
  t->has_time = false;
  t->has_zone = false;
  if (t->precision > Precision::Day) t->precision = Precision::Day;
  return make_temporal(*t);
}

std::optional<Item> to_date_time(const Item& v) {
  if (v.type != SystemType::Date && v.type != SystemType::DateTime && v.type != SystemType::String) return std::nullopt;
  auto t = parse_date_time(v.text);
  if (!t) return std::nullopt;
  Item r;
  r.type = SystemType::DateTime;
  r.text = v.text;
  return r;
}

std::optional<Item> to_time(const Item& v) {
  if (v.type != SystemType::Time && v.type != SystemType::String) return std::nullopt;
  std::string_view text = v.text;
  if (text.starts_with('T')) text.remove_prefix(1);
  auto t = parse_time(text);
  if (!t) return std::nullopt;
  return make_temporal(*t);
}

std::optional<Item> to_quantity(const Item& v) {
  if (v.type == SystemType::Quantity) return v;
  if (v.type == SystemType::Integer || v.type == SystemType::Decimal) {
    if (auto d = Decimal::parse(v.text)) return make_quantity(*d, "1");
  }
  if (v.type == SystemType::Boolean) return make_quantity(Decimal{v.text == "true" ? 10 : 0, 1}, "1");
  if (v.type != SystemType::String) return std::nullopt;
  // N1 §5.5.9: (\+|-)?\d+(\.\d+)? \s* ('unit' | calendar keyword)? -- any whitespace, or none.
  std::string_view s = v.text;
  size_t end = s.starts_with('+') || s.starts_with('-') ? 1 : 0;
  while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.')) ++end;
  std::string_view number = s.substr(0, end);
  if (!is_decimal_text(number)) return std::nullopt;
  auto d = Decimal::parse(number);
  if (!d) return std::nullopt;
  std::string_view unit = s.substr(end);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.remove_prefix(1);
  if (unit.empty()) return make_quantity(*d, "1");
  if (unit.size() >= 2 && unit.front() == '\'' && unit.back() == '\'') {
    unit = unit.substr(1, unit.size() - 2);
    if (!canonical_unit(unit)) return std::nullopt;
    return make_quantity(*d, std::string(unit));
  }
  if (is_calendar_unit(unit)) return make_quantity(*d, std::string(unit));
  return std::nullopt;
}

using Converter = std::optional<Item> (*)(const Item&);

bool convert(Call& c, Converter converter, bool test) {
  std::optional<Item> v;
  if (!c.single_focus(v)) return false;
  if (!v) return true;
  if (v->element || v->is_type_info) {
    if (test) c.out.push_back(make_boolean(false));
    return true;
  }
  auto r = converter(*v);
  if (test) {
    c.out.push_back(make_boolean(r.has_value()));
  } else if (r) {
    c.out.push_back(std::move(*r));
  }
  return true;
}

bool fn_to_quantity(Call& c) {
  std::optional<Item> unit;
  if (c.arg_count() > 0 && !c.single_arg(0, unit)) return false;
  Collection converted;
  Call inner{c.ev, c.node, c.env, c.focus, converted};
  if (!convert(inner, to_quantity, false)) return false;
  if (converted.empty()) return true;
  if (!unit) {
    c.out.push_back(std::move(converted.front()));
    return true;
  }
  const Item& q = converted.front();
  auto value = Decimal::parse(q.text);
  if (!value) return true;
  if (auto r = convert_quantity(*value, q.unit, unit->text)) c.out.push_back(make_quantity(*r, unit->text));
  return true;
}

bool fn_converts_to_quantity(Call& c) {
  Collection converted;
  Call inner{c.ev, c.node, c.env, c.focus, converted};
  if (!fn_to_quantity(inner)) return false;
  std::optional<Item> v;
  if (!c.single_focus(v)) return false;
  if (v) c.out.push_back(make_boolean(!converted.empty()));
  return true;
}

#define CONVERSION(name, converter)                                        \
  bool fn_to_##name(Call& c) { return convert(c, converter, false); }     \
  bool fn_converts_to_##name(Call& c) { return convert(c, converter, true); }

CONVERSION(boolean, to_boolean)
CONVERSION(integer, to_integer)
CONVERSION(decimal, to_decimal)
CONVERSION(string, to_string_item)
CONVERSION(date, to_date)
CONVERSION(date_time, to_date_time)
CONVERSION(time, to_time)

constexpr FunctionSpec kFunctions[] = {
    {"toBoolean", 0, 0, fn_to_boolean},   {"convertsToBoolean", 0, 0, fn_converts_to_boolean},
    {"toInteger", 0, 0, fn_to_integer},   {"convertsToInteger", 0, 0, fn_converts_to_integer},
    {"toDecimal", 0, 0, fn_to_decimal},   {"convertsToDecimal", 0, 0, fn_converts_to_decimal},
    {"toString", 0, 0, fn_to_string},     {"convertsToString", 0, 0, fn_converts_to_string},
    {"toDate", 0, 0, fn_to_date},         {"convertsToDate", 0, 0, fn_converts_to_date},
    {"toDateTime", 0, 0, fn_to_date_time}, {"convertsToDateTime", 0, 0, fn_converts_to_date_time},
    {"toTime", 0, 0, fn_to_time},         {"convertsToTime", 0, 0, fn_converts_to_time},
    {"toQuantity", 0, 1, fn_to_quantity}, {"convertsToQuantity", 0, 1, fn_converts_to_quantity},
};

}  // namespace

std::span<const FunctionSpec> conversion_functions() { return kFunctions; }

}  // namespace carebridge::fhir::fhirpath
