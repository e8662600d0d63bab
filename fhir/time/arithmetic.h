// Moving dates, date-times and times by calendar durations (FHIRPath N1 "Date/Time
// Arithmetic"): whole units, month ends kept, partial precisions, times around midnight.
#pragma once

#include <cstdint>
#include <optional>

#include "fhir/time/temporal.h"

namespace carebridge::fhir::time {

// The units a value moves by, coarsest first.
enum class CalendarUnit : uint8_t { Year, Month, Week, Day, Hour, Minute, Second, Millisecond };

// `t` moved by `amount` whole units. A unit finer than the value's precision is first
// converted to that precision and truncated (2014 + 23 months is 2015: a year counts 12
// months or 365 days, a month 30 days); years and months keep the day of the month where
// the month has it (Jan 31 + 1 month is the last day of February); a time of day wraps
// around midnight. The result keeps the value's precision and zone. nullopt when it
// leaves the years 0001 to 9999.
std::optional<Temporal> add(const Temporal& t, int64_t amount, CalendarUnit unit);

}  // namespace carebridge::fhir::time
