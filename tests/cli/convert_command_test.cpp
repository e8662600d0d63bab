// `carebridge convert`: output naming, standard output, many files in one process,
// and one clear line per bad file while the others still convert.
#include <catch2/catch.hpp>

#include <sstream>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"

using namespace carebridge::testing;
namespace fs = std::filesystem;

namespace {
void write_file(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
}  // namespace

TEST_CASE("convert writes each file under its base name with the new extension") {
  auto dir = temp_dir("convert-out");
  write_file(dir / "Patient-x.json", R"({"resourceType":"Patient","id":"x","active":true})");
  write_file(dir / "obs.xml", R"(<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="t"/></code></Observation>)");
  auto xml = run_carebridge({"convert", "--to", "xml", "--out-dir", (dir / "xml").string(), (dir / "Patient-x.json").string()});
  CHECK(xml.exit_code == 0);
  REQUIRE(fs::exists(dir / "xml" / "Patient-x.xml"));
  CHECK(read_text(dir / "xml" / "Patient-x.xml").find("<active value=\"true\"/>") != std::string::npos);
  auto json = run_carebridge({"convert", "--to", "json", "--out-dir", (dir / "json").string(), (dir / "obs.xml").string(),
                              (dir / "xml" / "Patient-x.xml").string()});
  CHECK(json.exit_code == 0);
  CHECK(fs::exists(dir / "json" / "obs.json"));
  CHECK(json_difference(R"({"resourceType":"Patient","id":"x","active":true})", read_text(dir / "json" / "Patient-x.json")) == "");
}

TEST_CASE("without --out-dir one file goes to standard output") {
  auto dir = temp_dir("convert-stdout");
  write_file(dir / "p.json", R"({"resourceType":"Patient","gender":"other"})");
  auto r = run_carebridge({"convert", "--to", "xml", (dir / "p.json").string()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("<Patient xmlns=\"http://hl7.org/fhir\">") != std::string::npos);
  auto from_stdin = run_carebridge({"convert", "--to", "json", "-"}, r.out);
  CHECK(from_stdin.exit_code == 0);
  CHECK(json_difference(R"({"resourceType":"Patient","gender":"other"})", from_stdin.out) == "");
}

TEST_CASE("a bad file gets one line naming file and position, the others still convert") {
  auto dir = temp_dir("convert-bad");
  write_file(dir / "good.json", R"({"resourceType":"Patient"})");
  write_file(dir / "bad.json", "{\"resourceType\":\"Patient\",\n  \"active\": tru}");
  write_file(dir / "worse.xml", "<Patient xmlns=\"http://hl7.org/fhir\">");
  auto r = run_carebridge({"convert", "--to", "xml", "--out-dir", (dir / "out").string(), (dir / "bad.json").string(),
                           (dir / "good.json").string(), (dir / "worse.xml").string(), (dir / "missing.json").string()});
  CHECK(r.exit_code == 1);
  CHECK(fs::exists(dir / "out" / "good.xml"));
  CHECK_FALSE(fs::exists(dir / "out" / "bad.xml"));
  CHECK_THAT(r.err, Catch::Contains((dir / "bad.json").string() + ": line 2, column"));
  CHECK_THAT(r.err, Catch::Contains((dir / "worse.xml").string() + ": line 1"));
  // The parser's position is said once on each line ("line 2, column 9: line 2, column 9: ..." before).
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(line.find(", column ") == line.rfind(", column "));
  }
  CHECK_THAT(r.err, Catch::Contains((dir / "missing.json").string() + ": cannot open"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 3);
}

TEST_CASE("bad usage exits 2") {
  CHECK(run_carebridge({"convert", "--to", "yaml", "x.json"}).exit_code == 2);
  CHECK(run_carebridge({"convert", "x.json"}).exit_code == 2);
  CHECK(run_carebridge({"convert", "--to", "xml", "a.json", "b.json"}).exit_code == 2);
  CHECK(run_carebridge({"frobnicate"}).exit_code == 2);
}
