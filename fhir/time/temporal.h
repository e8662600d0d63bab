// The one model of FHIR date, dateTime, instant and time values and of FHIRPath's Date,
// DateTime and Time: the fields a value is written with, its precision, its time zone
// (or none). One parser reads every written form (the FHIR primitives, a date search
// value, FHIRPath literals) without allocating when the text is valid; values compare
// at their precisions and cover an interval of the UTC time line.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/model/result.h"

namespace carebridge::fhir::time {

// How much of a value is written, coarsest first. Fraction: seconds with decimal digits
// (FHIRPath calls it millisecond precision).
enum class Precision : uint8_t { None, Year, Month, Day, Hour, Minute, Second, Fraction };

struct Temporal {
  bool is_time = false;   // a time of day without a date (FHIR time, FHIRPath Time)
  bool has_time = false;  // a date written with a 'T': a date-time (FHIRPath also has "2014T")
  Precision precision = Precision::None;
  int year = 0, month = 1, day = 1;  // fields past the precision keep their first value
  int hour = 0, minute = 0, second = 0;
  int nanosecond = 0;       // the fraction of the second, to nine digits
  int fraction_digits = 0;  // digits the fraction is written with (1 to 9; FHIRPath: 3)
  bool has_zone = false;
  bool zulu = false;        // the zone is written as Z
  int zone_minutes = 0;     // offset from UTC, -14:00 to +14:00

  int millisecond() const { return nanosecond / 1'000'000; }
};

// The written forms. Every one refuses years 0000, months and days a calendar does not
// have, 24:00 and offsets beyond 14:00; FHIR's own forms take a leap second (:60, as the R4
// regexes do), FHIRPath's do not.
enum class Syntax : uint8_t {
  Date,              // FHIR date: YYYY, YYYY-MM or YYYY-MM-DD
  DateTime,          // FHIR dateTime: a date, or YYYY-MM-DDThh:mm:ss(.f) with Z or +hh:mm
  Instant,           // FHIR instant: YYYY-MM-DDThh:mm:ss(.f) with Z or +hh:mm
  Time,              // FHIR time: hh:mm:ss(.f), no zone
  SearchDate,        // a date search value: a date, or YYYY-MM-DDThh:mm(:ss(.f)) with an optional zone
  FhirPathDateTime,  // FHIRPath @-literal without '@': a date, 'T', hh(:mm(:ss(.f))), an optional zone
  FhirPathTime,      // FHIRPath time without "@T": hh(:mm(:ss(.f))), no zone
};

// The value `text` holds in `syntax`, or one issue (code "value") saying in plain words
// what is wrong and where. FHIRPath forms keep the fraction to the millisecond.
Result<Temporal> parse(std::string_view text, Syntax syntax);
// The same without the reason, for callers that only need yes or no; never allocates.
std::optional<Temporal> try_parse(std::string_view text, Syntax syntax);

// The value written back: the fields its precision holds, 'T' when it has one, the
// fraction with its digits, the zone (Z when written as Z; a time of day has none).
std::string format(const Temporal& t);

// Three-way order of two dates/date-times or two times, field by field from the year
// (the hour for times), as FHIRPath compares them: values with zones are moved to UTC
// when both have a time; seconds and their fraction are one precision. nullopt when the
// order is unknown: equal as far as the coarser one goes but of different precisions,
// a time part of one with a zone and one without, or a time against a date.
std::optional<int> compare(const Temporal& a, const Temporal& b);

// The value extended to the millisecond: the fields past its precision set to their
// first (low) or last (high) value, in its own zone. "2024-02" high: 2024-02-29T23:59:59.999.
Temporal boundary(const Temporal& t, bool high);

// A point of the UTC time line: seconds since 1970-01-01T00:00:00Z and the nanoseconds after.
struct EpochTime {
  int64_t seconds = 0;
  int32_t nanos = 0;
  auto operator<=>(const EpochTime&) const = default;
  double to_seconds() const { return static_cast<double>(seconds) + nanos * 1e-9; }
};

// The stretch [start, end) of the UTC time line a date or date-time covers: "2024-03" is
// all of March 2024 in UTC, "2024-03-05T10:00:00.5Z" the tenth of a second from .5. A value
// without a zone is read as UTC (search has always indexed and queried it so).
struct Span {
  EpochTime start;
  EpochTime end;  // not covered: the start of the next value at the same precision
};
// nullopt for a time of day, which is on no date.
std::optional<Span> utc_span(const Temporal& t);

}  // namespace carebridge::fhir::time
