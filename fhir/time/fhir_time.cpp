// Date parsing and formatting without the C library's time zone state (see fhir_time.h).
#include "fhir/time/fhir_time.h"

#include "fhir/time/civil_date.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace carebridge::fhir::time {
namespace {

using fhir::time::days_from_civil;
using fhir::time::days_in_month;

bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}


}  // namespace

std::optional<std::pair<double, double>> date_range(std::string_view s) {
  int year = 0, month = 1, day = 1;
  if (!digits(s, 0, 4, year)) return std::nullopt;
  if (s.size() == 4) {
    double a = static_cast<double>(days_from_civil(year, 1, 1)) * 86400;
    double b = static_cast<double>(days_from_civil(year + 1, 1, 1)) * 86400;
    return std::make_pair(a, b - 0.001);
  }
  if (s.size() < 7 || s[4] != '-' || !digits(s, 5, 2, month) || month < 1 || month > 12) return std::nullopt;
  if (s.size() == 7) {
    double a = static_cast<double>(days_from_civil(year, static_cast<unsigned>(month), 1)) * 86400;
    double b = a + days_in_month(year, static_cast<unsigned>(month)) * 86400.0;
    return std::make_pair(a, b - 0.001);
  }
  if (s.size() < 10 || s[7] != '-' || !digits(s, 8, 2, day) || day < 1 ||
      day > static_cast<int>(days_in_month(year, static_cast<unsigned>(month))))
    return std::nullopt;
  double midnight = static_cast<double>(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day))) * 86400;
  if (s.size() == 10) return std::make_pair(midnight, midnight + 86400 - 0.001);
  int hour = 0, minute = 0, second = 0;
  if (s[10] != 'T' || !digits(s, 11, 2, hour) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, minute))
    return std::nullopt;
  size_t at = 16;
  double fraction = 0, precision = 60;
  if (at < s.size() && s[at] == ':') {
    if (!digits(s, 17, 2, second)) return std::nullopt;
    precision = 1;
    at = 19;
    if (at < s.size() && s[at] == '.') {
      ++at;
      double scale = 0.1;
      size_t start = at;
      while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
        fraction += (s[at] - '0') * scale;
        precision = scale;
        scale /= 10;
        ++at;
      }
      if (at == start) return std::nullopt;
    }
  }
  double offset = 0;
  if (at < s.size()) {
    if (s[at] == 'Z' && at + 1 == s.size()) {
      offset = 0;
    } else if ((s[at] == '+' || s[at] == '-') && at + 6 == s.size() && s[at + 3] == ':') {
      int oh = 0, om = 0;
      if (!digits(s, at + 1, 2, oh) || !digits(s, at + 4, 2, om)) return std::nullopt;
      offset = (oh * 3600 + om * 60) * (s[at] == '+' ? 1 : -1);
    } else {
      return std::nullopt;
    }
  }
  if (hour > 24 || minute > 59 || second > 60) return std::nullopt;
  double t = midnight + hour * 3600 + minute * 60 + second + fraction - offset;
  return std::make_pair(t, std::max(t, t + precision - 0.001));
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
