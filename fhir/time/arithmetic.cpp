// Calendar arithmetic on values of the time model (see arithmetic.h).
#include "fhir/time/arithmetic.h"

#include <algorithm>

#include "fhir/time/civil_date.h"

namespace carebridge::fhir::time {
namespace {

__extension__ typedef __int128 Int128;  // amounts times unit lengths outgrow 64 bits

constexpr int64_t kMillisPerDay = 86'400'000;
constexpr int kNanosPerMilli = 1'000'000;

int64_t unit_millis(CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::Week: return 7 * kMillisPerDay;
    case CalendarUnit::Day: return kMillisPerDay;
    case CalendarUnit::Hour: return 3'600'000;
    case CalendarUnit::Minute: return 60'000;
    case CalendarUnit::Second: return 1'000;
    case CalendarUnit::Millisecond: return 1;
    default: return 0;  // years and months have no fixed length
  }
}

// The finest unit a value of this precision holds.
CalendarUnit precision_unit(Precision p) {
  switch (p) {
    case Precision::Year: return CalendarUnit::Year;
    case Precision::Month: return CalendarUnit::Month;
    case Precision::Day: return CalendarUnit::Day;
    case Precision::Hour: return CalendarUnit::Hour;
    case Precision::Minute: return CalendarUnit::Minute;
    case Precision::Second: return CalendarUnit::Second;
    default: return CalendarUnit::Millisecond;
  }
}

// `amount` of `unit` expressed in the coarser unit `to`, truncated toward zero; the
// conversion factors of the specification (a year is 12 months or 365 days, a month 30).
Int128 coarsen(Int128 amount, CalendarUnit unit, CalendarUnit to) {
  if (to == CalendarUnit::Year && unit == CalendarUnit::Month) return amount / 12;
  if (to == CalendarUnit::Year || to == CalendarUnit::Month) {
    Int128 days = amount * unit_millis(unit) / kMillisPerDay;
    return days / (to == CalendarUnit::Year ? 365 : 30);
  }
  return amount * unit_millis(unit) / unit_millis(to);
}

bool in_year_range(Int128 year) { return year >= 1 && year <= 9999; }

// Milliseconds since 1970-01-01 (since midnight for a time of day) of the fields as written.
int64_t to_millis(const Temporal& t) {
  int64_t days = t.is_time ? 0 : days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  return (((days * 24 + t.hour) * 60 + t.minute) * 60 + t.second) * 1000 + t.millisecond();
}

// Sets the fields from milliseconds, keeping the nanoseconds below the millisecond.
void set_millis(Temporal& t, int64_t ms) {
  int64_t days = ms >= 0 ? ms / kMillisPerDay : -((-ms + kMillisPerDay - 1) / kMillisPerDay);
  int64_t rest = ms - days * kMillisPerDay;
  t.nanosecond = static_cast<int>(rest % 1000) * kNanosPerMilli + t.nanosecond % kNanosPerMilli;
  rest /= 1000;
  t.second = static_cast<int>(rest % 60);
  rest /= 60;
  t.minute = static_cast<int>(rest % 60);
  t.hour = static_cast<int>(rest / 60);
  if (t.is_time) return;
  CivilDate civil = civil_from_days(days);
  t.year = static_cast<int>(civil.year);
  t.month = static_cast<int>(civil.month);
  t.day = static_cast<int>(civil.day);
}

std::optional<Temporal> add_months(const Temporal& t, Int128 months_added) {
  Temporal r = t;
  Int128 months = Int128(r.year) * 12 + (r.month - 1) + months_added;
  Int128 year = months >= 0 ? months / 12 : -1;
  if (!in_year_range(year)) return std::nullopt;
  r.year = static_cast<int>(year);
  if (t.precision >= Precision::Month) r.month = static_cast<int>(months % 12) + 1;
  if (t.precision >= Precision::Day) {
    r.day = std::min(r.day, static_cast<int>(days_in_month(r.year, static_cast<unsigned>(r.month))));
  }
  return r;
}

}  // namespace

std::optional<Temporal> add(const Temporal& t, int64_t amount, CalendarUnit unit) {
  Int128 whole = amount;
  if (unit == CalendarUnit::Week) {
    whole *= 7;
    unit = CalendarUnit::Day;
  }
  CalendarUnit finest = precision_unit(t.precision);
  if (unit > finest) {
    whole = coarsen(whole, unit, finest);
    unit = finest;
  }
  if (unit == CalendarUnit::Year) return add_months(t, whole * 12);
  if (unit == CalendarUnit::Month) return add_months(t, whole);
  Temporal r = t;
  Int128 delta = whole * unit_millis(unit);
  if (t.is_time) {
    Int128 ms = (Int128(to_millis(t)) + delta % kMillisPerDay + kMillisPerDay) % kMillisPerDay;
    set_millis(r, static_cast<int64_t>(ms));
    return r;
  }
  constexpr Int128 kSpan = Int128(10'000) * 366 * kMillisPerDay;  // more than years 1..9999
  if (delta > kSpan || delta < -kSpan) return std::nullopt;
  set_millis(r, to_millis(t) + static_cast<int64_t>(delta));
  if (!in_year_range(r.year)) return std::nullopt;
  return r;
}

}  // namespace carebridge::fhir::time
