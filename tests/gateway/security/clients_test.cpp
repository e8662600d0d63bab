// The registered clients as `carebridge clients` manages them and the token endpoint
// reads them: registration rules, revocation, and client assertions accepted once.
#include <catch2/catch.hpp>

#include "gateway/security/clients.h"
#include "gateway/security/jose.h"
#include "support/test_support.h"

namespace sec = carebridge::gateway::security;

namespace {

std::string database(const std::string& name) { return (carebridge::testing::temp_dir(name) / "carebridge.db").string(); }

std::string public_keys(const std::string& kid = "k1") {
  auto key = sec::generate_key("ES256", kid);
  REQUIRE(key);
  return sec::public_jwks_json({*key});
}

sec::Client client(const std::string& id, const std::string& scopes = "system/*.rs") {
  sec::Client c;
  c.id = id;
  c.name = "Eastside Food Bank intake";
  c.organization = "eastside";
  c.jwks = public_keys();
  c.scopes = scopes;
  return c;
}

std::string refusal(sec::ClientRegistry& registry, const sec::Client& c) {
  auto added = registry.add(c);
  INFO(c.id);
  REQUIRE_FALSE(added);
  return added.issues().front().message;
}

}  // namespace

TEST_CASE("registered clients are listed with what they were registered with", "[gateway][security][clients]") {
  std::string db = database("clients-list");
  {
    sec::ClientRegistry registry(db);
    CHECK(registry.list().empty());
    auto b = client("westside.shelter_2", "system/Patient.rs system/Observation.cruds");
    b.organization = "westside";
    b.admin = true;
    REQUIRE(registry.add(b));
    REQUIRE(registry.add(client("eastside-intake")));
  }
  sec::ClientRegistry reopened(db);  // kept in the database, not in memory
  auto all = reopened.list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == "eastside-intake");  // ordered by id
  CHECK(all[1].id == "westside.shelter_2");
  CHECK(all[1].organization == "westside");
  CHECK(all[1].scopes == "system/Patient.rs system/Observation.cruds");
  CHECK(all[1].admin);
  CHECK_FALSE(all[0].admin);
  CHECK_FALSE(all[0].revoked);
  CHECK(all[0].name == "Eastside Food Bank intake");
  CHECK(all[0].created_ms > 0);
  auto keys = sec::parse_jwks(all[0].jwks);
  REQUIRE(keys);
  CHECK(keys->front().kid == "k1");

  auto active = reopened.active("eastside-intake");
  REQUIRE(active);
  CHECK(active->organization == "eastside");
  CHECK(reopened.keys(*active).size() == 1);
  CHECK_FALSE(reopened.active("nobody"));
}

TEST_CASE("a client registered with a private key keeps only its public part", "[gateway][security][clients]") {
  sec::ClientRegistry registry(database("clients-private"));
  auto key = sec::generate_key("ES256", "k1");
  REQUIRE(key);
  auto c = client("careless");
  c.jwks = sec::private_jwk_json(*key);
  REQUIRE(registry.add(c));
  auto stored = registry.list().at(0).jwks;
  CHECK(stored.find("\"d\"") == std::string::npos);
  auto keys = sec::parse_jwks(stored);
  REQUIRE(keys);
  CHECK_FALSE(keys->front().has_private);
}

TEST_CASE("registrations that cannot work are refused", "[gateway][security][clients]") {
  sec::ClientRegistry registry(database("clients-refused"));
  REQUIRE(registry.add(client("intake")));

  auto again = registry.add(client("intake"));
  REQUIRE_FALSE(again);
  CHECK(again.issues().front().code == "duplicate");
  CHECK(again.issues().front().message.find("intake") != std::string::npos);

  for (const char* id : {"", "has space", "slash/id", "semi;colon", "quote'", "ünïcode", "pipe|id", "comma,id"}) {
    CHECK(refusal(registry, client(id)).find("client id") != std::string::npos);
  }
  CHECK(!refusal(registry, client(std::string(65, 'a'))).empty());
  REQUIRE(registry.add(client(std::string(64, 'a'))));

  auto bad_org = client("bad-org");
  bad_org.organization = "Organization/x";
  CHECK(refusal(registry, bad_org).find("organization") != std::string::npos);

  for (const char* keys : {"", "not json", "{}", R"({"keys":[]})", R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})"}) {
    auto c = client(std::string("keys-") + std::to_string(std::string_view(keys).size()));
    c.jwks = keys;
    INFO(keys);
    CHECK(refusal(registry, c).find("keys") != std::string::npos);
  }

  for (const char* scopes : {"system/Observation.xyz", "system/*.rs patient/Observation.rz", "admin/*.rs", "system/observation.rs"}) {
    INFO(scopes);
    std::string message = refusal(registry, client("scoped", scopes));
    CHECK(message.find("scopes") != std::string::npos);
  }

  // Nothing refused was stored.
  auto all = registry.list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == std::string(64, 'a'));
  CHECK(all[1].id == "intake");
}

TEST_CASE("a revoked client is no longer active", "[gateway][security][clients]") {
  std::string db = database("clients-revoke");
  sec::ClientRegistry registry(db);
  REQUIRE(registry.add(client("intake")));
  REQUIRE(registry.add(client("other")));
  REQUIRE(registry.active("intake"));  // now cached

  REQUIRE(registry.revoke("intake"));
  CHECK_FALSE(registry.active("intake"));  // the registry that revoked it knows at once
  CHECK(registry.list().at(0).revoked);

  sec::ClientRegistry fresh(db);  // as a running server sees it once its cache expires
  CHECK_FALSE(fresh.active("intake"));
  CHECK(fresh.active("other"));
  CHECK(fresh.list().at(0).revoked);

  auto unknown = registry.revoke("nobody");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.issues().front().code == "not-found");
  // The id stays taken: a revoked client cannot be registered again with other keys.
  CHECK_FALSE(registry.add(client("intake")));
}

TEST_CASE("a client assertion is accepted once per client until it expires", "[gateway][security][clients]") {
  std::string db = database("clients-jti");
  sec::ClientRegistry registry(db);
  const int64_t now = 1'700'000'000'000;
  REQUIRE(registry.remember_assertion("intake", "jti-1", now + 60'000, now));
  auto replay = registry.remember_assertion("intake", "jti-1", now + 60'000, now + 1000);
  REQUIRE_FALSE(replay);
  CHECK(replay.issues().front().message.find("used before") != std::string::npos);
  // Another client may happen to use the same jti.
  CHECK(registry.remember_assertion("other", "jti-1", now + 60'000, now + 1000));
  CHECK(registry.remember_assertion("intake", "jti-2", now + 60'000, now + 1000));

  // Remembered in the database: a restarted server still refuses the replay.
  {
    sec::ClientRegistry restarted(db);
    CHECK_FALSE(restarted.remember_assertion("intake", "jti-1", now + 60'000, now + 2000));
  }

  // Once expired it is forgotten (the assertion itself would be refused as expired).
  CHECK(registry.remember_assertion("intake", "jti-1", now + 200'000, now + 61'000));
  CHECK_FALSE(registry.remember_assertion("intake", "jti-1", now + 200'000, now + 62'000));
}
