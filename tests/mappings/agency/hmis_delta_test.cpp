// The hmis spec on a delta export (ExportDirective 1): rows about records an earlier export
// brought, which the gateway holds, and which this export does not send again — an exit or
// a service of a stored enrollment, an enrollment of a stored client.
#include "hmis_export.h"

#include "mappings/agency/records.h"

using namespace carebridge::testing::hmis_export;
using carebridge::testing::bundle_of;

namespace {

// `text` with only its header and the rows whose first cell is one of `ids`.
std::string only_rows(const std::string& text, const std::set<std::string>& ids) {
  std::string out = text.substr(0, text.find('\n') + 1);
  for (size_t at = out.size(); at < text.size();) {
    size_t end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at);
    if (ids.count(line.substr(0, line.find(',')))) out += line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

// What the gateway holds from the full export before: the client C-100 and her enrollment
// E-1000, entered on 2024-01-05 at a victim service provider (its labels).
const agency::BundleRecords& stored() {
  static auto records = agency::BundleRecords::from_json(R"({"resourceType": "Bundle", "type": "searchset", "entry": [
    {"resource": {"resourceType": "Patient", "id": "p-100", "meta": {"versionId": "2"},
      "identifier": [{"system": "urn:carebridge:agency:local:hmis-client", "value": "C-100"}], "name": [{"family": "Delgado-Ruiz"}]}},
    {"resource": {"resourceType": "EpisodeOfCare", "id": "ep-1000", "meta": {"versionId": "3", "security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "ORCON"},
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SDV"}]},
      "identifier": [{"system": "urn:carebridge:agency:local:hmis-enrollment", "value": "E-1000"}],
      "status": "active", "patient": {"reference": "Patient/p-100"}, "period": {"start": "2024-01-05"},
      "managingOrganization": {"reference": "Organization/prj-1"}}}]})");
  REQUIRE(records.ok());
  return *records;
}

// The delta: the export's projects and organizations, E-1000's exit and services, and a new
// enrollment of C-100 — without her Client row or E-1000's Enrollment row.
Files delta_export() {
  Files delta;
  for (auto& [name, text] : export_files("FY2024")) {
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv" || name == "Funder.csv") delta.emplace_back(name, text);
    if (name == "Exit.csv") delta.emplace_back(name, only_rows(text, {"X-1"}));
    if (name == "Services.csv") delta.emplace_back(name, only_rows(text, {"S-1", "S-2"}));
    if (name == "Enrollment.csv")
      delta.emplace_back(name, only_rows(with_cells(text, "E-1001", {{"EntryDate", "2024-07-01"}}, "E-NEW"), {"E-NEW"}));
  }
  return delta;
}

}  // namespace

TEST_CASE("hmis delta: an exit and services of a stored enrollment attach to it, keeping its entry and its labels", "[agency][hmis]") {
  auto c = hmis().convert_files(delta_export(), "local", {}, &stored());
  for (const auto& r : c.mapped.rejected) INFO(r.where << ": " << r.message);
  CHECK(c.mapped.rejected.empty());
  REQUIRE(c.bundle);
  auto bundle = bundle_of(c);
  auto episodes = by_identifier(bundle, "EpisodeOfCare");
  REQUIRE(episodes.count("E-1000"));
  const auto& episode = *episodes.at("E-1000");
  CHECK(str(episode["status"]) == "finished");
  CHECK(str(episode["period"]["start"]) == "2024-01-05");  // the stored entry is kept
  CHECK(str(episode["period"]["end"]) == "2024-02-20");
  CHECK(str(episode["managingOrganization"]["reference"]) == "Organization/prj-1");
  CHECK(has_label(episode, kActCode, "ORCON"));
  auto services = by_identifier(bundle, "Encounter");
  REQUIRE(services.count("S-1"));
  CHECK(has_label(*services.at("S-1"), kActCode, "ORCON"));  // the provider's, as its enrollment is
  CHECK(has_label(*services.at("S-1"), kActCode, "SDV"));
  // The new enrollment of the stored client is taken, and is hers.
  REQUIRE(episodes.count("E-NEW"));
  CHECK(str((*episodes.at("E-NEW"))["patient"]["reference"]).find("C-100") != std::string::npos);
  CHECK(by_identifier(bundle, "Patient").empty());  // her record is not replaced
}

TEST_CASE("hmis delta: without a stored record the rows a delta cannot place are refused, saying why", "[agency][hmis]") {
  auto c = hmis().convert_files(delta_export(), "local");  // nothing stored (offline, no --records)
  std::set<std::string> refused;
  for (const auto& r : c.mapped.rejected) refused.insert(r.where.substr(0, r.where.find(' ')));
  CHECK(refused == std::set<std::string>{"Enrollment.csv", "Exit.csv", "Services.csv"});
}

TEST_CASE("hmis delta: an exit dated before the stored entry is refused at its ExitDate", "[agency][hmis]") {
  Files delta = delta_export();
  for (auto& [name, text] : delta)
    if (name == "Exit.csv") text = with_cell(text, "X-1", "ExitDate", "2023-12-01");  // E-1000 was entered 2024-01-05
  auto c = hmis().convert_files(delta, "local", {}, &stored());
  std::string said;
  for (const auto& r : c.mapped.rejected) said += r.where + ": " + r.message + "\n";
  INFO(said);
  REQUIRE(c.mapped.rejected.size() == 1);
  INFO(c.mapped.rejected[0].message);
  CHECK(c.mapped.rejected[0].where == "Exit.csv row 2, column \"ExitDate\"");
  CHECK(c.mapped.rejected[0].message.find("2024-01-05") != std::string::npos);
}

// A client's record as stored, labelled as a victim service provider's client or not.
static agency::BundleRecords stored_client(bool providers) {
  std::string labels = providers ? R"("security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "ORCON"}])" : "";
  auto records = agency::BundleRecords::from_json(R"({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient",
    "id": "p-100", "meta": {"versionId": "4")" + std::string(providers ? ", " : "") + labels + R"(},
    "identifier": [{"system": "urn:carebridge:agency:local:hmis-client", "value": "C-100"}], "name": [{"family": "Delgado-Ruiz"}]}}]})");
  REQUIRE(records.ok());
  return std::move(*records);
}

TEST_CASE("hmis delta: a stored client's row alone keeps the labels her record has, neither more nor fewer", "[agency][hmis]") {
  Files delta;  // her name corrected; the export's organizations include a victim service provider (ORG-20)
  for (auto& [name, text] : export_files("FY2024")) {
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (name == "Client.csv") delta.emplace_back(name, only_rows(with_cell(text, "C-100", "FirstName", "Mariela"), {"C-100"}));
    if (name == "Enrollment.csv") delta.emplace_back(name, only_rows(text, {}));  // sent, and empty: nothing changed
  }
  for (bool providers : {false, true}) {
    INFO(providers);
    auto records = stored_client(providers);
    auto c = hmis().convert_files(delta, "local", {}, &records);
    const auto& patient = *by_identifier(bundle_of(c), "Patient").at("C-100");
    CHECK(has_label(patient, kActCode, "ORCON") == providers);
  }
  // Not stored: whose client she is cannot be told, and the export has a victim service provider.
  auto c = hmis().convert_files(delta, "local");
  CHECK(has_label(*by_identifier(bundle_of(c), "Patient").at("C-100"), kActCode, "ORCON"));
}

TEST_CASE("hmis delta: a stored client's enrollment at a victim service provider labels her record", "[agency][hmis]") {
  Files delta;
  for (auto& [name, text] : export_files("FY2024")) {
    if (name == "Export.csv" || name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (name == "Enrollment.csv")  // E-1001's row, at PRJ-3 of the victim service provider ORG-20
      delta.emplace_back(name, only_rows(with_cells(text, "E-1001", {{"ProjectID", "PRJ-3"}}, "E-VSP"), {"E-VSP"}));
  }
  auto records = stored_client(false);
  auto c = hmis().convert_files(delta, "local", {}, &records);
  auto bundle = bundle_of(c);
  REQUIRE(by_identifier(bundle, "Patient").count("C-100"));
  const auto& patient = *by_identifier(bundle, "Patient").at("C-100");
  CHECK(has_label(patient, kActCode, "ORCON"));
  CHECK(str(patient["name"][0]["family"]) == "Delgado-Ruiz");  // the stored record, labelled: nothing of it lost
  CHECK(has_label(*by_identifier(bundle, "EpisodeOfCare").at("E-VSP"), kActCode, "ORCON"));
}

// A delta sends E-1000's Enrollment row again (a correction) and not its exit, which did not
// change: the episode the gateway holds finished on 2024-02-20 was written back active, and
// its household membership without its end.
TEST_CASE("hmis delta: an enrollment sent again without its unchanged exit stays finished", "[agency][hmis]") {
  auto records = agency::BundleRecords::from_json(R"({"resourceType": "Bundle", "entry": [
    {"resource": {"resourceType": "Patient", "id": "p-100", "meta": {"versionId": "2"},
      "identifier": [{"system": "urn:carebridge:agency:local:hmis-client", "value": "C-100"}]}},
    {"resource": {"resourceType": "EpisodeOfCare", "id": "ep-1000", "meta": {"versionId": "3"},
      "identifier": [{"system": "urn:carebridge:agency:local:hmis-enrollment", "value": "E-1000"}],
      "status": "finished", "patient": {"reference": "Patient/p-100"}, "period": {"start": "2024-01-05", "end": "2024-02-20"}}}]})");
  REQUIRE(records.ok());
  Files delta;
  for (auto& [name, text] : export_files("FY2024")) {
    if (name == "Export.csv") delta.emplace_back(name, carebridge::testing::with_hmis_directive(text, "1"));
    if (name == "Organization.csv" || name == "Project.csv") delta.emplace_back(name, text);
    if (name == "Enrollment.csv") delta.emplace_back(name, only_rows(with_cell(text, "E-1000", "DisablingCondition", "0"), {"E-1000"}));
  }
  auto c = hmis().convert_files(delta, "local", {}, &*records);
  for (const auto& r : c.mapped.rejected) INFO(r.where << ": " << r.message);
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  const auto& episode = *by_identifier(bundle, "EpisodeOfCare").at("E-1000");
  CHECK(str(episode["status"]) == "finished");
  CHECK(str(episode["period"]["end"]) == "2024-02-20");
  const auto& household = *by_identifier(bundle, "Group").at("HH-1");
  CHECK(str(household["member"][0]["period"]["end"]) == "2024-02-20");
  // A full refresh (ExportDirective 2) is everything current: sent without an exit, the
  // enrollment has none (it was deleted since), and the episode is open again.
  for (auto& [name, text] : delta)
    if (name == "Export.csv") text = carebridge::testing::with_hmis_directive(text, "2");
  auto refreshed = hmis().convert_files(delta, "local", {}, &*records);
  CHECK(str((*by_identifier(bundle_of(refreshed), "EpisodeOfCare").at("E-1000"))["status"]) == "active");
  CHECK(!(*by_identifier(bundle_of(refreshed), "Group").at("HH-1"))["member"][0]["period"].HasMember("end"));
  // Not stored, nothing ends it: a new enrollment is open.
  auto client_only = stored_client(false);
  auto fresh = hmis().convert_files(delta, "local", {}, &client_only);
  CHECK(str((*by_identifier(bundle_of(fresh), "EpisodeOfCare").at("E-1000"))["status"]) == "active");
}

// C-100 told her caseworker she had served (VeteranStatus 1); the agency's later export says
// the answer was not collected (99). The stored "Yes" is not her record's answer any more:
// it was left standing, as if the export had not changed it.
TEST_CASE("hmis delta: an answer a later export withdraws (99) deletes the stored one", "[agency][hmis]") {
  auto records = agency::BundleRecords::from_json(R"({"resourceType": "Bundle", "entry": [
    {"resource": {"resourceType": "Patient", "id": "p-100", "meta": {"versionId": "2"},
      "identifier": [{"system": "urn:carebridge:agency:local:hmis-client", "value": "C-100"}]}},
    {"resource": {"resourceType": "Observation", "id": "o-vet", "meta": {"versionId": "1"}, "status": "final",
      "identifier": [{"system": "urn:carebridge:agency:local:hmis-observation", "value": "Client/C-100/VeteranStatus"}],
      "code": {"text": "veteran"}, "subject": {"reference": "Patient/p-100"}}}]})");
  REQUIRE(records.ok());
  for (const std::string answer : {"99", "1"}) {
    Files delta;
    for (auto& [name, text] : export_files("FY2024")) {
      if (name == "Export.csv") delta.emplace_back(name, carebridge::testing::with_hmis_directive(text, "1"));
      if (name == "Client.csv") delta.emplace_back(name, only_rows(with_cell(text, "C-100", "VeteranStatus", answer), {"C-100"}));
    }
    auto c = hmis().convert_files(delta, "local", {}, &*records);
    for (const auto& r : c.mapped.rejected) INFO(r.where << ": " << r.message);
    CHECK(c.mapped.rejected.empty());
    std::string bundle = dump(bundle_of(c));
    bool deleted = bundle.find(R"({"method":"DELETE","url":"Observation/o-vet"})") != std::string::npos;
    CHECK(deleted == (answer == "99"));  // answered again, it is updated, never deleted
  }
}
