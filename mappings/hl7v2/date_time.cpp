// v2 DTM and ISO 8601 dates and times to FHIR (date_time.h).
#include "mappings/hl7v2/date_time.h"

#include <algorithm>

#include "mappings/hl7v2/digits.h"

namespace carebridge::mappings::hl7v2 {
namespace {

// "+0600" → "+06:00"; "" when not a zone.
std::string zone(std::string_view text) {
  if (text.size() != 5 || (text[0] != '+' && text[0] != '-') || !digits(text.substr(1))) return {};
  if (number(text.substr(1, 2)) > 14 || number(text.substr(3, 2)) > 59) return {};
  if (text == "+0000" || text == "-0000") return "Z";
  return std::string(text.substr(0, 3)) + ":" + std::string(text.substr(3, 2));
}

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

// The v2 DTM read; `no_such_day` is set when its shape is right but the day is not real.
std::string read_v2(std::string_view v2, std::string_view timezone, bool date_only, bool& no_such_day) {
  size_t sign = v2.find_first_of("+-");
  std::string_view stamp = v2.substr(0, sign), offset = sign == std::string_view::npos ? std::string_view() : v2.substr(sign);
  if (!offset.empty() && zone(offset).empty()) return {};  // "1980-01-15" is no DTM with a zone "-01-15"
  std::string_view fraction;
  if (size_t dot = stamp.find('.'); dot != std::string_view::npos) {
    fraction = stamp.substr(dot + 1);
    stamp = stamp.substr(0, dot);
    if (!fraction.empty() && !digits(fraction)) return {};
  }
  if (!digits(stamp) || stamp.size() < 4 || stamp.size() % 2 == 1 || stamp.size() > 14) return {};
  int year = number(stamp.substr(0, 4));
  int month = stamp.size() >= 6 ? number(stamp.substr(4, 2)) : 1, day = stamp.size() >= 8 ? number(stamp.substr(6, 2)) : 1;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
    no_such_day = true;
    return {};
  }
  std::string out(stamp.substr(0, 4));
  if (stamp.size() >= 6) out += "-" + std::string(stamp.substr(4, 2));
  if (stamp.size() >= 8) out += "-" + std::string(stamp.substr(6, 2));
  if (stamp.size() <= 8 || date_only) return out;
  std::string_view hh = stamp.substr(8, 2), mm = stamp.size() >= 12 ? stamp.substr(10, 2) : "00",
                   ss = stamp.size() >= 14 ? stamp.substr(12, 2) : "00";
  if (number(hh) > 23 || number(mm) > 59 || number(ss) > 59) {
    no_such_day = true;
    return {};
  }
  out += "T" + std::string(hh) + ":" + std::string(mm) + ":" + std::string(ss);
  if (!fraction.empty()) out += "." + std::string(fraction);
  std::string z = offset.empty() ? std::string(timezone) : zone(offset);
  if (z.empty()) return {};
  return out + z;
}

// Takes `n` digits from the front of `text` into `out`; false when they are not there.
bool take_digits(std::string_view& text, size_t n, std::string& out) {
  if (text.size() < n || !digits(text.substr(0, n))) return false;
  out += text.substr(0, n);
  text.remove_prefix(n);
  return true;
}

bool take(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

// An ISO 8601 date or date-time in v2's DTM form ("2025-01-01T10:00:00Z" →
// "20250101100000+0000"); "" when the text is not one of the forms date_time.h lists.
std::string iso_as_v2(std::string_view text) {
  std::string out;
  if (!take_digits(text, 4, out) || !take(text, '-') || !take_digits(text, 2, out)) return {};
  if (text.empty()) return out;
  if (!take(text, '-') || !take_digits(text, 2, out)) return {};
  if (text.empty()) return out;
  if (!take(text, 'T') && !take(text, ' ')) return {};
  if (!take_digits(text, 2, out) || !take(text, ':') || !take_digits(text, 2, out)) return {};
  if (take(text, ':')) {
    if (!take_digits(text, 2, out)) return {};
    if (take(text, '.') || take(text, ',')) {
      out += '.';
      size_t n = std::find_if(text.begin(), text.end(), [](char c) { return c < '0' || c > '9'; }) - text.begin();
      if (n == 0 || !take_digits(text, n, out)) return {};
    }
  }
  if (text.empty()) return out;
  if (take(text, 'Z')) return text.empty() ? out + "+0000" : std::string();
  char sign = text.front();
  if (!take(text, '+') && !take(text, '-')) return {};
  out += sign;
  if (!take_digits(text, 2, out)) return {};
  take(text, ':');
  if (!take_digits(text, 2, out) || !text.empty()) return {};
  return out;
}

}  // namespace

std::string fhir_date_time(std::string_view v2, std::string_view timezone, bool date_only) {
  bool no_such_day = false;
  return read_v2(v2, timezone, date_only, no_such_day);
}

MomentReading read_moment(std::string_view text, std::string_view timezone, bool date_only) {
  MomentReading r;
  bool no_such_day = false;
  r.fhir = read_v2(text, timezone, date_only, no_such_day);
  if (!r.fhir.empty()) {
    r.form = MomentReading::Form::V2;
    return r;
  }
  if (std::string v2 = iso_as_v2(text); !v2.empty()) {
    r.fhir = read_v2(v2, timezone, date_only, no_such_day);
    if (!r.fhir.empty()) r.form = MomentReading::Form::Iso8601;
  }
  if (r.fhir.empty()) r.form = no_such_day ? MomentReading::Form::NoSuchDay : MomentReading::Form::NotAMoment;
  return r;
}

std::string moment_warning(const MomentReading& reading, std::string_view text, std::string_view dropped) {
  std::string quoted = "'" + std::string(text) + "'";
  switch (reading.form) {
    case MomentReading::Form::V2: return {};
    case MomentReading::Form::Iso8601:
      return quoted + " is ISO 8601, not v2's date/time format (YYYYMMDDHHMMSS+ZZZZ); it was read as " + reading.fhir;
    case MomentReading::Form::NoSuchDay:
      return quoted + " names a date or time that does not exist (such as February 30th or month 13)" + std::string(dropped);
    case MomentReading::Form::NotAMoment: break;
  }
  return quoted + " is not a v2 date/time (YYYYMMDDHHMMSS+ZZZZ)" + std::string(dropped);
}

std::string message_time_zone(const std::string& msh7, const std::string& configured) {
  size_t sign = msh7.find_first_of("+-");
  if (sign == std::string::npos) return configured;
  std::string zoned = fhir_date_time("20000101000000" + msh7.substr(sign), "");
  return zoned.empty() ? (configured.empty() ? "Z" : configured) : zoned.substr(19);
}

}  // namespace carebridge::mappings::hl7v2
