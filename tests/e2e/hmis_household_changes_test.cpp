// How an HMIS household's stored Group follows its enrollments over time: each membership
// and relationship is the enrollment's (element id "enrollment-ID"), so a delta's corrected
// entry date moves it, a second enrollment adds one, and a deleted enrollment takes its own
// (and the answers recorded within it) — never another enrollment's that began the same day.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <map>

#include "hmis_rows.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

// The sample's row of `row_start` in `text`, marked deleted (DateDeleted given).
std::string deleted_row(const std::string& text, const std::string& row_start) {
  std::string row = header_and(text, row_start, row_start);
  size_t kept = row.rfind(",U-12,,EXP-20241001");
  REQUIRE(kept != std::string::npos);
  return row.replace(kept, 19, ",U-12,2024-10-02 08:00:00,EXP-20241001");
}

// A delta of the sample: its Export, Organization and Project files, and `rows` for the others.
Files delta_of(const std::map<std::string, std::string>& rows) {
  Files delta;
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024"))) {
    if (name == "Export.csv") delta.emplace_back(name, with_hmis_directive(text, "1"));
    if (name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (auto row = rows.find(name); row != rows.end()) delta.emplace_back(name, row->second);
  }
  return delta;
}

std::string sample_file(const std::string& wanted) {
  for (const auto& [name, text] : folder_files(project_sample("agency/hmis/FY2024")))
    if (name == wanted) return text;
  FAIL("no " << wanted << " in the sample");
  return {};
}

struct Gateway {
  ServerProcess server;
  std::unique_ptr<carebridge::gateway::http::Client> c;
  explicit Gateway(const std::string& name) : server(temp_dir(name)), c(server.client()) {}

  void post(const Files& files) {
    static const carebridge::gateway::http::Headers zipped{{"Content-Type", "application/zip"}};
    auto posted = c->post("/ingest/hmis?file=export.zip", zip_of(files), zipped);
    INFO(posted.body.substr(0, 1500));
    REQUIRE(posted.status == 200);
    CHECK(parsed(posted.body)["rejectedRows"].GetInt() == 0);
  }
  int total(const std::string& type, const std::string& kind, const std::string& value) {
    return parsed(c->get("/fhir/" + type + "?identifier=urn:carebridge:agency:local:hmis-" + kind + "%7C" + value).body)["total"].GetInt();
  }
  // Household `id`'s members as "element id:start:end", in order ("" when it is gone).
  std::string members(const std::string& id) {
    auto found = parsed(c->get("/fhir/Group?identifier=urn:carebridge:agency:local:hmis-household%7C" + id).body);
    if (found["total"].GetInt() == 0) return "";
    const auto& group = found["entry"][0]["resource"];
    std::string out;
    for (const auto& m : group["member"].GetArray()) {
      out += (out.empty() ? "" : " ") + std::string(m.HasMember("id") ? m["id"].GetString() : "?") + ":" +
             m["period"]["start"].GetString() + ":" + (m["period"].HasMember("end") ? m["period"]["end"].GetString() : "");
    }
    out += " / " + std::to_string(group.HasMember("characteristic") ? group["characteristic"].Size() : 0);
    return out;
  }
};

}  // namespace

TEST_CASE("ingest: an HMIS delta's corrected entry date moves the membership, never adds one", "[e2e][agency]") {
  Gateway g("hmis-household-entry-corrected");
  g.post(folder_files(project_sample("agency/hmis/FY2024")));
  REQUIRE(g.members("HH-301") == "enrollment-E-5001:2024-02-05:2024-08-30 enrollment-E-5002:2024-02-05:2024-08-30 / 2");
  // E-5002's entry was a day late in the agency's system; the delta does not send its exit.
  std::string enrollment = sample_file("Enrollment.csv");
  auto delta = delta_of({{"Enrollment.csv", header_and(enrollment, "E-5002,C-1007,PRJ-120,2024-02-05,", "E-5002,C-1007,PRJ-120,2024-02-06,")}});
  for (int i = 0; i < 2; ++i) {
    g.post(delta);
    CHECK(g.members("HH-301") == "enrollment-E-5001:2024-02-05:2024-08-30 enrollment-E-5002:2024-02-06:2024-08-30 / 2");
  }
}

TEST_CASE("ingest: an HMIS client back in her household after she left has both memberships", "[e2e][agency]") {
  Gateway g("hmis-household-rejoined");
  g.post(folder_files(project_sample("agency/hmis/FY2024")));
  std::string enrollment = sample_file("Enrollment.csv");
  auto delta = delta_of({{"Enrollment.csv", header_and(enrollment, "E-5002,C-1007,PRJ-120,2024-02-05,", "E-5995,C-1007,PRJ-120,2024-09-20,")}});
  for (int i = 0; i < 2; ++i) {
    g.post(delta);
    CHECK(g.members("HH-301") ==
          "enrollment-E-5001:2024-02-05:2024-08-30 enrollment-E-5002:2024-02-05:2024-08-30 enrollment-E-5995:2024-09-20: / 3");
  }
}

TEST_CASE("ingest: an HMIS delta's deleted enrollment takes its own membership and answers, no one else's", "[e2e][agency]") {
  Gateway g("hmis-household-enrollment-deleted");
  // C-1001 is also in another organization's household that began the same day.
  auto full = folder_files(project_sample("agency/hmis/FY2024"));
  std::string enrollment = sample_file("Enrollment.csv");
  std::string other = header_and(enrollment, "E-5001,C-1001,PRJ-120,2024-02-05,HH-301,", "E-5996,C-1001,PRJ-210,2024-02-05,HH-399,");
  for (auto& [name, text] : full)
    if (name == "Enrollment.csv") text += other.substr(other.find('\n') + 1);
  g.post(full);
  REQUIRE(g.members("HH-399") == "enrollment-E-5996:2024-02-05: / 1");
  REQUIRE(g.total("Observation", "observation", "Disabilities/D-4001") == 1);
  REQUIRE(g.total("Observation", "observation", "IncomeBenefits/I-6001/Income") == 1);

  auto delta = delta_of({{"Enrollment.csv", deleted_row(enrollment, "E-5001,")}});
  for (int i = 0; i < 2; ++i) {
    g.post(delta);
    CHECK(g.members("HH-301") == "enrollment-E-5002:2024-02-05:2024-08-30 / 1");
    CHECK(g.members("HH-399") == "enrollment-E-5996:2024-02-05: / 1");
    CHECK(g.total("EpisodeOfCare", "enrollment", "E-5001") == 0);
    CHECK(g.total("Observation", "observation", "Disabilities/D-4001") == 0);
    CHECK(g.total("Observation", "observation", "IncomeBenefits/I-6001/Income") == 0);
    CHECK(g.total("Observation", "observation", "HealthAndDV/H-8002/DomesticViolenceSurvivor") == 0);
    CHECK(g.total("Observation", "observation", "Enrollment/E-5001/Destination") == 0);
    CHECK(g.total("EpisodeOfCare", "enrollment", "E-5996") == 1);
    CHECK(g.total("Observation", "observation", "Client/C-1001/VeteranStatus") == 1);  // the client's, not the enrollment's
  }
}

TEST_CASE("ingest: an HMIS household whose only enrollment is deleted is gone", "[e2e][agency]") {
  Gateway g("hmis-household-emptied");
  g.post(folder_files(project_sample("agency/hmis/FY2024")));
  REQUIRE(g.members("HH-306") != "");
  g.post(delta_of({{"Enrollment.csv", deleted_row(sample_file("Enrollment.csv"), "E-5008,")}}));
  CHECK(g.members("HH-306") == "");
  CHECK(g.members("HH-301") != "");
}

// The agency corrects E-5002's HouseholdID (HH-301 was a data-entry slip for HH-399): she was
// in both households, HH-301 keeping her membership and her relationship to its head.
TEST_CASE("ingest: an HMIS delta's corrected HouseholdID moves the membership to the other household", "[e2e][agency]") {
  Gateway g("hmis-household-moved");
  g.post(folder_files(project_sample("agency/hmis/FY2024")));
  std::string enrollment = sample_file("Enrollment.csv");
  auto delta = delta_of({{"Enrollment.csv", header_and(enrollment, "E-5002,C-1007,PRJ-120,2024-02-05,HH-301,", "E-5002,C-1007,PRJ-120,2024-02-05,HH-399,")}});
  for (int i = 0; i < 2; ++i) {
    g.post(delta);
    CHECK(g.members("HH-301") == "enrollment-E-5001:2024-02-05:2024-08-30 / 1");
    CHECK(g.members("HH-399") == "enrollment-E-5002:2024-02-05:2024-08-30 / 1");
  }
}
