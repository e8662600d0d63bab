// A search in its parsed form: clauses over index rows (every value a ValueMatch),
// sort keys and paging. The REST layer builds it from request parameters (parse.h);
// the SQL store compiles it to SQL and the in-memory matcher evaluates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carebridge::fhir::search {

// Request parameters in order, decoded: ("name", "smith").
using Params = std::vector<std::pair<std::string, std::string>>;

// What a search matches, in terms of index rows (the REST layer turns search
// parameters into these; the store turns them into its query language).
struct ValueMatch {
  enum class Kind { StringStarts, StringExact, StringContains, Token, TokenText, Reference, Uri, UriBelow, UriAbove, Range, Missing, Near };
  Kind kind = Kind::Token;
  bool any_system = true;  // token: match the code whatever the system
  std::string system;
  std::string code;  // token code, quantity unit, reference "Type/id"
  std::string text;  // string (folded unless exact), uri, reference url
  std::string prefix = "eq";  // range comparison: eq ne lt gt le ge sa eb
  double low = 0, high = 0;    // range of the searched value
  bool missing = true;         // Kind::Missing: true matches resources without the parameter
  // Kind::Near (Location's `near`): within `within_km` of latitude `low`, longitude `high`.
  double within_km = 0;
  // Also required, when not empty: the row's code starts with `code_prefix`, its system
  // with `system_prefix` and ends with `system_suffix` (composites: "8480-6$" is the
  // code 8480-6 whatever the value's unit).
  std::string code_prefix, system_prefix, system_suffix;
  // Also required, when not empty: the row's system is not this one (a quantity searched in
  // no UCUM unit never matches the canonical UCUM rows, ucum_canonical.h).
  std::string not_system;
};

struct Clause {
  std::string param;  // "_id", "_type" and "_lastUpdated" address the resource itself
  std::vector<std::string> also;  // more parameters whose rows count as `param`'s (a union parameter)
  bool negate = false;  // :not: resources with no row matching
  std::vector<ValueMatch> any_of;
  // Chained search (subject:Patient.name=x): the reference parameter `param` points to
  // a resource of `chain_type` that matches `chain` (which may itself be a chain).
  std::string chain_type;
  std::shared_ptr<Clause> chain;
  // Matches when one of these does (a chain without a type, subject.name=x: one chained
  // clause per target type that has the parameter). `param` and `any_of` are unused then.
  std::vector<Clause> either;
  // Reverse chain (_has:Observation:patient:code=x): resources that a resource of
  // `has_type` matching `chain` refers to through its reference parameter `param`.
  std::string has_type;
};

// Which resources a caller may see, judged from the access facts the store keeps
// with each version (opaque here: the security layer writes and reads them). The
// store applies it inside its queries, so totals, pages, chains and _has see only
// what it accepts.
class Visibility {
 public:
  virtual ~Visibility() = default;
  virtual bool accepts(std::string_view type, std::string_view facts) const = 0;
};

struct SortKey {
  std::string param;
  bool descending = false;
};

struct SearchQuery {
  std::string type;              // empty: every type (system search)
  std::vector<std::string> types;  // a system search's _type naming several: only these
  // The search is stopped (and fails as too costly) when it runs past this; none when zero.
  std::chrono::steady_clock::time_point deadline{};
  // Only resources as they were at this point of the store's history (a position a
  // SearchResult gave): the pages of one search see the same matches, whatever is
  // written between them. Zero: as they are now.
  int64_t snapshot = 0;
  std::vector<Clause> clauses;   // all must match
  std::vector<SortKey> sort;
  uint32_t count = 20;
  uint32_t offset = 0;
  // The page ends early, after the resource that takes its bodies past this many bytes
  // (at least one resource), so one answer stays bounded; 0: count alone bounds it.
  size_t max_page_bytes = 0;
  bool want_total = true;
  // Only resources this accepts (null: every resource).
  std::shared_ptr<const Visibility> visible;
  // This server's base with its final '/' ("https://host/fhir/"): a reference written as an
  // absolute URL elsewhere is to another server's resource, never to the local one with the
  // same Type/id. Empty: every reference is taken by its Type/id.
  std::string local_base;
};

}  // namespace carebridge::fhir::search
