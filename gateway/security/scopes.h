// SMART on FHIR scopes (SMART App Launch 2.0 "Scopes and Launch Context"): v2
// "system/Observation.cruds", "patient/*.rs", "user/Observation.rs?category=laboratory",
// and the v1 forms "system/*.read", "user/Patient.write", "patient/*.*".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "gateway/security/principal.h"

namespace carebridge::gateway::security {

// What a request does, as scopes grant it.
enum class Interaction { Create, Read, Update, Delete, Search };

// Parses a space-separated scope string. Scopes that are not about FHIR resources
// (openid, fhirUser, launch, offline_access) are ignored; a malformed resource scope fails.
Result<std::vector<Scope>> parse_scopes(std::string_view text);

// What `requested` asks for that `allowed` grants: for each pair of scopes, the narrower
// type, permissions and restrictions (a token never carries more than the client was
// registered with).
std::vector<Scope> narrow_scopes(const std::vector<Scope>& requested, const std::vector<Scope>& allowed);

// Whether some scope allows the interaction on the type (restrictions aside).
bool allows(const std::vector<Scope>& scopes, Interaction interaction, std::string_view type);

// The restrictions ("category=laboratory") under which the scopes allow it: empty
// when some allowing scope is unrestricted.
std::vector<std::pair<std::string, std::string>> restrictions(const std::vector<Scope>& scopes, Interaction interaction,
                                                              std::string_view type);

// The scope in its v2 text form.
std::string to_string(const Scope& scope);
std::string to_string(const std::vector<Scope>& scopes);

}  // namespace carebridge::gateway::security
