// Search parameters to a search in its parsed form (see parse.h): the limits on a
// search's size first, then the result parameters here and each search parameter
// as a clause (parse_clause.cpp).
#include "fhir/search/parse.h"

#include <algorithm>
#include <charconv>

#include "fhir/search/parse_clause.h"

namespace carebridge::fhir::search {
namespace {

using fhir::model::Issue;
using fhir::model::Severity;

const std::set<std::string, std::less<>> kResultParams = {"_count", "_offset", "_sort", "_include", "_revinclude", "_summary",
                                                          "_elements", "_format", "_pretty", "_total", "_snapshot"};

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

Include parse_include(const std::string& value) {
  auto parts = split_escaped(value, ':');
  Include inc;
  if (parts.size() >= 2) {
    inc.source_type = parts[0];
    inc.param = parts[1];
  }
  if (parts.size() >= 3) inc.target_type = parts[2];
  return inc;
}

// The search's size against the limits that do not need it parsed: its length and
// its number of parameters.
bool within_limits(const Params& params, const SearchLimits& limits, std::vector<Issue>& issues) {
  size_t bytes = 0;
  for (const auto& [key, value] : params) bytes += key.size() + value.size() + 2;
  if (bytes > limits.max_query_bytes) {
    issues.push_back({Severity::Error, "too-long",
                      "the search is " + std::to_string(bytes) + " bytes long; this server takes searches of at most " +
                          std::to_string(limits.max_query_bytes) + " bytes",
                      {}, {}});
    return false;
  }
  if (params.size() > limits.max_parameters) {
    issues.push_back({Severity::Error, "too-long",
                      "the search has " + std::to_string(params.size()) + " parameters; this server takes at most " +
                          std::to_string(limits.max_parameters) + " parameters per search",
                      {}, {}});
    return false;
  }
  return true;
}

// The result parameters (_count, _sort, _include, ...); false on an error.
class ResultParams {
 public:
  ResultParams(const SearchRegistry& registry, const std::string& type, bool strict, ParsedSearch& out,
               std::vector<Issue>& issues)
      : registry_(registry), type_(type), strict_(strict), out_(out), issues_(issues) {}

  bool read(const std::string& key, const std::string& value, const SearchLimits& limits);

 private:
  const SearchRegistry& registry_;
  const std::string& type_;
  bool strict_;
  ParsedSearch& out_;
  std::vector<Issue>& issues_;

  std::optional<bool> refused_include(const Include& inc, const std::string& name, const std::string& value, bool reverse);
  bool fail(std::string message, const char* code = "invalid") {
    issues_.push_back({Severity::Error, code, std::move(message), {}, {}});
    return false;
  }
  bool read_sort(const std::string& value);
  // The parameter `code` sorts by: the searched type's, or on a system search over several
  // types the one they all have with the same rows (FHIR search 3.1.1.5.10); null if none.
  const SearchParam* sort_param(const std::string& code) const {
    const auto& types = out_.query.types;
    if (types.size() < 2) return registry_.find(type_, code);
    const SearchParam* first = registry_.find(types.front(), code);
    for (const auto& type : types) {
      const SearchParam* p = registry_.find(type, code);
      if (!p || !first || p->index_code() != first->index_code() || !p->union_of.empty()) return nullptr;
    }
    return first;
  }
  bool read_include(const std::string& key, const std::string& value, bool reverse);
};

bool ResultParams::read(const std::string& key, const std::string& value, const SearchLimits& limits) {
  auto& q = out_.query;
  std::string_view base = std::string_view(key).substr(0, key.find_first_of(":."));
  if (key == "_count") {
    uint32_t n = 0;
    if (!parse_number(value, n)) return fail("_count must be a non-negative integer");
    q.count = out_.summary == Summary::Count ? 0 : std::min(n, limits.max_page_size);  // a count has no page, whatever the order
  } else if (key == "_offset") {
    if (!parse_number(value, q.offset)) return fail("_offset must be a non-negative integer");
  } else if (key == "_snapshot") {
    if (!parse_number(value, q.snapshot) || q.snapshot < 0) return fail("_snapshot must be a position a paging link gave");
  } else if (key == "_sort") {
    return read_sort(value);
  } else if (base == "_include" || base == "_revinclude") {
    return read_include(key, value, base == "_revinclude");
  } else if (key == "_summary") {
    // A value outside the five the specification names is a client's mistake: answering the
    // whole resources instead would hide it (and send more than the client asked for).
    if (value != "true" && value != "text" && value != "data" && value != "count" && value != "false")
      return fail("_summary must be true, text, data, count or false, not '" + value + "'");
    out_.summary = value == "true" ? Summary::True : value == "text" ? Summary::Text : value == "data" ? Summary::Data
                   : value == "count" ? Summary::Count : Summary::False;
    if (out_.summary == Summary::Count) q.count = 0;
  } else if (key == "_elements") {
    for (auto& e : split_escaped(value, ',')) out_.elements.insert(e);
  } else if (key == "_total") {
    // none, estimate or accurate (FHIR search 3.1.1.5.6); another value is a mistake, as for _summary.
    if (value != "none" && value != "estimate" && value != "accurate") {
      return fail("_total must be none, estimate or accurate, not '" + value.substr(0, 100) + "'");
    }
    q.want_total = value != "none";
  }
  return true;
}

bool ResultParams::read_sort(const std::string& value) {
  auto keys = split_escaped(value, ',');
  if (keys.size() + out_.query.sort.size() > kMaxSortKeys) {
    return fail("_sort has " + std::to_string(keys.size()) + " keys; this server sorts by at most " +
                    std::to_string(kMaxSortKeys),
                "too-long");
  }
  bool ok = true;
  for (auto& s : keys) {
    SortKey k{s, false};
    if (s.starts_with("-")) k = {s.substr(1), true};
    if (k.param != "_id" && k.param != "_lastUpdated") {
      if (const SearchParam* sorted = sort_param(k.param)) {
        k.param = sorted->index_code();
      } else {
        ok = fail("_sort names an unknown parameter '" + k.param.substr(0, 100) + "'", "not-supported");
      }
    }
    out_.query.sort.push_back(k);
  }
  return ok;
}

// _include and _revinclude (FHIR search 3.1.1.5.4): Type:param[:Target], param a reference
// parameter of Type or '*'. One naming a parameter the type does not have is unknown, as an
// unknown search parameter is: an error under handling=strict, else ignored with a warning
// (and left out of the self link), never taken as applied while it includes nothing. Returns
// nullopt when `inc` is applied, else what read_include answers.
std::optional<bool> ResultParams::refused_include(const Include& inc, const std::string& name, const std::string& value,
                                                  bool reverse) {
  if (inc.param.empty() || (reverse && !registry_.is_resource_type(inc.source_type))) {
    return fail(name + " must be Type:param[:Target], not '" + value.substr(0, 100) + "'");
  }
  const SearchParam* param = registry_.find(inc.source_type, inc.param);
  std::string unknown;
  if (inc.param != "*" && (!param || param->type != "reference")) {
    unknown = inc.source_type.substr(0, 100) + " has no reference parameter '" + inc.param.substr(0, 100) + "'";
  } else if (!inc.target_type.empty() && !registry_.is_resource_type(inc.target_type)) {
    unknown = "'" + inc.target_type.substr(0, 100) + "' is not a resource type";
  }
  if (unknown.empty()) return std::nullopt;
  std::string message = name + "=" + value.substr(0, 200) + ": " + unknown;
  if (strict_) return fail(message, "not-supported");
  issues_.push_back({Severity::Warning, "not-supported", message + " (ignored)", {}, {}});
  return true;
}

bool ResultParams::read_include(const std::string& key, const std::string& value, bool reverse) {
  // A bare "*" (_include=*, as clients write it) is every reference parameter of the searched
  // type; on a system search, and for _revinclude=*, of every type (source type "*").
  bool every_type = value == "*" && (reverse || type_.empty());
  auto inc = every_type ? Include{"*", "*", "", false} : parse_include(value == "*" ? type_ + ":*" : value);
  const std::string name = reverse ? "_revinclude" : "_include";
  std::string_view modifier = std::string_view(key).substr(name.size());
  if (!modifier.empty() && modifier != ":iterate" && modifier != ":recurse") {
    return fail("the modifier '" + std::string(modifier.substr(0, 100)) + "' is not known on " + name);
  }
  if (!every_type)
    if (auto answer = refused_include(inc, name, value, reverse)) return *answer;
  inc.iterate = !modifier.empty();
  (reverse ? out_.revincludes : out_.includes).push_back(std::move(inc));
  out_.used.emplace_back(key, value);
  return true;
}

// _type (FHIR search 3.1.1.5.10): the types a system search looks in. One type makes it
// that type's search (its own parameters may follow); several, a search of those types by
// the parameters all resources have. On a type's own search it may only name that type.
bool read_types(const SearchRegistry& registry, const Params& params, ParsedSearch& out, std::vector<Issue>& issues) {
  auto& q = out.query;
  for (const auto& [key, value] : params) {
    if (key != "_type") continue;
    std::vector<std::string> types;
    for (std::string_view rest = value; !rest.empty();) {
      std::string_view one = rest.substr(0, rest.find(','));
      rest = one.size() < rest.size() ? rest.substr(one.size() + 1) : std::string_view();
      if (one.empty()) continue;
      if (!registry.is_resource_type(one)) {
        issues.push_back({Severity::Error, "invalid", "_type names '" + std::string(one.substr(0, 100)) +
                                                          "', which is not a resource type this server searches", {}, {}});
        return false;
      }
      if (std::find(types.begin(), types.end(), one) == types.end()) types.emplace_back(one);  // each once
    }
    if (types.empty()) continue;
    out.used.emplace_back(key, value);
    if (!q.type.empty()) {
      if (types.size() == 1 && types[0] == q.type) continue;
      issues.push_back({Severity::Error, "invalid", "_type on a search of " + q.type + " may name only " + q.type, {}, {}});
      return false;
    }
    if (types.size() == 1) {
      q.type = types[0];
    } else {
      q.types = std::move(types);
    }
  }
  return true;
}

// A parameter of a system search over several types (_type=A,B) that not every resource
// has, read as each of those types reads it: for each type, a resource of another type or
// one that matches that type's clause (FHIR search 3.1.1.5.10: the parameters the named
// types have in common). Fails as the first type that cannot read it does.
Result<std::vector<Clause>> clauses_of_types(const SearchRegistry& registry, const SearchLimits& limits,
                                            const std::vector<std::string>& types, const std::string& key,
                                            const std::string& value, const StoredCanonicals& stored_canonicals) {
  // Each type reads every value: the values times the types are bounded as one parameter's values are.
  size_t values = static_cast<size_t>(std::count(value.begin(), value.end(), ',')) + 1;
  if (values * types.size() > limits.max_values) {
    return Issue{Severity::Error, "too-costly", key + " read by each of " + std::to_string(types.size()) + " types in _type gives " +
                                                    std::to_string(values * types.size()) + " values, more than the limit of " +
                                                    std::to_string(limits.max_values), {}, {}};
  }
  std::vector<Clause> out;
  for (const auto& type : types) {
    auto clause = parse_clause(registry, limits, type, key, value, stored_canonicals);
    if (!clause) {
      Issue issue = std::move(clause.issues().front());
      issue.message = "on _type " + type + ": " + issue.message;
      return issue;
    }
    out.push_back(for_types({type}, std::move(*clause)));
  }
  return out;
}

}  // namespace

bool parse_search(const SearchRegistry& registry, const std::string& type, const Params& params,
                  const SearchLimits& limits, bool strict, ParsedSearch& out, std::vector<Issue>& issues,
                  const StoredCanonicals& stored_canonicals) {
  if (!within_limits(params, limits, issues)) return false;
  bool ok = true;
  auto& q = out.query;
  q.type = type;
  q.count = limits.default_page_size;
  if (!read_types(registry, params, out, issues)) return false;
  ResultParams result_params(registry, q.type, strict, out, issues);
  const std::string clause_type = q.type.empty() ? std::string(SearchRegistry::kAnyType) : q.type;
  for (const auto& [key, value] : params) {
    if (key == "_type") continue;  // read_types
    std::string base = key.substr(0, key.find_first_of(":."));
    if (kResultParams.count(base)) {
      ok = result_params.read(key, value, limits) && ok;
      // _include and _revinclude are in the self link when they are applied (read_include).
      bool in_link = key != "_offset" && key != "_snapshot" && key != "_format" && key != "_pretty" &&
                     base != "_include" && base != "_revinclude";
      if (in_link) out.used.emplace_back(key, value);
      continue;
    }
    auto clause = parse_clause(registry, limits, clause_type, key, value, stored_canonicals);
    // A parameter without a value (family=, code=,) is ignored, as FHIR search asks: it
    // must not select everything (nor nothing). Its name is still checked above.
    if (clause && value.find_first_not_of(',') == std::string::npos) continue;
    if (clause) {
      q.clauses.push_back(std::move(*clause));
      out.used.emplace_back(key, value);
      continue;
    }
    if (q.types.size() > 1 && clause.issues().front().code == "not-supported") {
      auto per_type = clauses_of_types(registry, limits, q.types, key, value, stored_canonicals);
      if (per_type && value.find_first_not_of(',') == std::string::npos) continue;
      if (per_type) {
        for (auto& c : *per_type) q.clauses.push_back(std::move(c));
        out.used.emplace_back(key, value);
        continue;
      }
      clause = std::move(per_type.issues());
    }
    Issue issue = std::move(clause.issues().front());
    if (issue.code == "not-supported" && !strict) {
      issue.severity = Severity::Warning;
      issue.message += " (ignored)";
    } else {
      ok = false;
    }
    issues.push_back(std::move(issue));
  }
  return ok;
}

}  // namespace carebridge::fhir::search
