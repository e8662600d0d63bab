// Search parameters of a request to a search in its parsed form (query.h): values by parameter type,
// modifiers (:exact :contains :missing :not :identifier :text :below :above :in :not-in
// :of-type :Type),
// prefixes (eq ne lt gt le ge sa eb), chains one level deep, _has, and the result
// parameters (_count _offset _sort _include _revinclude _summary _elements _total,
// and _snapshot, which paging links carry).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/document.h"
#include "fhir/search/query.h"
#include "fhir/search/registry.h"

namespace carebridge::fhir::search {

// What _summary asks of each resource in the result.
enum class Summary { False, True, Text, Data, Count };

// How large a search may be: the page sizes it may ask for (_count), and limits
// that keep its cost in proportion to its size. Beyond one, parse_search answers an
// error that names it (code "too-long").
struct SearchLimits {
  uint32_t default_page_size = 20;
  uint32_t max_page_size = 1000;
  size_t max_values = 1000;        // values of one parameter ("a,b,c" is three)
  size_t max_parameters = 100;     // parameters of one search, result parameters included
  size_t max_has_depth = 8;        // _has levels of one parameter, nested ones included
  size_t max_query_bytes = 65536;  // the parameters' names and values together
};
using PageLimits = SearchLimits;  // its former name

// Sort keys of one search at most (each is a join; SQLite joins 64 tables at most).
inline constexpr size_t kMaxSortKeys = 16;

struct Include {
  std::string source_type;  // "Observation" in Observation:subject
  std::string param;        // "subject"; "*" for every reference parameter of the source type
  std::string target_type;  // optional third part
  bool iterate = false;     // _include:iterate: also applies to what was included
};

// The ValueSets and CodeSystems this server stores (clients wrote them), for :in and :not-in
// beyond the definitions' value sets, and :below and :above in a code system of a client's:
// the JSON of the resource of `type` a canonical URL ("url" or "url|version") or "Type/id"
// names, as the caller may see it; none when there is no such one.
using StoredCanonicals = std::function<std::optional<std::string>(std::string_view type, std::string_view reference)>;

struct ParsedSearch {
  SearchQuery query;
  std::vector<Include> includes;
  std::vector<Include> revincludes;
  Summary summary = Summary::False;
  std::set<std::string, std::less<>> elements;
  Params used;  // the parameters applied (for the self link)
};

// Fills `out`; unknown or unsupported parameters are warnings in `issues` (lenient)
// or errors (strict). Malformed values and searches beyond `limits` are always
// errors. Returns false on errors. Takes time in proportion to the parameters' size.
bool parse_search(const SearchRegistry& registry, const std::string& type, const Params& params,
                  const SearchLimits& limits, bool strict, ParsedSearch& out, std::vector<fhir::model::Issue>& issues,
                  const StoredCanonicals& stored_canonicals = {});

}  // namespace carebridge::fhir::search
