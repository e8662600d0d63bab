// A ValueSet's content as far as it can be known locally, and the membership
// answers it gives. What cannot be expanded here (SNOMED CT, LOINC, a filter we do
// not evaluate, a code system not loaded) is "open": any code of that system counts
// as in, so no false error is raised; a part that cannot be read at all (an unknown
// value set) makes whatever is not listed "unknown" rather than "not in".
#pragma once

#include <string>
#include <string_view>

#include "fhir/terminology/code_system.h"

namespace carebridge::fhir::terminology {

enum class Membership { in, not_in, unknown };

struct Expansion {
  std::string url;
  std::string version;
  std::string name;
  StringMap<StringSet> codes;         // system -> codes listed as members ("" for codes without a system)
  StringMap<StringSet> open_systems;  // system -> codes excluded from it: any other code of it is in
  StringSet bare_codes;               // every listed code whatever its system (for elements of type code)
  bool unknown_part = false;          // some part could not be read at all (an unknown or cyclic value set)

  // Everything not listed (and not in an open system) is definitely not a member.
  bool complete() const { return !unknown_part && open_systems.empty(); }
  // A Coding: in when listed or in an open system; not in when excluded, or unlisted and nothing is unknown.
  // Without a system: in when some system lists the code, else unknown.
  Membership contains(std::string_view system, std::string_view code) const;
  // An element of type code (no system): in when some system lists it; not in only when complete().
  Membership contains_code(std::string_view code) const;
  // The number of listed codes.
  size_t size() const;

  // Set algebra of compose (value_sets.cpp), lenient where a side is open or unknown.
  void add_all(const Expansion& other);      // union
  void keep_common(const Expansion& other);  // intersection
  void remove_all(const Expansion& other);   // exclusion
  // Fills bare_codes from codes: the last step of an expansion.
  void finish();
};

}  // namespace carebridge::fhir::terminology
