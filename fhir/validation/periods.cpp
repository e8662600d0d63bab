// per-1: a Period's start is not after its end. The two may have different precisions
// (2020-01-01T10:00:00Z and 2020-01-01): as FHIRPath's <= and the reference validator
// compare them, at the lower of the two precisions, a dateTime with a time taken in UTC;
// equal at that precision is undecided, and an undecided comparison is no error.
#include <optional>

#include "fhir/time/civil_date.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

enum Precision { kYear = 1, kMonth, kDay, kTime };

struct Moment {
  Precision precision = kYear;
  int64_t year = 0;
  unsigned month = 1, day = 1;
  int64_t seconds = 0;   // UTC seconds since the epoch (kTime only)
  std::string_view fraction;  // digits after the seconds' '.', if any
};

bool digits(std::string_view s, size_t at, size_t n, int64_t& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// The time part "hh:mm:ss(.f)(Z|+hh:mm)" from `at`, moved to UTC.
bool read_time(std::string_view s, size_t at, Moment& m) {
  int64_t h = 0, mi = 0, sec = 0, zh = 0, zm = 0;
  if (!digits(s, at, 2, h) || !digits(s, at + 3, 2, mi) || !digits(s, at + 6, 2, sec)) return false;
  size_t end = at + 8;
  if (end < s.size() && s[end] == '.') {
    size_t start = ++end;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    m.fraction = s.substr(start, end - start);
  }
  int64_t offset = 0;
  if (end < s.size() && (s[end] == '+' || s[end] == '-')) {
    if (!digits(s, end + 1, 2, zh) || !digits(s, end + 4, 2, zm)) return false;
    offset = (s[end] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  int64_t days = time::days_from_civil(m.year, m.month, m.day);
  m.seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset;
  auto utc = time::civil_from_days(m.seconds >= 0 ? m.seconds / 86400 : (m.seconds - 86399) / 86400);
  m.year = utc.year;
  m.month = utc.month;
  m.day = utc.day;
  m.precision = kTime;
  return true;
}

std::optional<Moment> read(std::string_view s) {
  Moment m;
  int64_t v = 0;
  if (!digits(s, 0, 4, m.year)) return std::nullopt;
  if (s.size() >= 7 && s[4] == '-') {
    if (!digits(s, 5, 2, v)) return std::nullopt;
    m.month = static_cast<unsigned>(v);
    m.precision = kMonth;
  }
  if (s.size() >= 10 && s[7] == '-') {
    if (!digits(s, 8, 2, v)) return std::nullopt;
    m.day = static_cast<unsigned>(v);
    m.precision = kDay;
  }
  if (s.size() > 10 && s[10] == 'T' && !read_time(s, 11, m)) return std::nullopt;
  return m;
}

// Whether the fraction digits a are greater than b, as decimals.
bool fraction_after(std::string_view a, std::string_view b) {
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    char x = i < a.size() ? a[i] : '0', y = i < b.size() ? b[i] : '0';
    if (x != y) return x > y;
  }
  return false;
}

// Whether `start` is certainly after `end`, compared at the lower of their precisions.
bool after(const Moment& start, const Moment& end) {
  Precision p = std::min(start.precision, end.precision);
  if (p == kTime) {
    if (start.seconds != end.seconds) return start.seconds > end.seconds;
    return fraction_after(start.fraction, end.fraction);
  }
  if (start.year != end.year) return start.year > end.year;
  if (p >= kMonth && start.month != end.month) return start.month > end.month;
  if (p >= kDay && start.day != end.day) return start.day > end.day;
  return false;
}

}  // namespace

void check_period(Run& run, const Element& period, const Path& path) {
  const Element* start_el = child_named(period, "start");
  const Element* end_el = child_named(period, "end");
  std::string_view start_text = value_of(start_el), end_text = value_of(end_el);
  if (start_text.empty() || end_text.empty()) return;
  auto start = read(start_text), end = read(end_text);
  if (!start || !end) return;  // the primitive pass reports a malformed date
  if (after(*start, *end)) {
    run.report(Severity::Error, "invariant",
               "the period starts (" + std::string(start_text) + ") after it ends (" + std::string(end_text) + ") (per-1)",
               period, path);
  }
}

}  // namespace carebridge::fhir::validation
