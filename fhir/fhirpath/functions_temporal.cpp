// Date and time component functions (FHIRPath 2.1): yearOf monthOf dayOf hourOf
// minuteOf secondOf millisecondOf timezoneOffsetOf dateOf timeOf. A component
// below the value's precision gives empty.
#include "fhir/fhirpath/evaluator.h"

namespace carebridge::fhir::fhirpath {
namespace {

bool temporal_focus(Call& c, std::optional<Temporal>& t) {
  std::optional<Item> v;
  if (!c.single_focus(v)) return false;
  t.reset();
  if (!v || v->element) return true;
  t = as_temporal(*v);
  if (!t) return c.fail(c.node.name + "() needs a date, date-time or time");
  return true;
}

// The field `of` reads, when the value's precision holds it and it is of a kind that has it.
template <typename Field>
bool component(Call& c, Precision needed, Field of, bool time_ok, bool date_ok) {
  std::optional<Temporal> t;
  if (!temporal_focus(c, t)) return false;
  if (!t || t->precision < needed) return true;
  if ((t->is_time && !time_ok) || (!t->is_time && !date_ok)) return true;
  c.out.push_back(make_integer(of(*t)));
  return true;
}

bool fn_year_of(Call& c) {
  return component(c, Precision::Year, [](const Temporal& t) { return t.year; }, false, true);
}
bool fn_month_of(Call& c) {
  return component(c, Precision::Month, [](const Temporal& t) { return t.month; }, false, true);
}
bool fn_day_of(Call& c) {
  return component(c, Precision::Day, [](const Temporal& t) { return t.day; }, false, true);
}
bool fn_hour_of(Call& c) {
  return component(c, Precision::Hour, [](const Temporal& t) { return t.hour; }, true, true);
}
bool fn_minute_of(Call& c) {
  return component(c, Precision::Minute, [](const Temporal& t) { return t.minute; }, true, true);
}
bool fn_second_of(Call& c) {
  return component(c, Precision::Second, [](const Temporal& t) { return t.second; }, true, true);
}
bool fn_millisecond_of(Call& c) {
  return component(c, Precision::Fraction, [](const Temporal& t) { return t.millisecond(); }, true, true);
}

bool fn_timezone_offset_of(Call& c) {
  std::optional<Temporal> t;
  if (!temporal_focus(c, t)) return false;
  if (!t || !t->has_zone) return true;
  auto hours = divide(Decimal::from_int(t->zone_minutes), Decimal::from_int(60));
  if (hours) c.out.push_back(make_decimal(hours->scale == 0 ? hours->rescaled(1) : *hours));
  return true;
}

bool fn_date_of(Call& c) {
  std::optional<Temporal> t;
  if (!temporal_focus(c, t)) return false;
  if (!t || t->is_time) return true;
  Temporal d = *t;
  d.has_time = d.has_zone = false;
  if (d.precision > Precision::Day) d.precision = Precision::Day;
  c.out.push_back(make_temporal(d));
  return true;
}

bool fn_time_of(Call& c) {
  std::optional<Temporal> t;
  if (!temporal_focus(c, t)) return false;
  if (!t || t->is_time || t->precision < Precision::Hour) return true;
  Temporal d = *t;
  d.is_time = true;
  d.has_time = d.has_zone = false;
  c.out.push_back(make_temporal(d));
  return true;
}

constexpr FunctionSpec kFunctions[] = {
    {"yearOf", 0, 0, fn_year_of},           {"monthOf", 0, 0, fn_month_of},
    {"dayOf", 0, 0, fn_day_of},             {"hourOf", 0, 0, fn_hour_of},
    {"minuteOf", 0, 0, fn_minute_of},       {"secondOf", 0, 0, fn_second_of},
    {"millisecondOf", 0, 0, fn_millisecond_of}, {"timezoneOffsetOf", 0, 0, fn_timezone_offset_of},
    {"dateOf", 0, 0, fn_date_of},           {"timeOf", 0, 0, fn_time_of},
};

}  // namespace

std::span<const FunctionSpec> temporal_functions() { return kFunctions; }

}  // namespace carebridge::fhir::fhirpath
