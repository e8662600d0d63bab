// Which organizations care for which patients follows the stored versions: a relationship
// is made by a commit, changed by an update, undone by a deletion or a rolled-back
// commit, and the same after a restart (read back from the store).
#include <catch2/catch.hpp>

#include <memory>

#include "gateway/security/access_facts.h"
#include "gateway/security/care_relationships.h"
#include "gateway/store/sqlite_store.h"
#include "support/test_support.h"

using namespace carebridge;
using namespace carebridge::gateway;

namespace {

// A version of `type`/`id` whose access facts name `patient`, owned by `owner` and, for a
// care relationship, addressed to `parties` (empty `owner` and no parties: a deletion).
store::Write version(const std::string& type, const std::string& id, int64_t v, const std::string& owner,
                     const std::string& patient, std::vector<std::string> parties = {}, bool deleted = false) {
  security::AccessFacts facts;
  facts.owner = owner;
  facts.patients = {patient};
  facts.parties = std::move(parties);
  facts.relationship = type != "Patient";
  store::Write w;
  w.record = {type, id, v, "2026-11-28T10:00:00.000Z", 1795860000000 + v, deleted, deleted ? "DELETE" : "PUT",
              deleted ? "" : R"({"resourceType":")" + type + R"(","id":")" + id + R"("})", security::encode(facts)};
  w.expected_version = v - 1;
  return w;
}

}  // namespace

TEST_CASE("care relationships follow creates, updates, deletions and restarts", "[gateway][security][relationships]") {
  store::SqliteOptions options;
  options.directory = testing::temp_dir("relationships");
  {
    store::SqliteStore store(options);
    auto relationships = std::make_shared<security::CareRelationships>();
    store.add_commit_hook(relationships);
    REQUIRE(store.commit({version("Patient", "p1", 1, "clinic", "p1")}).ok());
    CHECK(relationships->related("clinic", "p1"));
    CHECK_FALSE(relationships->related("shelter", "p1"));

    // A care team makes the shelter a carer; an update moving it to the food bank undoes that.
    REQUIRE(store.commit({version("CareTeam", "t1", 1, "clinic", "p1", {"shelter"})}).ok());
    CHECK(relationships->related("shelter", "p1"));
    REQUIRE(store.commit({version("CareTeam", "t1", 2, "clinic", "p1", {"foodbank"})}).ok());
    CHECK_FALSE(relationships->related("shelter", "p1"));
    CHECK(relationships->related("foodbank", "p1"));

    // Two resources making one pair: deleting one keeps it, deleting both ends it.
    REQUIRE(store.commit({version("EpisodeOfCare", "e1", 1, "clinic", "p1", {"foodbank"})}).ok());
    REQUIRE(store.commit({version("CareTeam", "t1", 3, "", "p1", {}, true)}).ok());
    CHECK(relationships->related("foodbank", "p1"));
    REQUIRE(store.commit({version("EpisodeOfCare", "e1", 2, "", "p1", {}, true)}).ok());
    CHECK_FALSE(relationships->related("foodbank", "p1"));

    // A deleted team written again makes its pairs again, and only once.
    REQUIRE(store.commit({version("CareTeam", "t1", 4, "clinic", "p1", {"shelter"})}).ok());
    CHECK(relationships->related("shelter", "p1"));
    REQUIRE(store.commit({version("CareTeam", "t1", 5, "clinic", "p1", {"foodbank"})}).ok());
    CHECK_FALSE(relationships->related("shelter", "p1"));

    // A commit that fails (a version conflict) makes nothing.
    auto conflict = version("CareTeam", "t2", 1, "clinic", "p1", {"outreach"});
    conflict.expected_version = 3;
    CHECK_FALSE(store.commit({conflict}).ok());
    CHECK_FALSE(relationships->related("outreach", "p1"));

    REQUIRE(store.commit({version("Patient", "p1", 2, "", "p1", {}, true)}).ok());
    CHECK_FALSE(relationships->related("clinic", "p1"));
  }
  store::SqliteStore store(options);
  security::CareRelationships reloaded;
  reloaded.load(store);
  CHECK(reloaded.related("foodbank", "p1"));
  CHECK_FALSE(reloaded.related("shelter", "p1"));
  CHECK_FALSE(reloaded.related("clinic", "p1"));
}
