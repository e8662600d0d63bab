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
// Adds `amount` of `unit` (a calendar word or UCUM time unit); nullopt for unknown units.
std::optional<Temporal> add_duration(const Temporal& t, double amount, std::string_view unit);
// lowBoundary()/highBoundary() with the given precision digits (-1 for the maximum).
std::optional<Temporal> boundary(const Temporal& t, int digits, bool high);

}  // namespace carebridge::fhir::fhirpath
