// FHIR packages in `validate` and `conformance`: a package folder or its .tgz as
// published; profiles whose snapshots type Resource.id as `id` (tools newer than
// R4's own snapshot); US Core 7.0.0's examples when the corpus holds the package;
// and the US Core 5.0.1 definitions that come with the core, without a package.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/test_support.h"

using namespace carebridge::testing;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// The project's test package packed as it is published: package/... in a .tgz.
fs::path packed_shelter_package(const fs::path& dir) {
  fs::path tgz = dir / "carebridge.shelter-0.2.0.tgz";
  std::string pack = "tar -czf '" + tgz.string() + "' -C '" + fixture("packages/carebridge.shelter").string() + "' package";
  REQUIRE(std::system(pack.c_str()) == 0);
  return tgz;
}

const char* kClient =
    R"({"resourceType":"Patient","id":"c-1","meta":{"profile":["http://carebridge.example/fhir/StructureDefinition/shelter-client"]},)"
    R"("extension":[{"url":"http://carebridge.example/fhir/StructureDefinition/shelter-bed","valueString":"B-7"}],)"
    R"("identifier":[{"system":"urn:shelter","value":"c-1"}],"name":[{"family":"Moreno"}]})";

}  // namespace

TEST_CASE("validate takes a package as a folder or as its .tgz, and checks what it defines") {
  auto dir = temp_dir("packages-validate");
  auto tgz = packed_shelter_package(dir);
  write_file(dir / "client.json", kClient);
  write_file(dir / "nameless.json",
             R"({"resourceType":"Patient","meta":{"profile":["http://carebridge.example/fhir/StructureDefinition/shelter-client"]},)"
             R"("identifier":[{"system":"urn:shelter","value":"c-2"}]})");
  for (const fs::path& package : {tgz, fixture("packages/carebridge.shelter")}) {
    INFO(package.string());
    auto valid = run_carebridge({"validate", "--package", package.string(), (dir / "client.json").string()});
    INFO(valid.out);
    CHECK(valid.exit_code == 0);  // Patient.id typed `id` by the profile is no type error
    CHECK(valid.out.find("is unknown") == std::string::npos);
    auto invalid = run_carebridge({"validate", "--package", package.string(), (dir / "nameless.json").string()});
    CHECK(invalid.exit_code == 1);
    CHECK(invalid.out.find("Patient.name") != std::string::npos);
  }
  auto broken = run_carebridge({"validate", "--package", (dir / "client.json").string(), (dir / "client.json").string()});
  CHECK(broken.exit_code == 2);
}

TEST_CASE("conformance loads .tgz packages found in the folder or named with --package") {
  auto dir = temp_dir("packages-conformance");
  fs::create_directories(dir / "samples");
  write_file(dir / "samples" / "client.json", kClient);
  auto tgz = packed_shelter_package(dir);
  auto named = run_carebridge({"conformance", (dir / "samples").string(), "--package", tgz.string(), "--out",
                               (dir / "report").string()});
  INFO(named.out << named.err);
  CHECK(named.exit_code == 0);
  CHECK(read_text(dir / "report" / "report.json").find(tgz.string()) != std::string::npos);  // named as given
  fs::copy_file(tgz, dir / "samples" / tgz.filename());
  auto found = run_carebridge({"conformance", (dir / "samples").string(), "--out", (dir / "report2").string()});
  INFO(found.out << found.err);
  CHECK(found.exit_code == 0);
  CHECK(read_text(dir / "report2" / "report.json").find("carebridge.shelter") != std::string::npos);
}

TEST_CASE("US Core 5.0.1's patient profile and extensions come with the core definitions") {
  auto dir = temp_dir("uscore-builtin");
  write_file(dir / "patient.json",
             R"({"resourceType":"Patient","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]},)"
             R"("extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex","valueCode":"F"}],)"
             R"("identifier":[{"system":"urn:mrn","value":"1"}],"name":[{"family":"Nakamura","given":["Emi"]}],"gender":"female"})");
  write_file(dir / "bad-birthsex.json",
             R"({"resourceType":"Patient","extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex","valueString":"F"}]})");
  auto ok = run_carebridge({"validate", (dir / "patient.json").string()});
  INFO(ok.out);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("not known") == std::string::npos);
  CHECK(run_carebridge({"validate", (dir / "bad-birthsex.json").string()}).exit_code == 1);
}

TEST_CASE("US Core 7.0.0's own examples are valid against the published package (corpus)") {
  fs::path package = corpus("packages/hl7.fhir.us.core-7.0.0.tgz");
  if (package.empty()) {
    WARN("corpus not present: skipped");
    return;
  }
  auto dir = temp_dir("uscore7");
  std::string unpack = "tar -xzf '" + package.string() + "' -C '" + dir.string() + "' package/example";
  REQUIRE(std::system(unpack.c_str()) == 0);
  std::vector<std::string> args = {"validate", "--package", package.string()};
  size_t examples = 0;
  for (const auto& e : fs::directory_iterator(dir / "package" / "example")) {
    if (e.path().extension() == ".json") {
      args.push_back(e.path().string());
      ++examples;
    }
  }
  CHECK(examples > 150);
  auto r = run_carebridge(args);
  INFO(r.out.substr(0, 20000));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("INVALID") == std::string::npos);
}
