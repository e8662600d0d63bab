// One search parameter with its value into a Clause (query.h), for parse_search
// (parse.cpp): the parameter's name, modifier, chain or _has levels, and its values
// read by the parameter's type (prefixes, systems, composites).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "fhir/search/parse.h"
#include "fhir/search/query.h"
#include "fhir/search/registry.h"

namespace carebridge::fhir::search {

// Splits on `separator`, unescaping "\," "\$" "\|" (FHIR search 3.1.1.1.7) unless told to
// keep the escapes (for a part that is split again).
std::vector<std::string> split_escaped(std::string_view text, char separator, bool unescape = true);

// The clause of `key` ("name:exact", "subject:Patient.name", "_has:Observation:subject:code")
// with `value`, for resources of `type` ("Resource" for a system search). Fails with
// "not-supported" for a parameter the type does not have, "too-long" beyond `limits`
// (values of the parameter, _has levels), "invalid" for everything else.
Result<Clause> parse_clause(const SearchRegistry& registry, const SearchLimits& limits, const std::string& type,
                            std::string_view key, const std::string& value, const StoredCanonicals& stored_canonicals = {});

// A clause for a search over several types that `clause` narrows only some of: a resource of
// another type than `types`, or one that matches `clause`. `label` names it (a clause made of
// `either` has no parameter of its own).
Clause for_types(const std::vector<std::string>& types, Clause clause, std::string label = {});

}  // namespace carebridge::fhir::search
