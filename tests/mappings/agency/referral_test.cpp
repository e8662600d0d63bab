// The referral-request spec on a referral log written the way a clinic keeps one: the golden
// sample maps to the Bundle checked in beside it; each referral is a ServiceRequest with its
// SDOH category, a Task for the receiving organization (status requested, the Gravity
// workflow's start, created once) and the Consent on file; a referral without consent on
// file, or a Referral ID given twice with other values, is refused, saying why.
#include <algorithm>
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "agency_test_support.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

namespace {

agency::AgencyConversion map_sample() {
  return carebridge::testing::shipped_converter("referral-request").convert_files(
      {{"referrals-2026-11.csv", read_text(project_sample("agency/referral-request/referrals-2026-11.csv"))}}, "local");
}


// Clinic A's referral R-1 as the gateway holds it: `status` (accepted) by `owner`.
auto stored_referral_task(const std::string& owner, const std::string& status = "accepted") {
  return agency::BundleRecords::from_json(
      R"({"resourceType":"Bundle","type":"searchset","entry":[{"resource":
      {"resourceType":"Task","id":"t1","meta":{"versionId":"2"},"status":")" + status + R"(","intent":"order",
       "identifier":[{"system":"urn:carebridge:agency:clinic-a:referral-task","value":"R-1"}],
       "owner":{"reference":"Organization/)" + owner + R"("}}}]})");
}

}  // namespace

std::string reasons(const agency::AgencyConversion& c) {
  std::string out;
  for (const auto& p : c.mapped.rejected) out += p.where + ": " + p.message + "\n";
  return out;
}

constexpr const char* kLogHeader =
    "Referral ID,Referral Date,Client ID,First Name,Last Name,Date of Birth,Phone,Need,Service Requested,"
    "Receiving Organization,Urgency,Consent on File,Consent Date,Referred By,Notes\r\n";

agency::AgencyConversion map_log(const std::string& rows) {
  return carebridge::testing::shipped_converter("referral-request").convert_files({{"log.csv", kLogHeader + rows}}, "local");
}

TEST_CASE("referral-request: the golden sample maps to the Bundle checked in beside it", "[agency]") {
  auto c = map_sample();
  INFO(reasons(c));
  // The third referral's consent is not signed yet: it waits, refused (see the next cases).
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected[0].where == "referrals-2026-11.csv row 4, column \"Consent on File\"");
  REQUIRE(c.bundle);
  rapidjson::Document want, got;
  want.Parse(read_text(project_sample("agency/referral-request/referrals-2026-11.expected.json")).c_str());
  got.Parse(carebridge::fhir::json::write(*c.bundle->root()).c_str());
  CHECK(got == want);
}

TEST_CASE("referral-request: a Task for the receiving organization per referral, a Consent only when on file", "[agency]") {
  auto c = map_sample();
  REQUIRE(c.bundle);
  CHECK(c.mapped.resources.at("ServiceRequest") == 2);  // the third referral's consent is not signed yet
  CHECK(c.mapped.resources.at("Task") == 2);
  CHECK(c.mapped.resources.at("Consent") == 2);
  CHECK(c.mapped.resources.at("Patient") == 2);
  rapidjson::Document bundle;
  bundle.Parse(carebridge::fhir::json::write(*c.bundle->root()).c_str());
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    std::string type = r["resourceType"].GetString();
    if (type == "Task") {
      CHECK(std::string(r["status"].GetString()) == "requested");
      CHECK(std::string(r["owner"]["reference"].GetString()).starts_with("Organization/org-"));
      CHECK(std::string(r["focus"]["reference"].GetString()).starts_with("urn:uuid:"));
      // Created once: the log sent again never resets a referral its organization moved on.
      CHECK(std::string(e["request"]["method"].GetString()) == "POST");
      CHECK(std::string(e["request"]["ifNoneExist"].GetString()).starts_with("identifier=urn:carebridge:agency:local:referral-task%7C"));
    }
    if (type == "ServiceRequest" && std::string(r["code"]["text"].GetString()) == "Emergency shelter placement") {
      CHECK(std::string(r["category"][1]["coding"][0]["code"].GetString()) == "housing-instability");
      CHECK(std::string(r["priority"].GetString()) == "urgent");
    }
  }
}

TEST_CASE("referral-request: a referral without the client's consent on file is refused, and nothing of it is made", "[agency]") {
  auto c = map_log("R-1,1/11/2026,K-1,Rosa,Diaz,5/5/1970,,Transportation,Rides to dialysis,org-rides,Routine,No,,Dr. Lin,\r\n"
                   "R-2,1/11/2026,K-2,Mei,Chen,7/7/1990,,Food,Pantry,org-foodbank,Routine,Yes,1/11/2026,Dr. Lin,\r\n");
  INFO(reasons(c));
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected[0].where == "log.csv row 2, column \"Consent on File\"");
  CHECK(c.mapped.rejected[0].message.starts_with("the client's consent to share this referral with the organization is not on file"));
  // No Task opens Rosa's records to the rides organization: nothing of her row is there.
  CHECK(c.mapped.resources.at("Task") == 1);
  CHECK(c.mapped.resources.at("Patient") == 1);
  REQUIRE(c.bundle);
  std::string text = carebridge::fhir::json::write(*c.bundle->root());
  CHECK(text.find("org-rides") == std::string::npos);
  CHECK(text.find("Diaz") == std::string::npos);
}

TEST_CASE("referral-request: a Referral ID given again with other values is refused, naming both rows", "[agency]") {
  auto c = map_log("RQ-6,1/12/2026,K-5,Ana,Dup,7/7/1990,,Food,Pantry,org-foodbank,Routine,Yes,1/12/2026,Dr. Lin,\r\n"
                   "RQ-6,1/12/2026,K-5,Ana,Dup,7/7/1990,,Housing,Shelter,org-shelter,Urgent,Yes,1/12/2026,Dr. Lin,\r\n"
                   "RQ-7,1/12/2026,K-5,Ana,Dup,7/7/1990,,Food,Pantry,org-foodbank,Routine,Yes,1/12/2026,Dr. Lin,\r\n"
                   "RQ-7,1/12/2026,K-5,Ana,Dup,7/7/1990,,Food,Pantry,org-foodbank,Routine,Yes,,Dr. Lin,again\r\n");
  INFO(reasons(c));
  REQUIRE(c.mapped.rejected.size() == 1);  // RQ-7's second row says nothing else: taken
  CHECK(c.mapped.rejected[0].where == "log.csv row 3, column \"Need\"");
  CHECK(c.mapped.rejected[0].message.starts_with("Referral ID \"RQ-6\" is on row 2 too, with other values: Need \"Food\" there, "
                                                 "\"Housing\" here; Service Requested \"Pantry\" there, \"Shelter\" here;"));
  CHECK(c.mapped.rejected[0].message.find("A conflicting duplicate: this row is not taken") != std::string::npos);
  auto bundle = carebridge::testing::bundle_of(c);
  for (const auto& e : bundle["entry"].GetArray())
    if (std::string(e["resource"]["resourceType"].GetString()) == "ServiceRequest")
      CHECK(e["resource"]["performer"].Size() == 1);  // one receiver, not the two rows' merged
}

TEST_CASE("referral-request: a referral already sent to one organization and logged again for another is refused, nothing stored",
          "[agency]") {
  // The Task stays with the organization it was sent to (created once): taking the row would
  // make the Consent name the new organization while the first kept the Task and the client's records.
  auto stored = stored_referral_task("org-shelter");
  REQUIRE(stored.ok());
  std::string log = std::string(kLogHeader) +
                    "R-1,1/11/2026,K-1,Rosa,Diaz,5/5/1970,,Housing,Shelter bed,org-foodbank,Routine,Yes,1/11/2026,Dr. Lin,\r\n"
                    "R-2,1/11/2026,K-2,Mei,Chen,7/7/1990,,Food,Pantry,org-foodbank,Routine,Yes,1/11/2026,Dr. Lin,\r\n";
  auto& converter = carebridge::testing::shipped_converter("referral-request");
  auto moved = converter.convert_files({{"log.csv", log}}, "clinic-a", {}, &*stored);
  INFO(reasons(moved));
  REQUIRE(moved.mapped.rejected.size() == 1);
  CHECK(moved.mapped.rejected[0].where == "log.csv row 2, column \"Receiving Organization\"");
  CHECK(moved.mapped.rejected[0].message.starts_with("this referral was already sent to another organization"));
  CHECK(moved.mapped.resources.at("Consent") == 1);  // R-2's only
  // The same referral logged again for the organization that holds it is taken.
  auto same = converter.convert_files(
      {{"log.csv", std::string(kLogHeader) +
                       "R-1,1/11/2026,K-1,Rosa,Diaz,5/5/1970,,Housing,Shelter bed,org-shelter,Routine,Yes,1/11/2026,Dr. Lin,\r\n"}},
      "clinic-a", {}, &*stored);
  INFO(reasons(same));
  CHECK(same.mapped.rejected.empty());
}

TEST_CASE("referral-request: a referral sent with consent and logged again with No is cancelled and its Consent ended",
          "[agency]") {
  // The client withdrew consent: refusing the row (nothing stored) left the organization its
  // Task, so the client's records stayed open to it. A referral never sent is still refused.
  auto stored = stored_referral_task("org-foodbank");
  REQUIRE(stored.ok());
  std::string log = std::string(kLogHeader) +
                    "R-1,1/11/2026,K-1,Rosa,Diaz,5/5/1970,,Food,Pantry,org-foodbank,Routine,No,1/11/2026,Dr. Lin,withdrew\r\n"
                    "R-2,1/11/2026,K-2,Mei,Chen,7/7/1990,,Food,Pantry,org-foodbank,Routine,No,,Dr. Lin,\r\n";
  auto c = carebridge::testing::shipped_converter("referral-request").convert_files({{"log.csv", log}}, "clinic-a", {}, &*stored);
  INFO(reasons(c));
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected[0].where == "log.csv row 3, column \"Consent on File\"");
  auto bundle = carebridge::testing::bundle_of(c);
  int tasks = 0, consents = 0;
  for (const auto& e : bundle["entry"].GetArray()) {
    std::string type = e["resource"]["resourceType"].GetString();
    if (type == "Task") {
      ++tasks;
      CHECK(std::string(e["request"]["url"].GetString()) == "Task/t1");
      CHECK(std::string(e["resource"]["status"].GetString()) == "cancelled");
      CHECK(std::string(e["resource"]["owner"]["reference"].GetString()) == "Organization/org-foodbank");
    }
    if (type == "Consent") {
      ++consents;
      CHECK(std::string(e["resource"]["status"].GetString()) == "inactive");
    }
    if (type == "ServiceRequest") {  // revoked, and no longer open to the organization as its performer
      CHECK(std::string(e["resource"]["status"].GetString()) == "revoked");
      CHECK(!e["resource"].HasMember("performer"));
    }
  }
  CHECK(tasks == 1);
  CHECK(consents == 1);
}

TEST_CASE("referral-request: consent withdrawn from a completed referral ends the Consent and leaves the Task completed",
          "[agency]") {
  // The client may always withdraw consent. Refusing the row left the Consent active; the
  // completed Task (and the service it records) is the organization's history and stays.
  auto stored = stored_referral_task("org-foodbank", "completed");
  REQUIRE(stored.ok());
  std::string log = std::string(kLogHeader) +
                    "R-1,1/11/2026,K-1,Rosa,Diaz,5/5/1970,,Food,Pantry,org-foodbank,Routine,No,1/11/2026,Dr. Lin,withdrew\r\n";
  auto c = carebridge::testing::shipped_converter("referral-request").convert_files({{"log.csv", log}}, "clinic-a", {}, &*stored);
  INFO(reasons(c));
  CHECK(c.mapped.rejected.empty());
  bool warned = std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(), [](const std::string& w) {
    return w.starts_with("log.csv row 2, column \"Consent on File\": the referral has ended");
  });
  CHECK(warned);
  auto bundle = carebridge::testing::bundle_of(c);
  int consents = 0;
  for (const auto& e : bundle["entry"].GetArray()) {
    std::string type = e["resource"]["resourceType"].GetString();
    CHECK(type != "Task");
    CHECK(type != "ServiceRequest");
    if (type == "Consent") {
      ++consents;
      CHECK(std::string(e["resource"]["status"].GetString()) == "inactive");
    }
  }
  CHECK(consents == 1);
}
