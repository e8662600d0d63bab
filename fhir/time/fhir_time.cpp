// Search date ranges on the time model, and the server's timestamps, without the C
// library's time zone state (see fhir_time.h).
#include "fhir/time/fhir_time.h"

#include "fhir/time/civil_date.h"
#include "fhir/time/temporal.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace carebridge::fhir::time {

namespace {

// A time whose offset's '+' a URL's query turned into a space ("...T10:00:00 05:00", an
// unescaped '+' decoded as form data decodes it), with the '+' put back; nullopt for others.
std::optional<std::string> with_offset_plus(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos || text.size() - space != 6 || text[space + 3] != ':' ||
      text.substr(0, space).find('T') == std::string_view::npos)
    return std::nullopt;
  std::string restored(text);
  restored[space] = '+';
  return restored;
}

}  // namespace

std::optional<std::pair<double, double>> date_range(std::string_view text) {
  auto value = try_parse(text, Syntax::SearchDate);
  if (auto restored = value ? std::nullopt : with_offset_plus(text)) value = try_parse(*restored, Syntax::SearchDate);
  if (!value) return std::nullopt;
  auto span = utc_span(*value);
  if (!span) return std::nullopt;
  double first = span->start.to_seconds();
  // The last millisecond covered; a finer fraction covers only its first point.
  return std::make_pair(first, std::max(first, span->end.to_seconds() - 0.001));
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_instant(int64_t ms) {
  int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  int64_t rest = ms - days * 86400000;
  auto [y, m, d] = fhir::time::civil_from_days(days);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d, static_cast<int>(rest / 3600000),
                static_cast<int>(rest / 60000 % 60), static_cast<int>(rest / 1000 % 60), static_cast<int>(rest % 1000));
  return buffer;
}

std::string http_date(int64_t ms) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t days = ms / 86400000;
  int64_t rest = ms / 1000 - days * 86400;
  auto [y, m, d] = fhir::time::civil_from_days(days);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04lld %02d:%02d:%02d GMT", kDays[days % 7], d, kMonths[m - 1],
                static_cast<long long>(y),
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buffer;
}

}  // namespace carebridge::fhir::time
