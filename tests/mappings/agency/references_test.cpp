// References between a export's records, whatever order the rows come in, and identities
// whose values hold the characters FHIR search gives a meaning (a comma, a bar).
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <fstream>

#include "mappings/agency/mapper.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::temp_dir;

namespace {

// Stored records that answer whether a conditional reference names one: `stored` does.
struct FakeRecords : agency::Records {
  std::string stored;
  std::optional<std::string> read(const std::string&, const std::string&) const override { return std::nullopt; }
  std::optional<bool> resolves(const std::string& reference) const override { return reference == stored; }
};

agency::MappedExport map_directory(const std::string& csv_text, const agency::Records* records = nullptr) {
  auto dir = temp_dir("agency-references");
  std::ofstream(dir / "spec.json") << R"({
  "name": "directory",
  "identifierSystems": {"org": "urn:test:org"},
  "columns": [{"name": "Id", "key": "id", "required": true}, {"name": "Name", "key": "name"}, {"name": "Parent", "key": "parent"}],
  "resources": [{"id": "o", "type": "Organization", "identity": {"system": "org", "value": "{id}"},
                 "set": {"name": "{name}", "partOf": "@Organization:org:{parent}"}}]
})";
  auto spec = agency::load_spec(dir / "spec.json", core());
  REQUIRE(spec.ok());
  agency::Mapper mapper(std::make_shared<const agency::Spec>(*spec));
  auto table = csv::read_csv(csv_text, "orgs.csv");
  REQUIRE(table.ok());
  return mapper.map({*table}, {}, "local", true, records);
}

}  // namespace

TEST_CASE("agency references: a record refers to one the export lists later, and to a stored one it does not list",
          "[agency]") {
  auto mapped = map_directory("Id,Name,Parent\r\nC,Child,P\r\nP,Parent,\r\nX,Orphan,Q\r\n");
  rapidjson::Document bundle;
  bundle.Parse(mapped.bundle.c_str());
  REQUIRE(bundle.IsObject());
  const auto& entries = bundle["entry"];
  std::string parent_url = entries[1]["fullUrl"].GetString();
  CHECK(std::string(entries[0]["resource"]["partOf"]["reference"].GetString()) == parent_url);
  CHECK(std::string(entries[2]["resource"]["partOf"]["reference"].GetString()) == "Organization?identifier=urn:test:org%7CQ");
  CHECK(mapped.bundle.find('\x01') == std::string::npos);
}

TEST_CASE("agency references: an identity with a comma or a bar is one search value", "[agency]") {
  auto mapped = map_directory("Id,Name,Parent\r\n\"Jobs, housing|food\",Hub,\r\n");
  rapidjson::Document bundle;
  bundle.Parse(mapped.bundle.c_str());
  CHECK(std::string(bundle["entry"][0]["request"]["url"].GetString()) ==
        "Organization?identifier=urn:test:org%7CJobs%5C%2C%20housing%5C%7Cfood");
}

TEST_CASE("agency references: a record named nowhere — not in the export, not stored — refuses the row that names it",
          "[agency]") {
  const std::string orgs = "Id,Name,Parent\r\nC,Child,P\r\nP,Parent,\r\nX,Orphan,Q\r\nY,Other,S\r\n";
  FakeRecords records;
  records.stored = "Organization?identifier=urn:test:org%7CS";
  auto mapped = map_directory(orgs, &records);
  // Stored, it would fail the whole upload at the store (a 412): the row is refused before.
  REQUIRE(mapped.dangling.size() == 1);
  CHECK(mapped.dangling[0].where == "orgs.csv row 4, column \"Parent\"");
  CHECK(mapped.dangling[0].message == "there is no Organization \"Q\" (by its org identifier) in the export or on the gateway");
  // Offline nothing can say whether the gateway holds it: kept, with a warning.
  auto offline = map_directory(orgs);
  CHECK(offline.dangling.empty());
  REQUIRE(offline.warnings.size() == 2);
  CHECK(offline.warnings[0].starts_with("orgs.csv row 4, column \"Parent\": there is no Organization \"Q\" (by its org identifier) in the export, so the "
                                        "gateway must hold it already"));
}
