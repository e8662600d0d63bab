// `carebridge conformance DIR` runs the golden mapping cases it finds in DIR: an agency's
// input beside the Bundle it must map to, with the shipped spec named like the folder or the
// integrator's own spec.json. Each difference is reported by FHIR path with the source cell.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "support/test_support.h"

using namespace carebridge::testing;
namespace fs = std::filesystem;

TEST_CASE("conformance: golden mapping cases pass, and a difference names its FHIR path and source cell",
          "[cli][conformance][agency]") {
  fs::path dir = temp_dir("conformance-mappings");
  fs::create_directories(dir / "foodbank-intake");
  fs::copy(project_sample("agency/foodbank-intake/intake-2026-11.csv"), dir / "foodbank-intake" / "november.csv");
  fs::copy(project_sample("agency/foodbank-intake/intake-2026-11.expected.json"),
           dir / "foodbank-intake" / "november.expected.json");
  // A second case whose expected Bundle says Maria was born a day later than the sheet says.
  fs::copy(project_sample("agency/foodbank-intake/intake-2026-11.csv"), dir / "foodbank-intake" / "wrong.csv");
  std::string expected = read_text(project_sample("agency/foodbank-intake/intake-2026-11.expected.json"));
  std::ofstream(dir / "foodbank-intake" / "wrong.expected.json")
      << std::regex_replace(expected, std::regex("1984-03-14"), "1984-03-15");
  fs::path out = temp_dir("conformance-mappings-out");
  auto r = run_carebridge({"conformance", dir.string(), "--out", out.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("golden mappings: 2 cases, 1 passed") != std::string::npos);
  CHECK(r.out.find("FAILED foodbank-intake/wrong.csv (foodbank-intake): 1 differences") != std::string::npos);
  std::string json = read_text(out / "report.json");
  CHECK(json.find("\"path\":\"Bundle.entry[0].resource.birthDate\"") != std::string::npos);
  CHECK(json.find("\"expected\":\"\\\"1984-03-15\\\"\"") != std::string::npos);
  CHECK(json.find("\"source\":\"wrong.csv row 2, column \\\"Date of Birth\\\"\"") != std::string::npos);
  std::string html = read_text(out / "report.html");
  CHECK(html.find("Golden mappings") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("conformance: an integrator's own spec beside its sample is used, and its mistakes reported", "[cli][conformance][agency]") {
  fs::path dir = temp_dir("conformance-own-spec");
  fs::create_directories(dir / "my-shelter");
  std::ofstream(dir / "my-shelter" / "spec.json") << R"({
  "name": "my-shelter",
  "identifierSystems": {"guest": "urn:shelter:guest"},
  "columns": [{"name": "Guest", "key": "guest", "required": true}, {"name": "Name", "key": "name"}],
  "resources": [{"id": "p", "type": "Patient", "identity": {"system": "guest", "value": "{guest}"},
                 "set": {"name[0].text": "{name}"}}]
})";
  std::ofstream(dir / "my-shelter" / "guests.csv") << "Guest,Name\r\nG1,Ana Ruiz\r\n";
  auto first = run_carebridge({"map", "--mapping", (dir / "my-shelter" / "spec.json").string(),
                               (dir / "my-shelter" / "guests.csv").string()});
  REQUIRE(first.exit_code == 0);
  std::ofstream(dir / "my-shelter" / "guests.expected.json") << first.out;
  auto r = run_carebridge({"conformance", dir.string(), "--out", temp_dir("conformance-own-spec-out").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("golden mappings: 1 cases, 1 passed") != std::string::npos);
}

TEST_CASE("conformance: a case may be a folder of files (an export) and may bring the stored records a status file changes",
          "[cli][conformance][agency]") {
  fs::path dir = temp_dir("conformance-folder-records");
  fs::copy(project_sample("agency/hsds"), dir / "hsds", fs::copy_options::recursive);
  fs::copy(project_sample("agency/referral-status"), dir / "referral-status", fs::copy_options::recursive);
  auto r = run_carebridge({"conformance", dir.string(), "--out", temp_dir("conformance-folder-records-out").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("golden mappings: 2 cases, 2 passed") != std::string::npos);
  // Without the records, no status row can be taken: the case fails, saying why.
  fs::remove(dir / "referral-status" / "status-2026-11.records.json");
  auto without = run_carebridge({"conformance", dir.string(), "--out", temp_dir("conformance-folder-records-out2").string()});
  CHECK(without.exit_code == 1);
  CHECK(without.out.find("golden mappings: 2 cases, 1 passed") != std::string::npos);
}

namespace {

// `bundle_json` with its entries in reverse order and every urn:uuid renamed consistently:
// the same records, as an integrator writing the expected Bundle by hand might.
std::string reordered_and_renamed(const std::string& bundle_json) {
  std::regex uuid("urn:uuid:[0-9a-f-]{36}");
  std::map<std::string, std::string> renamed;
  std::string text;
  auto last = bundle_json.cbegin();
  for (auto it = std::sregex_iterator(bundle_json.begin(), bundle_json.end(), uuid); it != std::sregex_iterator(); ++it) {
    auto [at, added] = renamed.try_emplace(it->str(), "");
    if (added) {
      char fresh[64];
      std::snprintf(fresh, sizeof fresh, "urn:uuid:00000000-0000-4000-8000-%012zu", renamed.size());
      at->second = fresh;
    }
    text.append(last, (*it)[0].first).append(at->second);
    last = (*it)[0].second;
  }
  text.append(last, bundle_json.cend());
  rapidjson::Document d;
  d.Parse(text.c_str());
  auto& entries = d["entry"];
  std::reverse(entries.Begin(), entries.End());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  d.Accept(writer);
  return out.GetString();
}

}  // namespace

// An expected Bundle written independently lists the same records in another order, under
// its own uuids: it matches. One record it lacks is one difference, with the mapped record's
// source cell. The report written into the folder, and an HSDS case's own non-FHIR files,
// are not validated as FHIR on the next run.
TEST_CASE("conformance: golden cases compare record by record, not by entry position or uuid", "[cli][conformance][agency]") {
  fs::path dir = temp_dir("conformance-by-record");
  fs::create_directories(dir / "foodbank-intake");
  fs::copy(project_sample("agency/foodbank-intake/intake-2026-11.csv"), dir / "foodbank-intake" / "november.csv");
  std::string expected = read_text(project_sample("agency/foodbank-intake/intake-2026-11.expected.json"));
  std::ofstream(dir / "foodbank-intake" / "november.expected.json") << reordered_and_renamed(expected);
  fs::copy(project_sample("agency/hsds"), dir / "hsds", fs::copy_options::recursive);
  std::ofstream(dir / "hsds" / "directory-2026-11" / "datapackage.json") << R"({"name": "metro-directory", "resources": []})";
  auto r = run_carebridge({"conformance", dir.string(), "--out", (dir / "conformance-report").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("golden mappings: 2 cases, 2 passed") != std::string::npos);
  auto again = run_carebridge({"conformance", dir.string(), "--out", (dir / "conformance-report").string()});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);

  // A record whose expected identifiers come in another order, one more first, is still the
  // same record: its identifier list differs, nothing is reported missing.
  rapidjson::Document more;
  more.Parse(expected.c_str());
  auto& ids = more["entry"][0]["resource"]["identifier"];
  rapidjson::Value other(rapidjson::kObjectType);
  other.AddMember("system", "urn:example:intake-desk", more.GetAllocator()).AddMember("value", "D-1", more.GetAllocator());
  ids.PushBack(other, more.GetAllocator());
  std::swap(ids[0], ids[1]);
  rapidjson::StringBuffer more_text;
  rapidjson::Writer<rapidjson::StringBuffer> more_writer(more_text);
  more.Accept(more_writer);
  std::ofstream(dir / "foodbank-intake" / "november.expected.json") << more_text.GetString();
  auto reordered = run_carebridge({"conformance", dir.string(), "--out", (dir / "conformance-report").string()});
  CHECK(reordered.out.find("FAILED foodbank-intake/november.csv") != std::string::npos);
  CHECK(read_text(dir / "conformance-report" / "report.json").find("Bundle.entry (Patient") == std::string::npos);

  rapidjson::Document less;
  less.Parse(expected.c_str());
  less["entry"].Erase(less["entry"].Begin());  // the first record, Maria's Patient, not expected
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  less.Accept(writer);
  std::ofstream(dir / "foodbank-intake" / "november.expected.json") << buffer.GetString();
  auto one = run_carebridge({"conformance", dir.string(), "--out", (dir / "conformance-report").string()});
  INFO(one.out);
  CHECK(one.out.find("FAILED foodbank-intake/november.csv (foodbank-intake): 1 differences") != std::string::npos);
  std::string json = read_text(dir / "conformance-report" / "report.json");
  CHECK(json.find("\"path\":\"Bundle.entry[0]\"") != std::string::npos);
  CHECK(json.find("\"source\":\"november.csv row 2") != std::string::npos);
}

// An interface engine's HL7 v2 messages: one beside the Bundle it must become is a golden case
// of the shipped v2 maps, its differences named with the field each value came from; one on
// its own is converted and its problems told at their segment and field.
TEST_CASE("conformance: HL7 v2 messages are golden cases beside an expected Bundle, and checked on their own",
          "[cli][conformance][hl7v2]") {
  fs::path dir = temp_dir("conformance-v2");
  fs::create_directories(dir / "lab");
  fs::copy(project_sample("hl7v2/oru_r01.hl7"), dir / "lab" / "glucose.hl7");
  auto mapped = run_carebridge({"map", "--mapping", "hl7v2", (dir / "lab" / "glucose.hl7").string()});
  REQUIRE(mapped.exit_code == 0);
  std::ofstream(dir / "lab" / "glucose.expected.json") << std::regex_replace(mapped.out, std::regex("\"value\": ?182"), "\"value\":183");
  std::ofstream(dir / "feed.hl7") << "MSH|^~\\&|EPIC|STMARY|CB|GW|20260312091500-0500||ADT^A40^ADT_A39|M2|P|2.5.1\r"
                                     "EVN|A40|20260321105900-0500\rPID|1||E1^^^EPIC^MR||KOWALSKI^ANNA||19660214|F\rMRG|^^^EPIC^MR\r";
  fs::path out = temp_dir("conformance-v2-out");
  auto r = run_carebridge({"conformance", dir.string(), "--out", out.string()});
  INFO(r.out << r.err);
  CHECK(r.out.find("FAILED lab/glucose.hl7 (hl7v2): 1 differences") != std::string::npos);
  std::string json = read_text(out / "report.json");
  CHECK(json.find("\"expected\":\"183\",\"actual\":\"182\",\"source\":\"OBX[1]-5[1].1\"") != std::string::npos);
  CHECK(json.find("\"file\":\"feed.hl7\",\"type\":\"hl7v2\"") != std::string::npos);
  CHECK(json.find("\"expression\":\"MRG\"") != std::string::npos);  // nothing merged, said at MRG
  CHECK(json.find("\"file\":\"lab/glucose.hl7\"") == std::string::npos);  // a case's input, not a file of its own
}
