// Search parameter parsing (see search_query.h).
#include "fhir/search/parse.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "fhir/time/fhir_time.h"
#include "fhir/search/index.h"

namespace carebridge::fhir::search {

using fhir::time::date_range;
namespace {

using fhir::model::Issue;
using fhir::model::Severity;

const std::set<std::string, std::less<>> kResultParams = {"_count", "_offset", "_sort", "_include", "_revinclude",
                                                          "_summary", "_elements", "_format", "_pretty", "_total"};

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {  // escaped , $ | in search values
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

bool parse_number(const std::string& text, ValueMatch& m) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  // The implicit range of a number is half a unit of its last digit ("100" is 99.5..100.5).
  auto dot = text.find_first_of(".eE");
  int decimals = 0;
  if (dot != std::string::npos && text[dot] == '.') {
    auto e = text.find_first_of("eE", dot);
    decimals = static_cast<int>((e == std::string::npos ? text.size() : e) - dot - 1);
  }
  double half = 0.5 * std::pow(10.0, -decimals);
  bool exact = m.prefix != "eq" && m.prefix != "ne" && m.prefix != "ap";
  m.low = exact ? v : v - half;
  m.high = exact ? v : v + half;
  return true;
}

bool parse_value(const SearchParam& param, const std::string& modifier, std::string value, ValueMatch& m,
                 std::string& error);

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

bool parse_value(const SearchParam& param, const std::string& modifier, std::string value, ValueMatch& m,
                 std::string& error) {
  const std::string& t = param.type;
  if (t == "composite") return parse_composite(param, value, m, error);
  if (t == "string") {
    m.kind = modifier == "exact" ? ValueMatch::Kind::StringExact
             : modifier == "contains" ? ValueMatch::Kind::StringContains
                                      : ValueMatch::Kind::StringStarts;
    m.text = modifier == "exact" ? value : fold(value);
    return true;
  }
  if (t == "token") {
    if (modifier == "text") {
      m.kind = ValueMatch::Kind::TokenText;
      m.text = fold(value);
      return true;
    }
    m.kind = ValueMatch::Kind::Token;
    auto bar = value.find('|');
    if (bar == std::string::npos) {
      m.code = value;
    } else {
      m.any_system = false;
      m.system = value.substr(0, bar);
      m.code = value.substr(bar + 1);
    }
    return true;
  }
  if (t == "reference") {
    m.kind = ValueMatch::Kind::Reference;
    if (!modifier.empty() && modifier[0] >= 'A' && modifier[0] <= 'Z') value = modifier + "/" + value;
    std::string key = reference_key(value);
    m.code = key.empty() ? value : key;
    m.text = value;
    return true;
  }
  if (t == "uri") {
    m.kind = modifier == "below" ? ValueMatch::Kind::UriBelow : ValueMatch::Kind::Uri;
    m.text = value;
    return true;
  }
  m.kind = ValueMatch::Kind::Range;
  m.prefix = take_prefix(value);
  if (t == "date") {
    auto range = date_range(value);
    if (!range) {
      error = "'" + value + "' is not a FHIR date, dateTime or instant";
      return false;
    }
    m.low = range->first;
    m.high = range->second;
    return true;
  }
  if (t == "quantity") {
    auto parts = split(value, '|');
    if (parts.size() == 3) {
      m.system = parts[1];
      m.any_system = parts[1].empty();
      m.code = parts[2];
    }
    if (!parse_number(parts[0], m)) {
      error = "'" + parts[0] + "' is not a number";
      return false;
    }
    return true;
  }
  if (!parse_number(value, m)) {
    error = "'" + value + "' is not a number";
    return false;
  }
  return true;
}

bool build_clause(const SearchRegistry& registry, const std::string& type, const std::string& key,
                  const std::string& value, Clause& clause, std::string& error, bool& unknown);

// _has:Source:param:rest=value (FHIR search 3.1.1.5.9): resources of `type` that a
// Source resource matching rest=value refers to through its reference parameter
// `param`. `rest` may itself be a _has.
bool build_has_clause(const SearchRegistry& registry, const std::string& type, const std::string& key,
                      const std::string& value, Clause& clause, std::string& error, bool& unknown) {
  auto parts = split(key, ':');
  if (parts.size() < 4 || parts[1].empty() || parts[2].empty()) {
    error = "_has needs _has:Type:reference:parameter, not '" + key + "'";
    return false;
  }
  const std::string& source = parts[1];
  if (!registry.is_resource_type(source)) {
    error = "_has names " + source + ", which this server does not search";
    return false;
  }
  const SearchParam* reference = registry.find(source, parts[2]);
  if (!reference || reference->type != "reference") {
    error = "'" + parts[2] + "' is not a reference parameter of " + source;
    return false;
  }
  if (!reference->targets.empty() && type != "Resource" &&
      std::find(reference->targets.begin(), reference->targets.end(), type) == reference->targets.end()) {
    error = source + "." + parts[2] + " does not refer to " + type;
    return false;
  }
  std::string rest = key.substr(parts[0].size() + parts[1].size() + parts[2].size() + 3);
  clause.param = reference->index_code();
  clause.has_type = source;
  clause.chain = std::make_shared<Clause>();
  return build_clause(registry, source, rest, value, *clause.chain, error, unknown);
}

// One parameter ("subject:Patient.identifier", "name:exact") with its value into a clause.
bool build_clause(const SearchRegistry& registry, const std::string& type, const std::string& key,
                  const std::string& value, Clause& clause, std::string& error, bool& unknown) {
  if (key.starts_with("_has:")) return build_has_clause(registry, type, key, value, clause, error, unknown);
  std::string name = key;
  std::string chain;
  if (auto dot = key.find('.'); dot != std::string::npos) {
    name = key.substr(0, dot);
    chain = key.substr(dot + 1);
  }
  std::string modifier;
  if (auto colon = name.find(':'); colon != std::string::npos) {
    modifier = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  clause.param = name;
  if (name == "_id") {
    for (auto& v : split(value, ',')) {
      ValueMatch m;
      m.code = v;
      clause.any_of.push_back(m);
    }
    clause.negate = modifier == "not";
    return true;
  }
  const SearchParam* param = name == "_lastUpdated" ? nullptr : registry.find(type, name);
  SearchParam last_updated;
  last_updated.code = "_lastUpdated";
  last_updated.type = "date";
  if (name == "_lastUpdated") param = &last_updated;
  if (!param) {
    unknown = true;
    error = "unknown search parameter '" + name + "' for " + type;
    return false;
  }
  auto codes = param->index_codes();
  clause.param = codes.front();
  clause.also.assign(codes.begin() + 1, codes.end());
  if (!chain.empty()) {
    if (param->type != "reference") {
      error = "'" + name + "' is not a reference parameter, so it cannot be chained";
      return false;
    }
    std::string target = modifier;
    if (target.empty() && param->targets.size() == 1) target = param->targets[0];
    if (target.empty() || !registry.is_resource_type(target)) {
      error = "the chain '" + key + "' needs a target type (" + name + ":Type." + chain + ")";
      return false;
    }
    if (chain.find('.') != std::string::npos) {
      error = "chains are supported one level deep, not '" + key + "'";
      return false;
    }
    clause.chain_type = target;
    clause.chain = std::make_shared<Clause>();
    return build_clause(registry, target, chain, value, *clause.chain, error, unknown);
  }
  if (modifier == "missing") {
    if (value != "true" && value != "false") {
      error = ":missing takes true or false, not '" + value + "'";
      return false;
    }
    ValueMatch m;
    m.kind = ValueMatch::Kind::Missing;
    m.missing = value == "true";
    clause.any_of.push_back(m);
    return true;
  }
  if (modifier == "identifier") {
    if (param->type != "reference") {
      error = ":identifier applies to reference parameters only";
      return false;
    }
    clause.param = param->index_code() + ":identifier";
    SearchParam token;
    token.code = clause.param;
    token.type = "token";
    for (auto& v : split(value, ',')) {
      ValueMatch m;
      if (!parse_value(token, "", v, m, error)) return false;
      clause.any_of.push_back(m);
    }
    return true;
  }
  if (modifier == "not") {
    if (param->type != "token") {
      error = ":not applies to token parameters only";
      return false;
    }
    clause.negate = true;
  } else if (!modifier.empty() && modifier != "exact" && modifier != "contains" && modifier != "text" &&
             modifier != "below" && !(param->type == "reference" && modifier[0] >= 'A' && modifier[0] <= 'Z')) {
    error = "the modifier ':" + modifier + "' is not supported on '" + name + "'";
    return false;
  }
  for (auto& v : split(value, ',')) {
    ValueMatch m;
    if (!parse_value(*param, modifier, v, m, error)) {
      error = name + ": " + error;
      return false;
    }
    // A parameter reading another's rows of one target type: a bare id is an id of that type.
    if (!param->only_type.empty() && m.kind == ValueMatch::Kind::Reference && m.code.find('/') == std::string::npos) {
      m.code = param->only_type + "/" + m.code;
    }
    clause.any_of.push_back(m);
  }
  return true;
}

bool parse_uint(std::string_view text, uint32_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

Include parse_include(const std::string& value) {
  auto parts = split(value, ':');
  Include inc;
  if (parts.size() >= 2) {
    inc.source_type = parts[0];
    inc.param = parts[1];
  }
  if (parts.size() >= 3) inc.target_type = parts[2];
  return inc;
}

}  // namespace

bool parse_search(const SearchRegistry& registry, const std::string& type, const Params& params,
                  const PageLimits& limits, bool strict, ParsedSearch& out, std::vector<Issue>& issues) {
  bool ok = true;
  auto& q = out.query;
  q.type = type;
  q.count = limits.default_page_size;
  for (const auto& [key, value] : params) {
    std::string base = key.substr(0, key.find_first_of(":."));
    if (kResultParams.count(base)) {
      if (key == "_count") {
        uint32_t n = 0;
        if (!parse_uint(value, n)) {
          issues.push_back({Severity::Error, "invalid", "_count must be a non-negative integer", {}, {}});
          ok = false;
        }
        q.count = std::min(n, limits.max_page_size);
      } else if (key == "_offset") {
        if (!parse_uint(value, q.offset)) {
          issues.push_back({Severity::Error, "invalid", "_offset must be a non-negative integer", {}, {}});
          ok = false;
        }
      } else if (key == "_sort") {
        for (auto& s : split(value, ',')) {
          SortKey k{s, false};
          if (s.starts_with("-")) k = {s.substr(1), true};
          if (k.param != "_id" && k.param != "_lastUpdated") {
            if (const SearchParam* sorted = registry.find(type, k.param)) {
              k.param = sorted->index_code();
            } else {
              issues.push_back({Severity::Error, "not-supported", "cannot sort by unknown parameter '" + k.param + "'", {}, {}});
              ok = false;
            }
          }
          q.sort.push_back(k);
        }
      } else if (base == "_include") {
        auto inc = parse_include(value);
        if (inc.param.empty()) {
          issues.push_back({Severity::Error, "invalid", "_include must be Type:param[:Target], not '" + value + "'", {}, {}});
          ok = false;
        } else {
          inc.iterate = key.ends_with(":iterate") || key.ends_with(":recurse");
          out.includes.push_back(inc);
        }
      } else if (base == "_revinclude") {
        auto inc = parse_include(value);
        if (inc.param.empty() || !registry.is_resource_type(inc.source_type)) {
          issues.push_back({Severity::Error, "invalid", "_revinclude must be Type:param[:Target], not '" + value + "'", {}, {}});
          ok = false;
        } else {
          inc.iterate = key.ends_with(":iterate") || key.ends_with(":recurse");
          out.revincludes.push_back(inc);
        }
      } else if (key == "_summary") {
        out.summary = value == "true" ? Summary::True : value == "text" ? Summary::Text : value == "data" ? Summary::Data
                      : value == "count" ? Summary::Count : Summary::False;
        if (out.summary == Summary::Count) q.count = 0;
      } else if (key == "_elements") {
        for (auto& e : split(value, ',')) out.elements.insert(e);
      } else if (key == "_total") {
        q.want_total = value != "none";
      }
      if (key != "_offset" && key != "_format" && key != "_pretty") out.used.emplace_back(key, value);
      continue;
    }
    Clause clause;
    std::string error;
    bool unknown = false;
    if (build_clause(registry, type.empty() ? std::string("Resource") : type, key, value, clause, error, unknown)) {
      q.clauses.push_back(std::move(clause));
      out.used.emplace_back(key, value);
    } else if (unknown && !strict) {
      issues.push_back({Severity::Warning, "not-supported", error + " (ignored)", {}, {}});
    } else {
      issues.push_back({Severity::Error, unknown ? "not-supported" : "invalid", error, {}, {}});
      ok = false;
    }
  }
  return ok;
}

}  // namespace carebridge::fhir::search
