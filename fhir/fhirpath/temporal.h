// FHIRPath's side of the time model (fhir/time): reading Date, DateTime and Time values,
// their precision in digits, the boundary functions, and date/time arithmetic with
// quantities. Parsing, order and calendar arithmetic themselves live in fhir/time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/time/arithmetic.h"
#include "fhir/time/temporal.h"

namespace carebridge::fhir::fhirpath {

using time::CalendarUnit;
using time::compare;
using time::Precision;
using time::Temporal;

// "2014", "2014-01-05T10:30:00.000+01:00", "2014T" (dates and date-times, without '@').
std::optional<Temporal> parse_date_time(std::string_view text);
// "10:30" (times, without "@T").
std::optional<Temporal> parse_time(std::string_view text);
// The number of digits of precision as precision() reports it (4, 6, 8, 10, 12, 14, 17 / 2, 4, 6, 9).
int precision_digits(const Temporal& t);

// The calendar unit a quantity's unit stands for in date/time arithmetic: the calendar
// keywords, bare or quoted ("days", 'month'), and the UCUM definite durations 'wk' 'd'
// 'h' 'min' 's' 'ms'. nullopt for the UCUM mean year 'a' and month 'mo' and any other unit.
std::optional<CalendarUnit> calendar_unit(std::string_view unit);

// What the value being moved is: the units a Date, DateTime or Time accepts differ.
enum class TemporalKind : uint8_t { Date, DateTime, Time };

// time::add after checking that the unit applies to the kind of value: nullopt with
// `error` for days and coarser on a Time; nullopt without an error when the result
// leaves the years 0001 to 9999. A Date takes hours and finer truncated to days.
std::optional<Temporal> add_duration(const Temporal& t, TemporalKind kind, int64_t amount, CalendarUnit unit,
                                     std::string& error);
// lowBoundary()/highBoundary() with the given precision digits (-1 for the maximum).
std::optional<Temporal> boundary(const Temporal& t, int digits, bool high);

}  // namespace carebridge::fhir::fhirpath
