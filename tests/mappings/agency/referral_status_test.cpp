// The referral-status spec on the status file a community organization sends back, against
// the Tasks as the gateway stores them (a searchset, as `carebridge map --records` reads
// it): the golden sample maps to the Bundle checked in beside it; each row changes its
// stored Task (the rest of the Task kept, the version it was read at pinned), a completed
// one gets a Procedure about the Task's client; a status the Task cannot move to, a Task
// that is not there and a malformed id are refused, row by row, saying why.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "agency_test_support.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/records.h"

using namespace carebridge::mappings;
using carebridge::testing::bundle_of;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

namespace {

const agency::AgencyConverter& converter() { return carebridge::testing::shipped_converter("referral-status"); }

const agency::BundleRecords& stored_tasks() {
  static auto records = agency::BundleRecords::from_json(read_text(project_sample("agency/referral-status/status-2026-11.records.json")));
  REQUIRE(records.ok());
  return *records;
}

agency::AgencyConversion map_status(const std::string& csv) {
  return converter().convert_files({{"status.csv", csv}}, "org-eastside-pantry", {}, &stored_tasks());
}

std::string status_file(const std::string& rows) { return "Task ID,Status,Reason,Service Date,Service Provided\r\n" + rows; }

constexpr const char* kRequested = "7d1e4c2a-5b8f-4e61-9a0d-3c7b2f19e804";
constexpr const char* kAccepted = "2b9c6f3d-0e47-4d1a-8b5c-71f8e2a9d406";

std::string reasons(const agency::AgencyConversion& c) {
  std::string out;
  for (const auto& p : c.mapped.rejected) out += p.where + ": " + p.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("referral-status: the golden sample maps to the Bundle checked in beside it", "[agency][referral]") {
  auto c = converter().convert_files(
      {{"status-2026-11.csv", read_text(project_sample("agency/referral-status/status-2026-11.csv"))}}, "local", {},
      &stored_tasks());
  INFO(reasons(c));
  REQUIRE(c.mapped.rejected.empty());
  rapidjson::Document want;
  want.Parse(read_text(project_sample("agency/referral-status/status-2026-11.expected.json")).c_str());
  CHECK(bundle_of(c) == want);
  CHECK(c.mapped.resources.at("Task") == 5);
  CHECK(c.mapped.resources.at("Procedure") == 2);  // the two completed referrals
}

TEST_CASE("referral-status: a row changes its stored Task, pinned to the version read, and keeps the rest", "[agency][referral]") {
  auto c = map_status(status_file(std::string(kAccepted) + ",Completed,,11/20/2026,Food box\r\n"));
  INFO(reasons(c));
  auto bundle = bundle_of(c);
  REQUIRE(bundle["entry"].Size() == 2);
  const auto& procedure = bundle["entry"][0];
  const auto& task = bundle["entry"][1];
  CHECK(std::string(task["request"]["url"].GetString()) == std::string("Task/") + kAccepted);
  CHECK(std::string(task["request"]["ifMatch"].GetString()) == "W/\"2\"");
  CHECK(std::string(task["resource"]["status"].GetString()) == "completed");
  CHECK(std::string(task["resource"]["authoredOn"].GetString()) == "2026-11-03");  // as stored
  CHECK(std::string(task["resource"]["identifier"][0]["value"].GetString()) == "R-2B9C");
  CHECK(!task["resource"].HasMember("meta"));  // the server gives the next version its own
  std::string output = task["resource"]["output"][0]["valueReference"]["reference"].GetString();
  CHECK(output == procedure["request"]["url"].GetString());  // Procedure/id: the same on every upload
  CHECK(std::string(procedure["resource"]["subject"]["reference"].GetString()) ==
        "Patient/8e21c5f4-3d7a-4b90-a6e8-1f4c9b2d7a05");  // the Task's client
}

TEST_CASE("referral-status: a status the Task cannot move to is refused at its cell, a status file may skip steps",
          "[agency][referral]") {
  // requested → completed passes through accepted and in-progress: taken.
  CHECK(map_status(status_file(std::string(kRequested) + ",Completed,,11/20/2026,\r\n")).mapped.rejected.empty());
  // accepted → declined is not a move the Task state machine has (accepted goes on to in-progress or is cancelled).
  auto declined = map_status(status_file(std::string(kRequested) + ",Accepted,,,\r\n" + kAccepted + ",Declined,Too far,,\r\n"));
  CHECK(declined.mapped.accepted() == 1);
  CHECK(reasons(declined) == std::string("status.csv row 3, column \"Status\": Task \"") + kAccepted +
                                 "\" is \"accepted\" and cannot become \"rejected\" (after \"accepted\" comes ready, "
                                 "in-progress or cancelled)\n");
  // A service is given on a day that has come: one dated after today is refused at its cell.
  auto ahead = map_status(status_file(std::string(kRequested) + ",Completed,,01/01/2099,\r\n"));
  CHECK(ahead.mapped.accepted() == 0);
  CHECK(reasons(ahead).find("row 2, column \"Service Date\": the service date is after today") != std::string::npos);
  // Two rows for one Task: the second moves on from where the first left it.
  auto twice = map_status(status_file(std::string(kRequested) + ",Completed,,11/20/2026,\r\n" + kRequested + ",Accepted,,,\r\n"));
  CHECK(twice.mapped.accepted() == 1);
  CHECK(reasons(twice).find("row 3, column \"Status\": Task \"" + std::string(kRequested) + "\" is \"completed\"") !=
        std::string::npos);
}

TEST_CASE("referral-status: a Task that is not there, or an id that cannot be one, is refused and the other rows are taken",
          "[agency][referral]") {
  auto c = map_status(status_file("0000-not-here,Accepted,,,\r\nTask 12/7,Accepted,,,\r\n" + std::string(kRequested) +
                                  ",Received,,,\r\n"));
  CHECK(c.mapped.accepted() == 1);
  CHECK(reasons(c) ==
        "status.csv row 2, column \"Task ID\": there is no Task \"0000-not-here\" here, or it is not your organization's to change\n"
        "status.csv row 3, column \"Task ID\": \"Task 12/7\" is not a record id (letters, digits, - and . only, at most 64)\n");
  // Without the stored records (a file mapped on its own), no row can be taken.
  auto alone = converter().convert_files({{"status.csv", status_file(std::string(kRequested) + ",Received,,,\r\n")}});
  CHECK(alone.mapped.accepted() == 0);
  CHECK(!alone.bundle);
}

TEST_CASE("referral-status: only the organization a referral is addressed to may change it", "[agency][referral]") {
  auto c = converter().convert_files({{"status.csv", status_file(std::string(kRequested) + ",Completed,,11/20/2026,\r\n")}},
                                     "org-riverside-clinic", {}, &stored_tasks());
  CHECK(c.mapped.accepted() == 0);
  CHECK(reasons(c) == "status.csv row 2, column \"Task ID\": this referral is not addressed to your organization, so only "
                      "its receiver can change where it stands\n");
}
