// Search parameters to clauses (see parse_clause.h): values by parameter type
// (prefixes, systems, implicit ranges, composites), then the parameter's modifiers,
// chain and _has levels. Every step takes time in proportion to its text.
#include "fhir/search/parse_clause.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "fhir/search/index.h"
#include "fhir/search/token_modifiers.h"
#include "fhir/search/ucum_canonical.h"
#include "fhir/time/fhir_time.h"

namespace carebridge::fhir::search {

using fhir::time::date_range;

std::vector<std::string> split_escaped(std::string_view text, char separator, bool unescape) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {  // escaped , $ | in search values
      if (!unescape) current += text[i];
      current += text[++i];
    } else if (text[i] == separator) {
      out.push_back(std::move(current));
      current.clear();
    } else {
      current += text[i];
    }
  }
  out.push_back(std::move(current));
  return out;
}

namespace {

std::string take_prefix(std::string& value) {
  static const char* kPrefixes[] = {"eq", "ne", "lt", "gt", "le", "ge", "sa", "eb", "ap"};
  if (value.size() > 2) {
    for (const char* p : kPrefixes) {
      if (value.starts_with(p) && (std::isdigit(static_cast<unsigned char>(value[2])) || value[2] == '-')) {
        std::string prefix = value.substr(0, 2);
        value = value.substr(2);
        return prefix;
      }
    }
  }
  return "eq";
}

// ap (FHIR search 3.1.1.4.2): approximately, here within 10% of the value (a number or
// quantity), or of the time between now and the date; a range then matches when it overlaps.
void widen_number(ValueMatch& m) {
  double margin = 0.1 * std::max(std::fabs(m.low), std::fabs(m.high));
  m.low -= margin;
  m.high += margin;
}

void widen_date(ValueMatch& m) {
  double now = static_cast<double>(std::time(nullptr));
  double margin = 0.1 * std::max(std::fabs(now - m.low), std::fabs(now - m.high));
  m.low -= margin;
  m.high += margin;
}

// The implicit range of a number (FHIR search 3.1.1.4.7): half a unit of its last digit
// either side, the top left out: "100" is [99.5, 100.5), "100.0" [99.95, 100.05), "1e2"
// (one significant figure) [50, 150). Each bound is the double nearest its decimal value,
// as a stored value's is, so "0.1" leaves out 0.15 (0.1 + 0.05 is a little above it in binary).
void implicit_range(std::string_view text, double value, ValueMatch& m) {
  auto e = text.find_first_of("eE");
  std::string_view mantissa = text.substr(0, e);
  int exponent = e == std::string_view::npos ? 0 : std::atoi(std::string(text.substr(e + 1)).c_str());
  auto dot = mantissa.find('.');
  int decimals = (dot == std::string_view::npos ? 0 : static_cast<int>(mantissa.size() - dot - 1)) - exponent;
  double digits = 0;  // the mantissa's digits as an integer: exact up to 15 of them
  int count = 0;
  for (char c : mantissa) {
    if (c < '0' || c > '9') continue;
    digits = digits * 10 + (c - '0');
    ++count;
  }
  if (mantissa.starts_with('-')) digits = -digits;
  constexpr int kExactDigits = 15, kExactPowers = 22;  // 10^22: the largest power of ten a double holds
  if (count > kExactDigits || std::abs(decimals) > kExactPowers) {
    double half = 0.5 * std::pow(10.0, -decimals);
    m.low = value - half;
    m.high = std::nextafter(value + half, -HUGE_VAL);
    return;
  }
  double scale = 1;
  for (int i = 0; i < std::abs(decimals); ++i) scale *= 10;
  // (2 * digits +- 1) / (2 * 10^decimals): exact operands, so one correctly rounded result.
  m.low = decimals >= 0 ? (2 * digits - 1) / (2 * scale) : (2 * digits - 1) * scale / 2;
  m.high = decimals >= 0 ? (2 * digits + 1) / (2 * scale) : (2 * digits + 1) * scale / 2;
  m.high = std::nextafter(m.high, -HUGE_VAL);
}

bool parse_number(const std::string& text, ValueMatch& m) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  // eq, ne and ap compare with the value's implicit range, and so do sa and eb: a value
  // "starts after" 100 when it is above all of [99.5, 100.5) (search 3.1.1.4.2); gt, lt,
  // ge and le compare with the value exactly ("gt100: greater than exactly 100").
  if (m.prefix == "eq" || m.prefix == "ne" || m.prefix == "ap" || m.prefix == "sa" || m.prefix == "eb") {
    implicit_range(text, v, m);
  } else {
    m.low = m.high = v;
  }
  if (m.prefix == "ap") widen_number(m);
  return true;
}

bool parse_value(const SearchParam& param, const std::string& modifier, std::string value, ValueMatch& m,
                 std::string& error);

// The modifiers read with a parameter's values, by its type (FHIR R4 search 3.1.1.4; :missing,
// :not, :identifier, :of-type and the token code sets are read before). One only another type
// takes is an error: ignored, it answered another search than the one asked (gender:contains=ma
// searched gender=ma, birthdate:exact=1980 birthdate=1980).
bool modifier_applies(std::string_view type, std::string_view modifier) {
  if (modifier.empty()) return true;
  if (type == "string") return modifier == "exact" || modifier == "contains";
  if (type == "token") return modifier == "text";
  if (type == "uri") return modifier == "below" || modifier == "above";
  if (type == "reference") return modifier[0] >= 'A' && modifier[0] <= 'Z';  // :Type
  return false;
}

// Whether a reference parameter may name the type (subject:Patient): one of its targets, or
// any type when its definition lists none. Another type answers nothing the caller meant
// (Observation?subject:Medication=x), so it is refused like an unknown modifier.
bool refers_to(const SearchParam& param, const std::string& type) {
  return param.targets.empty() || std::find(param.targets.begin(), param.targets.end(), type) != param.targets.end();
}

std::string not_a_target(const SearchParam& param, const std::string& type) {
  std::string targets;
  for (const std::string& t : param.targets) targets += (targets.empty() ? "" : ", ") + t;
  if (targets.size() > 300) targets = targets.substr(0, 300) + "...";
  return "'" + param.code + "' refers to " + targets + ", not to " + type.substr(0, 100);
}

// "code$value" (FHIR search 3.1.1.4.9): each part read as its component's type, then
// written as the composite's rows hold them (index_composite): the first part's code
// and '$' before the second part's value, the systems likewise.
bool parse_composite(const SearchParam& param, const std::string& value, ValueMatch& m, std::string& error) {
  auto dollar = value.find('$');
  if (dollar == std::string::npos || param.components.size() != 2) {
    error = "a composite value is two parts joined by '$' (such as http://loinc.org|8480-6$gt100), not '" + value + "'";
    return false;
  }
  SearchParam parts[2];
  ValueMatch first;
  for (size_t i = 0; i < 2; ++i) {
    parts[i].code = param.code;
    parts[i].type = param.components[i].type;
  }
  if (!parse_value(parts[0], "", value.substr(0, dollar), first, error) ||
      !parse_value(parts[1], "", value.substr(dollar + 1), m, error)) {
    return false;
  }
  if (first.code.empty()) {
    error = "the first part of '" + value + "' names no code";
    return false;
  }
  std::string key = first.code + "$";
  std::string first_system = first.kind == ValueMatch::Kind::Token && !first.any_system ? first.system + "$" : "";
  switch (m.kind) {
    case ValueMatch::Kind::Token:
      m.code = key + m.code;
      if (!first_system.empty() && !m.any_system) {
        m.system = first_system + m.system;
      } else {
        if (!m.any_system) m.system_suffix = "$" + m.system;
        m.system_prefix = first_system;
        m.any_system = true;
      }
      return true;
    case ValueMatch::Kind::Range:
      (m.code.empty() ? m.code_prefix : m.code) = key + m.code;
      if (!m.any_system && !m.system.empty()) m.system_suffix = "$" + m.system;
      m.system_prefix = first_system;
      m.any_system = true;
      m.system.clear();
      return true;
    case ValueMatch::Kind::StringStarts:
    case ValueMatch::Kind::StringExact:
      m.text = key + m.text;
      return true;
    default:
      error = "composites ending in a " + parts[1].type + " are not searched here";
      return false;
  }
}

// near=LATITUDE|LONGITUDE|DISTANCE|UNITS: within DISTANCE (km when no units; also m, mi
// and [mi_i], as UCUM writes them) of the point. Without a distance, 10 km.
bool parse_near(const std::string& value, ValueMatch& m, std::string& error) {
  auto parts = split_escaped(value, '|');
  auto number = [](const std::string& text, double& into) {
    char* end = nullptr;
    into = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size();
  };
  m.kind = ValueMatch::Kind::Near;
  if (parts.size() < 2 || !number(parts[0], m.low) || !number(parts[1], m.high) || m.low < -90 || m.low > 90 ||
      m.high < -180 || m.high > 180) {
    error = "near takes latitude|longitude|distance|units (degrees, then a distance in km, m or mi), not '" + value + "'";
    return false;
  }
  m.within_km = 10;
  if (parts.size() >= 3 && !parts[2].empty() && (!number(parts[2], m.within_km) || m.within_km < 0)) {
    error = "'" + parts[2] + "' is not a distance";
    return false;
  }
  std::string units = parts.size() >= 4 ? parts[3] : "km";
  if (units == "m") m.within_km /= 1000;
  else if (units == "mi" || units == "[mi_i]" || units == "[mi_us]") m.within_km *= 1.609344;
  else if (units != "km" && !units.empty()) {
    error = "near's distance is in km, m or mi, not '" + units + "'";
    return false;
  }
  return true;
}

// A search value folded as index rows are; one that folds to nothing (combining marks
// alone) stays as it was, so it matches no row rather than every row by an empty prefix.
std::string folded(const std::string& value) {
  std::string text = fold(value);
  return text.empty() ? value : text;
}

// A token value: code, |code (no system), system|code, or text to look for (:text).
void parse_token(const std::string& modifier, const std::string& value, ValueMatch& m) {
  if (modifier == "text") {
    m.kind = ValueMatch::Kind::TokenText;
    m.text = folded(value);
    return;
  }
  m.kind = ValueMatch::Kind::Token;
  auto bar = value.find('|');
  if (bar == std::string::npos) {
    m.code = value;
    return;
  }
  m.any_system = false;
  m.system = value.substr(0, bar);
  m.code = value.substr(bar + 1);
}

// A date, quantity or number value after its prefix (eq, ge, ap, ...): the range it stands for.
bool parse_range(const std::string& type, std::string value, ValueMatch& m, std::string& error) {
  m.kind = ValueMatch::Kind::Range;
  m.prefix = take_prefix(value);
  if (type == "date") {
    auto range = date_range(value);
    if (!range) {
      error = "'" + value + "' is not a FHIR date, dateTime or instant";
      return false;
    }
    m.low = range->first;
    m.high = range->second;
    if (m.prefix == "ap") widen_date(m);
    return true;
  }
  if (type == "quantity") {
    auto parts = split_escaped(value, '|');
    if (parts.size() != 1 && parts.size() != 3) {
      error = "a quantity is number|system|code (or a number alone), not '" + value + "'";
      return false;
    }
    if (parts.size() == 3) {
      m.system = parts[1];
      m.any_system = parts[1].empty();
      m.code = parts[2];
    }
    value = parts[0];
  }
  if (!parse_number(value, m)) {
    error = "'" + value + "' is not a number";
    return false;
  }
  return true;
}

// A quantity searched in a UCUM unit is also searched in its canonical form, and a quantity
// searched otherwise never matches the canonical rows (ucum_canonical.h): the canonical
// match, when `m` has one.
std::optional<ValueMatch> canonical_match(ValueMatch& m) {
  if (m.kind != ValueMatch::Kind::Range) return std::nullopt;
  std::optional<CanonicalUcum> canonical;
  if (!m.any_system && m.system == kUcumSystem) canonical = canonical_ucum(m.code);
  m.not_system = std::string(kCanonicalUcumSystem);
  if (!canonical) return std::nullopt;
  ValueMatch c = m;
  c.not_system.clear();
  c.system = std::string(kCanonicalUcumSystem);
  c.code = std::move(canonical->code);
  c.low *= canonical->factor;
  c.high *= canonical->factor;
  return c;
}

std::string shown_value(std::string_view value) { return "'" + std::string(value.substr(0, 100)) + "'"; }

bool parse_value(const SearchParam& param, const std::string& modifier, std::string value, ValueMatch& m,
                 std::string& error) {
  const std::string& t = param.type;
  if (t == "composite") return parse_composite(param, value, m, error);
  if (t == "special") return parse_near(value, m, error);
  if (t == "string") {
    m.kind = modifier == "exact" ? ValueMatch::Kind::StringExact
             : modifier == "contains" ? ValueMatch::Kind::StringContains
                                      : ValueMatch::Kind::StringStarts;
    m.text = modifier == "exact" ? value : folded(value);
    return true;
  }
  if (t == "token") {
    parse_token(modifier, value, m);
    return true;
  }
  if (t == "reference") {
    m.kind = ValueMatch::Kind::Reference;
    // "Patient/" (or "Patient/" by a type modifier and an empty value) names no record.
    if (value.empty() || (value.back() == '/' && value.find("://") == std::string::npos && value.find('/') + 1 == value.size())) {
      error = "a reference is an id, Type/id or a URL, not " + shown_value(value);
      return false;
    }
    if (!modifier.empty() && modifier[0] >= 'A' && modifier[0] <= 'Z') value = modifier + "/" + value;
    std::string key = reference_key(value);
    m.code = key.empty() ? value : key;
    m.text = value;
    return true;
  }
  if (t == "uri") {
    // :above (FHIR search 3.1.1.4.15): the resource's URI is the value or a parent of it.
    m.kind = modifier == "below"   ? ValueMatch::Kind::UriBelow
             : modifier == "above" ? ValueMatch::Kind::UriAbove
                                   : ValueMatch::Kind::Uri;
    m.text = value;
    return true;
  }
  return parse_range(t, std::move(value), m, error);
}

// A key for a message: the first 100 characters of it.
std::string shown(std::string_view key) {
  constexpr size_t kShown = 100;
  return "'" + std::string(key.substr(0, kShown)) + (key.size() > kShown ? "...'" : "'");
}

// The clauses of one parameter: its _has levels and chain, each read once.
class ClauseReader {
 public:
  ClauseReader(const SearchRegistry& registry, const SearchLimits& limits, const StoredCanonicals& stored_canonicals)
      : registry_(registry), limits_(limits), stored_canonicals_(stored_canonicals) {}

  Result<Clause> read(const std::string& type, std::string_view key, const std::string& value) {
    Clause clause;
    if (read(type, key, value, clause)) return clause;
    return Issue{Severity::Error, code_, error_, {}, {}};
  }

 private:
  const SearchRegistry& registry_;
  const SearchLimits& limits_;
  const StoredCanonicals& stored_canonicals_;
  std::string error_;
  std::string code_ = "invalid";
  size_t has_depth_ = 0;
  size_t chain_depth_ = 0;

  bool fail(std::string message, std::string code = "invalid") {
    error_ = std::move(message);
    code_ = std::move(code);
    return false;
  }

  bool read(const std::string& type, std::string_view key, const std::string& value, Clause& clause);
  bool read_has(std::string type, std::string_view key, const std::string& value, Clause& clause);
  bool read_chain(const SearchParam& param, const std::string& modifier, std::string_view chain, const std::string& value,
                  Clause& clause);
  bool read_typed_chain(const std::string& target, std::string_view chain, const std::string& value, Clause& clause);
  bool read_id(const std::string& modifier, const std::string& value, Clause& clause);
  bool read_missing(const std::string& value, Clause& clause);
  bool read_identifier(const SearchParam& param, const std::string& value, Clause& clause);
  bool read_of_type(const SearchParam& param, const std::string& value, Clause& clause);
  bool read_code_set(const SearchParam& param, const std::string& modifier, const std::string& value, Clause& clause);
  bool read_values(const SearchParam& param, const std::string& modifier, const std::string& value, Clause& clause);
  std::optional<ValueMatch> implied_system_match(const ValueMatch& m) const;
  // The values of a parameter ("a,b,c"), at most limits_.max_values of them.
  bool values_of(std::string_view name, const std::string& value, std::vector<std::string>& out);
};

bool ClauseReader::values_of(std::string_view name, const std::string& value, std::vector<std::string>& out) {
  out = split_escaped(value, ',');
  // An empty item of a list ("a," or ",a") asks for nothing: it never widens the match (an
  // empty token or string matched every resource, and a conditional update then wrote
  // over an unrelated record). A parameter with no value at all is left out (parse_search).
  std::erase_if(out, [](const std::string& v) { return v.empty(); });
  if (out.size() <= limits_.max_values) return true;
  return fail(std::string(name) + " has " + std::to_string(out.size()) + " values; this server takes at most " +
                  std::to_string(limits_.max_values) + " values per parameter (split the search)",
              "too-long");
}

// One parameter ("subject:Patient.identifier", "name:exact") with its value.
bool ClauseReader::read(const std::string& type, std::string_view key, const std::string& value, Clause& clause) {
  if (key.starts_with("_has:")) return read_has(type, key, value, clause);
  if (key == "_has") return fail("_has needs _has:Type:reference:parameter, not '_has' alone");
  std::string_view chain;
  if (auto dot = key.find('.'); dot != std::string_view::npos) {
    chain = key.substr(dot + 1);
    key = key.substr(0, dot);
  }
  std::string name(key), modifier;
  if (auto colon = name.find(':'); colon != std::string::npos) {
    modifier = name.substr(colon + 1);
    name.resize(colon);
  }
  clause.param = name;
  if (name == "_id") return read_id(modifier, value, clause);
  SearchParam last_updated;
  last_updated.code = "_lastUpdated";
  last_updated.type = "date";
  const SearchParam* param = name == "_lastUpdated" ? &last_updated : registry_.find(type, name);
  if (!param) return fail("unknown search parameter '" + name + "' for " + type, "not-supported");
  auto codes = param->index_codes();
  clause.param = codes.front();
  clause.also.assign(codes.begin() + 1, codes.end());
  if (!chain.empty()) return read_chain(*param, modifier, chain, value, clause);
  if (modifier == "missing") {
    // A reference given only by its identifier is there all the same.
    if (param->type == "reference") clause.also.push_back(param->index_code() + ":identifier");
    return read_missing(value, clause);
  }
  if (modifier == "identifier") return read_identifier(*param, value, clause);
  if (modifier == "of-type") return read_of_type(*param, value, clause);
  if (param->type == "token" && names_code_set(modifier)) return read_code_set(*param, modifier, value, clause);
  return read_values(*param, modifier, value, clause);
}

// _has:Source:param:rest=value (FHIR search 3.1.1.5.9): resources of `type` that a
// Source resource matching rest=value refers to through its reference parameter
// `param`. `rest` may itself be a _has: the levels are read in turn, each once.
bool ClauseReader::read_has(std::string type, std::string_view key, const std::string& value, Clause& clause) {
  const std::string_view whole = key;
  Clause* level = &clause;
  while (key.starts_with("_has:")) {
    if (++has_depth_ > limits_.max_has_depth) {
      return fail("_has nests deeper than this server searches: at most " + std::to_string(limits_.max_has_depth) +
                      " _has levels",
                  "too-long");
    }
    std::string_view rest = key.substr(5);
    auto first = rest.find(':');
    auto second = first == std::string_view::npos ? first : rest.find(':', first + 1);
    if (second == std::string_view::npos || first == 0 || second == first + 1 || second + 1 == rest.size()) {
      return fail("_has needs _has:Type:reference:parameter, not " + shown(whole));
    }
    std::string source(rest.substr(0, first)), name(rest.substr(first + 1, second - first - 1));
    if (!registry_.is_resource_type(source)) return fail("_has names " + source + ", which this server does not search");
    const SearchParam* reference = registry_.find(source, name);
    if (!reference || reference->type != "reference") return fail("'" + name + "' is not a reference parameter of " + source);
    const auto& targets = reference->targets;
    if (!targets.empty() && type != "Resource" && std::find(targets.begin(), targets.end(), type) == targets.end()) {
      return fail(source + "." + name + " does not refer to " + type);
    }
    level->param = reference->index_code();
    level->has_type = source;
    level->chain = std::make_shared<Clause>();
    level = level->chain.get();
    type = std::move(source);
    key = rest.substr(second + 1);
  }
  return read(type, key, value, *level);
}

// subject:Patient.name=x: the reference parameter points to a resource of the target
// type that matches the chained parameter, which may chain further
// (subject:Patient.general-practitioner.name=x). Without a type (subject.name=x) the
// chain is read for each target type that has the parameter, and any of them matches.
bool ClauseReader::read_chain(const SearchParam& param, const std::string& modifier, std::string_view chain,
                              const std::string& value, Clause& clause) {
  if (param.type != "reference") {
    return fail("'" + param.code + "' is not a reference parameter, so it cannot be chained");
  }
  if (++chain_depth_ > limits_.max_has_depth) {
    return fail("the chain " + shown(param.code + "." + std::string(chain)) + " is deeper than this server searches: at most " +
                    std::to_string(limits_.max_has_depth) + " levels",
                "too-long");
  }
  if (!modifier.empty() || param.targets.size() == 1) {
    std::string target = modifier.empty() ? param.targets[0] : modifier;
    if (!registry_.is_resource_type(target)) return fail("the chain names " + shown(target) + ", which is not a resource type");
    if (!refers_to(param, target)) return fail(not_a_target(param, target));
    return read_typed_chain(target, chain, value, clause);
  }
  std::string_view chained = chain.substr(0, chain.find_first_of(".:"));
  Clause typed = clause;
  for (const std::string& target : param.targets) {
    bool has = chained == "_id" || chained == "_lastUpdated" || registry_.find(target, chained);
    if (!registry_.is_resource_type(target) || !has) continue;
    size_t depth = chain_depth_;
    if (!read_typed_chain(target, chain, value, typed)) return false;
    chain_depth_ = depth;
    clause.either.push_back(typed);
  }
  if (clause.either.empty()) {
    return fail("none of the types '" + param.code + "' refers to has a search parameter " + shown(chained) +
                    " (name the type: " + param.code + ":Type." + std::string(chain.substr(0, 100)) + ")",
                "not-supported");
  }
  return true;
}

bool ClauseReader::read_typed_chain(const std::string& target, std::string_view chain, const std::string& value,
                                    Clause& clause) {
  clause.chain_type = target;
  clause.chain = std::make_shared<Clause>();
  return read(target, chain, value, *clause.chain);
}

bool ClauseReader::read_id(const std::string& modifier, const std::string& value, Clause& clause) {
  if (!modifier.empty() && modifier != "not") return fail("the modifier ':" + modifier.substr(0, 100) + "' is not supported on '_id'");
  std::vector<std::string> ids;
  if (!values_of("_id", value, ids)) return false;
  for (auto& v : ids) {
    ValueMatch m;
    m.code = std::move(v);
    clause.any_of.push_back(std::move(m));
  }
  clause.negate = modifier == "not";
  return true;
}

bool ClauseReader::read_missing(const std::string& value, Clause& clause) {
  if (value != "true" && value != "false") return fail(":missing takes true or false, not '" + value.substr(0, 100) + "'");
  ValueMatch m;
  m.kind = ValueMatch::Kind::Missing;
  m.missing = value == "true";
  clause.any_of.push_back(m);
  return true;
}

// subject:identifier=system|value: the identifier a reference carries, as a token.
bool ClauseReader::read_identifier(const SearchParam& param, const std::string& value, Clause& clause) {
  if (param.type != "reference") {
    return fail(":identifier applies to reference parameters only, not to '" + param.code + "' (a " + param.type +
                " parameter)");
  }
  clause.param = param.index_code() + ":identifier";
  SearchParam token;
  token.code = clause.param;
  token.type = "token";
  std::vector<std::string> values;
  if (!values_of(param.code, value, values)) return false;
  for (auto& v : values) {
    ValueMatch m;
    if (!parse_value(token, "", v, m, error_)) return false;
    clause.any_of.push_back(std::move(m));
  }
  return true;
}

// identifier:of-type=system|code|value: an identifier whose type has that coding, with that value.
bool ClauseReader::read_of_type(const SearchParam& param, const std::string& value, Clause& clause) {
  // The rows :of-type reads are an Identifier's (index_values.cpp): a token over codes has none.
  if (param.type != "token" || param.expression.find("dentifier") == std::string::npos) {
    return fail(":of-type applies to identifier parameters only, not to '" + param.code + "' (a " + param.type +
                " parameter)");
  }
  clause.param += kOfTypeSuffix;
  for (auto& also : clause.also) also += kOfTypeSuffix;
  std::vector<std::string> values;
  if (!values_of(param.code, value, values)) return false;
  for (const auto& v : split_escaped(value, ',', false)) {
    ValueMatch m;
    if (!of_type_match(split_escaped(v, '|'), m, error_)) return fail(param.code + ": " + error_);
    clause.any_of.push_back(std::move(m));
  }
  return true;
}

// code:in=ValueSet, code:not-in=..., code:below=system|code, code:above=...: the codes they stand for.
bool ClauseReader::read_code_set(const SearchParam& param, const std::string& modifier, const std::string& value,
                                 Clause& clause) {
  clause.negate = modifier == "not-in";
  std::vector<std::string> values;
  if (!values_of(param.code, value, values)) return false;
  constexpr size_t kMaxCodes = 10000;
  for (const auto& v : values) {
    CodeSetError error;
    if (!expand_code_set(registry_.terminology(), modifier, v, kMaxCodes, clause.any_of, error, stored_canonicals_)) {
      return fail(param.code + ":" + modifier + ": " + error.message, error.code);
    }
  }
  // A Coding written without its system is in no value set (search.html#token, :in): the
  // set's codes without a system match only elements of type code, which FHIR writes so.
  if (!param.code_elements)
    std::erase_if(clause.any_of, [](const ValueMatch& m) { return m.kind == ValueMatch::Kind::Token && !m.any_system && m.system.empty(); });
  return true;
}

bool ClauseReader::read_values(const SearchParam& param, const std::string& modifier, const std::string& value,
                               Clause& clause) {
  if (modifier == "not") {
    if (param.type != "token") return fail(":not applies to token parameters only");
    clause.negate = true;
  } else if (!modifier_applies(param.type, modifier) ||
             (param.type == "reference" && !modifier.empty() && !registry_.is_resource_type(modifier))) {
    return fail("the modifier ':" + modifier.substr(0, 100) + "' is not supported on '" + param.code + "' (a " + param.type +
                " parameter)");
  } else if (param.type == "reference" && !modifier.empty() && !refers_to(param, modifier)) {
    return fail(not_a_target(param, modifier));
  }
  std::vector<std::string> values;
  if (!values_of(param.code, value, values)) return false;
  for (auto& v : values) {
    ValueMatch m;
    if (!parse_value(param, modifier, std::move(v), m, error_)) return fail(param.code + ": " + error_);
    // A parameter reading another's rows of one target type: a bare id is an id of
    // that type, and a reference to another type matches nothing (patient=Group/g).
    if (!param.only_type.empty() && m.kind == ValueMatch::Kind::Reference) {
      if (m.code.find('/') == std::string::npos) {
        m.code = param.only_type + "/" + m.code;
      } else if (!m.code.starts_with(param.only_type + "/")) {
        continue;
      }
    }
    std::optional<ValueMatch> canonical = param.type == "quantity" ? canonical_match(m)
                                          : param.code_elements      ? implied_system_match(m)
                                                                     : std::nullopt;
    clause.any_of.push_back(std::move(m));
    if (canonical) clause.any_of.push_back(std::move(*canonical));
  }
  return true;
}

// An element of type code (Patient.gender, Observation.status) is indexed without a system:
// its binding implies one (FHIR search 3.1.1.4.10). So, for a parameter of such elements alone
// (SearchParam::code_elements), system|code also finds such a row when the server holds that
// code system and it has the code (gender=http://hl7.org/fhir/administrative-gender|male); a
// Coding written without its system is never found by system|code.
std::optional<ValueMatch> ClauseReader::implied_system_match(const ValueMatch& m) const {
  if (m.kind != ValueMatch::Kind::Token || m.any_system || m.system.empty() || m.code.empty()) return std::nullopt;
  if (registry_.terminology().lookup(m.system, m.code).status != terminology::LookupStatus::found) return std::nullopt;
  ValueMatch bare = m;
  bare.system.clear();
  return bare;
}

}  // namespace

Clause for_types(const std::vector<std::string>& types, Clause clause, std::string label) {
  Clause other_types;
  other_types.param = "_type";
  other_types.negate = true;
  for (const std::string& type : types) other_types.any_of.emplace_back().code = type;
  Clause either;
  either.param = std::move(label);
  either.either = {std::move(other_types), std::move(clause)};
  return either;
}

Result<Clause> parse_clause(const SearchRegistry& registry, const SearchLimits& limits, const std::string& type,
                            std::string_view key, const std::string& value, const StoredCanonicals& stored_canonicals) {
  return ClauseReader(registry, limits, stored_canonicals).read(type, key, value);
}

}  // namespace carebridge::fhir::search
