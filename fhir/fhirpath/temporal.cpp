// FHIRPath's side of the time model: its literal forms, precision digits, boundaries
// and the units date/time arithmetic accepts (see temporal.h).
#include "fhir/fhirpath/temporal.h"

#include <iterator>

namespace carebridge::fhir::fhirpath {
namespace {

// Digits of precision by Precision, for dates and date-times and for times.
constexpr int kDateDigits[] = {0, 4, 6, 8, 10, 12, 14, 17};
constexpr int kTimeDigits[] = {0, 0, 0, 0, 2, 4, 6, 9};

// The precision `digits` names for a date-time or a time; None when it names none.
Precision precision_of_digits(bool is_time, int digits) {
  const int* table = is_time ? kTimeDigits : kDateDigits;
  for (int p = static_cast<int>(Precision::Year); p <= static_cast<int>(Precision::Fraction); ++p) {
    if (digits > 0 && table[p] == digits) return static_cast<Precision>(p);
  }
  return Precision::None;
}

}  // namespace

std::optional<Temporal> parse_date_time(std::string_view text) {
  return time::try_parse(text, time::Syntax::FhirPathDateTime);
}

std::optional<Temporal> parse_time(std::string_view text) { return time::try_parse(text, time::Syntax::FhirPathTime); }

int precision_digits(const Temporal& t) {
  return (t.is_time ? kTimeDigits : kDateDigits)[static_cast<int>(t.precision)];
}

std::optional<CalendarUnit> calendar_unit(std::string_view unit) {
  static constexpr std::string_view kKeywords[] = {"year", "month",  "week",   "day",
                                                   "hour", "minute", "second", "millisecond"};
  static constexpr std::string_view kUcum[] = {"", "", "wk", "d", "h", "min", "s", "ms"};
  for (size_t i = 0; i < std::size(kKeywords); ++i) {
    bool plural = unit.size() == kKeywords[i].size() + 1 && unit.back() == 's' && unit.starts_with(kKeywords[i]);
    if (unit == kKeywords[i] || plural || (!kUcum[i].empty() && unit == kUcum[i])) {
      return static_cast<CalendarUnit>(i);
    }
  }
  return std::nullopt;
}

std::optional<Temporal> add_duration(const Temporal& t, TemporalKind kind, int64_t amount, CalendarUnit unit,
                                     std::string& error) {
  // A Date moves by hours and finer as any value moves by units below its precision:
  // converted to days and truncated (N1 §6.6), so @2014-01-01 + 1 hour is that day.
  // A Time has no day to carry into.
  if (kind == TemporalKind::Time && unit < CalendarUnit::Hour) {
    static constexpr std::string_view kNames[] = {"years", "months", "weeks", "days"};
    error = "a time cannot be moved by " + std::string(kNames[static_cast<int>(unit)]);
    return std::nullopt;
  }
  return time::add(t, amount, unit);
}

std::optional<Temporal> boundary(const Temporal& t0, int digits, bool high) {
  // A FHIR dateTime has no hour-only form: @2014-01-01T08 is read as 08:00, so its
  // high boundary is 08:00:59.999 (as the R4 test suite has it).
  Temporal t = t0;
  if (!t.is_time && t.precision == Precision::Hour) {
    t.precision = Precision::Minute;
    t.minute = 0;
  }
  Precision p = precision_of_digits(t.is_time, digits < 0 ? (t.is_time ? 9 : 17) : digits);
  if (p == Precision::None) return std::nullopt;
  Temporal r = time::boundary(t, high);
  r.precision = p;
  if (t.is_time) return r;
  r.has_time = p >= Precision::Hour;
  if (p >= Precision::Hour && !t.has_zone) {
    // Without a zone the boundary spans every zone: +14:00 is earliest, -12:00 latest.
    r.has_zone = true;
    r.zulu = false;
    r.zone_minutes = high ? -12 * 60 : 14 * 60;
  }
  if (p < Precision::Hour) r.has_zone = false;
  return r;
}

}  // namespace carebridge::fhir::fhirpath
