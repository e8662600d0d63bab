// gateway/security: who is calling and what they may see. Tokens (JOSE, SMART
// Backend Services), registered clients, SMART scopes, the access facts kept with
// every resource (owner, patients, parties, security labels), care relationships,
// Consent, labelling rules and the audit trail.
//
// A Principal is the caller as the authorization stage established it: the client,
// its organization and what its token grants. Requests without one are the open
// development server's (every request allowed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carebridge::gateway::security {

// One SMART v2 scope ("system/Observation.rs?category=laboratory"), or a v1 one
// ("user/*.read", "system/*.*"), in its parsed form.
struct Scope {
  enum class Context : uint8_t { Patient, User, System };
  Context context = Context::System;
  std::string type;  // "*" for every type
  bool create = false, read = false, update = false, del = false, search = false;
  // The finer form's restriction: "category=laboratory" as (param, value) pairs; empty: none.
  std::vector<std::pair<std::string, std::string>> restrictions;
};

struct Principal {
  std::string client_id;     // the registered client (or the external token's subject)
  std::string organization;  // the client's organization id ("Organization/<id>"'s id); empty: none
  std::vector<Scope> scopes;
  std::string patient;       // the launch patient's id for patient/ scopes; empty: none
  bool admin = false;        // may read the audit trail and manage the gateway
  std::string purpose = "TREAT";  // purpose of use (v3 PurposeOfUse), for Consent provisions
  int64_t expires_ms = 0;    // when the token stops being valid
};

}  // namespace carebridge::gateway::security
