// A gateway that requires tokens, with registered clients (made with the
// `carebridge clients` command) that get tokens from its token endpoint as SMART
// Backend Services clients do, for the security tests.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fhir_client.h"
#include "gateway/security/jose.h"
#include "server_process.h"

namespace carebridge::testing {

struct ClientSpec {
  std::string id;
  std::string organization;
  std::string scopes;
  bool admin = false;
};

class SecuredGateway {
 public:
  // Registers the clients, then starts a server that requires tokens.
  // `extra_config`: further top-level settings of the config ("\"mllp\": [...]").
  SecuredGateway(const std::string& name, const std::vector<ClientSpec>& clients, const std::string& auth_json = "",
                 const std::string& extra_config = "");
  const std::filesystem::path& dir() const { return dir_; }

  // A signed client assertion for the token endpoint (fresh jti unless given).
  // Signed with the client's own key, or `signer`'s when given.
  std::string assertion(const std::string& client, const std::string& jti = "", long lifetime_s = 240,
                        const std::string& signer = "") const;
  // POST /auth/token with an assertion; the response.
  gateway::http::Response token_response(const std::string& assertion, const std::string& scope);
  // An access token for the client (REQUIREs success).
  std::string token(const std::string& client, const std::string& scope = "system/*.cruds");
  // JSON headers with the bearer token.
  static gateway::http::Headers as(const std::string& token);

  gateway::http::Client& http() { return *client_; }
  ServerProcess& server() { return *server_; }
  const std::string& token_url() const { return token_url_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/fhir"; }
  // The gateway's own signing key (in its data folder), to forge tokens the tests need.
  gateway::security::Jwk server_key() const;
  // Runs `carebridge clients ARGS` on the data folder; its exit status.
  int clients_command(const std::string& args) const;
  // Stops the server, lets `offline` change its data folder, and starts it again as it was.
  void restart(const std::function<void(const std::filesystem::path& data)>& offline = {});

 private:
  std::filesystem::path dir_;
  std::map<std::string, gateway::security::Jwk> keys_;
  std::string config_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<gateway::http::Client> client_;
  std::string token_url_;
};

// The ids of a searchset's entries ("Type/id"), and its total (-1 when absent).
std::vector<std::string> entry_ids(const std::string& bundle_json);
long bundle_total(const std::string& bundle_json);

// A patient's opt-in privacy Consent permitting `organization` ("org-a") to see what
// carries the v3-ActCode sensitivity `labels` ("HIV", "SDV"); none: no securityLabel, which
// shares ordinary data only.
std::string permit_consent(const std::string& patient, const std::string& organization, const std::vector<std::string>& labels);

// An active CareTeam of `patient` with these organizations ("org-a") as members.
std::string care_team_json(const std::string& patient, const std::vector<std::string>& organizations);

}  // namespace carebridge::testing
