// Where values stand on the time line (see temporal.h): their order at different
// precisions and zones, the first and last millisecond they cover, and their span of UTC.
#include <algorithm>

#include "fhir/time/civil_date.h"
#include "fhir/time/temporal.h"

namespace carebridge::fhir::time {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;

int64_t days_of(const Temporal& t) {
  if (t.is_time) return 0;
  return days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
}

// Seconds since 1970-01-01T00:00 (since midnight for a time of day) of the fields as
// written, whatever their zone.
int64_t wall_seconds(const Temporal& t) {
  return ((days_of(t) * 24 + t.hour) * 60 + t.minute) * 60 + t.second;
}

void set_wall_seconds(Temporal& t, int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / kSecondsPerDay : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
  int64_t rest = seconds - days * kSecondsPerDay;
  t.second = static_cast<int>(rest % 60);
  t.minute = static_cast<int>(rest / 60 % 60);
  t.hour = static_cast<int>(rest / 3600);
  if (t.is_time) return;
  CivilDate civil = civil_from_days(days);
  t.year = static_cast<int>(civil.year);
  t.month = static_cast<int>(civil.month);
  t.day = static_cast<int>(civil.day);
}

// The same moment with its fields in UTC.
Temporal in_utc(Temporal t) {
  set_wall_seconds(t, wall_seconds(t) - int64_t{t.zone_minutes} * 60);
  return t;
}

// Seconds and their fraction are compared as one precision.
Precision level(Precision p) { return p == Precision::Fraction ? Precision::Second : p; }

}  // namespace

std::optional<int> compare(const Temporal& a0, const Temporal& b0) {
  if (a0.is_time != b0.is_time) return std::nullopt;
  bool zones_differ = a0.has_zone != b0.has_zone;
  bool to_utc = !zones_differ && a0.has_zone && a0.precision >= Precision::Hour && b0.precision >= Precision::Hour;
  Temporal a = to_utc ? in_utc(a0) : a0;
  Temporal b = to_utc ? in_utc(b0) : b0;
  Precision common = std::min(level(a.precision), level(b.precision));
  const int64_t fa[] = {a.year, a.month, a.day, a.hour, a.minute, a.second * 1'000'000'000LL + a.nanosecond};
  const int64_t fb[] = {b.year, b.month, b.day, b.hour, b.minute, b.second * 1'000'000'000LL + b.nanosecond};
  constexpr int kHour = 3;  // fa[kHour] is the first field of a time
  for (int k = a.is_time ? kHour : 0; k < static_cast<int>(common); ++k) {
    if (zones_differ && k >= kHour) return std::nullopt;
    if (fa[k] != fb[k]) return fa[k] < fb[k] ? -1 : 1;
  }
  if (level(a.precision) != level(b.precision)) return std::nullopt;
  if (zones_differ && common >= Precision::Hour) return std::nullopt;
  return 0;
}

Temporal boundary(const Temporal& t, bool high) {
  Temporal r = t;
  if (t.precision < Precision::Month) r.month = high ? 12 : 1;
  if (t.precision < Precision::Day) {
    r.day = high ? static_cast<int>(days_in_month(r.year, static_cast<unsigned>(r.month))) : 1;
  }
  if (t.precision < Precision::Hour) r.hour = high ? 23 : 0;
  if (t.precision < Precision::Minute) r.minute = high ? 59 : 0;
  if (t.precision < Precision::Second) r.second = high ? 59 : 0;
  if (t.precision < Precision::Fraction) {
    r.nanosecond = high ? 999'000'000 : 0;
    r.fraction_digits = 3;
    r.precision = Precision::Fraction;
  }
  r.has_time = !r.is_time;
  return r;
}

std::optional<Span> utc_span(const Temporal& t) {
  if (t.is_time || t.precision == Precision::None) return std::nullopt;
  Span s;
  s.start.seconds = wall_seconds(t) - int64_t{t.zone_minutes} * 60;
  s.start.nanos = t.nanosecond;
  s.end = s.start;
  switch (t.precision) {
    case Precision::Year:
      s.end.seconds += (days_from_civil(t.year + 1, 1, 1) - days_of(t)) * kSecondsPerDay;
      break;
    case Precision::Month:
      s.end.seconds += days_in_month(t.year, static_cast<unsigned>(t.month)) * kSecondsPerDay;
      break;
    case Precision::Day: s.end.seconds += kSecondsPerDay; break;
    case Precision::Hour: s.end.seconds += 3600; break;
    case Precision::Minute: s.end.seconds += 60; break;
    case Precision::Second: s.end.seconds += 1; break;
    default: {
      int32_t step = 1;
      for (int k = std::clamp(t.fraction_digits, 1, 9); k < 9; ++k) step *= 10;
      s.end.nanos += step;
      if (s.end.nanos >= 1'000'000'000) {
        s.end.nanos -= 1'000'000'000;
        ++s.end.seconds;
      }
    }
  }
  return s;
}

}  // namespace carebridge::fhir::time
