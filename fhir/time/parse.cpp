// The one reader of written dates, date-times and times (see temporal.h), and their
// writing back. A single left-to-right pass over the text: each Syntax only says what
// may or must appear; the field ranges are the same for all. A refusal is a static
// reason and a character position, turned into words only when a caller asks.
#include <cstdio>

#include "fhir/time/civil_date.h"
#include "fhir/time/temporal.h"

namespace carebridge::fhir::time {
namespace {

// What a Syntax allows.
struct Rules {
  const char* name;         // as a message names it: "dateTime"
  const char* form;         // the form, for messages
  bool time_of_day;         // a time of day (no date)
  bool time_allowed;        // a date may be followed by 'T' and a time
  bool time_required;       // ... and must be
  bool bare_t;              // 'T' may end a date of any precision ("2014T", FHIRPath)
  Precision clock_least;    // a time is written at least to this precision
  bool zone_allowed;
  bool zone_required;       // whenever there is a time
  bool milliseconds;        // the fraction is kept to the millisecond (FHIRPath)
};

constexpr Rules kRules[] = {
    {"date", "YYYY, YYYY-MM or YYYY-MM-DD", false, false, false, false, Precision::None, false, false, false},
    {"dateTime", "a date, or YYYY-MM-DDThh:mm:ss with Z or +hh:mm", false, true, false, false, Precision::Second,
     true, true, false},
    {"instant", "YYYY-MM-DDThh:mm:ss with Z or +hh:mm", false, true, true, false, Precision::Second, true, true,
     false},
    {"time", "hh:mm:ss", true, false, false, false, Precision::Second, false, false, false},
    {"date", "a date, or YYYY-MM-DDThh:mm with an optional zone", false, true, false, false, Precision::Minute,
     true, false, false},
    {"date or date-time", "YYYY(-MM(-DD))(T(hh(:mm(:ss(.fff))))(Z|+hh:mm))", false, true, false, true,
     Precision::Hour, true, false, true},
    {"time", "hh(:mm(:ss(.fff)))", true, false, false, false, Precision::Hour, false, false, true},
};

// A left-to-right reading of the text; the first refusal wins.
struct Cursor {
  std::string_view text;
  size_t at = 0;
  const char* reason = nullptr;  // why the text is refused (a static string)
  size_t reason_at = 0;

  bool done() const { return at == text.size(); }
  bool next_is(char c) const { return at < text.size() && text[at] == c; }
  bool next_is_digit() const { return at < text.size() && text[at] >= '0' && text[at] <= '9'; }
  bool fail(const char* why, size_t where) {
    if (!reason) {
      reason = why;
      reason_at = where;
    }
    return false;
  }
  // Exactly `n` digits as a number; `what` says what they were to be.
  bool number(size_t n, int& out, const char* what) {
    out = 0;
    for (size_t i = 0; i < n; ++i, ++at) {
      if (!next_is_digit()) return fail(what, at);
      out = out * 10 + (text[at] - '0');
    }
    return true;
  }
};

bool read_date(Cursor& c, Temporal& t) {
  if (!c.number(4, t.year, "a date starts with a four-digit year")) return false;
  if (t.year == 0) return c.fail("years are 0001 to 9999", 0);
  t.precision = Precision::Year;
  if (!c.next_is('-')) return true;
  ++c.at;
  if (!c.number(2, t.month, "the month is two digits")) return false;
  if (t.month < 1 || t.month > 12) return c.fail("the month must be 01 to 12", c.at - 2);
  t.precision = Precision::Month;
  if (!c.next_is('-')) return true;
  ++c.at;
  if (!c.number(2, t.day, "the day is two digits")) return false;
  if (t.day < 1 || t.day > static_cast<int>(days_in_month(t.year, static_cast<unsigned>(t.month)))) {
    return c.fail("that month has no such day", c.at - 2);
  }
  t.precision = Precision::Day;
  return true;
}

// The digits after the seconds' '.': nine kept, more read; FHIRPath keeps three.
bool read_fraction(Cursor& c, Temporal& t, bool milliseconds) {
  ++c.at;
  size_t start = c.at;
  int kept = 0;
  for (; c.next_is_digit(); ++c.at) {
    if (kept < 9) {
      t.nanosecond = t.nanosecond * 10 + (c.text[c.at] - '0');
      ++kept;
    }
  }
  if (c.at == start) return c.fail("a '.' after the seconds needs digits", start);
  for (int k = kept; k < 9; ++k) t.nanosecond *= 10;
  t.fraction_digits = kept;
  if (milliseconds) {
    t.nanosecond -= t.nanosecond % 1'000'000;
    t.fraction_digits = 3;
  }
  t.precision = Precision::Fraction;
  return true;
}

// hh(:mm(:ss(.f))) at least to `least`.
bool read_clock(Cursor& c, Temporal& t, const Rules& rules) {
  if (!c.number(2, t.hour, "the hour is two digits")) return false;
  if (t.hour > 23) return c.fail("hours are 00 to 23 (24:00 is the next day's 00:00)", c.at - 2);
  t.precision = Precision::Hour;
  if (c.next_is(':')) {
    ++c.at;
    if (!c.number(2, t.minute, "the minutes are two digits")) return false;
    if (t.minute > 59) return c.fail("minutes are 00 to 59", c.at - 2);
    t.precision = Precision::Minute;
    if (c.next_is(':')) {
      ++c.at;
      if (!c.number(2, t.second, "the seconds are two digits")) return false;
      // FHIR's primitives allow a leap second (the R4 regexes: [0-5][0-9]|60); FHIRPath's do not.
      if (t.second > (rules.milliseconds ? 59 : 60)) return c.fail("seconds are 00 to 59 (60 a leap second)", c.at - 2);
      t.precision = Precision::Second;
      if (c.next_is('.') && !read_fraction(c, t, rules.milliseconds)) return false;
    }
  }
  if (t.precision >= rules.clock_least) return true;
  return c.fail(rules.clock_least == Precision::Second ? "a time needs seconds (hh:mm:ss)"
                                                       : "a time needs minutes (hh:mm)",
                c.at);
}

// Z or +hh:mm / -hh:mm, when there is one and it is allowed.
bool read_zone(Cursor& c, Temporal& t, const Rules& rules) {
  bool present = c.next_is('Z') || c.next_is('+') || c.next_is('-');
  if (!present) return !rules.zone_required || c.fail("a time needs a time zone (Z or +hh:mm)", c.at);
  if (!rules.zone_allowed) return c.fail("a time of day has no time zone", c.at);
  t.has_zone = true;
  if (c.next_is('Z')) {
    t.zulu = true;
    ++c.at;
    return true;
  }
  size_t start = c.at++;
  int sign = c.text[start] == '-' ? -1 : 1, hours = 0, minutes = 0;
  if (!c.number(2, hours, "a time zone is Z or +hh:mm")) return false;
  if (!c.next_is(':')) return c.fail("a time zone is Z or +hh:mm", c.at);
  ++c.at;
  if (!c.number(2, minutes, "a time zone is Z or +hh:mm")) return false;
  if (minutes > 59 || hours > 14 || (hours == 14 && minutes > 0)) {
    return c.fail("time zones are -14:00 to +14:00", start);
  }
  t.zone_minutes = sign * (hours * 60 + minutes);
  return true;
}

// After a date: 'T', a time and a zone, when the rules allow or need them.
bool read_time_part(Cursor& c, Temporal& t, const Rules& rules) {
  if (!c.next_is('T')) {
    if (rules.time_required) return c.fail("a time is needed (YYYY-MM-DDThh:mm:ss and a zone)", c.at);
    return true;
  }
  if (!rules.time_allowed) return c.fail("a date has no time", c.at);
  t.has_time = true;
  ++c.at;
  if (rules.bare_t && !c.next_is_digit()) return true;
  if (t.precision != Precision::Day) return c.fail("a time follows a full date (YYYY-MM-DD)", c.at - 1);
  return read_clock(c, t, rules) && read_zone(c, t, rules);
}

bool read(Cursor& c, Temporal& t, const Rules& rules) {
  if (rules.time_of_day) {
    t.is_time = true;
    if (!read_clock(c, t, rules) || !read_zone(c, t, rules)) return false;
  } else if (!read_date(c, t) || !read_time_part(c, t, rules)) {
    return false;
  }
  return c.done() || c.fail("unexpected characters after the value", c.at);
}

std::string describe(std::string_view text, const Rules& rules, const Cursor& c) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  std::string message = "'" + shown + "' is not a valid " + rules.name + ": " + c.reason;
  if (!text.empty()) message += " (at character " + std::to_string(c.reason_at + 1) + ")";
  return message + "; the form is " + rules.form;
}

void append2(std::string& s, int v) {
  s += static_cast<char>('0' + v / 10 % 10);
  s += static_cast<char>('0' + v % 10);
}

}  // namespace

std::optional<Temporal> try_parse(std::string_view text, Syntax syntax) {
  Cursor c;
  c.text = text;
  Temporal t;
  if (!read(c, t, kRules[static_cast<int>(syntax)])) return std::nullopt;
  return t;
}

Result<Temporal> parse(std::string_view text, Syntax syntax) {
  const Rules& rules = kRules[static_cast<int>(syntax)];
  Cursor c;
  c.text = text;
  Temporal t;
  if (read(c, t, rules)) return t;
  return Result<Temporal>::failure("value", describe(text, rules, c));
}

std::string format(const Temporal& t) {
  std::string s;
  if (!t.is_time) {
    char year[16];
    std::snprintf(year, sizeof year, "%04d", t.year);
    s += year;
    if (t.precision >= Precision::Month) {
      s += '-';
      append2(s, t.month);
    }
    if (t.precision >= Precision::Day) {
      s += '-';
      append2(s, t.day);
    }
    if (t.has_time) s += 'T';
  }
  if (t.precision >= Precision::Hour) append2(s, t.hour);
  if (t.precision >= Precision::Minute) {
    s += ':';
    append2(s, t.minute);
  }
  if (t.precision >= Precision::Second) {
    s += ':';
    append2(s, t.second);
  }
  if (t.precision >= Precision::Fraction) {
    s += '.';
    int digits = t.fraction_digits > 0 && t.fraction_digits <= 9 ? t.fraction_digits : 3;
    int scale = 100'000'000;
    for (int k = 0; k < digits; ++k, scale /= 10) s += static_cast<char>('0' + t.nanosecond / scale % 10);
  }
  if (t.has_zone && !t.is_time) {
    if (t.zulu && t.zone_minutes == 0) {
      s += 'Z';
    } else {
      int z = t.zone_minutes < 0 ? -t.zone_minutes : t.zone_minutes;
      s += t.zone_minutes < 0 ? '-' : '+';
      append2(s, z / 60);
      s += ':';
      append2(s, z % 60);
    }
  }
  return s;
}

}  // namespace carebridge::fhir::time
