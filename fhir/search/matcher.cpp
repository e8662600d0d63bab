// The in-memory matcher (see matcher.h). Each comparison mirrors one of the SQL
// store's conditions (gateway/store/sqlite_search.cpp): which rows a value reads
// (the store's tables), which column of a row it compares, and how.
// tests/e2e/search_differential_test.cpp holds the two to the same answers.
#include "fhir/search/matcher.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fhir/time/fhir_time.h"

namespace carebridge::fhir::search {
namespace {

using K = ValueMatch::Kind;

// Rows are compared in groups, as the store keeps them in tables: uri rows are
// with the strings (their text, unfolded, in the norm column).
enum class Group { String, Token, Reference, Range };

Group group_of(IndexKind kind) {
  switch (kind) {
    case IndexKind::Token: return Group::Token;
    case IndexKind::Reference: return Group::Reference;
    case IndexKind::Range: return Group::Range;
    default: return Group::String;
  }
}

Group group_of(K kind) {
  switch (kind) {
    case K::Token:
    case K::TokenText: return Group::Token;
    case K::Reference: return Group::Reference;
    case K::Range:
    case K::Near: return Group::Range;
    default: return Group::String;
  }
}

// The store's norm column of a string-group row.
std::string_view norm_column(const IndexEntry& row) { return row.kind == IndexKind::Uri ? row.text : row.norm; }

// A concept's text in a token row's norm: after a separator (index_row.h).
bool has_text_starting(std::string_view norm, std::string_view text) {
  for (size_t at = norm.find(kTextSeparator); at != std::string_view::npos; at = norm.find(kTextSeparator, at + 1)) {
    if (norm.substr(at + 1).starts_with(text)) return true;
  }
  return false;
}

// The part of a reference key after its type ("1" of "Patient/1"), or all of it.
std::string_view after_type(std::string_view code) {
  auto slash = code.find('/');
  return slash == std::string_view::npos ? code : code.substr(slash + 1);
}

// Whether `code` is "type/id".
bool is_key(std::string_view code, std::string_view type, std::string_view id) {
  return code.size() == type.size() + 1 + id.size() && code.starts_with(type) && code[type.size()] == '/' &&
         code.ends_with(id);
}

// The row range [lo, hi] against the searched range (FHIR search 3.1.1.4.2).
bool range_matches(const ValueMatch& m, double lo, double hi) {
  const std::string& p = m.prefix;
  if (p == "ne") return !(lo >= m.low && hi <= m.high);
  if (p == "gt") return hi > m.high;
  if (p == "lt") return lo < m.low;
  // ge, le: the row reaches the searched range or past it on that side (sqlite_search.cpp).
  if (p == "ge") return hi >= m.low;
  if (p == "le") return lo <= m.high;
  if (p == "sa") return lo > m.high;
  if (p == "eb") return hi < m.low;
  if (p == "ap") return lo <= m.high && hi >= m.low;  // overlaps the widened range (parse_clause.cpp)
  return lo >= m.low && hi <= m.high;  // eq
}

bool value_matches(const ValueMatch& m, const IndexEntry& row) {
  switch (m.kind) {
    case K::StringStarts:
    case K::UriBelow: return norm_column(row).starts_with(m.text);
    case K::UriAbove: return !norm_column(row).empty() && std::string_view(m.text).starts_with(norm_column(row));
    case K::StringContains: return norm_column(row).find(m.text) != std::string_view::npos;
    case K::StringExact: return row.text == m.text;
    case K::Uri: return norm_column(row) == m.text;
    case K::TokenText: return row.norm.starts_with(m.text) || has_text_starting(row.norm, m.text);
    case K::Token: return (m.code.empty() || row.code == m.code) && (m.any_system || row.system == m.system);
    case K::Reference:
      // A bare id matches a reference to that id of any type; none, any reference.
      if (m.code.empty()) return true;
      return m.code.find('/') != std::string::npos ? row.code == m.code : after_type(row.code) == m.code;
    case K::Range: {
      double lo = row.low.value_or(-std::numeric_limits<double>::max());
      double hi = row.high.value_or(std::numeric_limits<double>::max());
      return range_matches(m, lo, hi) && (m.code.empty() || row.code == m.code) &&
             (m.any_system || m.system.empty() || row.system == m.system) &&
             (m.not_system.empty() || row.system != m.not_system);
    }
    case K::Missing: return true;
    case K::Near:
      return row.code == kPositionCode && row.low && row.high && distance_km(*row.low, *row.high, m.low, m.high) <= m.within_km;
  }
  return false;
}

// `m` against one row of its group, with the composite's code and system parts.
bool row_matches(const ValueMatch& m, const IndexEntry& row) {
  std::string_view code = row.code, system = row.system;
  return value_matches(m, row) && code.starts_with(m.code_prefix) && system.starts_with(m.system_prefix) &&
         system.ends_with(m.system_suffix);
}

// Whether a row belongs to the clause's parameter (or one of a union's).
bool of_clause(const Clause& clause, const IndexEntry& row) {
  return row.param == clause.param || std::find(clause.also.begin(), clause.also.end(), row.param) != clause.also.end();
}

// Chains and _has nest no deeper than the parser allows; this bounds a hand-made query.
constexpr int kMaxDepth = 32;

bool clause_matches(const Clause& clause, const IndexedView& r, const Resolver& resolver, int depth);

// subject:Patient.name=x: a reference row to a resource of the chain's type that matches.
bool chain_matches(const Clause& clause, const IndexedView& r, const Resolver& resolver, int depth) {
  if (!resolver.resolve) return false;
  for (const IndexEntry& row : r.rows) {
    if (group_of(row.kind) != Group::Reference || !of_clause(clause, row)) continue;
    std::string_view code = row.code;
    const std::string& type = clause.chain_type;
    if (code.size() <= type.size() || !code.starts_with(type) || code[type.size()] != '/') continue;
    auto target = resolver.resolve(code);
    if (target && is_key(code, target->type, target->id) && target->type == clause.chain_type &&
        clause_matches(*clause.chain, *target, resolver, depth + 1)) {
      return true;
    }
  }
  return false;
}

// _has:Observation:subject:code=x: a resource of has_type that refers to `r` through
// the clause's parameter and matches the inner clause.
bool has_matches(const Clause& clause, const IndexedView& r, const Resolver& resolver, int depth) {
  if (!resolver.referrers) return false;
  std::string key = std::string(r.type) + "/" + std::string(r.id);
  bool found = false;
  resolver.referrers(clause.has_type, clause.param, key, [&](const IndexedView& referrer) {
    if (referrer.type != clause.has_type) return true;
    bool refers = std::any_of(referrer.rows.begin(), referrer.rows.end(), [&](const IndexEntry& row) {
      return group_of(row.kind) == Group::Reference && row.param == clause.param && row.code == key;
    });
    found = refers && clause_matches(*clause.chain, referrer, resolver, depth + 1);
    return !found;
  });
  return found;
}

// _id and _type: the resource's own `value`.
bool own_value_matches(const Clause& clause, std::string_view value) {
  if (clause.any_of.empty()) return true;
  bool in = std::any_of(clause.any_of.begin(), clause.any_of.end(),
                        [&](const ValueMatch& m) { return (m.code.empty() ? m.text : m.code) == value; });
  return clause.negate ? !in : in;
}

bool last_updated_matches(const Clause& clause, const IndexedView& r) {
  if (clause.any_of.empty()) return true;
  double seconds = static_cast<double>(r.updated_ms) / 1000.0;
  return std::any_of(clause.any_of.begin(), clause.any_of.end(),
                     [&](const ValueMatch& m) { return range_matches(m, seconds, seconds); });
}

// Some row of the clause's parameters matches some value of the clause.
bool some_row_matches(const Clause& clause, const IndexedView& r) {
  for (const IndexEntry& row : r.rows) {
    if (!of_clause(clause, row)) continue;
    Group group = group_of(row.kind);
    for (const ValueMatch& m : clause.any_of) {
      if (group_of(m.kind) == group && row_matches(m, row)) return true;
    }
  }
  return false;
}

bool clause_matches(const Clause& clause, const IndexedView& r, const Resolver& resolver, int depth) {
  if (depth > kMaxDepth) return false;
  if (clause.param == "_id") return own_value_matches(clause, r.id);
  if (clause.param == "_type") return own_value_matches(clause, r.type);
  if (clause.param == "_lastUpdated") return last_updated_matches(clause, r);
  if (!clause.has_type.empty() && clause.chain) return has_matches(clause, r, resolver, depth) != clause.negate;
  if (!clause.either.empty()) {
    bool any = std::any_of(clause.either.begin(), clause.either.end(),
                           [&](const Clause& one) { return clause_matches(one, r, resolver, depth + 1); });
    return any != clause.negate;
  }
  if (clause.any_of.size() == 1 && clause.any_of[0].kind == K::Missing) {
    bool any = std::any_of(r.rows.begin(), r.rows.end(), [&](const IndexEntry& row) { return of_clause(clause, row); });
    return clause.any_of[0].missing ? !any : any;
  }
  bool found = clause.chain ? chain_matches(clause, r, resolver, depth) : some_row_matches(clause, r);
  return found != clause.negate;
}

}  // namespace

IndexedResource index_resource(const IndexExtractor& extractor, const fhir::model::Element& resource) {
  IndexedResource out;
  out.type = std::string(resource.type);
  if (const auto* id = resource.child("id"); id && id->has_value) out.id = std::string(id->value);
  if (const auto* meta = resource.child("meta")) {
    if (const auto* updated = meta->child("lastUpdated"); updated && updated->has_value) {
      if (auto range = fhir::time::date_range(updated->value)) out.updated_ms = std::llround(range->first * 1000);
    }
  }
  out.rows = extractor.extract(resource);
  return out;
}

double distance_km(double latitude1, double longitude1, double latitude2, double longitude2) {
  constexpr double kEarthRadiusKm = 6371.0088, kRadians = 3.14159265358979323846 / 180;
  double dlat = (latitude2 - latitude1) * kRadians, dlon = (longitude2 - longitude1) * kRadians;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(latitude1 * kRadians) * std::cos(latitude2 * kRadians) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

bool matches(const Clause& clause, const IndexedView& resource, const Resolver& resolver) {
  return clause_matches(clause, resource, resolver, 0);
}

bool matches(const SearchQuery& query, const IndexedView& resource, const Resolver& resolver) {
  if (!query.type.empty() && query.type != resource.type) return false;
  if (!query.types.empty() && std::find(query.types.begin(), query.types.end(), resource.type) == query.types.end()) return false;
  return std::all_of(query.clauses.begin(), query.clauses.end(),
                     [&](const Clause& clause) { return clause_matches(clause, resource, resolver, 0); });
}

}  // namespace carebridge::fhir::search
