// The organizations the gateway knows without a record of them: those of its registered
// clients (the systems that get tokens) and of the people who sign in to its pages. A
// referral addressed to one of them reaches someone; one addressed to an id the gateway
// knows nowhere would sit unseen (see Column::known in mappings/agency/spec.h).
#pragma once

#include <string_view>

namespace carebridge::gateway::security {

class ClientRegistry;
class UserRegistry;

// Whether `id` is the organization of a registered client not revoked, or of a person whose
// account is not disabled.
bool registered_organization(ClientRegistry& clients, UserRegistry& users, std::string_view id);

}  // namespace carebridge::gateway::security
