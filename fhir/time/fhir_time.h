// FHIR date, dateTime and instant values as ranges of epoch seconds (a value
// covers everything its precision allows: "2024-03" is all of March 2024), and
// the server's own timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace carebridge::fhir::time {

// [first, last] second (with milliseconds) covered by a date search value or an indexed
// date, dateTime or instant (Syntax::SearchDate; without a zone, in UTC); nullopt when malformed.
// An offset whose '+' a URL's query decoding made a space ("2024-03-05T10:00:00 05:00", sent
// unescaped) is read with its '+', as HAPI FHIR reads it: a space is in no date.
std::optional<std::pair<double, double>> date_range(std::string_view text);

// Milliseconds since the epoch, now.
int64_t now_ms();
// An instant with millisecond precision in UTC: "2024-03-05T07:08:09.123Z".
std::string format_instant(int64_t ms);
// An HTTP date (RFC 7231) for Last-Modified: "Tue, 05 Mar 2024 07:08:09 GMT".
std::string http_date(int64_t ms);

}  // namespace carebridge::fhir::time
