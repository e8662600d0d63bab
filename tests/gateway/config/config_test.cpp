// The config file and --listen parsing.
#include <catch2/catch.hpp>
#include <fstream>

#include "gateway/config/config.h"
#include "support/test_support.h"

using namespace carebridge::gateway::config;

TEST_CASE("config defaults file settings and errors", "[gateway][config]") {
  Config defaults;
  REQUIRE(defaults.listen.size() == 1);
  CHECK(defaults.listen[0].host == "127.0.0.1");
  CHECK(defaults.listen[0].port == 8080);
  CHECK(defaults.data_dir == "data");

  auto dir = carebridge::testing::temp_dir("config");
  std::ofstream(dir / "good.json") << R"({"listen":["127.0.0.1:9000",{"address":"0.0.0.0:9443","tls_certificate":"c.pem","tls_private_key":"k.pem"}],
    "data_dir":"/var/lib/carebridge","limits":{"max_body_bytes":1000,"idle_timeout_ms":5},
    "logging":{"requests":false},"profiles":{"Patient":["http://example.org/StructureDefinition/p"]}})";
  std::string error;
  auto config = load_file((dir / "good.json").string(), error);
  INFO(error);
  REQUIRE(config);
  REQUIRE(config->listen.size() == 2);
  CHECK(config->listen[0].port == 9000);
  CHECK(config->listen[1].tls_certificate == "c.pem");
  CHECK(config->limits.max_body_bytes == 1000);
  CHECK(config->limits.idle_timeout_ms == 5);
  CHECK(!config->logging.requests);
  CHECK(config->profiles.at("Patient").size() == 1);

  std::ofstream(dir / "typo.json") << R"({"data_directory":"x"})";
  CHECK(!load_file((dir / "typo.json").string(), error));
  CHECK(error.find("data_directory") != std::string::npos);
  std::ofstream(dir / "broken.json") << R"({"listen":)";
  CHECK(!load_file((dir / "broken.json").string(), error));
  CHECK(!load_file((dir / "missing.json").string(), error));

  Listen l;
  CHECK(parse_listen("[::1]:8443", l));
  CHECK(l.host == "::1");
  CHECK(l.port == 8443);
  CHECK(!parse_listen("localhost", l));
  CHECK(!parse_listen("h:70000", l));
}

TEST_CASE("the v2 senders' time zone is an offset", "[gateway][config]") {
  auto dir = carebridge::testing::temp_dir("config-zone");
  std::string error;
  std::ofstream(dir / "zone.json") << R"({"hl7v2_time_zone":"-05:00"})";
  auto config = load_file((dir / "zone.json").string(), error);
  REQUIRE(config);
  CHECK(config->hl7v2_time_zone == "-05:00");
  std::ofstream(dir / "named.json") << R"({"hl7v2_time_zone":"America/New_York"})";
  CHECK(!load_file((dir / "named.json").string(), error));
  CHECK(error.find("-05:00") != std::string::npos);
}

TEST_CASE("per-client limits are off unless configured, connections per address limited by default",
          "[gateway][config]") {
  Config defaults;
  CHECK(defaults.limits.requests_per_second == 0);
  CHECK(defaults.limits.max_connections_per_address == 256);
  auto dir = carebridge::testing::temp_dir("config-limits");
  std::ofstream(dir / "limits.json") << R"({"limits":{"requests_per_second":50,"request_burst":200,
    "max_rate_limited_clients":1000,"max_connections_per_address":0}})";
  std::string error;
  auto config = load_file((dir / "limits.json").string(), error);
  INFO(error);
  REQUIRE(config);
  CHECK(config->limits.requests_per_second == 50);
  CHECK(config->limits.request_burst == 200);
  CHECK(config->limits.max_rate_limited_clients == 1000);
  CHECK(config->limits.max_connections_per_address == 0);
  std::ofstream(dir / "negative.json") << R"({"limits":{"requests_per_second":-1}})";
  CHECK(!load_file((dir / "negative.json").string(), error));
  CHECK(error.find("requests_per_second") != std::string::npos);
}

namespace {

// Loads `json` as a config file; nullopt with `error` set when it is refused.
std::optional<Config> load_text(const std::string& json, std::string& error) {
  auto dir = carebridge::testing::temp_dir("config-auth");
  std::ofstream(dir / "config.json") << json;
  error.clear();
  return load_file((dir / "config.json").string(), error);
}

Config loaded(const std::string& json) {
  std::string error;
  auto config = load_text(json, error);
  INFO(json << "\n" << error);
  REQUIRE(config);
  return *config;
}

std::string refused(const std::string& json) {
  std::string error;
  auto config = load_text(json, error);
  INFO(json);
  CHECK_FALSE(config);
  CHECK_FALSE(error.empty());
  return error;
}

std::vector<Listen> listening_on(std::initializer_list<const char*> hosts) {
  std::vector<Listen> out;
  for (const char* h : hosts) {
    Listen l;
    l.host = h;
    out.push_back(l);
  }
  return out;
}

}  // namespace

TEST_CASE("the auth section is read with its defaults", "[gateway][config]") {
  Auth defaults = loaded("{}").auth;
  CHECK_FALSE(defaults.required.has_value());
  CHECK_FALSE(defaults.metrics_public);
  CHECK(defaults.open_paths.empty());
  CHECK(defaults.token_lifetime_s == 300);
  CHECK(defaults.clock_skew_s == 60);
  CHECK(defaults.issuers.empty());

  auto auth = loaded(R"({"auth":{"required":true,"metrics_public":true,"open_paths":["/fhir/metadata","/public/*"],
    "token_lifetime_s":3600,"clock_skew_s":300,"issuer":"https://gw.example",
    "issuers":[{"issuer":"https://idp.example","jwks_file":"/etc/carebridge/idp.json",
                "audiences":["https://gw.example/fhir","carebridge"],"organization_claim":"org"},
               {"issuer":"https://other.example","jwks_file":"other.json"}]}})")
                  .auth;
  CHECK(auth.required == true);
  CHECK(auth.metrics_public);
  CHECK(auth.open_paths == std::vector<std::string>{"/fhir/metadata", "/public/*"});
  CHECK(auth.token_lifetime_s == 3600);
  CHECK(auth.clock_skew_s == 300);
  CHECK(auth.issuer == "https://gw.example");
  REQUIRE(auth.issuers.size() == 2);
  CHECK(auth.issuers[0].jwks_file == "/etc/carebridge/idp.json");
  CHECK(auth.issuers[0].audiences.size() == 2);
  CHECK(auth.issuers[0].organization_claim == "org");
  CHECK(auth.issuers[1].audiences.empty());
  CHECK(auth.issuers[1].organization_claim == "organization");

  CHECK(loaded(R"({"auth":{"required":false}})").auth.required == false);
  CHECK(loaded(R"({"auth":{"token_lifetime_s":1,"clock_skew_s":0}})").auth.token_lifetime_s == 1);
}

TEST_CASE("auth settings that cannot be right are refused at start-up", "[gateway][config]") {
  CHECK(refused(R"({"auth":{"required":"yes"}})").find("auth.required") != std::string::npos);
  CHECK(refused(R"({"auth":{"metrics_public":1}})").find("auth.metrics_public") != std::string::npos);
  CHECK(refused(R"({"auth":{"open_paths":"/fhir/metadata"}})").find("open_paths") != std::string::npos);
  CHECK(refused(R"({"auth":{"open_paths":[1]}})").find("open_paths") != std::string::npos);
  CHECK(refused(R"({"auth":{"clock_skew_s":301}})").find("clock_skew_s") != std::string::npos);
  CHECK(refused(R"({"auth":{"clock_skew_s":-1}})").find("clock_skew_s") != std::string::npos);
  CHECK(refused(R"({"auth":{"token_lifetime_s":0}})").find("token_lifetime_s") != std::string::npos);
  CHECK(refused(R"({"auth":{"token_lifetime_s":3601}})").find("token_lifetime_s") != std::string::npos);
  // Values beyond what the setting holds are refused, not wrapped round to small ones.
  CHECK(refused(R"({"auth":{"token_lifetime_s":4294967297}})").find("token_lifetime_s") != std::string::npos);
  CHECK(refused(R"({"auth":{"clock_skew_s":4294967296}})").find("clock_skew_s") != std::string::npos);
  CHECK(refused(R"({"auth":{"requried":true}})").find("requried") != std::string::npos);
  CHECK(refused(R"({"auth":true})").find("auth") != std::string::npos);
  CHECK(refused(R"({"auth":{"issuers":{}}})").find("auth.issuers") != std::string::npos);
  CHECK(refused(R"({"auth":{"issuers":[{"issuer":"https://idp.example"}]}})").find("jwks_file") != std::string::npos);
  CHECK(refused(R"({"auth":{"issuers":[{"jwks_file":"idp.json"}]}})").find("issuer") != std::string::npos);
  CHECK(refused(R"({"auth":{"issuers":[{"issuer":"","jwks_file":"idp.json"}]}})").find("issuer") != std::string::npos);
  CHECK(refused(R"({"auth":{"issuers":[{"issuer":"i","jwks_file":"j","audience":"a"}]}})").find("audience") !=
        std::string::npos);
  CHECK(refused(R"({"auth":{"issuers":[{"issuer":"i","jwks_file":"j","audiences":"a"}]}})").find("audiences") !=
        std::string::npos);
  CHECK(refused(R"({"auth":{"issuers":["https://idp.example"]}})").find("auth.issuers") != std::string::npos);
}

TEST_CASE("tokens are required unless every listener is on loopback", "[gateway][config]") {
  Auth unset;
  CHECK_FALSE(unset.tokens_required(listening_on({"127.0.0.1"})));
  CHECK_FALSE(unset.tokens_required(listening_on({"127.0.0.1", "::1", "localhost"})));
  Config defaults;
  CHECK_FALSE(unset.tokens_required(defaults.listen));  // the default listener
  CHECK(unset.tokens_required(listening_on({"0.0.0.0"})));
  CHECK(unset.tokens_required(listening_on({"::"})));
  CHECK(unset.tokens_required(listening_on({"192.168.1.20"})));
  CHECK(unset.tokens_required(listening_on({"127.0.0.1", "10.0.0.5"})));
  CHECK(unset.tokens_required(listening_on({"gateway.example.org"})));
  CHECK(unset.tokens_required(listening_on({""})));  // every interface

  Auth off;
  off.required = false;
  CHECK_FALSE(off.tokens_required(listening_on({"0.0.0.0"})));
  Auth on;
  on.required = true;
  CHECK(on.tokens_required(listening_on({"127.0.0.1"})));

  // As read from a file: --listen flags and the config agree.
  auto config = loaded(R"({"listen":["[::1]:8443","localhost:8080"]})");
  CHECK_FALSE(config.auth.tokens_required(config.listen));
  config = loaded(R"({"listen":["0.0.0.0:8080"]})");
  CHECK(config.auth.tokens_required(config.listen));
  config = loaded(R"({"listen":["0.0.0.0:8080"],"auth":{"required":false}})");
  CHECK_FALSE(config.auth.tokens_required(config.listen));
}
