// Partial-precision dates, date-times and times: parsing FHIRPath and FHIR forms,
// comparison by precision (different precision may give "unknown"), arithmetic
// with calendar durations, and the boundary functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace carebridge::fhir::fhirpath {

// Precision levels; Millisecond is compared together with Second.
enum class Precision : uint8_t { None, Year, Month, Day, Hour, Minute, Second, Millisecond };

struct Temporal {
  bool is_time = false;      // a Time (no date part)
  bool has_time = false;     // a DateTime with a 'T'
  Precision precision = Precision::None;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0;
  bool has_zone = false;
  bool zulu = false;         // written as Z
  int zone_minutes = 0;      // offset from UTC

  // Parses "2014", "2014-01-05T10:30:00.000+01:00", "2014T" (date-times) or "10:30" (times).
  static std::optional<Temporal> parse_date_time(std::string_view text);
  static std::optional<Temporal> parse_time(std::string_view text);
  std::string to_string() const;
  // Number of digits of precision as precision() reports it (4, 6, 8, 10, 12, 14, 17 / 2, 4, 6, 9).
  int digits() const;
};

// Three-way comparison; nullopt when the values are not comparable at their precisions.
std::optional<int> compare(const Temporal& a, const Temporal& b);
// The units date/time arithmetic moves by, coarsest first.
enum class CalendarUnit : uint8_t { Year, Month, Week, Day, Hour, Minute, Second, Millisecond };

// The calendar unit a quantity's unit stands for in date/time arithmetic: the calendar
// keywords, bare or quoted ("days", 'month'), and the UCUM definite durations 'wk' 'd'
// 'h' 'min' 's' 'ms'. nullopt for the UCUM mean year 'a' and month 'mo' and any other unit.
std::optional<CalendarUnit> calendar_unit(std::string_view unit);

// What the value being moved is: the units a Date, DateTime or Time accepts differ.
enum class TemporalKind : uint8_t { Date, DateTime, Time };

// Moves `t` by `amount` whole units (N1 6.6.x, with calendar semantics): a unit finer
// than the value's precision is first converted to that precision and truncated
// (@2014 + 23 months is @2014 + 1 year; a month counts 30 days, a year 365), months
// and years keep the day of the month where the month has it (Jan 31 + 1 month is the
// last day of February), and times wrap around midnight. The result keeps the value's
// precision and offset. nullopt with `error` when the unit does not apply to the kind
// of value (hours on a Date, days on a Time); nullopt without an error when the result
// leaves the years 0001 to 9999.
std::optional<Temporal> add_duration(const Temporal& t, TemporalKind kind, int64_t amount, CalendarUnit unit,
                                     std::string& error);
// lowBoundary()/highBoundary() with the given precision digits (-1 for the maximum).
std::optional<Temporal> boundary(const Temporal& t, int digits, bool high);

}  // namespace carebridge::fhir::fhirpath
