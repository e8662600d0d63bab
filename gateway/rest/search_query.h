// Search parameters of a request to a store query: values by parameter type,
// modifiers (:exact :contains :missing :not :identifier :text :below :Type),
// prefixes (eq ne lt gt le ge sa eb), chains one level deep, and the result
// parameters (_count _offset _sort _include _revinclude _summary _elements _total).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "fhir/model/document.h"
#include "gateway/config/config.h"
#include "gateway/rest/negotiation.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/search_registry.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::rest {

struct Include {
  std::string source_type;  // "Observation" in Observation:subject
  std::string param;        // "subject"
  std::string target_type;  // optional third part
  bool iterate = false;     // _include:iterate: also applies to what was included
};

struct ParsedSearch {
  store::SearchQuery query;
  std::vector<Include> includes;
  std::vector<Include> revincludes;
  Summary summary = Summary::False;
  std::set<std::string, std::less<>> elements;
  Params used;  // the parameters applied (for the self link)
};

// Fills `out`; unknown or unsupported parameters are warnings in `issues` (lenient)
// or errors (strict). Malformed values are always errors. Returns false on errors.
bool parse_search(const SearchRegistry& registry, const std::string& type, const Params& params,
                  const config::Limits& limits, bool strict, ParsedSearch& out, std::vector<fhir::model::Issue>& issues);

}  // namespace carebridge::gateway::rest
