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
