// The registered clients: the agencies' and hospitals' systems that get tokens from
// the gateway's token endpoint (SMART Backend Services), each with its public keys,
// its organization and the scopes it may ask for. Kept in the store's database
// (tables auth_client and auth_assertion), managed with `carebridge clients`.
// Used client assertions are remembered until they expire, so none is accepted twice.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/model/result.h"
#include "gateway/security/jose.h"

namespace carebridge::gateway::store {
class Connection;
}

namespace carebridge::gateway::security {

struct Client {
  std::string id;            // client_id
  std::string name;          // for people: "Eastside Food Bank intake"
  std::string organization;  // the id of its Organization; empty: none
  std::string jwks;          // its public keys (a JWK Set), for client assertions
  std::string scopes;        // the scopes it may be granted, space separated
  std::string patient;       // the launch patient its patient/ scopes are about; empty: none
  std::string certificate;   // SHA-256 (hex) of its TLS client certificate (mutual TLS); empty: none
  bool admin = false;        // may read the audit trail
  bool revoked = false;
  int64_t created_ms = 0;
};

// The SHA-256 (lowercase hex) of a PEM certificate, as mutual TLS identifies a client.
Result<std::string> certificate_fingerprint(std::string_view pem);

class ClientRegistry {
 public:
  // Opens (creating its tables in) the database at `path` (the store's carebridge.db).
  explicit ClientRegistry(const std::string& database_path);
  ~ClientRegistry();

  // Registers a client; refuses an id in use, an id with characters outside
  // [A-Za-z0-9._-], keys that are not a usable JWK Set, and unknown scopes.
  Result<void> add(const Client& client);
  std::vector<Client> list();
  Result<void> revoke(std::string_view id);
  // The client, when registered and not revoked (cached for a few seconds, so that a
  // revocation by the command line reaches a running server quickly).
  std::shared_ptr<const Client> active(std::string_view id);
  // The active client whose TLS client certificate has this SHA-256 (hex), or null.
  std::shared_ptr<const Client> by_certificate(std::string_view sha256);
  // The client's parsed keys (cached with the client).
  std::vector<Jwk> keys(const Client& client);
  // Records a client assertion's jti until `expires_ms`; fails when it was used before.
  Result<void> remember_assertion(std::string_view client_id, std::string_view jti, int64_t expires_ms,
                                  int64_t now_ms);

 private:
  std::optional<Client> find(std::string_view id);

  std::mutex mutex_;
  std::unique_ptr<store::Connection> db_;
  struct Cached {
    std::shared_ptr<const Client> client;  // null: not active
    std::vector<Jwk> keys;
    int64_t read_ms = 0;
  };
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace carebridge::gateway::security
