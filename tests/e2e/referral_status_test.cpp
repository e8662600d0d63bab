// The Gravity referral loop through the ways in for agencies without FHIR: a clinic sends
// its referral log (POST /ingest/referral-request), the community organization the
// referral is addressed to sends back its status file (POST /ingest/referral-status) —
// each row moves the referral's Task only as the Task state machine allows, and a
// completed one gets a Procedure about the client — the clinic sees where its referral
// is, the same status file twice changes nothing, and an organization the referral is not
// addressed to cannot touch it.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "security_support.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

using carebridge::gateway::http::Headers;

rapidjson::Document json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  REQUIRE(d.IsObject());
  return d;
}

Headers csv_as(const Headers& token) {
  Headers h = token;
  for (auto& [name, value] : h)
    if (name == "Content-Type") value = "text/csv";
  return h;
}

std::string referral_log() {
  return "Referral ID,Referral Date,Client ID,First Name,Last Name,Date of Birth,Need,Service Requested,"
         "Receiving Organization,Urgency,Consent on File,Consent Date\r\n"
         "R-77,11/9/2026,C-1,Colin,Abbas,2/17/1969,Food,Help applying to the food pantry program,org-pantry,Routine,Yes,11/9/2026\r\n";
}

std::string status_file(const std::string& task, const std::string& row) {
  return "Task ID,Status,Reason,Service Date,Service Provided,Staff,Notes\r\n" + task + "," + row + "\r\n";
}

std::string reasons(const rapidjson::Document& report) {
  std::string out;
  for (const auto& r : report["rejected"].GetArray()) out += std::string(r["where"].GetString()) + ": " + r["reason"].GetString() + "\n";
  return out;
}

}  // namespace

TEST_CASE("referral status: the community organization moves the Task forward only, and the clinic sees it",
          "[e2e][agency][referral]") {
  SecuredGateway g("referral-status", {{"clinic", "org-clinic", "system/*.cruds"},
                                       {"pantry", "org-pantry", "system/*.cruds"},
                                       {"stranger", "org-other", "system/*.cruds"}});
  auto& http = g.http();
  auto clinic = SecuredGateway::as(g.token("clinic"));
  auto pantry = SecuredGateway::as(g.token("pantry"));
  auto stranger = SecuredGateway::as(g.token("stranger"));
  auto sent = http.post("/ingest/referral-request?file=referrals.csv", referral_log(), csv_as(clinic));
  INFO(sent.body);
  REQUIRE(sent.status == 200);

  // The pantry finds the Task addressed to it, as its page or script would.
  auto addressed = json(http.get("/fhir/Task?owner=Organization/org-pantry", pantry).body);
  REQUIRE(addressed["total"].GetInt() == 1);
  const auto& task = addressed["entry"][0]["resource"];
  std::string id = task["id"].GetString(), client = task["for"]["reference"].GetString();
  std::string request = task["focus"]["reference"].GetString();

  // The clinic that sent the referral cannot say it was done: only its receiver can.
  auto own = json(http.post("/ingest/referral-status?file=status.csv", status_file(id, "Completed,,11/20/2026,,,"), csv_as(clinic)).body);
  CHECK(own["accepted"].GetInt() == 0);
  CHECK(reasons(own).find("not addressed to your organization") != std::string::npos);
  auto accepted = http.post("/ingest/referral-status?file=status.csv", status_file(id, "Accepted,,,,,"), csv_as(pantry));
  INFO(accepted.body);
  REQUIRE(accepted.status == 200);
  CHECK(json(accepted.body)["accepted"].GetInt() == 1);
  auto done_file = status_file(id, "Completed,,11/20/2026,Food box delivered,M. Ortiz,Back in 30 days");
  REQUIRE(http.post("/ingest/referral-status?file=status.csv", done_file, csv_as(pantry)).status == 200);

  // The clinic sees its referral completed, with the service delivered as its output.
  auto seen = json(http.get("/fhir/Task/" + id, clinic).body);
  CHECK(std::string(seen["status"].GetString()) == "completed");
  CHECK(std::string(seen["intent"].GetString()) == "order");  // the rest of the Task is as the clinic sent it
  CHECK(std::string(seen["focus"]["reference"].GetString()) == request);
  REQUIRE(seen.HasMember("output"));
  std::string procedure = seen["output"][0]["valueReference"]["reference"].GetString();
  auto service = json(http.get("/fhir/" + procedure, pantry).body);
  CHECK(std::string(service["subject"]["reference"].GetString()) == client);
  CHECK(std::string(service["basedOn"][0]["reference"].GetString()) == request);
  CHECK(std::string(service["performedDateTime"].GetString()) == "2026-11-20");
  std::string version = seen["meta"]["versionId"].GetString();

  // The same file again changes nothing: no new version, one output.
  auto again = http.post("/ingest/referral-status?file=status.csv", done_file, csv_as(pantry));
  INFO(again.body);
  REQUIRE(again.status == 200);
  auto after = json(http.get("/fhir/Task/" + id, clinic).body);
  CHECK(std::string(after["meta"]["versionId"].GetString()) == version);
  CHECK(after["output"].Size() == 1);

  // Back to accepted: refused, saying why; the Task stays completed.
  auto back = http.post("/ingest/referral-status?file=status.csv", status_file(id, "Accepted,,,,,"), csv_as(pantry));
  auto report = json(back.body);
  INFO(back.body);
  CHECK(report["accepted"].GetInt() == 0);
  CHECK(reasons(report).find("status.csv row 2, column \"Status\": Task \"" + id +
                             "\" is \"completed\" and cannot become \"accepted\"") != std::string::npos);
  CHECK(std::string(json(http.get("/fhir/Task/" + id, clinic).body)["status"].GetString()) == "completed");

  // An organization the referral is not addressed to cannot see the Task, so cannot change it.
  auto theirs = http.post("/ingest/referral-status?file=status.csv", status_file(id, "Cancelled,,,,,"), csv_as(stranger));
  auto refused = json(theirs.body);
  CHECK(refused["accepted"].GetInt() == 0);
  CHECK(reasons(refused).find("there is no Task \"" + id + "\" here") != std::string::npos);
  CHECK(std::string(json(http.get("/fhir/Task/" + id, clinic).body)["status"].GetString()) == "completed");
}

TEST_CASE("referral request: the clinic's log sent again leaves a referral its organization moved on as it is",
          "[e2e][agency][referral]") {
  SecuredGateway g("referral-resend", {{"clinic", "org-clinic", "system/*.cruds"}, {"pantry", "org-pantry", "system/*.cruds"}});
  auto& http = g.http();
  auto clinic = SecuredGateway::as(g.token("clinic"));
  auto pantry = SecuredGateway::as(g.token("pantry"));
  REQUIRE(http.post("/ingest/referral-request?file=referrals.csv", referral_log(), csv_as(clinic)).status == 200);
  auto addressed = json(http.get("/fhir/Task?owner=Organization/org-pantry", pantry).body);
  REQUIRE(addressed["total"].GetInt() == 1);
  std::string id = addressed["entry"][0]["resource"]["id"].GetString();
  auto done = status_file(id, "Completed,,11/20/2026,Food box delivered,M. Ortiz,Back in 30 days");
  REQUIRE(http.post("/ingest/referral-status?file=status.csv", done, csv_as(pantry)).status == 200);
  std::string version = json(http.get("/fhir/Task/" + id, clinic).body)["meta"]["versionId"].GetString();

  // The same log again: the Task is the pantry's to move now, so it stays completed, with
  // its output, end date and note, in the same version; still one Task for the referral.
  auto again = http.post("/ingest/referral-request?file=referrals.csv", referral_log(), csv_as(clinic));
  INFO(again.body);
  REQUIRE(again.status == 200);
  auto after = json(http.get("/fhir/Task/" + id, clinic).body);
  CHECK(std::string(after["status"].GetString()) == "completed");
  CHECK(std::string(after["meta"]["versionId"].GetString()) == version);
  CHECK(after.HasMember("output"));
  CHECK(after.HasMember("executionPeriod"));
  CHECK(after.HasMember("note"));
  CHECK(json(http.get("/fhir/Task?owner=Organization/org-pantry", pantry).body)["total"].GetInt() == 1);
}

TEST_CASE("referral request: a referral to an organization the gateway does not know is refused at its column",
          "[e2e][agency][referral]") {
  SecuredGateway g("referral-unknown", {{"clinic", "org-clinic", "system/*.cruds"}, {"pantry", "org-pantry", "system/*.cruds"}});
  auto& http = g.http();
  auto clinic = SecuredGateway::as(g.token("clinic"));
  // A stored Organization is known too, though no one of it is registered.
  std::string hub = R"({"resourceType":"Organization","id":"org-hub","name":"Community hub"})";
  auto headers = clinic;
  REQUIRE(http.put("/fhir/Organization/org-hub", hub, headers).status / 100 == 2);
  std::string log = "Referral ID,Referral Date,Client ID,First Name,Last Name,Need,Service Requested,Receiving Organization,"
                    "Consent on File\r\n"
                    "R-1,11/9/2026,C-1,Colin,Abbas,Food,Pantry,org-pantry,Yes\r\n"
                    "R-2,11/9/2026,C-2,Amina,Yusuf,Food,Pantry,org-nowhere,Yes\r\n"
                    "R-3,11/9/2026,C-3,Ben,Ito,Food,Pantry,org-hub,Yes\r\n";
  auto sent = http.post("/ingest/referral-request?file=referrals.csv", log, csv_as(clinic));
  INFO(sent.body);
  REQUIRE(sent.status == 200);
  auto report = json(sent.body);
  CHECK(report["accepted"].GetInt() == 2);
  CHECK(reasons(report) == "referrals.csv row 3, column \"Receiving Organization\": the gateway knows no Organization \"org-nowhere\": "
                           "write the id it knows it by (its administrator can say), or the Organization would be one no one is "
                           "there to see\n");
  CHECK(json(http.get("/fhir/Task?owner=Organization/org-nowhere", clinic).body)["total"].GetInt() == 0);
}
