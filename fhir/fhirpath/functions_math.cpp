// Math functions (abs ceiling exp floor ln log power round sqrt truncate), the
// precision functions (precision lowBoundary highBoundary comparable), and the
// aggregates of FHIRPath 3.0 (sum min max avg).
#include <algorithm>
#include <cmath>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/operators.h"
#include "fhir/fhirpath/value.h"
#include "fhir/fhirpath/quantity.h"

namespace carebridge::fhir::fhirpath {
namespace {

constexpr int kMaxDecimalPrecision = 28;

// The focus as a single number (or quantity when allowed); empty -> nullopt.
bool number_focus(Call& c, std::optional<Item>& v, bool allow_quantity = false) {
  if (!c.single_focus(v)) return false;
  if (!v) return true;
  bool number = v->type == SystemType::Integer || v->type == SystemType::Decimal;
  if (v->element || v->is_type_info || !(number || (allow_quantity && v->type == SystemType::Quantity))) {
    return c.fail(c.node.name + "() needs a number");
  }
  // A value out of the decimal range (1e400 in a resource) gives empty.
  if (!Decimal::parse(v->text)) v.reset();
  return true;
}

bool push_double(Call& c, double d) {
  if (std::isnan(d) || std::isinf(d)) return true;
  if (auto r = Decimal::from_double(d)) c.out.push_back(make_decimal(*r));
  return true;
}

bool fn_abs(Call& c) {
  std::optional<Item> v;
  if (!number_focus(c, v, true)) return false;
  if (!v) return true;
  if (v->text.starts_with('-')) v->text.erase(0, 1);
  if (v->type == SystemType::Integer && v->text == "2147483648")  // no 32-bit Integer (N1 2.1.1)
    return c.fail("integer overflow: the result is beyond FHIRPath's Integer (-2147483648 to 2147483647)");
  c.out.push_back(std::move(*v));
  return true;
}

// ceiling floor truncate: Integer results.
bool integral(Call& c, Decimal (*op)(const Decimal&)) {
  std::optional<Item> v;
  if (!number_focus(c, v)) return false;
  if (!v) return true;
  auto d = as_decimal(*v);
  if (!d) return true;
  auto i = op(*d).to_int64();
  if (!i) return c.fail(c.node.name + "(): result out of range");
  c.out.push_back(make_integer(*i));
  return true;
}
bool fn_ceiling(Call& c) { return integral(c, ceiling); }
bool fn_floor(Call& c) { return integral(c, floor); }
bool fn_truncate(Call& c) { return integral(c, truncate); }

bool unary_double(Call& c, double (*op)(double)) {
  std::optional<Item> v;
  if (!number_focus(c, v)) return false;
  if (!v) return true;
  return push_double(c, op(as_decimal(*v)->to_double()));
}
bool fn_exp(Call& c) { return unary_double(c, [](double x) { return std::exp(x); }); }
bool fn_ln(Call& c) { return unary_double(c, [](double x) { return x <= 0 ? NAN : std::log(x); }); }
bool fn_sqrt(Call& c) {
  std::optional<Item> v;
  if (!number_focus(c, v)) return false;
  if (!v) return true;
  double x = as_decimal(*v)->to_double();
  if (x < 0) return true;
  return push_double(c, std::sqrt(x));
}

bool fn_log(Call& c) {
  std::optional<Item> v, base;
  if (!number_focus(c, v) || !c.single_arg(0, base)) return false;
  if (!v || !base) return true;
  auto b = as_decimal(*base);
  if (!b) return c.fail("log() needs a number base");
  double x = as_decimal(*v)->to_double(), y = b->to_double();
  if (x <= 0 || y <= 0 || y == 1) return true;
  return push_double(c, std::log(x) / std::log(y));
}

bool fn_power(Call& c) {
  std::optional<Item> v, e;
  if (!number_focus(c, v) || !c.single_arg(0, e)) return false;
  if (!v || !e) return true;
  auto exponent = as_decimal(*e);
  if (!exponent) return c.fail("power() needs a number exponent");
  if (!as_decimal(*v)) return true;
  if (v->type == SystemType::Integer && e->type == SystemType::Integer && !exponent->negative()) {
    double r = std::pow(as_decimal(*v)->to_double(), exponent->to_double());
    if (std::fabs(r) < 9.2e18) {
      c.out.push_back(make_integer(static_cast<int64_t>(std::llround(r))));
      return true;
    }
    return true;
  }
  return push_double(c, std::pow(as_decimal(*v)->to_double(), exponent->to_double()));
}

bool fn_round(Call& c) {
  std::optional<Item> v, digits;
  if (!number_focus(c, v)) return false;
  if (c.arg_count() > 0 && !c.single_arg(0, digits)) return false;
  if (!v) return true;
  int64_t n = 0;
  if (digits) {
    auto d = as_integer(*digits);
    if (!d || *d < 0) return c.fail("round() needs a non-negative integer precision");
    n = *d;
  }
  c.out.push_back(make_decimal(as_decimal(*v)->rescaled(static_cast<int>(std::min<int64_t>(n, kMaxDecimalPrecision)))));
  return true;
}

// Boundaries of a decimal written with `scale` decimals, to `digits` decimals.
std::optional<Decimal> decimal_boundary(const Decimal& d, int digits, bool high) {
  Decimal half{5, d.scale + 1};
  auto edge = high ? add(d, half) : subtract(d, half);
  if (!edge) return std::nullopt;
  // Towards the boundary's own side: low of a positive value and high of a negative
  // value are cut, the others rounded.
  bool cut = high ? edge->negative() : !edge->negative();
  if (digits >= edge->scale) return edge->rescaled(digits);
  if (!cut) return edge->rescaled(digits);
  Int128 p = 1;
  for (int i = digits; i < edge->scale; ++i) p *= 10;
  return Decimal{edge->mantissa / p, digits};
}

bool boundary(Call& c, bool high) {
  std::optional<Item> v, digits_item;
  if (!c.single_focus(v)) return false;
  if (c.arg_count() > 0 && !c.single_arg(0, digits_item)) return false;
  if (!v || v->element) return true;
  std::optional<int64_t> digits;
  if (digits_item) {
    digits = as_integer(*digits_item);
    if (!digits) return c.fail(c.node.name + "() needs an integer precision");
  }
  if (v->type == SystemType::Integer || v->type == SystemType::Decimal || v->type == SystemType::Quantity) {
    int p = digits ? static_cast<int>(*digits) : 8;
    if (p < 0 || p > kMaxDecimalPrecision) return true;
    auto d = Decimal::parse(v->text);
    if (!d) return true;
    auto r = decimal_boundary(*d, p, high);
    if (!r) return true;
    Item out = v->type == SystemType::Quantity ? make_quantity(*r, v->unit) : make_decimal(*r);
    if (d->negative() && r->is_zero()) out.text.insert(0, 1, '-');  // keeps the side: -0.0
    c.out.push_back(std::move(out));
    return true;
  }
  if (auto t = as_temporal(*v)) {
    // A Date stays a Date: its finest precision is the day (8 digits).
    if (v->type == SystemType::Date && digits && *digits > 8) return true;
    int p = digits ? static_cast<int>(std::clamp<int64_t>(*digits, -1, 64)) : v->type == SystemType::Date ? 8 : -1;
    if (auto r = fhirpath::boundary(*t, p, high)) c.out.push_back(make_temporal(*r));
  }
  return true;
}
bool fn_low_boundary(Call& c) { return boundary(c, false); }
bool fn_high_boundary(Call& c) { return boundary(c, true); }

bool fn_precision(Call& c) {
  std::optional<Item> v;
  if (!c.single_focus(v)) return false;
  if (!v || v->element) return true;
  if (v->type == SystemType::Decimal || v->type == SystemType::Integer) {
    if (auto d = Decimal::parse(v->text)) c.out.push_back(make_integer(d->scale));
  } else if (auto t = as_temporal(*v)) {
    c.out.push_back(make_integer(precision_digits(*t)));
  }
  return true;
}

// comparable(): whether the two quantities can be compared and their order known.
// Numbers take part as quantities of unit '1'; anything else gives empty.
bool fn_comparable(Call& c) {
  std::optional<Item> v, other;
  if (!c.single_focus(v) || !c.single_arg(0, other)) return false;
  if (!v || !other) return true;
  auto unit_of = [](const Item& item) -> std::optional<std::string> {
    if (item.element || item.is_type_info) return std::nullopt;
    if (item.type == SystemType::Quantity) return item.unit;
    if (item.type == SystemType::Integer || item.type == SystemType::Decimal) return std::string("1");
    return std::nullopt;
  };
  auto a = unit_of(*v), b = unit_of(*other);
  if (!a || !b) return true;
  c.out.push_back(make_boolean(units_comparable(*a, *b)));
  return true;
}

// The focus' items as System values for an aggregate: empty ones (a primitive without a
// value) left out; false when one is not a value the aggregate takes.
bool aggregate_values(Call& c, bool ordered_types, std::vector<Item>& values) {
  for (const Item& item : c.focus) {
    if (is_valueless(item)) continue;
    auto v = system_value(item);
    bool number = v && (v->type == SystemType::Integer || v->type == SystemType::Decimal || v->type == SystemType::Quantity);
    bool ordered = v && (v->type == SystemType::String || v->type == SystemType::Date || v->type == SystemType::DateTime ||
                         v->type == SystemType::Time);
    if (!number && !(ordered_types && ordered)) return c.fail(c.node.name + "() needs numbers or quantities");
    values.push_back(std::move(*v));
  }
  return true;
}

bool total_of(Call& c, const std::vector<Item>& values, std::optional<Item>& total) {
  std::string error;
  for (const Item& v : values) {
    if (!total) {
      total = v;
      continue;
    }
    std::optional<Item> next;
    if (!arithmetic(Op::Plus, *total, v, next, error)) return c.fail(c.node.name + "(): " + error);
    total = std::move(next);
    if (!total) return true;  // quantities of units that do not add
  }
  return true;
}

bool fn_sum(Call& c) {
  std::vector<Item> values;
  std::optional<Item> total;
  if (!aggregate_values(c, false, values) || !total_of(c, values, total)) return false;
  if (total) c.out.push_back(std::move(*total));
  return true;
}

bool fn_avg(Call& c) {
  std::vector<Item> values;
  std::optional<Item> total, mean;
  if (!aggregate_values(c, false, values) || !total_of(c, values, total)) return false;
  if (!total) return true;
  std::string error;
  if (!arithmetic(Op::Divide, *total, make_integer(static_cast<int64_t>(values.size())), mean, error)) return c.fail(error);
  if (mean) c.out.push_back(std::move(*mean));
  return true;
}

// min() and max(): the least or greatest item; empty when two are not comparable
// (dates of different precisions, quantities of other dimensions).
bool extreme(Call& c, int sign) {
  std::vector<Item> values;
  if (!aggregate_values(c, true, values)) return false;
  if (values.empty()) return true;
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    std::string error;
    auto order = compare_items(values[i], values[best], error);
    if (!order) return error.empty() ? true : c.fail(c.node.name + "(): " + error);
    if (*order * sign > 0) best = i;
  }
  c.out.push_back(std::move(values[best]));
  return true;
}
bool fn_min(Call& c) { return extreme(c, -1); }
bool fn_max(Call& c) { return extreme(c, 1); }

constexpr FunctionSpec kFunctions[] = {
    {"abs", 0, 0, fn_abs},         {"ceiling", 0, 0, fn_ceiling},  {"exp", 0, 0, fn_exp},
    {"floor", 0, 0, fn_floor},     {"ln", 0, 0, fn_ln},            {"log", 1, 1, fn_log},
    {"power", 1, 1, fn_power},     {"round", 0, 1, fn_round},      {"sqrt", 0, 0, fn_sqrt},
    {"truncate", 0, 0, fn_truncate}, {"lowBoundary", 0, 1, fn_low_boundary},
    {"highBoundary", 0, 1, fn_high_boundary}, {"precision", 0, 0, fn_precision},
    {"comparable", 1, 1, fn_comparable},
    {"sum", 0, 0, fn_sum},         {"min", 0, 0, fn_min},          {"max", 0, 0, fn_max},
    {"avg", 0, 0, fn_avg},
};

}  // namespace

std::span<const FunctionSpec> math_functions() { return kFunctions; }

}  // namespace carebridge::fhir::fhirpath
