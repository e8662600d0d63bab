#include "gateway/security/organizations.h"

#include "gateway/security/clients.h"
#include "gateway/security/users.h"

namespace carebridge::gateway::security {

bool registered_organization(ClientRegistry& clients, UserRegistry& users, std::string_view id) {
  if (id.empty()) return false;
  for (const Client& c : clients.list())
    if (!c.revoked && c.organization == id) return true;
  for (const User& u : users.list())
    if (!u.disabled && u.organization == id) return true;
  return false;
}

}  // namespace carebridge::gateway::security
