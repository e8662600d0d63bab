// Search parameters of a request to a search in its parsed form (query.h): values by parameter type,
// modifiers (:exact :contains :missing :not :identifier :text :below :Type),
// prefixes (eq ne lt gt le ge sa eb), chains one level deep, and the result
// parameters (_count _offset _sort _include _revinclude _summary _elements _total).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "fhir/model/document.h"
#include "fhir/search/query.h"
#include "fhir/search/registry.h"

namespace carebridge::fhir::search {

// What _summary asks of each resource in the result.
enum class Summary { False, True, Text, Data, Count };

// The page sizes a search may ask for (_count).
struct PageLimits {
  uint32_t default_page_size = 20;
  uint32_t max_page_size = 1000;
};

struct Include {
  std::string source_type;  // "Observation" in Observation:subject
  std::string param;        // "subject"
  std::string target_type;  // optional third part
  bool iterate = false;     // _include:iterate: also applies to what was included
};

struct ParsedSearch {
  SearchQuery query;
  std::vector<Include> includes;
  std::vector<Include> revincludes;
  Summary summary = Summary::False;
  std::set<std::string, std::less<>> elements;
  Params used;  // the parameters applied (for the self link)
};

// Fills `out`; unknown or unsupported parameters are warnings in `issues` (lenient)
// or errors (strict). Malformed values are always errors. Returns false on errors.
bool parse_search(const SearchRegistry& registry, const std::string& type, const Params& params,
                  const PageLimits& limits, bool strict, ParsedSearch& out, std::vector<fhir::model::Issue>& issues);

}  // namespace carebridge::fhir::search
