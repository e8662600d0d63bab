#include "mappings/agency/values.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <vector>

namespace carebridge::mappings::agency {

namespace {

ReadValue valid(std::string value) {
  ReadValue v;
  v.value = std::move(value);
  return v;
}

ReadValue invalid(std::string problem) {
  ReadValue v;
  v.ok = false;
  v.problem = std::move(problem);
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Up to the year 9999, as FHIR's dates go: an open end is often written 9999-12-31 (an
// HSDS schedule's valid_to, a plan's "until further notice").
bool valid_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= kDays[m - 1] + (m == 2 && leap(y));
}

std::string iso(int y, int m, int d) {
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", y, m, d);
  return out;
}

// Excel's day number (1900 system, with its 29 February 1900) as a date.
std::string from_serial(long serial) {
  if (serial > 60) --serial;  // Excel counts a 29 February 1900 that never was
  // Days since 1970-01-01 (day 25568 now), to the civil date (Howard Hinnant's civil_from_days).
  long z = serial - 25568 + 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  return iso(static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d));
}

// Splits "1/5/2024" or "1-5-2024" or "1.5.2024" into its three numbers.
bool three_numbers(std::string_view s, std::string_view& a, std::string_view& b, std::string_view& c) {
  size_t first = s.find_first_of("/-.");
  if (first == std::string_view::npos) return false;
  char separator = s[first];
  size_t second = s.find(separator, first + 1);
  if (second == std::string_view::npos || s.find(separator, second + 1) != std::string_view::npos) return false;
  a = s.substr(0, first), b = s.substr(first + 1, second - first - 1), c = s.substr(second + 1);
  return all_digits(a) && all_digits(b) && all_digits(c);
}

// The month a name means (Mar, March, Sept: 3), or 0.
int month_named(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                                 "july",    "august",   "september", "october", "november", "december"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "sept") lower = "sep";
  for (int m = 0; m < 12; ++m)
    if (lower.size() >= 3 && kMonths[m].starts_with(lower)) return m + 1;
  return 0;
}

// The full year of a two-digit one: this century's up to ten years ahead (a plan's target
// date "6/30/28"), else the last century's; for a date that cannot be ahead (`past`: a birth
// date "1/5/28" written in 2026 is 1928), this century's only up to this year.
int full_year(int two_digits, bool past) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  int this_year = utc.tm_year + 1900;
  int century = this_year / 100 * 100;
  return century + two_digits <= this_year + (past ? 0 : 10) ? century + two_digits : century - 100 + two_digits;
}

// A date with its month in words, as Excel's 05-Mar-2024 format and people write it:
// 5-Mar-24, 05 Mar 2024, 5 March 2024, Mar 5, 2024, March 05 2024 (0 when it is not one).
std::optional<std::string> named_month_date(std::string_view s, bool past) {
  std::vector<std::string_view> parts;
  for (size_t at = 0; at < s.size();) {
    size_t end = s.find_first_of("-/ ,.", at);
    if (end == std::string_view::npos) end = s.size();
    if (end > at) parts.push_back(s.substr(at, end - at));
    at = end + 1;
  }
  if (parts.size() != 3 || !all_digits(parts[2])) return std::nullopt;
  bool month_first = !all_digits(parts[0]);
  std::string_view day = parts[month_first ? 1 : 0], year = parts[2];
  int month = month_named(parts[month_first ? 0 : 1]);
  if (!month || !all_digits(day) || (year.size() != 2 && year.size() != 4)) return std::nullopt;
  int y = year.size() == 4 ? to_int(year) : full_year(to_int(year), past);
  if (!valid_date(y, month, to_int(day))) return std::nullopt;
  return iso(y, month, to_int(day));
}

ReadValue date_value(const Column& column, std::string_view s) {
  ReadValue out;
  if (s.size() > 10 && (s[10] == 'T' || s[10] == ' ') && s[4] == '-') s = s.substr(0, 10);  // a spreadsheet's date-time
  // Excel's CSV of a date cell with a time format: "1/31/2024 0:00" (a time after a space).
  if (size_t space = s.find(' '); space != std::string_view::npos && s.find(':', space) != std::string_view::npos)
    s = s.substr(0, space);
  std::string_view a, b, c;
  if (all_digits(s) && s.size() == 4 && valid_date(to_int(s), 1, 1)) return valid(std::string(s));
  if (s.size() == 7 && s[4] == '-' && all_digits(s.substr(0, 4)) && all_digits(s.substr(5)) && valid_date(to_int(s.substr(0, 4)), to_int(s.substr(5)), 1))
    return valid(std::string(s));
  if (size_t point = s.find('.'); point == 5 && all_digits(s.substr(0, point)) && all_digits(s.substr(point + 1)))
    s = s.substr(0, point);  // an Excel day number with its time of day (45356.5), or a number cell's 45356.0
  // An Excel day number: 5 digits, 1927 to 2173 (shorter ones, "12" or the "03" of 03.2024, are no dates).
  if (all_digits(s) && s.size() == 5) return valid(from_serial(to_int(s)));
  if (three_numbers(s, a, b, c)) {
    int y, m, d;
    if (a.size() == 4) y = to_int(a), m = to_int(b), d = to_int(c);  // 2024/01/05
    else {
      // Dotted dates (5.3.2024) are day first wherever they are written, unless the column says otherwise.
      bool dmy = column.format == "DMY" || (s.find('.') != std::string_view::npos && column.format != "MDY");
      m = to_int(dmy ? b : a), d = to_int(dmy ? a : b), y = to_int(c);
      if (c.size() == 2) y = full_year(y, column.past);
      else if (c.size() != 4) y = 0;
    }
    if (valid_date(y, m, d)) return valid(iso(y, m, d));
  }
  if (auto named = named_month_date(s, column.past)) return valid(*named);
  out.ok = false;
  out.problem = "\"" + std::string(s) + "\" is not a date (write it as 2024-01-31 or 1/31/2024)";
  return out;
}

ReadValue time_value(std::string_view s);

// A date and a time of day as exporters and sheets write them: ISO 8601
// (2024-03-05T09:00:00-05:00), with a space instead of the T (HMIS's DateUpdated,
// 2024-03-05 09:00:00), or a spreadsheet's 3/5/2024 9:00 AM; a date alone is the day.
ReadValue date_time_value(const Column& column, std::string_view s) {
  std::string zone = column.format.empty() ? "Z" : column.format;  // the column says the agency's offset ("-05:00")
  if (s.size() >= 19 && s[4] == '-' && s[10] == 'T') {
    std::string v(s);
    bool zoned = v.ends_with("Z") || (v.size() > 19 && (v[v.size() - 6] == '+' || v[v.size() - 6] == '-'));
    return valid(zoned ? v : v + zone);
  }
  // The time is the last part with a colon, after the last space before it ("Mar 5, 2024 9:00").
  if (size_t colon = s.find(':'); colon != std::string_view::npos) {
    size_t space = s.rfind(' ', colon);
    ReadValue day = space == std::string_view::npos ? ReadValue{} : date_value(column, trim(s.substr(0, space)));
    ReadValue time = space == std::string_view::npos ? ReadValue{} : time_value(trim(s.substr(space + 1)));
    if (day.ok && time.ok && day.value.size() == 10 && !time.value.empty()) return valid(day.value + "T" + time.value + zone);
  }
  auto date = date_value(column, s);
  if (!date.ok) date.problem = "\"" + std::string(s) + "\" is not a date and time (write it as 2024-01-31T14:30:00)";
  return date;
}

// A number as JSON writes it: no leading zeros ("007" is 7), a digit on each side of the
// point (".5" is 0.5, "5." is 5), an optional minus; nothing else ("nan", "1e999").
std::optional<std::string> json_number(std::string digits) {
  bool negative = digits.starts_with('-');
  std::string_view body = digits;
  if (negative || body.starts_with('+')) body.remove_prefix(1);
  size_t point = body.find('.');
  std::string whole(body.substr(0, point)), fraction(point == std::string_view::npos ? "" : body.substr(point + 1));
  if ((whole.empty() && fraction.empty()) || !std::all_of(whole.begin(), whole.end(), ::isdigit) ||
      !std::all_of(fraction.begin(), fraction.end(), ::isdigit) || whole.size() + fraction.size() > 18)
    return std::nullopt;
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.empty() ? 0 : whole.size() - 1));
  if (whole.empty()) whole = "0";
  std::string out = (negative && (whole != "0" || fraction.find_first_not_of('0') != std::string::npos) ? "-" : "") + whole;
  return fraction.empty() ? out : out + "." + fraction;
}

// Whether every grouping separator in `s` is followed by exactly three digits (1,250,000).
bool grouped_by_thousands(std::string_view s, char group) {
  for (size_t at = s.find(group); at != std::string_view::npos; at = s.find(group, at + 1)) {
    size_t digits = 0;
    while (at + 1 + digits < s.size() && std::isdigit(static_cast<unsigned char>(s[at + 1 + digits]))) ++digits;
    if (digits != 3 || at == 0) return false;
  }
  // A group of thousands never starts with a lone 0: "0,125" is a decimal comma.
  size_t first = s.find(group), start = s.starts_with('-') || s.starts_with('+') ? 1 : 0;
  return first == std::string_view::npos || s.substr(start, first - start) != "0";
}

// A number as sheets in any locale write it, with a point for its decimal separator and
// no grouping: 1,250.75 and 1.250,75 and 1 250,75 are 1250.75; 32,5 (a European sheet's
// decimal comma) is 32.5; 1,250 is 1250 (a comma before three digits groups them, as a
// US sheet writes it) and 1.250.000 is 1250000. Text that is none of these is left as it is.
std::string plain_number(std::string_view s) {
  std::string t;
  for (size_t i = 0; i < s.size(); ++i) {  // spaces (and no-break spaces) that group digits
    if (s[i] == ' ') continue;
    if (s.substr(i).starts_with("\xC2\xA0")) ++i;
    else if (s.substr(i).starts_with("\xE2\x80\xAF")) i += 2;
    else t += s[i];
  }
  size_t comma = t.rfind(','), point = t.rfind('.');
  char decimal = '.';
  if (comma != std::string::npos && point != std::string::npos) decimal = comma > point ? ',' : '.';
  else if (comma != std::string::npos) decimal = t.find(',') == comma && !grouped_by_thousands(t, ',') ? ',' : '.';
  else if (point != std::string::npos && t.find('.') != point) decimal = ',';
  char group = decimal == '.' ? ',' : '.';
  size_t decimal_at = decimal == '.' ? point : comma;
  std::string whole = t.substr(0, decimal_at), fraction = decimal_at == std::string::npos ? "" : t.substr(decimal_at);
  if (whole.find(group) != std::string::npos && !grouped_by_thousands(whole, group)) return std::string(s);
  std::erase(whole, group);
  if (!fraction.empty()) fraction[0] = '.';
  return whole + fraction;
}

// A money amount as a sheet's currency format writes it: "$1,834.50", "-$20", "€ 12,50".
std::string without_currency(std::string_view s) {
  std::string out(s);
  for (std::string_view sign : {"$", "\xE2\x82\xAC", "\xC2\xA3"}) {  // $ € £
    size_t at = out.find(sign);
    if (at == 0 || (at == 1 && out[0] == '-')) out.erase(at, sign.size());
  }
  size_t first = out.find_first_not_of(' ');
  return first == std::string::npos ? out : out.substr(first);
}

// A whole number as exports also write it, in its plain form: "08", "8.0" and "008.00" are
// "8"; anything else (a code of letters, "8.5", "-1") is "".
std::string whole_number_form(std::string_view s) {
  size_t point = s.find('.');
  std::string_view whole = s.substr(0, point), fraction = point == std::string_view::npos ? "" : s.substr(point + 1);
  auto digits = [](std::string_view t) { return std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c); }); };
  if (whole.empty() || !digits(whole) || fraction.find_first_not_of('0') != std::string_view::npos) return {};
  whole.remove_prefix(std::min(whole.find_first_not_of('0'), whole.size() - 1));
  return std::string(whole);
}

ReadValue number_value(const Column& column, std::string_view s) {
  std::string digits = plain_number(without_currency(s));
  bool integer = column.type == ValueType::Integer;
  if (std::string whole = integer ? whole_number_form(digits) : ""; !whole.empty()) digits = std::move(whole);  // Excel's 3.0, a padded 08
  auto number = json_number(digits);
  if (!number || (integer && number->find('.') != std::string::npos))
    return invalid("\"" + std::string(s) + "\" is not " + (integer ? "a whole number" : "a number"));
  double parsed = std::strtod(number->c_str(), nullptr);
  if (column.range && (parsed < column.range->first || parsed > column.range->second)) {
    ReadValue outside;
    outside.warning = "\"" + std::string(s) + "\" is outside " + column.name + "'s range, so it is left out";
    return outside;
  }
  return valid(*number);
}

ReadValue boolean_value(std::string_view s) {
  std::string v(s);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "yes" || v == "y" || v == "true" || v == "t" || v == "1" || v == "si" || v == "sí") return valid("true");
  if (v == "no" || v == "n" || v == "false" || v == "f" || v == "0") return valid("false");
  return invalid("\"" + std::string(s) + "\" is not yes or no");
}

// The source codes a code column allows (given the value it depends on), for a message.
std::string allowed_codes(const CodeMap& codes, std::string_view depends) {
  std::string allowed, prefix(depends);
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t shown = 0;
  for (const auto& [from, to] : codes.targets) {
    size_t bar = from.find('|');
    if (bar != std::string::npos && from.substr(0, bar) != prefix) continue;
    if (shown++ == 8) return allowed + ", ...";
    allowed += (allowed.empty() ? "" : ", ") + (bar == std::string::npos ? from : from.substr(bar + 1));
  }
  return allowed;
}

// The code a value stands for: as written, else as the whole number it is written as (an
// export's DisabilityType 8.0 or ProjectType 01), with the value it depends on read so too.
const CodeMap::Target* code_of(const Column& column, std::string_view s, std::string_view depends) {
  if (const CodeMap::Target* t = column.codes->translate(s, depends)) return t;
  std::string value = whole_number_form(s), on = whole_number_form(depends);
  if (value.empty() && on.empty()) return nullptr;
  return column.codes->translate(value.empty() ? s : std::string_view(value), on.empty() ? depends : std::string_view(on));
}

ReadValue code_value(const Column& column, std::string_view s, std::string_view depends) {
  if (const CodeMap::Target* t = code_of(column, s, depends)) {
    ReadValue v = valid(t->code);
    v.code = t->code;
    v.system = t->system;
    v.display = t->display;
    return v;
  }
  std::string problem = "\"" + std::string(s) + "\" is not one of the allowed values";
  if (!depends.empty()) problem += " when \"" + column.depends_on_name + "\" is \"" + std::string(depends) + "\"";
  std::string no_answer;  // the values that say there is no answer are allowed too
  for (const std::string& m : column.missing) no_answer += (no_answer.empty() ? "" : ", ") + m;
  problem += " (" + allowed_codes(*column.codes, depends) + (no_answer.empty() ? "" : "; " + no_answer + " for no answer") + ")";
  if (!column.unknown_left_out) return invalid(problem);
  ReadValue left_out;
  left_out.warning = problem + ", so it is left out";
  return left_out;
}

// A phone number split from the extension written after it: "(617) 555-0142 x12",
// "617.555.0142 ext. 3", "617-555-0142, extension 4", "555-0142 #7".
struct PhoneParts {
  std::string_view number, extension;
};

PhoneParts split_extension(std::string_view s) {
  size_t digits = s.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(s[digits - 1]))) --digits;
  if (digits == s.size() || digits == 0 || s.size() - digits > 6) return {s, {}};
  std::string before(trim(s.substr(0, digits)));
  while (!before.empty() && (before.back() == '.' || before.back() == ':')) before.pop_back();
  std::transform(before.begin(), before.end(), before.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view marker : {"extension", "ext", "x", "#"}) {
    if (!before.ends_with(marker)) continue;
    size_t at = before.size() - marker.size();
    bool word_start = at == 0 || !std::isalpha(static_cast<unsigned char>(before[at - 1]));
    if (!word_start || at == 0) continue;
    std::string_view number = trim(s.substr(0, at));
    while (!number.empty() && (number.back() == ',' || number.back() == ';')) number.remove_suffix(1);
    return {trim(number), s.substr(digits)};
  }
  return {s, {}};
}

// A letter's digit on a telephone keypad (1-800-FLOWERS), or 0 for a character that is not a letter.
char keypad_digit(char c) {
  static constexpr std::string_view kKeys = "22233344455566677778889999";
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return c >= 'A' && c <= 'Z' ? kKeys[c - 'A'] : 0;
}

// Whether the digits so far dial a North American toll-free prefix (1-800, 888, 877, ...),
// the numbers written with letters.
bool toll_free(std::string_view digits) {
  if (digits.starts_with('1')) digits.remove_prefix(1);
  if (digits.size() < 3) return false;
  std::string_view area = digits.substr(0, 3);
  return area == "800" || area == "888" || area == "877" || area == "866" || area == "855" || area == "844" || area == "833";
}

// The digits of a number as written. Letters count as keypad digits only after a toll-free
// prefix (1-800-GOT-JUNK): elsewhere they are a label ("555-0142 fax"); any other letter, or
// a character no phone number holds, and the text is not a number (nullopt).
std::optional<std::string> phone_digits(std::string_view number) {
  std::string digits;
  for (char ch : number) {
    if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
    else if (char key = keypad_digit(ch); key && toll_free(digits)) digits += key;
    else if (ch == '\0' || !std::strchr(" \t()-./+\xC2\xA0", ch)) return std::nullopt;
  }
  return digits;
}

// A number written for dialling from abroad: +44 20 7946 0958, 0044 20 ..., 011 44 20 ...;
// the trunk 0 written in brackets after the country code, +44 (0)20, is not dialled.
std::optional<std::string> international_digits(std::string_view number, const std::string& digits) {
  std::string_view lead = trim(number);
  size_t exit_code = lead.starts_with('+') ? 0 : lead.starts_with("00") ? 2 : lead.starts_with("011") ? 3 : std::string::npos;
  if (exit_code == std::string::npos) return std::nullopt;
  std::string out = digits.substr(exit_code);
  if (size_t trunk = number.find("(0)"); trunk != std::string_view::npos) {
    size_t before = 0;  // digits before the "(0)"
    for (size_t i = 0; i < trunk; ++i) before += std::isdigit(static_cast<unsigned char>(number[i])) != 0;
    if (before > exit_code && before - exit_code < out.size()) out.erase(before - exit_code, 1);
  }
  if (out.size() < 7 || out.size() > 15) return std::nullopt;
  return "+" + out;
}

// A phone number as people and directories write it. North American numbers (ten digits,
// or eleven after a 1) and international ones become E.164 (+16175550142); service codes
// (211, 911, 988) and text short codes (898211) stay digits; an extension written in the
// number is kept after it ("+16175550142 ext. 12"). A number in none of these shapes (a local
// 555-0188 without its area code) is kept as written, with a warning saying so. Quotes
// around the number, which some exports add, are not part of it.
ReadValue phone_value(std::string_view s) {
  std::string_view text = s;
  while (!text.empty() && (text.front() == '"' || text.front() == '\'' || std::isspace(static_cast<unsigned char>(text.front())))) text.remove_prefix(1);
  while (!text.empty() && (text.back() == '"' || text.back() == '\'' || std::isspace(static_cast<unsigned char>(text.back())))) text.remove_suffix(1);
  if (text.size() > 2 && text.ends_with(".0") && all_digits(text.substr(0, text.size() - 2))) text.remove_suffix(2);  // a number cell
  auto [number, extension] = split_extension(text);
  auto digits = phone_digits(number);
  if (!digits || digits->size() < 3)
    return invalid("\"" + std::string(s) + "\" is not a phone number (write it as (617) 555-0142, or +44 20 7946 0958 from abroad)");
  std::string ext = extension.empty() ? "" : " ext. " + std::string(extension);
  if (auto international = international_digits(number, *digits)) return valid(*international + ext);
  if (digits->size() == 10 && (*digits)[0] != '0' && (*digits)[0] != '1') return valid("+1" + *digits + ext);  // North American
  if (digits->size() == 11 && (*digits)[0] == '1') return valid("+" + *digits + ext);
  if (digits->size() == 3 || digits->size() == 5 || digits->size() == 6) return valid(*digits + ext);  // 211, a text line
  ReadValue kept = valid(std::string(number) + ext);
  kept.warning = "\"" + std::string(s) + "\" is not a phone number with its area code: it is kept as written";
  return kept;
}

// A US Social Security number: nine digits, dashes and spaces taken out (123-45-6789). What
// the SSA never issues (area 000, 666 or 900-999, group 00, serial 0000: 000000000 and such
// placeholders) is no number, and neither are eight digits, which a spreadsheet may have made
// by dropping a leading zero: an identifier is not guessed back.
ReadValue ssn_value(std::string_view s) {
  std::string digits;
  for (char ch : s)
    if (ch != '-' && ch != ' ') digits += ch;
  std::string quoted = "\"" + std::string(s) + "\"";
  if (all_digits(digits) && digits.size() == 8)
    return invalid(quoted + " has 8 digits, not 9: a spreadsheet may have dropped its leading zero");
  if (digits.size() != 9 || !all_digits(digits)) return invalid(quoted + " is not a Social Security number (9 digits)");
  int area = to_int(digits.substr(0, 3)), group = to_int(digits.substr(3, 2)), serial = to_int(digits.substr(5));
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
    return invalid(quoted + " is no Social Security number the SSA issues (area 000, 666 or 900-999, group 00, serial 0000)");
  return valid(digits);
}

// A record's identifier as written, unless a spreadsheet rounded a long number to its
// scientific notation (4000000000000011 saved as 4E+15 or 4.00E+15): its digits are lost, and
// two records would read as one.
ReadValue resource_id_value(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.';
  });
  if (ok) return valid(std::string(s));
  return invalid("\"" + std::string(s) + "\" is not the id of a record on the gateway (1 to 64 letters, digits, '-' and '.')");
}

ReadValue id_value(std::string_view s) {
  size_t e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e), exponent = e == std::string_view::npos ? "" : s.substr(e + 1);
  size_t point = mantissa.find('.');
  bool rounded = e != std::string_view::npos && exponent.size() > 1 && exponent[0] == '+' && all_digits(exponent.substr(1)) &&
                 all_digits(mantissa.substr(0, point)) &&
                 (point == std::string_view::npos || all_digits(mantissa.substr(point + 1)));
  if (rounded)
    return invalid("\"" + std::string(s) + "\" is a number a spreadsheet rounded (scientific notation): the identifier's digits are lost");
  // A whole number a float column wrote (pandas, openpyxl: 10232.0) is the number: read as
  // written it would make client 10232 a second client.
  if (e == std::string_view::npos && point != std::string_view::npos && point > 0 && all_digits(mantissa.substr(0, point)) &&
      mantissa.find_first_not_of('0', point + 1) == std::string_view::npos && point + 1 < mantissa.size())
    return valid(std::string(mantissa.substr(0, point)));
  return valid(std::string(s));
}

ReadValue zip_value(std::string_view s) {
  std::string digits;
  for (char ch : s)
    if (ch != '-' && ch != ' ') digits += ch;
  if (digits.size() > 2 && digits.ends_with(".0")) digits.resize(digits.size() - 2);  // a number cell: 2139.0
  if (!all_digits(digits)) return invalid("\"" + std::string(s) + "\" is not a ZIP code");
  size_t plus_four = s.find('-') != std::string_view::npos && s.size() - s.rfind('-') == 5 ? 4 : 0;  // 2139-1234
  if (digits.size() - plus_four == 3 || digits.size() - plus_four == 4)
    digits.insert(0, 5 + plus_four - digits.size(), '0');  // Excel dropped the leading zeros
  if (digits.size() == 5) return valid(digits);
  if (digits.size() == 9) return valid(digits.substr(0, 5) + "-" + digits.substr(5));
  return invalid("\"" + std::string(s) + "\" is not a ZIP code (5 or 9 digits)");
}

bool is_email(std::string_view s) {
  size_t at = s.find('@');
  return at != 0 && at != std::string_view::npos && s.find('@', at + 1) == std::string_view::npos &&
         s.find('.', at) != std::string_view::npos && s.find_first_of(" <>;,\"") == std::string_view::npos;
}

// An e-mail cell as people and mail programs write it: "mailto:info@example.org",
// "Food Bank <info@example.org>", or several addresses ("a@x.org; b@x.org", "a@x.org, b@x.org"),
// of which the first is kept, with a warning.
ReadValue email_value(std::string_view s) {
  std::string_view text = trim(s), rest;
  if (size_t open = text.find('<'), close = text.find('>'); open != std::string_view::npos && close > open) {
    rest = text.substr(close + 1);
    text = text.substr(open + 1, close - open - 1);
  } else if (size_t cut = text.find_first_of(";, "); cut != std::string_view::npos) {
    rest = text.substr(cut);
    text = text.substr(0, cut);
  }
  if (text.size() > 7 && std::equal(text.begin(), text.begin() + 7, "mailto:", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      }))
    text.remove_prefix(7);
  if (!is_email(text)) return invalid("\"" + std::string(s) + "\" is not an e-mail address");
  ReadValue v = valid(std::string(text));
  if (rest.find('@') != std::string_view::npos)
    v.warning = "\"" + std::string(s) + "\" holds more than one e-mail address: only the first is kept";
  return v;
}

// A time as spreadsheets leave it, as h:mm:ss: Excel's fraction of a day (0.375 is 9:00,
// a time cell saved as a number) and military time without a colon (0900, 1730).
std::optional<std::string> spreadsheet_time(std::string_view s) {
  char out[64];
  if ((s.size() == 3 || s.size() == 4) && all_digits(s)) {
    std::snprintf(out, sizeof out, "%.*s:%.2s", static_cast<int>(s.size() - 2), s.data(), s.data() + s.size() - 2);
    return out;
  }
  if (s.size() < 2 || s.size() > 20 || (!s.starts_with(".") && !s.starts_with("0.")) || !all_digits(s.substr(s.find('.') + 1)))
    return std::nullopt;
  long seconds = std::lround(std::strtod(std::string(s).c_str(), nullptr) * 86400);
  std::snprintf(out, sizeof out, "%ld:%02ld:%02ld", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return out;
}

// A time of day as FHIR's `time` (hh:mm:ss, no zone): 9:30, 09:30:00, 9:30 AM, 5pm, 17:00Z; 24:00
// (closing at midnight, which FHIR cannot write) is 23:59:59.
ReadValue time_value(std::string_view s) {
  std::string text = spreadsheet_time(s).value_or(std::string(s));
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool pm = text.ends_with("pm"), am = text.ends_with("am");
  if (pm || am) text = std::string(trim(std::string_view(text).substr(0, text.size() - 2)));
  if (size_t zone = text.find_first_of("z+"); zone != std::string::npos && zone >= 4) text.resize(zone);  // FHIR time has no zone
  if (size_t minus = text.find('-', 4); minus != std::string::npos) text.resize(minus);
  int parts[3] = {0, 0, 0}, count = 0;
  for (std::string_view rest = text; count < 3;) {
    size_t colon = rest.find(':');
    std::string_view part = rest.substr(0, colon);
    if (!all_digits(part) || part.size() > 2) return invalid("\"" + std::string(s) + "\" is not a time of day (write it as 17:30)");
    parts[count++] = to_int(part);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  int hour = parts[0] % 12 + (pm ? 12 : 0);
  if (!am && !pm) hour = parts[0];
  if (hour == 24 && !am && !pm && parts[1] == 0 && parts[2] == 0) return valid("23:59:59");  // closing at midnight, 24:00
  if (hour > 23 || parts[1] > 59 || parts[2] > 59 || ((am || pm) && (parts[0] < 1 || parts[0] > 12)))
    return invalid("\"" + std::string(s) + "\" is not a time of day (write it as 17:30)");
  char out[48];
  std::snprintf(out, sizeof out, "%02d:%02d:%02d", hour, parts[1], parts[2]);
  return valid(out);
}

}  // namespace

std::string day_first_date(const std::vector<Column>& columns, const csv::Table& table,
                           const std::vector<size_t>& input_column) {
  std::string day_first;
  for (size_t c = 0; c < columns.size(); ++c) {
    const Column& column = columns[c];
    if (column.type != ValueType::Date || !column.format.empty() || column.lookup) continue;
    if (c >= input_column.size() || input_column[c] == std::string::npos) continue;
    for (const auto& row : table.rows) {
      if (input_column[c] >= row.values.size()) continue;
      std::string_view s = trim(row.values[input_column[c]]), a, b, y;
      s = s.substr(0, s.find(' '));  // the date of a sheet's date and time (1/31/2024 0:00)
      if (!three_numbers(s, a, b, y) || a.size() > 2 || s.find('.') != std::string_view::npos) continue;
      if (to_int(b) > 12 && to_int(a) <= 12) return {};  // month first: the sheet says both, so neither
      int year = y.size() == 4 ? to_int(y) : 2000;  // a valid day and month: 31/02 is a slip, not a way of writing
      if (to_int(a) > 12 && valid_date(year, to_int(b), to_int(a)) && day_first.empty()) day_first = s;
    }
  }
  return day_first;
}

// Each value of a split column read alone and joined with kValueSeparator; the first that
// cannot be read is the column's problem.
ReadValue read_split(const Column& column, std::string_view raw, std::string_view depends) {
  Column one = column;
  one.split.clear();
  ReadValue out;
  for (std::string_view rest = raw; !rest.empty();) {
    size_t at = rest.find(column.split);
    ReadValue part = read_value(one, rest.substr(0, at), depends);
    if (!part.ok) return part;
    if (!part.value.empty()) out.value += (out.value.empty() ? "" : std::string(1, kValueSeparator)) + part.value;
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + column.split.size());
  }
  return out;
}

// What sheets write in a cell that has no answer: N/A, n/a, Excel's #N/A; in a cell of a
// type no word can be (a date, a number, a phone number), also NA, none, null and dashes.
bool no_answer(const Column& column, std::string_view s) {
  if (s.size() > 5) return false;  // longer than every such word: most cells, not copied
  std::string v(s);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "n/a" || v == "#n/a" || v == "n.a." || v == "n / a") return true;
  bool typed = column.type != ValueType::String && column.type != ValueType::Code && column.type != ValueType::Id &&
               column.type != ValueType::ResourceId;
  return typed && (v == "na" || v == "none" || v == "null" || v == "-" || v == "--" || v == "\xE2\x80\x94");
}

namespace {

ReadValue typed_value(const Column& column, std::string_view s, std::string_view depends) {
  switch (column.type) {
    case ValueType::Integer:
    case ValueType::Decimal: return number_value(column, s);
    case ValueType::Boolean: return boolean_value(s);
    case ValueType::Date: return date_value(column, s);
    case ValueType::DateTime: return date_time_value(column, s);
    case ValueType::Time: return time_value(s);
    case ValueType::Code: return code_value(column, s, trim(depends));
    case ValueType::Phone: return phone_value(s);
    case ValueType::Zip: return zip_value(s);
    case ValueType::Ssn: return ssn_value(s);
    case ValueType::Email: return email_value(s);
    case ValueType::Id: return id_value(s);
    case ValueType::ResourceId: return resource_id_value(s);
    case ValueType::String: break;
  }
  return valid(std::string(s));
}

}  // namespace

// Whether a value means "no answer" for the column (`missing`), as written or as the whole
// number it is written as: HMIS's 99 is no answer written 99.0 too.
bool is_missing(const Column& column, std::string_view s) {
  auto listed = [&](std::string_view v) { return std::find(column.missing.begin(), column.missing.end(), v) != column.missing.end(); };
  if (listed(s)) return true;
  std::string whole = whole_number_form(s);
  return !whole.empty() && whole != s && listed(whole);
}

ReadValue read_value(const Column& column, std::string_view raw, std::string_view depends) {
  std::string_view s = trim(raw);
  if (s.empty()) s = column.fallback;  // "default": what an empty cell means
  if (s.empty() || is_missing(column, s)) return {};
  // A code column may list N/A as a value of its own; otherwise it is no answer.
  bool listed = column.type == ValueType::Code && column.codes && code_of(column, s, trim(depends));
  if (!listed && no_answer(column, s)) return {};
  if (!column.split.empty()) return read_split(column, s, depends);
  ReadValue v = typed_value(column, s, depends);
  if (v.ok || !column.unknown_left_out) return v;
  ReadValue left_out;  // `"unknown": "leave out"`: the answer is lost, not the row
  left_out.warning = v.problem + ", so it is left out";
  return left_out;
}

size_t column_in(const Column& column, const csv::Table& table) {
  if (column.lookup) return std::string::npos;
  size_t at = table.column(column.name);
  for (size_t a = 0; at == std::string::npos && a < column.aliases.size(); ++a) at = table.column(column.aliases[a]);
  return at;
}

std::vector<size_t> input_columns(const std::vector<Column>& columns, const csv::Table& table) {
  std::vector<size_t> at(columns.size(), std::string::npos);
  for (size_t i = 0; i < columns.size(); ++i)
    if (!columns[i].stored) at[i] = column_in(columns[i], table);
  return at;
}

}  // namespace carebridge::mappings::agency
