// The case-plan spec on a plan kept one action step per row: one CarePlan with an activity
// per step (each naming the goal it serves), a Goal per goal, and one CareTeam of the staff
// and partner organizations, each member once.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <map>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "agency_test_support.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

TEST_CASE("case-plan: the golden plan maps to the Bundle checked in beside it, steps linked to their goals", "[agency]") {
  auto c = carebridge::testing::shipped_converter("case-plan").convert_files({{"plan-CP-118.csv", read_text(project_sample("agency/case-plan/plan-CP-118.csv"))}}, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  REQUIRE(c.mapped.rejected.empty());
  REQUIRE(c.bundle);
  rapidjson::Document want, got;
  want.Parse(read_text(project_sample("agency/case-plan/plan-CP-118.expected.json")).c_str());
  got.Parse(carebridge::fhir::json::write(*c.bundle->root()).c_str());
  CHECK(got == want);
  CHECK(c.mapped.resources.at("CarePlan") == 1);
  CHECK(c.mapped.resources.at("Goal") == 2);
  for (const auto& e : got["entry"].GetArray()) {
    const auto& r = e["resource"];
    std::string type = r["resourceType"].GetString();
    if (type == "CarePlan") {
      REQUIRE(r["activity"].Size() == 4);
      for (const auto& a : r["activity"].GetArray()) CHECK(a["detail"]["goal"].Size() == 1);
      CHECK(std::string(r["activity"][0]["detail"]["status"].GetString()) == "completed");
    }
    if (type == "CareTeam") CHECK(r["participant"].Size() == 3);  // the staff member once, two partners
  }
}

TEST_CASE("case-plan: a step whose status is left empty is taken as Unknown, and the rest of its plan with it", "[agency]") {
  std::string sheet =
      "Plan ID,Client ID,First Name,Last Name,Plan Start,Goal,Goal Target Date,Goal Status,Action Step,Step Status,Due Date,"
      "Assigned Staff,Partner Organization\r\n"
      "CP-20,C-20,Lina,Haddad,3/1/2026,Stable income,9/30/2026,Active,Apply for SSI,,4/1/2026,Sam Lee,\r\n"
      "CP-20,C-20,Lina,Haddad,3/1/2026,Stable income,9/30/2026,Active,Job club,Scheduled,4/8/2026,Ria Roy,org-work\r\n";
  auto c = carebridge::testing::shipped_converter("case-plan").convert_files({{"plans.csv", sheet}}, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());  // FHIR requires a step's status: the plan's every row was refused for want of it
  auto bundle = carebridge::testing::bundle_of(c);
  for (const auto& e : bundle["entry"].GetArray())
    if (std::string(e["resource"]["resourceType"].GetString()) == "CarePlan") {
      REQUIRE(e["resource"]["activity"].Size() == 2);
      CHECK(std::string(e["resource"]["activity"][0]["detail"]["status"].GetString()) == "unknown");
      CHECK(std::string(e["resource"]["activity"][1]["detail"]["status"].GetString()) == "scheduled");
    }
}

// The goal's first row says it is met; a later step row of the same goal leaves its status
// blank: the goal went back to active (every row set the status a goal starts with).
TEST_CASE("case-plan: a goal's status a row gives stays when a later row of the goal leaves it blank", "[agency]") {
  std::string sheet =
      "Plan ID,Client ID,First Name,Last Name,Plan Start,Goal,Goal Target Date,Goal Status,Action Step,Step Status,Due Date,"
      "Assigned Staff,Partner Organization\r\n"
      "CP-21,C-21,Lina,Haddad,3/1/2026,Pay off utility debt,9/30/2026,Met,Call the utility,Completed,4/1/2026,Sam Lee,\r\n"
      "CP-21,C-21,Lina,Haddad,3/1/2026,Pay off utility debt,9/30/2026,,Keep receipts,Completed,4/8/2026,Sam Lee,\r\n"
      "CP-21,C-21,Lina,Haddad,3/1/2026,Find work,9/30/2026,,Job club,Scheduled,4/8/2026,Sam Lee,\r\n";
  auto c = carebridge::testing::shipped_converter("case-plan").convert_files({{"plans.csv", sheet}}, "local");
  auto bundle = carebridge::testing::bundle_of(c);
  std::map<std::string, std::string> status;
  for (const auto& e : bundle["entry"].GetArray())
    if (std::string(e["resource"]["resourceType"].GetString()) == "Goal")
      status[e["resource"]["description"]["text"].GetString()] = e["resource"]["lifecycleStatus"].GetString();
  CHECK(status["Pay off utility debt"] == "completed");
  CHECK(status["Find work"] == "active");  // none given: a goal starts active
}

TEST_CASE("case-plan: a step naming another client under a plan already given to one is refused, not put in that client's plan",
          "[agency]") {
  // A plan is one client's record: taking the row would file this client's step (and the
  // partner it names) in the other client's CarePlan, where that client's team reads it.
  std::string sheet =
      "Plan ID,Client ID,First Name,Last Name,Goal,Action Step,Step Status,Partner Organization\r\n"
      "CP-30,C-30,Ana,Ruiz,Stable housing,Apply for Section 8,In progress,org-shelter\r\n"
      "CP-30,C-31,Ben,Cole,Stable housing,Tour apartments,Not started,\r\n"
      "CP-30,C-30,Ana,Ruiz,Food security,Enroll in SNAP,Scheduled,\r\n";
  auto c = carebridge::testing::shipped_converter("case-plan").convert_files({{"plans.csv", sheet}}, "local");
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected[0].row.second == 3);
  CHECK(c.mapped.rejected[0].where == "plans.csv row 3, column \"Client ID\"");
  CHECK(c.mapped.rejected[0].message.find("row 2") != std::string::npos);
  auto bundle = carebridge::testing::bundle_of(c);
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    if (std::string(r["resourceType"].GetString()) == "CarePlan") CHECK(r["activity"].Size() == 2);
    if (std::string(r["resourceType"].GetString()) == "Patient")
      CHECK(std::string(r["identifier"][0]["value"].GetString()) == "C-30");
  }
}

TEST_CASE("case-plan: a later upload naming a stored plan of another client is refused, not moved to that client", "[agency]") {
  // Replaced by its identifier, the stored plan (and its team, its partners' access) would
  // become the new client's, its earlier steps about the first client in the history.
  auto stored = carebridge::mappings::agency::BundleRecords::from_json(R"({"resourceType":"Bundle","type":"searchset","entry":[
      {"resource":{"resourceType":"CarePlan","id":"cp40","meta":{"versionId":"1"},"status":"active","intent":"plan",
       "identifier":[{"system":"urn:carebridge:agency:agency-x:case-plan","value":"CP-40"}],
       "subject":{"reference":"Patient/p40","identifier":{"system":"urn:carebridge:agency:agency-x:client","value":"C-40"}}}},
      {"resource":{"resourceType":"CarePlan","id":"cp41","meta":{"versionId":"1"},"status":"active","intent":"plan",
       "identifier":[{"system":"urn:carebridge:agency:agency-x:case-plan","value":"CP-41"}],
       "subject":{"reference":"Patient/p41"}}}]})");
  REQUIRE(stored.ok());
  std::string header = "Plan ID,Client ID,First Name,Last Name,Goal,Action Step,Step Status\r\n";
  auto& converter = carebridge::testing::shipped_converter("case-plan");
  auto c = converter.convert_files({{"plans.csv", header + "CP-40,C-50,Ben,Cole,Find work,Job club,Scheduled\r\n"
                                                           "CP-40,C-40,Ana,Ruiz,Stable housing,Tour apartments,Not started\r\n"
                                                           "CP-41,C-51,Eve,Ng,Food security,Enroll in SNAP,Scheduled\r\n"}},
                                   "agency-x", {}, &*stored);
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  // Row 3 is the plan's own client; row 4's stored plan does not say its client (stored before it was written).
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected[0].where == "plans.csv row 2, column \"Client ID\"");
  CHECK(c.mapped.rejected[0].message.starts_with("this Plan ID is another client's plan"));
  auto bundle = carebridge::testing::bundle_of(c);
  for (const auto& e : bundle["entry"].GetArray())
    if (std::string(e["resource"]["resourceType"].GetString()) == "Patient")
      CHECK(std::string(e["resource"]["identifier"][0]["value"].GetString()) != "C-50");
}

TEST_CASE("case-plan: a partner that is no record's id is refused at its cell, once, the other rows taken", "[agency]") {
  // "Organization/org/../x" would be a reference to no record (a path, not an id).
  std::string sheet =
      "Plan ID,Client ID,First Name,Last Name,Plan Start,Goal,Goal Target Date,Goal Status,Action Step,Step Status,Due Date,"
      "Assigned Staff,Partner Organization\r\n"
      "CP-30,C-30,Lina,Haddad,3/1/2026,Stable income,9/30/2026,Active,Apply for SSI,Scheduled,4/1/2026,Sam Lee,org/../x\r\n"
      "CP-31,C-31,Omar,Haddad,3/1/2026,Stable income,9/30/2026,Active,Job club,Scheduled,4/8/2026,Ria Roy,org-work\r\n";
  auto c = carebridge::testing::shipped_converter("case-plan").convert_files({{"plans.csv", sheet}}, "local");
  size_t told = 0;
  for (const auto& p : c.mapped.rejected) {
    INFO(p.where << ": " << p.message);
    CHECK(p.where == "plans.csv row 2, column \"Partner Organization\"");
    told += p.message.find("org/../x") != std::string::npos;
  }
  CHECK(told == 1);
  std::string written = carebridge::fhir::json::write(*c.bundle->root());
  CHECK(written.find("org/../x") == std::string::npos);
  CHECK(written.find("Organization/org-work") != std::string::npos);
}
