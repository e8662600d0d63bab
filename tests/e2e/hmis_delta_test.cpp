// An HMIS delta export (ExportDirective 1) into a running gateway after the full export it
// follows: its rows about records the full export brought — an exit, a service, an
// enrollment of a known client — land on the stored records, with their labels.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <set>

#include "hmis_rows.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

TEST_CASE("ingest: an HMIS delta's exit, service and enrollment attach to what the full export stored", "[e2e][agency]") {
  ServerProcess server(temp_dir("hmis-delta"));
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  auto full = c->post("/ingest/hmis?file=full.zip", zip_of(folder_files(project_sample("agency/hmis/FY2024"))), zipped);
  INFO(full.body.substr(0, 800));
  REQUIRE(full.status == 200);

  // The delta sends the projects and organizations, and the rows that changed alone: E-5008
  // ended, a bed night within the victim service provider's E-5004, C-1008 enrolled again.
  std::vector<std::pair<std::string, std::string>> delta;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (name == "Exit.csv") delta.emplace_back(name, header_and(text, "X-7001,E-5001,C-1001,2024-08-30", "X-7999,E-5008,C-1008,2024-09-15"));
    if (name == "Services.csv") delta.emplace_back(name, header_and(text, "S-9001,E-5007,C-1006,2024-01-10", "S-9999,E-5004,C-1003,2024-05-01"));
    if (name == "Enrollment.csv") delta.emplace_back(name, header_and(text, "E-5008,C-1008,PRJ-110,2024-05-01", "E-5999,C-1008,PRJ-110,2024-09-01"));
  }
  auto updated = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
  INFO(updated.body.substr(0, 1500));
  REQUIRE(updated.status == 200);
  CHECK(parsed(updated.body)["rejectedRows"].GetInt() == 0);

  const std::string system = "urn:carebridge:agency:local:hmis-";
  auto one = [&](const std::string& type, const std::string& kind, const std::string& value) {
    auto found = parsed(c->get("/fhir/" + type + "?identifier=" + system + kind + "%7C" + value).body);
    REQUIRE(found["total"].GetInt() == 1);  // never a second record
    rapidjson::Document resource;
    resource.CopyFrom(found["entry"][0]["resource"], resource.GetAllocator());
    return resource;
  };
  auto ended = one("EpisodeOfCare", "enrollment", "E-5008");
  CHECK(std::string(ended["status"].GetString()) == "finished");
  CHECK(std::string(ended["period"]["start"].GetString()) == "2024-05-01");  // the entry the full export gave
  CHECK(std::string(ended["period"]["end"].GetString()) == "2024-09-15");
  CHECK(ended.HasMember("managingOrganization"));

  auto bed_night = one("Encounter", "service", "S-9999");
  std::string labels;
  for (const auto& l : bed_night["meta"]["security"].GetArray()) labels += std::string(l["code"].GetString()) + " ";
  CHECK(labels.find("ORCON") != std::string::npos);  // the provider's, as its enrollment is

  auto client = one("Patient", "client", "C-1008");
  auto again = one("EpisodeOfCare", "enrollment", "E-5999");
  CHECK(std::string(again["patient"]["reference"].GetString()) == "Patient/" + std::string(client["id"].GetString()));
}

// Rows deleted in the agency's system since the full export (DateDeleted given) delete the
// records that export stored: a client (and her veteran status), a service — and what hangs
// off the deleted client that the delta does not send again (her enrollments' episodes,
// services and answers: HMIS counts the rows of a deleted parent as gone). A delta sent again
// deletes nothing more, and other clients' records stay.
TEST_CASE("ingest: an HMIS delta's deleted rows delete the records an earlier export stored", "[e2e][agency]") {
  // Also when the stored records that hang off a deleted client fill more than one page of a
  // search: only the first page's were deleted.
  std::string config = GENERATE(std::string(), std::string(R"({"limits":{"max_page_size":1}})"));
  ServerProcess server(temp_dir("hmis-delta-deleted"), config);
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  auto full = c->post("/ingest/hmis?file=full.zip", zip_of(folder_files(project_sample("agency/hmis/FY2024"))), zipped);
  REQUIRE(full.status == 200);
  const std::string system = "urn:carebridge:agency:local:hmis-";
  auto total = [&](const std::string& type, const std::string& kind, const std::string& value) {
    return parsed(c->get("/fhir/" + type + "?identifier=" + system + kind + "%7C" + value).body)["total"].GetInt();
  };
  REQUIRE(total("Patient", "client", "C-1002") == 1);
  REQUIRE(total("Encounter", "service", "S-9002") == 1);

  const std::string deleted_at = ",U-12,2024-10-02 08:00:00,EXP-20241001";
  std::vector<std::pair<std::string, std::string>> delta;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    auto deleting = [&](const std::string& row_start) {
      std::string row = header_and(text, row_start, row_start);
      size_t kept = row.rfind(",U-12,,EXP-20241001");
      REQUIRE(kept != std::string::npos);
      return row.replace(kept, 19, deleted_at);
    };
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (name == "Client.csv") delta.emplace_back(name, deleting("C-1002,"));
    if (name == "Services.csv") delta.emplace_back(name, deleting("S-9002,"));
  }
  auto dry = c->post("/ingest/hmis?file=delta.zip&dry-run=true", zip_of(delta), zipped);
  INFO(dry.body.substr(0, 1500));
  REQUIRE(dry.status == 200);
  CHECK(parsed(dry.body)["deleted"]["Encounter"].GetInt() == 3);  // S-9002, and C-1002's S-9003 and S-9004
  CHECK(total("Encounter", "service", "S-9002") == 1);  // a dry run deletes nothing

  auto updated = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
  INFO(updated.body.substr(0, 1500));
  REQUIRE(updated.status == 200);
  auto report = parsed(updated.body);
  CHECK(report["deleted"]["Patient"].GetInt() == 1);
  CHECK(report["deleted"]["EpisodeOfCare"].GetInt() == 1);  // E-5003, not in the delta (E-5009 was never stored)
  CHECK(report["deleted"]["Encounter"].GetInt() == 3);      // S-9002, and E-5003's S-9003 and S-9004
  CHECK(total("Patient", "client", "C-1002") == 0);
  CHECK(total("Observation", "observation", "Client/C-1002/VeteranStatus") == 0);
  CHECK(total("Observation", "observation", "Disabilities/D-4002") == 0);
  CHECK(total("Observation", "observation", "IncomeBenefits/I-6002/Income") == 0);
  CHECK(total("EpisodeOfCare", "enrollment", "E-5003") == 0);
  CHECK(total("Encounter", "service", "S-9003") == 0);
  CHECK(total("Encounter", "service", "S-9002") == 0);
  CHECK(total("Observation", "observation", "Disabilities/D-4001") == 1);  // C-1001's: stays
  CHECK(total("Encounter", "service", "S-9001") == 1);  // not deleted: stays
  CHECK(total("Patient", "client", "C-1001") == 1);

  auto again = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
  INFO(again.body.substr(0, 1500));
  REQUIRE(again.status == 200);
  CHECK(parsed(again.body)["deleted"].ObjectEmpty());
}

// An enrollment deleted in a delta that sends none of its services: the services the full
// export stored within it go with its episode, and other episodes keep theirs.
TEST_CASE("ingest: an HMIS delta's deleted enrollment takes the stored services within it", "[e2e][agency]") {
  ServerProcess server(temp_dir("hmis-delta-enrollment-deleted"));
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  REQUIRE(c->post("/ingest/hmis?file=full.zip", zip_of(folder_files(project_sample("agency/hmis/FY2024"))), zipped).status == 200);
  const std::string system = "urn:carebridge:agency:local:hmis-";
  auto total = [&](const std::string& type, const std::string& kind, const std::string& value) {
    return parsed(c->get("/fhir/" + type + "?identifier=" + system + kind + "%7C" + value).body)["total"].GetInt();
  };
  REQUIRE(total("Encounter", "service", "S-9003") == 1);
  std::vector<std::pair<std::string, std::string>> delta;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv" || name == "Client.csv") delta.emplace_back(name, text);
    if (name != "Enrollment.csv") continue;
    std::string row = header_and(text, "E-5003,", "E-5003,");
    size_t kept = row.rfind(",U-12,,EXP-20241001");
    REQUIRE(kept != std::string::npos);
    delta.emplace_back(name, row.replace(kept, 19, ",U-12,2024-10-02 08:00:00,EXP-20241001"));
  }
  auto updated = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
  INFO(updated.body.substr(0, 1500));
  REQUIRE(updated.status == 200);
  CHECK(parsed(updated.body)["deleted"]["Encounter"].GetInt() == 2);
  CHECK(total("EpisodeOfCare", "enrollment", "E-5003") == 0);
  CHECK(total("Encounter", "service", "S-9003") == 0);
  CHECK(total("Encounter", "service", "S-9004") == 0);
  CHECK(total("EpisodeOfCare", "enrollment", "E-5001") == 1);  // another client's
  CHECK(total("Encounter", "service", "S-9005") == 1);
}

// A delta that enrolls one more person in a stored household (HouseholdID HH-301) and sends
// none of its other members: the household keeps them (a delta merges by key), and sent
// again, it is the same household.
TEST_CASE("ingest: an HMIS delta's new household member joins the stored household", "[e2e][agency]") {
  ServerProcess server(temp_dir("hmis-delta-household"));
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  REQUIRE(c->post("/ingest/hmis?file=full.zip", zip_of(folder_files(project_sample("agency/hmis/FY2024"))), zipped).status == 200);
  std::vector<std::pair<std::string, std::string>> delta;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (name == "Enrollment.csv")
      delta.emplace_back(name, header_and(text, "E-5002,C-1007,PRJ-120,2024-02-05,HH-301,3", "E-5998,C-1006,PRJ-120,2024-09-01,HH-301,4"));
  }
  auto household = [&] {
    auto found = parsed(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:hmis-household%7CHH-301").body);
    REQUIRE(found["total"].GetInt() == 1);
    rapidjson::Document group;
    group.CopyFrom(found["entry"][0]["resource"], group.GetAllocator());
    return group;
  };
  REQUIRE(household()["member"].Size() == 2);
  for (int i = 0; i < 2; ++i) {
    auto updated = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
    INFO(updated.body.substr(0, 1500));
    REQUIRE(updated.status == 200);
    auto group = household();
    CHECK(group["member"].Size() == 3);          // C-1001 and C-1007 stay, C-1006 joins
    CHECK(group["characteristic"].Size() == 3);  // each one's relationship to the head
  }
}

// A client in a household twice (she left and came back: two enrollments, one HouseholdID):
// the export sent again keeps both of her memberships, as the first upload wrote them.
TEST_CASE("ingest: an HMIS household a client joined twice is the same when the export is sent again", "[e2e][agency]") {
  ServerProcess server(temp_dir("hmis-household-twice"));
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  auto files = folder_files(project_sample("agency/hmis/FY2024"));
  for (auto& [name, text] : files)
    if (name == "Enrollment.csv")
      text += header_and(text, "E-5002,C-1007,PRJ-120,2024-02-05,HH-301,3", "E-5997,C-1001,PRJ-120,2024-09-10,HH-301,1").substr(text.find('\n') + 1);
  std::string first;
  for (int i = 0; i < 2; ++i) {
    auto posted = c->post("/ingest/hmis?file=full.zip", zip_of(files), zipped);
    INFO(posted.body.substr(0, 1500));
    REQUIRE(posted.status == 200);
    auto found = parsed(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:hmis-household%7CHH-301").body);
    REQUIRE(found["total"].GetInt() == 1);
    const auto& group = found["entry"][0]["resource"];
    CHECK(group["member"].Size() == 3);  // C-1001 twice, C-1007
    std::string members = std::to_string(group["member"].Size()) + std::to_string(group["characteristic"].Size());
    if (i == 0) first = members;
    CHECK(members == first);
  }
}

// A delta whose only row deletes a client: it deletes her records, and sent again, when there
// is nothing left to delete or write, it is answered as done (200), not as unprocessable.
TEST_CASE("ingest: an HMIS delta of a deleted row alone is done when sent again", "[e2e][agency]") {
  ServerProcess server(temp_dir("hmis-delta-deleted-alone"));
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  REQUIRE(c->post("/ingest/hmis?file=full.zip", zip_of(folder_files(project_sample("agency/hmis/FY2024"))), zipped).status == 200);
  std::vector<std::pair<std::string, std::string>> delta;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    if (name == "Export.csv") delta.emplace_back(name, text);
    if (name != "Client.csv") continue;
    std::string row = header_and(text, "C-1008,", "C-1008,");
    size_t kept = row.rfind(",U-12,,EXP-20241001");
    REQUIRE(kept != std::string::npos);
    delta.emplace_back(name, row.replace(kept, 19, ",U-12,2024-10-02 08:00:00,EXP-20241001"));
  }
  auto first = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
  INFO(first.body.substr(0, 1500));
  CHECK(first.status == 200);
  CHECK(parsed(first.body)["deleted"]["Patient"].GetInt() == 1);
  auto households = parsed(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:hmis-household%7CHH-306").body);
  CHECK(households["total"].GetInt() == 0);  // hers alone: a household of no one is gone
  auto again = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
  INFO(again.body.substr(0, 1500));
  CHECK(again.status == 200);
  CHECK(parsed(again.body)["deleted"].ObjectEmpty());
  CHECK(parsed(again.body)["skipped"].GetInt() == 1);
}

// A deleted client who shared a household (C-1007, HH-301's partner): the household stays, with
// its head alone — no member or relationship names the deleted client any more.
namespace {

// A delta export of the sample's Export.csv and the Client.csv row of `client`, deleted.
std::vector<std::pair<std::string, std::string>> client_deleted(const std::string& client) {
  std::vector<std::pair<std::string, std::string>> delta;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    if (name == "Export.csv") delta.emplace_back(name, text);
    if (name != "Client.csv") continue;
    std::string row = header_and(text, client + ",", client + ",");
    size_t kept = row.rfind(",U-12,,EXP-20241001");
    REQUIRE(kept != std::string::npos);
    delta.emplace_back(name, row.replace(kept, 19, ",U-12,2024-10-02 08:00:00,EXP-20241001"));
  }
  return delta;
}

}  // namespace

TEST_CASE("ingest: an HMIS household a deleted client leaves keeps its labels", "[e2e][agency]") {
  // HH-303 is a victim-service provider's household: the Group written back without the
  // deleted member went without meta, its R, SDV and ORCON labels lost.
  ServerProcess server(temp_dir("hmis-delta-household-labels"));
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  REQUIRE(c->post("/ingest/hmis?file=full.zip", zip_of(folder_files(project_sample("agency/hmis/FY2024"))), zipped).status == 200);
  auto labels = [&] {
    auto found = parsed(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:hmis-household%7CHH-303").body);
    REQUIRE(found["total"].GetInt() == 1);
    const auto& group = found["entry"][0]["resource"];
    std::set<std::string> codes;
    for (const auto& l : group["meta"]["security"].GetArray()) codes.insert(l["code"].GetString());
    return std::make_pair(codes, group["member"].Size());
  };
  auto [before, members] = labels();
  REQUIRE(before.count("ORCON") == 1);
  REQUIRE(members == 2);
  REQUIRE(c->post("/ingest/hmis?file=delta.zip", zip_of(client_deleted("C-1004")), zipped).status == 200);
  auto [after, left] = labels();
  CHECK(left == 1);
  CHECK(after == before);
}

TEST_CASE("ingest: an HMIS delta's deleted client leaves her household without her", "[e2e][agency]") {
  ServerProcess server(temp_dir("hmis-delta-household-member-deleted"));
  auto c = server.client();
  const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
  REQUIRE(c->post("/ingest/hmis?file=full.zip", zip_of(folder_files(project_sample("agency/hmis/FY2024"))), zipped).status == 200);
  auto delta = client_deleted("C-1007");
  for (int i = 0; i < 2; ++i) {
    auto posted = c->post("/ingest/hmis?file=delta.zip", zip_of(delta), zipped);
    INFO(posted.body.substr(0, 1500));
    CHECK(posted.status == 200);
    auto found = parsed(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:hmis-household%7CHH-301").body);
    REQUIRE(found["total"].GetInt() == 1);
    const auto& group = found["entry"][0]["resource"];
    CHECK(group["member"].Size() == 1);
    CHECK(group["characteristic"].Size() == 1);
    std::string head = group["member"][0]["entity"]["reference"].GetString();
    CHECK(c->get("/fhir/" + head).status == 200);  // the one left is a stored client
  }
}
