// String functions: indexOf lastIndexOf substring startsWith endsWith contains upper
// lower replace matches matchesFull replaceMatches length toChars trim split join
// encode decode escape unescape.
#include <algorithm>
#include <cctype>

#include <boost/container/small_vector.hpp>
#include <boost/regex.hpp>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/letter_case.h"
#include "fhir/io/base64.h"
#include "fhir/json/utf8.h"

namespace carebridge::fhir::fhirpath {
namespace {

constexpr size_t kMaxRegexInput = 1'000'000;
constexpr size_t kMaxPattern = 1'000;

// A string function's arguments: at most two, kept inline (startsWith() runs for
// every reference, ref-1), so reading them allocates nothing beyond the strings.
using StringArgs = boost::container::small_vector<std::string, 2>;

// The text of `items` when they are one String: the common case (ref-1's
// reference.startsWith('#')), read in place without converting a copy of the item
// first. False for anything else, which the general path then handles.
bool single_string(const Collection& items, std::optional<std::string>& s) {
  if (items.size() != 1) return false;
  auto text = string_text(items.front());
  if (text) s.emplace(*text);
  return text.has_value();
}

// The focus as one string: nullopt (ok) when empty, error when not a string.
bool focus_string(Call& c, std::optional<std::string>& s) {
  if (single_string(c.focus, s)) return true;
  std::optional<Item> v;
  if (!c.single_focus(v)) return false;
  s.reset();
  if (!v) return true;
  if (v->element || v->is_type_info || v->type != SystemType::String) return c.fail(c.node.name + "() needs a string input");
  s = std::move(v->text);
  return true;
}

bool string_arg(Call& c, size_t i, std::optional<std::string>& s) {
  Scratch values;
  if (!c.arg(i, *values)) return false;
  s.reset();
  if (single_string(*values, s)) return true;
  std::optional<Item> v;
  if (!c.single_of(i, *values, v)) return false;
  if (!v) return true;
  if (v->element || v->is_type_info || v->type != SystemType::String) {
    return c.fail(c.node.name + "() needs a string argument");  // N1: no implicit conversion to String
  }
  s = std::move(v->text);
  return true;
}

// Both the focus and the arguments as strings; false to stop (error or empty result).
bool strings(Call& c, std::string& focus, StringArgs& args, bool& empty) {
  std::optional<std::string> f;
  empty = true;
  if (!focus_string(c, f)) return false;
  if (!f) return true;
  for (size_t i = 0; i < c.arg_count(); ++i) {
    std::optional<std::string> a;
    if (!string_arg(c, i, a)) return false;
    if (!a) return true;
    args.push_back(std::move(*a));
  }
  focus = std::move(*f);
  empty = false;
  return true;
}

// Regular expressions see characters, not UTF-8 bytes ('.' is one 'é'): pattern and
// text go to Boost.Regex as wide strings of code points.
static_assert(sizeof(wchar_t) == 4, "a wchar_t holds one code point");

std::wstring wide(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(static_cast<wchar_t>(json::next_code_point(s, i)));
  return out;
}

std::string narrow(std::wstring_view s) {
  std::string out;
  out.reserve(s.size());
  for (wchar_t ch : s) json::append_utf8(out, static_cast<char32_t>(ch));
  return out;
}

// Boost.Regex runs without recursion and gives up on patterns whose matching
// explodes (it throws, we report), so a hostile pattern cannot hang or crash us.
// FHIRPath regular expressions are in single-line mode: '.' also matches newlines.
bool compile_regex(Call& c, const std::string& pattern, boost::wregex& re) {
  if (pattern.size() > kMaxPattern) return c.fail("regular expression is too long");
  try {
    re = boost::wregex(wide(pattern), boost::regex::perl | boost::regex::mod_s);
  } catch (const std::exception&) {
    return c.fail("invalid regular expression '" + pattern + "'");
  }
  return true;
}

// Strings are UTF-8; positions and lengths count characters (code points).
bool is_continuation(char ch) { return (static_cast<unsigned char>(ch) & 0xC0) == 0x80; }

int64_t char_count(std::string_view s, size_t bytes) {
  return static_cast<int64_t>(json::count_code_points(s.substr(0, std::min(bytes, s.size()))));
}

// Byte offset of character `index` (s.size() when past the end).
size_t byte_offset(std::string_view s, int64_t index) {
  size_t i = 0;
  for (int64_t n = 0; i < s.size(); ++i) {
    if (is_continuation(s[i])) continue;
    if (n++ == index) return i;
  }
  return s.size();
}

// The characters of `s`, each as its UTF-8 bytes.
boost::container::small_vector<std::string_view, 16> characters(std::string_view s) {
  boost::container::small_vector<std::string_view, 16> out;
  for (size_t i = 0; i < s.size();) {
    size_t end = i + 1;
    while (end < s.size() && is_continuation(s[end])) ++end;
    out.push_back(s.substr(i, end - i));
    i = end;
  }
  return out;
}

#define STRING_FUNCTION(fn_name, ...)                                \
  bool fn_name(Call& c) {                                            \
    std::string s;                                                   \
    StringArgs a;                                                    \
    bool empty = false;                                              \
    if (!strings(c, s, a, empty)) return false;                      \
    if (empty) return true;                                          \
    __VA_ARGS__                                                      \
    return true;                                                     \
  }

STRING_FUNCTION(fn_index_of, {
  size_t at = s.find(a[0]);
  c.out.push_back(make_integer(at == std::string::npos ? -1 : char_count(s, at)));
})
STRING_FUNCTION(fn_last_index_of, {
  auto at = s.rfind(a[0]);
  c.out.push_back(make_integer(at == std::string::npos ? -1 : char_count(s, at)));
})
STRING_FUNCTION(fn_starts_with, { c.out.push_back(make_boolean(s.starts_with(a[0]))); })
STRING_FUNCTION(fn_ends_with, { c.out.push_back(make_boolean(s.ends_with(a[0]))); })
STRING_FUNCTION(fn_contains, { c.out.push_back(make_boolean(s.find(a[0]) != std::string::npos)); })
STRING_FUNCTION(fn_upper, { c.out.push_back(make_string(to_upper(s))); })
STRING_FUNCTION(fn_lower, { c.out.push_back(make_string(to_lower(s))); })
STRING_FUNCTION(fn_length, { c.out.push_back(make_integer(char_count(s, s.size()))); })
STRING_FUNCTION(fn_to_chars, {
  for (std::string_view ch : characters(s)) c.out.push_back(make_string(std::string(ch)));
})
STRING_FUNCTION(fn_trim, {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  c.out.push_back(make_string(b == std::string::npos ? "" : s.substr(b, e - b + 1)));
})
STRING_FUNCTION(fn_replace, {
  const std::string& from = a[0];
  const std::string& to = a[1];
  std::string r;
  if (from.empty()) {  // the empty string is found before and after every character
    r = to;
    for (std::string_view ch : characters(s)) {
      r += ch;
      r += to;
    }
  } else {
    size_t at = 0;
    while (true) {
      size_t hit = s.find(from, at);
      if (hit == std::string::npos) break;
      r.append(s, at, hit - at);
      r += to;
      at = hit + from.size();
    }
    r.append(s, at);
  }
  c.out.push_back(make_string(std::move(r)));
})
STRING_FUNCTION(fn_split, {
  if (a[0].empty()) {
    for (std::string_view ch : characters(s)) c.out.push_back(make_string(std::string(ch)));
  } else {
    size_t at = 0;
    while (true) {
      size_t hit = s.find(a[0], at);
      c.out.push_back(make_string(s.substr(at, hit == std::string::npos ? std::string::npos : hit - at)));
      if (hit == std::string::npos) break;
      at = hit + a[0].size();
    }
  }
})

bool fn_substring(Call& c) {
  std::optional<std::string> s;
  if (!focus_string(c, s)) return false;
  if (!s) return true;
  std::optional<Item> start, length;
  if (!c.single_arg(0, start)) return false;
  if (c.arg_count() > 1 && !c.single_arg(1, length)) return false;
  if (!start) return true;
  auto from = as_integer(*start);
  if (!from) return c.fail("substring() needs integer arguments");
  if (*from < 0 || *from >= char_count(*s, s->size())) return true;
  size_t begin = byte_offset(*s, *from);
  size_t count = std::string::npos;
  if (length) {
    auto n = as_integer(*length);
    if (!n) return c.fail("substring() needs integer arguments");
    if (*n <= 0) {
      c.out.push_back(make_string(""));
      return true;
    }
    count = byte_offset(std::string_view(*s).substr(begin), *n);
  }
  c.out.push_back(make_string(s->substr(begin, count)));
  return true;
}

bool regex_match(Call& c, bool full) {
  std::string s;
  StringArgs a;
  bool empty = false;
  if (!strings(c, s, a, empty)) return false;
  if (empty) return true;
  if (s.size() > kMaxRegexInput) return c.fail("string too long for a regular expression");
  boost::wregex re;
  if (!compile_regex(c, a[0], re)) return false;
  bool m = false;
  try {
    std::wstring text = wide(s);
    m = full ? boost::regex_match(text, re) : boost::regex_search(text, re);
  } catch (const std::exception&) {
    return c.fail("regular expression too complex for this input");
  }
  c.out.push_back(make_boolean(m));
  return true;
}
bool fn_matches(Call& c) { return regex_match(c, false); }
bool fn_matches_full(Call& c) { return regex_match(c, true); }

// The substitution as Boost's perl format reads it: a named group written ${name} (as the
// FHIRPath specification's example has it) is Boost's $+{name}; ${1} and $1 stay.
std::string perl_format(const std::string& substitution) {
  std::string out;
  for (size_t i = 0; i < substitution.size(); ++i) {
    bool named = substitution.compare(i, 2, "${") == 0 && i + 2 < substitution.size() &&
                 std::isalpha(static_cast<unsigned char>(substitution[i + 2]));
    out += named ? "$+" : std::string(1, substitution[i]);
  }
  return out;
}

STRING_FUNCTION(fn_replace_matches, {
  if (a[0].empty()) {
    c.out.push_back(make_string(s));
    return true;
  }
  if (s.size() > kMaxRegexInput) return c.fail("string too long for a regular expression");
  boost::wregex re;
  if (!compile_regex(c, a[0], re)) return false;
  try {
    std::wstring replaced = boost::regex_replace(wide(s), re, wide(perl_format(a[1])), boost::format_perl);
    c.out.push_back(make_string(narrow(replaced)));
  } catch (const std::exception&) {
    return c.fail("regular expression too complex for this input");
  }
})

bool fn_join(Call& c) {
  std::optional<std::string> sep;
  if (c.arg_count() > 0 && !string_arg(c, 0, sep)) return false;
  std::string r;
  for (size_t i = 0; i < c.focus.size(); ++i) {
    auto v = system_value(c.focus[i]);
    if (!v || v->type != SystemType::String) return c.fail("join() needs strings");
    if (i > 0 && sep) r += *sep;
    r += v->text;
  }
  c.out.push_back(make_string(std::move(r)));
  return true;
}

STRING_FUNCTION(fn_encode, {
  if (a[0] == "base64" || a[0] == "urlbase64") {
    c.out.push_back(make_string(io::base64_encode(s, a[0] == "urlbase64")));
  } else if (a[0] == "hex") {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string r;
    for (unsigned char ch : s) {
      r += kHex[ch >> 4];
      r += kHex[ch & 15];
    }
    c.out.push_back(make_string(std::move(r)));
  }
})

STRING_FUNCTION(fn_decode, {
  if (a[0] == "base64" || a[0] == "urlbase64") {
    if (auto r = io::base64_decode(s)) c.out.push_back(make_string(std::move(*r)));
  } else if (a[0] == "hex") {
    if (s.size() % 2 != 0) return true;
    std::string r;
    for (size_t i = 0; i < s.size(); i += 2) {
      auto hex = [](char h) { return std::isxdigit(static_cast<unsigned char>(h)) ? (h <= '9' ? h - '0' : (h | 32) - 'a' + 10) : -1; };
      int hi = hex(s[i]), lo = hex(s[i + 1]);
      if (hi < 0 || lo < 0) return true;
      r += static_cast<char>(hi * 16 + lo);
    }
    c.out.push_back(make_string(std::move(r)));
  }
})

STRING_FUNCTION(fn_escape, {
  std::string r;
  if (a[0] == "html") {
    for (char ch : s) {
      switch (ch) {
        case '&': r += "&amp;"; break;
        case '<': r += "&lt;"; break;
        case '>': r += "&gt;"; break;
        case '"': r += "&quot;"; break;
        case '\'': r += "&#39;"; break;
        default: r += ch;
      }
    }
  } else if (a[0] == "json") {
    for (char ch : s) {
      switch (ch) {
        case '"': r += "\\\""; break;
        case '\\': r += "\\\\"; break;
        case '\n': r += "\\n"; break;
        case '\r': r += "\\r"; break;
        case '\t': r += "\\t"; break;
        default: r += ch;
      }
    }
  } else {
    return true;
  }
  c.out.push_back(make_string(std::move(r)));
})

STRING_FUNCTION(fn_unescape, {
  std::string r;
  if (a[0] == "html") {
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
    for (size_t i = 0; i < s.size();) {
      bool done = false;
      for (auto [entity, ch] : kEntities) {
        if (std::string_view(s).substr(i).starts_with(entity)) {
          r += ch;
          i += entity.size();
          done = true;
          break;
        }
      }
      if (!done) r += s[i++];
    }
  } else if (a[0] == "json") {
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\\' || i + 1 == s.size()) {
        r += s[i];
        continue;
      }
      char e = s[++i];
      r += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
    }
  } else {
    return true;
  }
  c.out.push_back(make_string(std::move(r)));
})

constexpr FunctionSpec kFunctions[] = {
    {"indexOf", 1, 1, fn_index_of},     {"lastIndexOf", 1, 1, fn_last_index_of},
    {"substring", 1, 2, fn_substring},  {"startsWith", 1, 1, fn_starts_with},
    {"endsWith", 1, 1, fn_ends_with},   {"contains", 1, 1, fn_contains},
    {"upper", 0, 0, fn_upper},          {"lower", 0, 0, fn_lower},
    {"replace", 2, 2, fn_replace},      {"matches", 1, 1, fn_matches},
    {"matchesFull", 1, 1, fn_matches_full}, {"replaceMatches", 2, 2, fn_replace_matches},
    {"length", 0, 0, fn_length},        {"toChars", 0, 0, fn_to_chars},
    {"trim", 0, 0, fn_trim},            {"split", 1, 1, fn_split},
    {"join", 0, 1, fn_join},            {"encode", 1, 1, fn_encode},
    {"decode", 1, 1, fn_decode},        {"escape", 1, 1, fn_escape},
    {"unescape", 1, 1, fn_unescape},
};

}  // namespace

std::span<const FunctionSpec> string_functions() { return kFunctions; }

}  // namespace carebridge::fhir::fhirpath
