// The gateway as its own OAuth 2.0 authorization server for SMART Backend Services
// (hl7.org/fhir/smart-app-launch/backend-services.html): a registered client posts a
// client_credentials grant with a private_key_jwt client assertion (RFC 7523) to
// /auth/token and gets a short-lived access token (a JWT the gateway signs with its
// own ES256 key, kept in the data folder). Bearer tokens on requests are checked
// here too: the gateway's own, or those of configured external issuers.
#pragma once

#include <array>
#include <functional>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/model/result.h"
#include "gateway/config/config.h"
#include "gateway/http/message.h"
#include "gateway/security/clients.h"
#include "gateway/security/jose.h"
#include "gateway/security/principal.h"

namespace carebridge::gateway::security {

// The gateway's signing key: read from `file`, or made (ES256) and written there
// readable by its owner only.
Result<Jwk> load_or_create_signing_key(const std::filesystem::path& file);

struct TokenServiceOptions {
  config::Auth auth;
  std::string base_path = "/fhir";
};

class TokenService {
 public:
  TokenService(ClientRegistry& clients, Jwk signing_key, TokenServiceOptions options);

  // POST /auth/token: an RFC 6749 token response, or its error (400/401, JSON).
  http::Response token(const http::Request& request);
  // GET /.well-known/smart-configuration under the FHIR base, and /auth/jwks.
  http::Response smart_configuration(const http::Request& request) const;
  http::Response jwks() const;

  // The caller a bearer token establishes, or why it is refused (code "login").
  // Verified tokens are remembered for a few seconds, so a busy client pays for one
  // signature check, not one per request.
  Result<std::shared_ptr<const Principal>> authenticate(const http::Request& request, std::string_view token);

  // The caller a verified TLS client certificate (its SHA-256) stands for: the registered
  // client with that certificate, with every scope it was registered with.
  Result<std::shared_ptr<const Principal>> authenticate_certificate(std::string_view sha256);
  // The caller a listener the configuration binds to a client (an MLLP port) writes as:
  // that registered, active client with every scope it was registered with.
  Result<std::shared_ptr<const Principal>> authenticate_client(std::string_view client_id);

  // Issues an access token for a registered client (the token endpoint's work, for
  // tests and the command line).
  Result<std::string> issue(const Client& client, const std::vector<Scope>& scopes, std::string_view audience);

  // The issuer URL for a request: the configured one, else from its Host.
  std::string issuer_for(const http::Request& request) const;

 private:
  struct External {
    config::ExternalIssuer config;
    std::vector<Jwk> keys;
  };
  Result<std::shared_ptr<const Principal>> verify(const http::Request& request, std::string_view token);
  Result<std::shared_ptr<const Principal>> own_principal(const Jwt& jwt);
  std::shared_ptr<const Principal> client_principal(const Client& client, std::vector<Scope> scopes,
                                                    int64_t expires_ms) const;
  // A principal remembered for `key` for a few seconds, else `verify()`'s, remembered.
  Result<std::shared_ptr<const Principal>> remembered(
      const std::string& key, const std::function<Result<std::shared_ptr<const Principal>>()>& verify);
  Result<std::shared_ptr<const Principal>> external_principal(const Jwt& jwt, const External& issuer);
  Result<Client> check_assertion(const http::Request& request, std::string_view assertion);

  ClientRegistry& clients_;
  Jwk key_;
  TokenServiceOptions options_;
  std::vector<External> external_;

  struct Remembered {
    std::shared_ptr<const Principal> principal;
    int64_t until_ms = 0;
  };
  struct Shard {
    std::shared_mutex mutex;
    std::unordered_map<std::string, Remembered> tokens;
  };
  std::array<Shard, 8> remembered_;
};

}  // namespace carebridge::gateway::security
