// Primitive values against the rules of their type: formats of dates and times (read
// by fhir/time), numbers and their ranges, identifiers, URIs, codes, base64, and what
// strings may contain. Hand-written checks for every R4 primitive type (linear, no
// regex backtracking on large values).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

#include "fhir/io/base64.h"
#include "fhir/model/resource_id.h"
#include "fhir/time/temporal.h"
#include "fhir/validation/oids.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

bool names_a_namespace(std::string_view arcs) {
  auto last_dot = arcs.rfind('.');
  return (last_dot != std::string_view::npos && last_dot >= 4) || arcs.starts_with("1.3");
}

namespace {

bool valid_decimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start || (s[start] == '0' && i - start > 1)) return false;
  if (i < s.size() && s[i] == '.') {
    size_t f = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == f) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == e) return false;
  }
  return i == s.size();
}

// Integer text in 32-bit range; false when malformed.
bool read_integer(std::string_view s, int64_t& out) {
  size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  if (i == s.size() || (s[i] == '0' && s.size() > i + 1)) return false;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  if (s.size() > 12) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && out >= INT32_MIN && out <= INT32_MAX;
}

bool valid_oid(std::string_view s) {
  if (!s.starts_with("urn:oid:")) return false;
  s.remove_prefix(8);
  if (s.size() < 3 || s[0] < '0' || s[0] > '2' || s[1] != '.') return false;
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] != '.') return false;
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || (s[start] == '0' && i - start > 1)) return false;
  }
  return true;
}

bool too_short_oid(std::string_view s) { return !names_a_namespace(s.substr(8)); }

bool valid_uuid(std::string_view s) {
  if (!s.starts_with("urn:uuid:") || s.size() != 45) return false;
  for (size_t i = 9; i < s.size(); ++i) {
    size_t k = i - 9;
    bool dash = k == 8 || k == 13 || k == 18 || k == 23;
    char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Control characters other than tab, CR and LF are not allowed in FHIR strings.
bool has_control(std::string_view s) {
  for (size_t i = skip_bytes_not_below(s, 0x20); i < s.size(); ++i) {
    char c = s[i];
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

// Unicode bidi controls that are opened and never closed (CVE-2021-42574: text that displays
// otherwise than it reads): embeddings and overrides U+202A/B/D/E closed by U+202C, isolates
// U+2066-2068 closed by U+2069. In UTF-8 each is E2 80 xx or E2 81 xx.
bool unbalanced_bidi(std::string_view s) {
  int open = 0;
  for (size_t i = s.find('\xE2'); i != std::string_view::npos && i + 2 < s.size(); i = s.find('\xE2', i + 1)) {
    auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
    if (b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) {
      open += b2 == 0xAC ? -1 : 1;
    } else if (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) {
      open += b2 == 0xA9 ? -1 : 1;
    }
    if (open < 0) return true;
  }
  return open != 0;
}

// ele-1 is "hasValue() or (children().count() > id.count())": without a value, a primitive
// needs an extension; an id alone is not enough.
void check_no_value(Run& run, const Element& node, const Path& path) {
  bool extended = false;
  for (const Element* c : node.children()) extended = extended || c->name != "id";
  if (!extended) {
    run.report(Severity::Error, "required",
               node.first_child ? "a primitive with only an id has neither a value nor an extension (ele-1)"
                                : "a primitive value must have a value or an extension (ele-1)",
               node, path);
  }
}

// A canonical names a resource by its canonical URL, which is absolute; only a #fragment is
// local. The reference validator errs on a relative one, but the specification's own examples
// cite knowledge artifacts so ("Library/x", "Measure/y"), and they are valid R4: a warning.
// A relative profile in meta.profile is an error (but under the ingest policy): no profile is
// known by such a url, servers refuse it, and no published example has one.
void check_canonical_form(Run& run, const Element& node, const Path& path) {
  std::string_view v = node.value;
  if (v[0] == '#' || has_whitespace(v) || is_absolute_url(v)) return;
  bool profile = node.name == "profile" && node.parent && node.parent->name == "meta";
  run.report(profile ? run.sender_tolerable() : Severity::Warning, "value",
             "Canonical URLs must be absolute URLs if they are not fragment references (" + std::string(v.substr(0, 80)) + ")",
             node, path);
}

// The url that names a canonical resource (ValueSet.url, Questionnaire.url, ...) is its
// identity everywhere it is cited: the reference validator requires it to be absolute,
// contained resources included. Citing canonicals are checked by check_canonical_form.
void check_defining_url(Run& run, const Element& node, const Path& path) {
  if (node.name != "url" || !node.parent || !node.parent->is_resource()) return;
  std::string_view v = node.value;
  if (has_whitespace(v) || is_absolute_url(v)) return;
  run.report(Severity::Error, "value",
             "'" + std::string(v.substr(0, 80)) + "' is the canonical URL of this " + std::string(node.parent->type) +
                 " and must be an absolute URL (such as http://example.org/fhir/" + std::string(node.parent->type) + "/x)",
             node, path);
}

// uri, url, canonical, oid and uuid: whitespace, the urn:oid: and urn:uuid: forms, and what
// the type adds (a url locates, a canonical is absolute, the url naming a resource is absolute).
void check_uri_like(Run& run, const Element& node, const Path& path) {
  std::string_view v = node.value;
  std::string_view type = node.type;
  auto bad = [&](const std::string& what) {
    run.report(Severity::Error, "value",
               "'" + std::string(v.substr(0, 80)) + "' is not a valid " + std::string(type) + ": " + what, node, path);
  };
  auto short_oid = [&] {
    run.report(run.sender_tolerable(), "value",
               "'" + std::string(v) + "' is too short to be a registered OID (a root such as 1.2.3 names no namespace)",
               node, path);
  };
  if (type == "oid") {
    if (!valid_oid(v)) bad("an oid is urn:oid: followed by dotted numbers without leading zeros, the first 0, 1 or 2");
    else if (too_short_oid(v)) short_oid();
    return;
  }
  if (type == "uuid") {
    if (!valid_uuid(v)) bad("a uuid is urn:uuid: followed by a lowercase UUID");
    return;
  }
  if (has_whitespace(v)) bad("URIs cannot contain whitespace");
  if (type == "url" && v.starts_with("urn:")) bad("a url must be a location, not a URN");
  // 'oid:' and 'uuid:' are not URI schemes; the reference validator rejects them (urn:oid:, urn:uuid: are).
  if (v.starts_with("oid:")) bad("an OID in a URI is written urn:oid:, not oid:");
  if (v.starts_with("uuid:")) bad("a UUID in a URI is written urn:uuid:, not uuid:");
  if (v.starts_with("urn:oid:")) {
    if (!valid_oid(v)) bad("an OID URN is urn:oid: followed by dotted numbers without leading zeros, the first 0, 1 or 2");
    else if (too_short_oid(v)) short_oid();
  }
  if (v.starts_with("urn:uuid:") && !valid_uuid(v)) bad("a UUID URN is urn:uuid: followed by a lowercase UUID");
  if (type == "canonical") check_canonical_form(run, node, path);
  if (type == "uri") check_defining_url(run, node, path);
}

// The format a date or time type is written in; nullopt for other types.
std::optional<time::Syntax> temporal_syntax(std::string_view type) {
  if (type == "date") return time::Syntax::Date;
  if (type == "dateTime") return time::Syntax::DateTime;
  if (type == "instant") return time::Syntax::Instant;
  if (type == "time") return time::Syntax::Time;
  return std::nullopt;
}

void check_temporal(Run& run, const Element& node, const Path& path, time::Syntax syntax) {
  auto parsed = time::parse(node.value, syntax);
  if (!parsed) run.report(Severity::Error, "value", parsed.message(), node, path);
}

}  // namespace

void check_primitive(Run& run, const Element& node, const Path& path) {
  if (!node.has_value) {
    check_no_value(run, node, path);
    return;
  }
  std::string_view v = node.value;
  std::string_view type = node.type;
  auto bad = [&](const std::string& what) {
    std::string shown(v.substr(0, 80));
    run.report(Severity::Error, "value", "'" + shown + "' is not a valid " + std::string(type) + ": " + what, node, path);
  };
  if (v.empty() && type != "xhtml") {
    run.report(Severity::Error, "value", "the value of a " + std::string(type) + " cannot be empty", node, path);
    return;
  }
  if (node.name == "id" && node.parent && node.parent->is_resource()) {
    // Resource.id is a string in the R4 definitions, but holds an id.
    if (!model::is_resource_id(v)) bad("resource ids are 1 to 64 letters, digits, '-' and '.'");
    return;
  }
  if (type == "string" || type == "markdown") {
    if (has_control(v)) bad("it contains control characters");
    if (unbalanced_bidi(v)) bad("it opens Unicode bidi controls it does not close, so it displays otherwise than it reads");
    if (v.size() > 1024 * 1024) bad("it is longer than 1 MB");
    if (std::all_of(v.begin(), v.end(), is_space)) {
      // The R4 regex ([ \r\n\t\S]+) admits it; the reference validator warns.
      run.report(Severity::Warning, "value", "the value holds only whitespace", node, path);
    } else if (type == "string" && (is_space(v.front()) || is_space(v.back()))) {
      run.report(Severity::Warning, "value", "the value should not start or end with whitespace", node, path);
    }
    if (type == "markdown") {
      // memchr finds each '<'; most markdown has few.
      for (size_t i = v.find('<'); i != std::string_view::npos && i + 1 < v.size(); i = v.find('<', i + 1)) {
        if (std::isalpha(static_cast<unsigned char>(v[i + 1])) || v[i + 1] == '/') {
          run.report(Severity::Warning, "value",
                     "the markdown contains what looks like an HTML tag; presentation layers should escape it", node, path);
          break;
        }
      }
    }
  } else if (type == "code") {
    bool ok = !is_space(v.front()) && !is_space(v.back());
    for (size_t i = 0; ok && i + 1 < v.size(); ++i) {
      if (is_space(v[i]) && (v[i] != ' ' || is_space(v[i + 1]))) ok = false;
    }
    if (!ok) bad("codes have no leading, trailing or repeated whitespace");
  } else if (type == "id") {
    if (!model::is_resource_id(v)) bad("ids are 1 to 64 letters, digits, '-' and '.'");
  } else if (type == "uri" || type == "url" || type == "canonical" || type == "oid" || type == "uuid") {
    check_uri_like(run, node, path);
  } else if (auto syntax = temporal_syntax(type)) {
    check_temporal(run, node, path, *syntax);
  } else if (type == "decimal") {
    if (!valid_decimal(v)) bad("not a decimal number");
  } else if (type == "integer" || type == "positiveInt" || type == "unsignedInt") {
    int64_t n = 0;
    if (!read_integer(v, n)) {
      bad("not a 32-bit integer");
    } else if (type == "positiveInt" && n < 1) {
      bad("a positiveInt must be 1 or more");
    } else if (type == "unsignedInt" && n < 0) {
      bad("an unsignedInt must be 0 or more");
    }
  } else if (type == "boolean") {
    if (v != "true" && v != "false") bad("booleans are true or false");
  } else if (type == "base64Binary") {
    if (!io::is_base64_text(v)) bad("not base64 text");
  }
}

}  // namespace carebridge::fhir::validation
