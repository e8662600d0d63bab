// `carebridge validate` and `carebridge conformance` as a user runs them.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "validation_helpers.h"

using namespace carebridge::testing;
namespace fs = std::filesystem;

namespace {

std::string sample(const std::string& name) { return fixture("validation/samples/" + name).string(); }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("validate: a valid file exits 0, an invalid one 1", "[validation][cli]") {
  auto ok = run_carebridge({"validate", sample("patient-valid.json")});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  auto bad = run_carebridge({"validate", sample("patient-invalid.json")});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("Patient.gender") != std::string::npos);
  CHECK(bad.out.find("Patient.birthDate") != std::string::npos);
}

TEST_CASE("validate --json: one line per file, in order, with the outcome", "[validation][cli]") {
  auto r = run_carebridge({"validate", "--json", sample("patient-valid.json"), sample("observation-invalid.xml"),
                           "/nonexistent/file.json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  auto out = lines(r.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0].find("\"file\":\"" + sample("patient-valid.json") + "\"") != std::string::npos);
  CHECK(out[0].find("\"severity\":\"error\"") == std::string::npos);
  CHECK(out[1].find("Observation.status") != std::string::npos);
  CHECK(out[1].find("operationoutcome-issue-line") != std::string::npos);  // XML: line and column
  CHECK(out[2].find("\"severity\":\"fatal\"") != std::string::npos);
  for (const auto& line : out) CHECK(json_difference(line, line).empty());
}

TEST_CASE("validate: XML reports line and column, stdin works", "[validation][cli]") {
  auto r = run_carebridge({"validate", sample("observation-invalid.xml")});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("line 6") != std::string::npos);  // effectiveDateTime 2024-02-30
  auto in = run_carebridge({"validate", "-"}, read_text(sample("patient-valid.json")));
  INFO(in.out << in.err);
  CHECK(in.exit_code == 0);
}

TEST_CASE("validate: profiles and packages from the command line", "[validation][cli]") {
  std::string package = fixture("validation/packages/cb-test").string();
  auto ok = run_carebridge({"validate", "--package", package, "--profile",
                            "http://carebridge.example/fhir/StructureDefinition/cb-patient", sample("patient-valid.json")});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  auto missing = run_carebridge({"validate", "--profile", "http://nowhere.example/x", sample("patient-valid.json")});
  CHECK(missing.exit_code == 1);
}

TEST_CASE("validate: bad usage exits 2", "[validation][cli]") {
  CHECK(run_carebridge({"validate"}).exit_code == 2);
  CHECK(run_carebridge({"validate", "--bogus", sample("patient-valid.json")}).exit_code == 2);
  CHECK(run_carebridge({"validate", "--package", "/nonexistent", sample("patient-valid.json")}).exit_code == 2);
}

TEST_CASE("conformance: a folder of samples, packages and reports", "[validation][cli][conformance]") {
  fs::path dir = temp_dir("conformance-in");
  fs::copy(fixture("validation/samples"), dir / "samples", fs::copy_options::recursive);
  fs::copy(fixture("validation/packages"), dir / "packages", fs::copy_options::recursive);
  fs::path out = temp_dir("conformance-out");
  auto r = run_carebridge({"conformance", dir.string(), "--out", out.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("ndjson") != std::string::npos);
  CHECK(r.out.find("total") != std::string::npos);
  CHECK(r.err.find("[") == std::string::npos);  // no progress bar: stderr is not a terminal
  std::string html = read_text(out / "report.html");
  std::string json = read_text(out / "report.json");
  CHECK(html.find("<html") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);  // self-contained: no external stylesheets or images
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("samples/patient-invalid.json") != std::string::npos);
  CHECK(json.find("\"file\":\"samples/patients.ndjson\"") != std::string::npos);
  CHECK(json.find("Patient.gender") != std::string::npos);
  CHECK(json_difference(json, json).empty());
  // The JSON opens as the page does: resources by type and profile, the most frequent
  // problems with their files, and the files with errors before the clean ones.
  rapidjson::Document report;
  report.Parse(json.c_str());
  REQUIRE(report.IsObject());
  REQUIRE(report.HasMember("resources"));
  CHECK(report["resources"].HasMember("Patient"));
  REQUIRE(report.HasMember("frequentProblems"));
  REQUIRE(report["frequentProblems"].Size() > 0);
  CHECK(std::string(report["frequentProblems"][0]["problem"].GetString()).starts_with("error"));
  CHECK(report["frequentProblems"][0]["files"].Size() > 0);
  bool clean_seen = false;
  for (const auto& f : report["files"].GetArray()) {
    if (f["errors"].GetUint() == 0) clean_seen = true;
    else CHECK(!clean_seen);
  }
  CHECK(clean_seen);
}

TEST_CASE("conformance: a clean folder exits 0, bad usage 2", "[validation][cli][conformance]") {
  fs::path dir = temp_dir("conformance-clean");
  fs::copy(fixture("validation/samples/patient-valid.json"), dir / "p.json");
  fs::copy(fixture("validation/samples/transaction.json"), dir / "t.json");
  fs::path out = temp_dir("conformance-clean-out");
  auto r = run_carebridge({"conformance", dir.string(), "--out", out.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(out / "report.html"));
  CHECK(run_carebridge({"conformance"}).exit_code == 2);
  CHECK(run_carebridge({"conformance", "/nonexistent/folder"}).exit_code == 2);
}

TEST_CASE("conformance: the same problem in two files counts once among the most frequent", "[validation][cli][conformance]") {
  fs::path dir = temp_dir("conformance-frequent");
  std::ofstream(dir / "a.json") << R"({"resourceType":"Patient","name":[],"maritalStatus":{"coding":[]}})";
  std::ofstream(dir / "b.json") << R"({"resourceType":"Patient","name":[]})";
  fs::path out = temp_dir("conformance-frequent-out");
  auto r = run_carebridge({"conformance", dir.string(), "--out", out.string()});
  INFO(r.out << r.err);
  std::string html = read_text(out / "report.html");
  // One problem per element (indexes left out), its quoted values left out; the apostrophe of
  // "FHIR's" quotes nothing.
  auto name = html.find("Patient.name: &#39;…&#39; is an empty array: FHIR&#39;s JSON has no empty arrays");
  REQUIRE(name != std::string::npos);
  CHECK(html.find("<td>2</td>", name) < html.find("</tr>", name));
  auto coding = html.find("Patient.maritalStatus.coding: &#39;…&#39; is an empty array");
  REQUIRE(coding != std::string::npos);
  // Each problem links to the files it was found in; the filter can keep files with errors only.
  CHECK(html.find("<a href=\"#file-1\"><code>a.json</code></a>") != std::string::npos);
  CHECK(html.find("<section id=\"file-1\" class=\"has-errors\">") != std::string::npos);
  CHECK(html.find("id=\"only-errors\"") != std::string::npos);
  CHECK(html.find("<main>") != std::string::npos);
}
