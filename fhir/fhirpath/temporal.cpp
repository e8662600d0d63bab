// Temporal values: parsing, printing, comparison, arithmetic and boundaries.
#include "fhir/fhirpath/temporal.h"

#include "fhir/fhirpath/decimal.h"
#include "fhir/time/civil_date.h"

#include <cmath>
#include <cstdio>
#include <iterator>

namespace carebridge::fhir::fhirpath {
namespace {

bool digits_at(std::string_view t, size_t at, size_t n, int& out) {
  if (at + n > t.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    v = v * 10 + (t[i] - '0');
  }
  out = v;
  return true;
}

int days_in_month(int y, int m) { return static_cast<int>(time::days_in_month(y, static_cast<unsigned>(m))); }

int64_t to_millis(const Temporal& t) {
  int64_t days = t.is_time ? 0 : time::days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  return (((days * 24 + t.hour) * 60 + t.minute) * 60 + t.second) * 1000 + t.millisecond;
}

void from_millis(Temporal& t, int64_t ms) {
  int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  int64_t rest = ms - days * 86400000;
  t.millisecond = static_cast<int>(rest % 1000);
  rest /= 1000;
  t.second = static_cast<int>(rest % 60);
  rest /= 60;
  t.minute = static_cast<int>(rest % 60);
  t.hour = static_cast<int>(rest / 60);
  if (!t.is_time) {
    auto civil = time::civil_from_days(days);
    t.year = static_cast<int>(civil.year);
    t.month = static_cast<int>(civil.month);
    t.day = static_cast<int>(civil.day);
  }
}

bool parse_clock(std::string_view t, size_t& i, Temporal& out) {
  if (!digits_at(t, i, 2, out.hour) || out.hour > 23) return false;
  i += 2;
  out.precision = Precision::Hour;
  if (i < t.size() && t[i] == ':') {
    if (!digits_at(t, i + 1, 2, out.minute) || out.minute > 59) return false;
    i += 3;
    out.precision = Precision::Minute;
    if (i < t.size() && t[i] == ':') {
      if (!digits_at(t, i + 1, 2, out.second) || out.second > 60) return false;
      i += 3;
      out.precision = Precision::Second;
      if (i < t.size() && t[i] == '.') {
        ++i;
        size_t start = i;
        int ms = 0, n = 0;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
          if (n < 3) ms = ms * 10 + (t[i] - '0');
          ++n;
          ++i;
        }
        if (i == start) return false;
        for (int k = n; k < 3; ++k) ms *= 10;
        out.millisecond = ms;
        out.precision = Precision::Millisecond;
      }
    }
  }
  return true;
}

bool parse_zone(std::string_view t, size_t& i, Temporal& out) {
  if (i >= t.size()) return true;
  if (t[i] == 'Z') {
    out.has_zone = out.zulu = true;
    ++i;
    return true;
  }
  if (t[i] != '+' && t[i] != '-') return false;
  int h = 0, m = 0;
  if (!digits_at(t, i + 1, 2, h) || i + 3 >= t.size() || t[i + 3] != ':' || !digits_at(t, i + 4, 2, m)) return false;
  out.has_zone = true;
  out.zone_minutes = (t[i] == '-' ? -1 : 1) * (h * 60 + m);
  i += 6;
  return true;
}

void append2(std::string& s, int v) {
  s += char('0' + v / 10 % 10);
  s += char('0' + v % 10);
}

}  // namespace

std::optional<Temporal> Temporal::parse_date_time(std::string_view t) {
  Temporal out;
  size_t i = 0;
  if (!digits_at(t, 0, 4, out.year)) return std::nullopt;
  i = 4;
  out.precision = Precision::Year;
  if (i < t.size() && t[i] == '-') {
    if (!digits_at(t, i + 1, 2, out.month) || out.month < 1 || out.month > 12) return std::nullopt;
    i += 3;
    out.precision = Precision::Month;
    if (i < t.size() && t[i] == '-') {
      if (!digits_at(t, i + 1, 2, out.day) || out.day < 1 || out.day > days_in_month(out.year, out.month))
        return std::nullopt;
      i += 3;
      out.precision = Precision::Day;
    }
  }
  if (i < t.size() && t[i] == 'T') {
    out.has_time = true;
    ++i;
    if (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (out.precision != Precision::Day) return std::nullopt;
      if (!parse_clock(t, i, out)) return std::nullopt;
    }
    if (!parse_zone(t, i, out)) return std::nullopt;
  } else if (i < t.size() && out.precision == Precision::Day) {
    // FHIR instants without T are not valid; a zone on a date is not either.
    return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  return out;
}

std::optional<Temporal> Temporal::parse_time(std::string_view t) {
  Temporal out;
  out.is_time = true;
  size_t i = 0;
  if (!parse_clock(t, i, out) || i != t.size()) return std::nullopt;
  return out;
}

std::string Temporal::to_string() const {
  std::string s;
  if (!is_time) {
    char year_text[16];
    std::snprintf(year_text, sizeof year_text, "%04d", year);
    s += year_text;
    if (precision >= Precision::Month) {
      s += '-';
      append2(s, month);
    }
    if (precision >= Precision::Day) {
      s += '-';
      append2(s, day);
    }
    if (has_time) s += 'T';
  }
  if (precision >= Precision::Hour) append2(s, hour);
  if (precision >= Precision::Minute) {
    s += ':';
    append2(s, minute);
  }
  if (precision >= Precision::Second) {
    s += ':';
    append2(s, second);
  }
  if (precision >= Precision::Millisecond) {
    s += '.';
    s += char('0' + millisecond / 100);
    append2(s, millisecond % 100);
  }
  if (has_zone && !is_time) {
    if (zulu && zone_minutes == 0) {
      s += 'Z';
    } else {
      int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
      s += zone_minutes < 0 ? '-' : '+';
      append2(s, z / 60);
      s += ':';
      append2(s, z % 60);
    }
  }
  return s;
}

int Temporal::digits() const {
  static const int kDate[] = {0, 4, 6, 8, 10, 12, 14, 17};
  static const int kTime[] = {0, 0, 0, 0, 2, 4, 6, 9};
  return (is_time ? kTime : kDate)[static_cast<int>(precision)];
}

std::optional<int> compare(const Temporal& a0, const Temporal& b0) {
  if (a0.is_time != b0.is_time) return std::nullopt;
  Temporal a = a0, b = b0;
  auto level = [](Precision p) { return p == Precision::Millisecond ? Precision::Second : p; };
  bool zones_differ = a.has_zone != b.has_zone;
  if (!zones_differ && a.has_zone && a.precision >= Precision::Hour && b.precision >= Precision::Hour) {
    from_millis(a, to_millis(a) - int64_t(a.zone_minutes) * 60000);
    from_millis(b, to_millis(b) - int64_t(b.zone_minutes) * 60000);
  }
  Precision common = std::min(level(a.precision), level(b.precision));
  int fa[] = {a.year, a.month, a.day, a.hour, a.minute, a.second * 1000 + a.millisecond};
  int fb[] = {b.year, b.month, b.day, b.hour, b.minute, b.second * 1000 + b.millisecond};
  int first = a.is_time ? 3 : 0;
  for (int k = first; k < static_cast<int>(common); ++k) {
    if (zones_differ && k >= 3) return std::nullopt;
    if (fa[k] != fb[k]) return fa[k] < fb[k] ? -1 : 1;
  }
  if (level(a.precision) != level(b.precision)) return std::nullopt;
  if (zones_differ && common >= Precision::Hour) return std::nullopt;
  return 0;
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

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

int64_t unit_millis(CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::Week: return 7 * kMillisPerDay;
    case CalendarUnit::Day: return kMillisPerDay;
    case CalendarUnit::Hour: return 3'600'000;
    case CalendarUnit::Minute: return 60'000;
    case CalendarUnit::Second: return 1'000;
    case CalendarUnit::Millisecond: return 1;
    default: return 0;  // years and months have no fixed length
  }
}

// The finest unit a value of this precision holds.
CalendarUnit precision_unit(Precision p) {
  switch (p) {
    case Precision::Year: return CalendarUnit::Year;
    case Precision::Month: return CalendarUnit::Month;
    case Precision::Day: return CalendarUnit::Day;
    case Precision::Hour: return CalendarUnit::Hour;
    case Precision::Minute: return CalendarUnit::Minute;
    case Precision::Second: return CalendarUnit::Second;
    default: return CalendarUnit::Millisecond;
  }
}

bool unit_applies(TemporalKind kind, CalendarUnit unit) {
  if (kind == TemporalKind::Date) return unit <= CalendarUnit::Day;
  if (kind == TemporalKind::Time) return unit >= CalendarUnit::Hour;
  return true;
}

// `amount` of `unit` expressed in the coarser unit `to`, truncated toward zero; the
// conversion factors of the specification (a year is 12 months or 365 days, a month 30).
Int128 coarsen(Int128 amount, CalendarUnit unit, CalendarUnit to) {
  if (to == CalendarUnit::Year && unit == CalendarUnit::Month) return amount / 12;
  if (to == CalendarUnit::Year || to == CalendarUnit::Month) {
    Int128 days = amount * unit_millis(unit) / kMillisPerDay;
    return days / (to == CalendarUnit::Year ? 365 : 30);
  }
  return amount * unit_millis(unit) / unit_millis(to);
}

bool in_year_range(Int128 year) { return year >= 1 && year <= 9999; }

}  // namespace

std::optional<Temporal> add_duration(const Temporal& t, TemporalKind kind, int64_t amount, CalendarUnit unit,
                                     std::string& error) {
  if (!unit_applies(kind, unit)) {
    static constexpr std::string_view kNames[] = {"years", "months", "weeks", "days",
                                                  "hours", "minutes", "seconds", "milliseconds"};
    error = std::string(kind == TemporalKind::Date ? "a date" : "a time") + " cannot be moved by " +
            std::string(kNames[static_cast<int>(unit)]);
    return std::nullopt;
  }
  Int128 whole = amount;
  if (unit == CalendarUnit::Week) {
    whole *= 7;
    unit = CalendarUnit::Day;
  }
  CalendarUnit finest = precision_unit(t.precision);
  if (unit > finest) {
    whole = coarsen(whole, unit, finest);
    unit = finest;
  }
  Temporal r = t;
  if (unit == CalendarUnit::Year || unit == CalendarUnit::Month) {
    Int128 months = Int128(r.year) * 12 + (r.month - 1) + (unit == CalendarUnit::Year ? whole * 12 : whole);
    Int128 year = months >= 0 ? months / 12 : -1;
    if (!in_year_range(year)) return std::nullopt;
    r.year = static_cast<int>(year);
    if (t.precision >= Precision::Month) r.month = static_cast<int>(months % 12) + 1;
    if (t.precision >= Precision::Day) r.day = std::min(r.day, days_in_month(r.year, r.month));
    return r;
  }
  Int128 delta = whole * unit_millis(unit);
  if (t.is_time) {
    Int128 ms = (Int128(to_millis(t)) + delta % kMillisPerDay + kMillisPerDay) % kMillisPerDay;
    from_millis(r, static_cast<int64_t>(ms));
    return r;
  }
  constexpr Int128 kSpan = Int128(10'000) * 366 * kMillisPerDay;  // more than years 1..9999
  if (delta > kSpan || delta < -kSpan) return std::nullopt;
  from_millis(r, to_millis(t) + static_cast<int64_t>(delta));
  if (!in_year_range(r.year)) return std::nullopt;
  return r;
}

std::optional<Temporal> boundary(const Temporal& t0, int digits, bool high) {
  // A FHIR dateTime has no hour-only form: @2014-01-01T08 is read as 08:00, so its
  // high boundary is 08:00:59.999 (as the R4 test suite has it).
  Temporal t = t0;
  if (!t.is_time && t.precision == Precision::Hour) {
    t.precision = Precision::Minute;
    t.minute = 0;
  }
  Temporal r = t;
  Precision p;
  if (t.is_time) {
    if (digits < 0) digits = 9;
    p = digits == 2 ? Precision::Hour : digits == 4 ? Precision::Minute : digits == 6 ? Precision::Second
        : digits == 9 ? Precision::Millisecond : Precision::None;
  } else {
    if (digits < 0) digits = 17;
    p = digits == 4 ? Precision::Year : digits == 6 ? Precision::Month : digits == 8 ? Precision::Day
        : digits == 10 ? Precision::Hour : digits == 12 ? Precision::Minute : digits == 14 ? Precision::Second
        : digits == 17 ? Precision::Millisecond : Precision::None;
  }
  if (p == Precision::None) return std::nullopt;
  if (t.precision < Precision::Month) r.month = high ? 12 : 1;
  if (t.precision < Precision::Day) r.day = high ? days_in_month(r.year, r.month) : 1;
  if (t.precision < Precision::Hour) r.hour = high ? 23 : 0;
  if (t.precision < Precision::Minute) r.minute = high ? 59 : 0;
  if (t.precision < Precision::Second) r.second = high ? 59 : 0;
  if (t.precision < Precision::Millisecond) r.millisecond = high ? 999 : 0;
  r.precision = p;
  if (!t.is_time) {
    r.has_time = p >= Precision::Hour;
    if (p >= Precision::Hour && !t.has_zone) {
      // Without a zone the boundary spans every zone: +14:00 is earliest, -12:00 latest.
      r.has_zone = true;
      r.zulu = false;
      r.zone_minutes = high ? -12 * 60 : 14 * 60;
    }
    if (p < Precision::Hour) r.has_zone = false;
  }
  return r;
}

}  // namespace carebridge::fhir::fhirpath
