#include "security_support.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "support/test_support.h"

namespace carebridge::testing {
namespace sec = gateway::security;

namespace {

std::string quoted(const std::string& text) { return "'" + text + "'"; }

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

SecuredGateway::SecuredGateway(const std::string& name, const std::vector<ClientSpec>& clients,
                               const std::string& auth_json, const std::string& extra_config)
    : dir_(temp_dir(name)) {
  for (const auto& c : clients) {
    auto key = sec::generate_key("ES256", c.id + "-key");
    REQUIRE(key.ok());
    auto jwks = dir_ / (c.id + ".jwks");
    std::ofstream(jwks) << sec::public_jwks_json({*key});
    keys_[c.id] = *key;
    std::string args = "add " + c.id + " --jwks " + quoted(jwks.string()) + " --scope " + quoted(c.scopes);
    if (!c.organization.empty()) args += " --organization " + c.organization;
    if (c.admin) args += " --admin";
    REQUIRE(clients_command(args) == 0);
  }
  config_ = R"({"auth":{"required":true)" + (auth_json.empty() ? "" : "," + auth_json) + "}" +
            (extra_config.empty() ? "" : "," + extra_config) + "}";
  restart();
}

void SecuredGateway::restart(const std::function<void(const std::filesystem::path& data)>& offline) {
  client_.reset();
  if (server_) REQUIRE(server_->terminate() == 0);
  server_.reset();
  if (offline) offline(dir_ / "data");
  server_ = std::make_unique<ServerProcess>(dir_ / "data", config_);
  client_ = server_->client();
  token_url_ = "http://127.0.0.1:" + std::to_string(server_->port()) + "/auth/token";
}

int SecuredGateway::clients_command(const std::string& args) const {
  std::string command = std::string(CAREBRIDGE_BINARY) + " clients " + args + " --data-dir " +
                        quoted((dir_ / "data").string()) + " >/dev/null 2>&1";
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string SecuredGateway::assertion(const std::string& client, const std::string& jti, long lifetime_s,
                                      const std::string& signer) const {
  static std::mt19937_64 random{std::random_device{}()};
  std::string id = jti.empty() ? std::to_string(random()) : jti;
  std::string payload = R"({"iss":")" + client + R"(","sub":")" + client + R"(","aud":")" + token_url_ +
                        R"(","exp":)" + std::to_string(now_s() + lifetime_s) + R"(,"jti":")" + id + R"("})";
  auto signed_jwt = sec::sign_jwt(keys_.at(signer.empty() ? client : signer), payload);
  REQUIRE(signed_jwt.ok());
  return *signed_jwt;
}

gateway::http::Response SecuredGateway::token_response(const std::string& assertion, const std::string& scope) {
  std::string body = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-"
                     "assertion-type%3Ajwt-bearer&client_assertion=" + assertion + "&scope=";
  for (char c : scope) body += c == ' ' ? std::string("+") : c == '/' ? std::string("%2F") : std::string(1, c);
  return client_->post("/auth/token", body, {{"Content-Type", "application/x-www-form-urlencoded"}});
}

std::string SecuredGateway::token(const std::string& client, const std::string& scope) {
  auto response = token_response(assertion(client), scope);
  INFO(response.body);
  REQUIRE(response.status == 200);
  auto json = parse_json(response.body);
  return str(json, "access_token");
}

gateway::http::Headers SecuredGateway::as(const std::string& token) {
  auto headers = json_headers();
  headers.emplace_back("Authorization", "Bearer " + token);
  return headers;
}

sec::Jwk SecuredGateway::server_key() const {
  std::ifstream in(dir_ / "data" / "token-signing-key.jwk");
  std::stringstream text;
  text << in.rdbuf();
  auto keys = sec::parse_jwks(text.str());
  REQUIRE(keys.ok());
  return keys->front();
}

std::vector<std::string> entry_ids(const std::string& bundle_json) {
  auto json = parse_json(bundle_json);
  std::vector<std::string> ids;
  if (!json.IsObject() || !json.HasMember("entry")) return ids;
  for (const auto& e : json["entry"].GetArray()) {
    if (!e.HasMember("resource")) continue;
    ids.push_back(str(e["resource"], "resourceType") + "/" + str(e["resource"], "id"));
  }
  return ids;
}

long bundle_total(const std::string& bundle_json) {
  auto json = parse_json(bundle_json);
  return json.IsObject() && json.HasMember("total") && json["total"].IsInt64() ? json["total"].GetInt64() : -1;
}

std::string permit_consent(const std::string& patient, const std::string& organization, const std::vector<std::string>& labels) {
  std::string security;
  for (const auto& label : labels)
    security += std::string(security.empty() ? "" : ",") + R"({"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":")" +
                label + "\"}";
  return R"({"resourceType":"Consent","status":"active",
    "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
    "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
    "patient":{"reference":"Patient/)" + patient + R"("},"dateTime":"2026-01-10T09:30:00Z",
    "policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},
    "provision":{"provision":[{"type":"permit","actor":[{"role":{"coding":[{"system":
      "http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},
      "reference":{"reference":"Organization/)" + organization + R"("}}])" +
         (security.empty() ? "" : R"(,"securityLabel":[)" + security + "]") + "}]}}";
}

std::string care_team_json(const std::string& patient, const std::vector<std::string>& organizations) {
  std::string members;
  for (const auto& org : organizations)
    members += std::string(members.empty() ? "" : ",") + R"({"member":{"reference":"Organization/)" + org + R"("}})";
  return R"({"resourceType":"CareTeam","status":"active","subject":{"reference":"Patient/)" + patient +
         R"("},"participant":[)" + members + "]}";
}

}  // namespace carebridge::testing
