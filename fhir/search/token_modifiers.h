// The token modifiers that stand for a set of codes (FHIR R4 search 3.1.1.4.9): :in and
// :not-in a ValueSet, :below and :above a code in its code system's hierarchy. Each is
// read into the codes it stands for when the search is parsed, so the store and the
// in-memory matcher compare plain tokens. And :of-type, an identifier of a type
// (system|code|value), which has index rows of its own (index_values.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/search/parse.h"
#include "fhir/search/query.h"
#include "fhir/terminology/terminology.h"

namespace carebridge::fhir::search {

// in, not-in, below, above.
bool names_code_set(std::string_view modifier);

// Why a set of codes could not be told: the message, and the issue code.
struct CodeSetError {
  std::string message;
  std::string code = "invalid";
};

// The tokens `value` stands for under `modifier` (a ValueSet's canonical URL for :in and
// :not-in, system|code for :below and :above), at most `max_codes` of them. Fails when
// the set cannot be told exactly here (a value set or code system this server does not
// have in full): answering with some of its codes would leave matches out silently.
// A value set the terminology does not know is looked up in `stored` (ValueSets clients wrote).
bool expand_code_set(const terminology::Terminology& terminology, std::string_view modifier, std::string_view value,
                     size_t max_codes, std::vector<ValueMatch>& out, CodeSetError& error, const StoredCanonicals& stored = {});

// identifier:of-type rows: under the parameter's code with this suffix, the type's
// system as the system and of_type_code as the code.
inline constexpr std::string_view kOfTypeSuffix = ":of-type";
std::string of_type_code(std::string_view type_code, std::string_view value);
// The token of `value` ("system|code|value", each part unescaped already) for those rows.
bool of_type_match(const std::vector<std::string>& parts, ValueMatch& out, std::string& error);

}  // namespace carebridge::fhir::search
