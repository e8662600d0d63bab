// `carebridge map --mapping hl7v2`: one Bundle per message under the input's base name
// (name-1.json, name-2.json for a file of several), problems with their v2 positions on
// stderr, exit codes; --to hl7v2 back; a folder of one's own maps.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"

using namespace carebridge::testing;
namespace fs = std::filesystem;

namespace {
void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}
}  // namespace

TEST_CASE("map writes one Bundle per message under the input's name", "[cli][hl7v2]") {
  auto dir = temp_dir("map-out");
  fs::path one = project_sample("hl7v2/oru_r01.hl7");
  write_file(dir / "batch.hl7", "FHS|^~\\&|LAB\r" + read_text(project_sample("hl7v2/adt_a01.hl7")) +
                                    read_text(project_sample("hl7v2/adt_a08.hl7")) + "FTS|2\r");
  auto run = run_carebridge({"map", "--mapping", "hl7v2", "--out-dir", (dir / "out").string(), one.string(),
                             (dir / "batch.hl7").string()});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(fs::exists(dir / "out" / "oru_r01.json"));
  CHECK(fs::exists(dir / "out" / "batch-1.json"));
  CHECK(fs::exists(dir / "out" / "batch-2.json"));
  CHECK_FALSE(fs::exists(dir / "out" / "batch-3.json"));
  CHECK(read_text(dir / "out" / "batch-2.json").find("\"type\": \"transaction\"") != std::string::npos);

  auto stdout_run = run_carebridge({"map", "--mapping", "hl7v2", one.string()});
  CHECK(stdout_run.exit_code == 0);
  CHECK(stdout_run.out.find("\"resourceType\": \"Bundle\"") != std::string::npos);
}

TEST_CASE("map says where a message goes wrong and exits 1", "[cli][hl7v2]") {
  auto dir = temp_dir("map-bad");
  write_file(dir / "bad.hl7", "MSH|^~\\&|A|B|C|D|20260101||ZZZ^Z01|1|P|2.5.1\r");
  auto run = run_carebridge({"map", "--mapping", "hl7v2", (dir / "bad.hl7").string()});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("MSH[1]-9") != std::string::npos);
  CHECK(run.err.find("ZZZ^Z01") != std::string::npos);
  CHECK(run_carebridge({"map", "--mapping", "nosuch", (dir / "bad.hl7").string()}).exit_code == 2);
  CHECK(run_carebridge({"map", (dir / "bad.hl7").string()}).exit_code == 2);
}

TEST_CASE("map writes nothing for a refused message, and says so", "[cli][hl7v2]") {
  auto dir = temp_dir("map-refused");
  // An order's result with no patient maps to a Bundle that does not validate (the order's
  // ServiceRequest needs its subject): refused (exit 1), the missing PID said.
  write_file(dir / "orphan.hl7",
             "MSH|^~\\&|LAB|X|CB|Y|20260101||ORU^R01^ORU_R01|9|P|2.5.1\rORC|RE||F9\rOBR|1||F9|X^X\rOBX|1|NM|Y^Y||1|mg||||||F\r");
  write_file(dir / "out" / "orphan.json", "{}");  // an earlier run's output must not pass for this one's
  auto run = run_carebridge({"map", "--mapping", "hl7v2", "--out-dir", (dir / "out").string(), (dir / "orphan.hl7").string()});
  CHECK(run.exit_code == 1);
  CHECK_FALSE(fs::exists(dir / "out" / "orphan.json"));
  CHECK(run.err.find("no Bundle was written") != std::string::npos);
  CHECK(run.err.find("PID: the message has no PID segment") != std::string::npos);
  auto to_stdout = run_carebridge({"map", "--mapping", "hl7v2", (dir / "orphan.hl7").string()});
  CHECK(to_stdout.exit_code == 1);
  CHECK(to_stdout.out.find("Bundle") == std::string::npos);
}

TEST_CASE("map takes every message of a file that starts with a byte order mark, and says what it skipped", "[cli][hl7v2]") {
  auto dir = temp_dir("map-bom");
  std::string adt = "MSH|^~\\&|EHR|H|CB|Y|20260101120000-0500||ADT^A08^ADT_A01|";
  std::string rest = "|P|2.5.1\rEVN|A08\rPID|1||P1^^^H^MR||DOE^ANN||19900101|F\rPV1|1|O\r";
  write_file(dir / "bom.hl7", "\xEF\xBB\xBF" + adt + "B1" + rest + adt + "B2" + rest);
  write_file(dir / "titled.hl7", "EXPORT OF 2026-01-01\r\n" + adt + "T1" + rest);
  auto run = run_carebridge({"map", "--mapping", "hl7v2", "--out-dir", (dir / "out").string(), (dir / "bom.hl7").string(),
                             (dir / "titled.hl7").string()});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(fs::exists(dir / "out" / "bom-1.json"));  // the first message, after the mark, is not lost
  CHECK(fs::exists(dir / "out" / "bom-2.json"));
  CHECK(fs::exists(dir / "out" / "titled.json"));
  CHECK(run.err.find("bom.hl7: warning") == std::string::npos);
  CHECK(run.err.find("titled.hl7: warning: the text before the first message is not HL7 v2 and was skipped: "
                     "'EXPORT OF 2026-01-01'") != std::string::npos);
}

TEST_CASE("map says an empty file holds no message and exits 1", "[cli][hl7v2]") {
  auto dir = temp_dir("map-empty");
  write_file(dir / "empty.hl7", "");
  auto run = run_carebridge({"map", "--mapping", "hl7v2", "--out-dir", (dir / "out").string(), (dir / "empty.hl7").string()});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("empty") != std::string::npos);
}

TEST_CASE("map --to hl7v2 takes FHIR back to v2", "[cli][hl7v2]") {
  auto dir = temp_dir("map-back");
  auto forward = run_carebridge({"map", "--mapping", "hl7v2", "--out-dir", dir.string(),
                                 project_sample("hl7v2/oru_r01.hl7").string()});
  REQUIRE(forward.exit_code == 0);
  auto back = run_carebridge({"map", "--mapping", "hl7v2", "--to", "hl7v2", (dir / "oru_r01.json").string()});
  INFO(back.err);
  CHECK(back.exit_code == 0);
  CHECK(back.out.rfind("MSH|^~\\&|", 0) == 0);
  CHECK(back.out.find("ORU^R01^ORU_R01") != std::string::npos);
  CHECK(back.out.find("OBX|1|NM|2345-7^") != std::string::npos);
}

TEST_CASE("a folder of one's own maps adds a segment without rebuilding (mappings/hl7v2/README.md)", "[cli][hl7v2]") {
  auto dir = temp_dir("map-own");
  fs::copy(fs::path(CAREBRIDGE_SAMPLES).parent_path() / "mappings/hl7v2/maps", dir / "maps");
  std::string segments = read_text(dir / "maps/segments.json");
  segments.insert(segments.find('{') + 1, R"(
  "ZPB[Coverage]": {"resource": "Coverage", "identity": "identifier", "write": "update", "rules": [
    {"to": "identifier[0].value", "from": "ZPB-3"}, {"to": "status", "value": "active"},
    {"to": "class[0].type.coding[0].system", "value": "http://terminology.hl7.org/CodeSystem/coverage-class"},
    {"to": "class[0].type.coding[0].code", "value": "rxgroup"}, {"to": "class[0].value", "from": "ZPB-2.1"},
    {"to": "beneficiary", "ref": "Patient"}, {"to": "payor[0].display", "value": "pharmacy benefit manager"}]},)");
  write_file(dir / "maps/segments.json", segments);
  std::string messages = read_text(dir / "maps/messages.json");
  messages.replace(messages.find("\"MRG\": ["), 8, "\"ZPB\": [\"ZPB[Coverage]\"], \"MRG\": [");
  write_file(dir / "maps/messages.json", messages);
  std::string adt = read_text(project_sample("hl7v2/adt_a08.hl7")) + "ZPB|1|PLAN42^Gold Rx|MEMBER-9\r";
  write_file(dir / "zpb.hl7", adt);
  auto run = run_carebridge({"map", "--mapping", (dir / "maps").string(), (dir / "zpb.hl7").string()});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("\"rxgroup\"") != std::string::npos);
  CHECK(run.out.find("MEMBER-9") != std::string::npos);
}

TEST_CASE("a map's condition on the codes of a vocabulary table it does not have is a spec error", "[cli][hl7v2]") {
  auto dir = temp_dir("map-own-table");
  fs::copy(fs::path(CAREBRIDGE_SAMPLES).parent_path() / "mappings/hl7v2/maps", dir / "maps");
  std::string segments = read_text(dir / "maps/segments.json");
  const std::string table = R"({"table": "vital-sign-codes"})";
  size_t at = segments.find(table);
  REQUIRE(at != std::string::npos);  // OBX[vital-signs] reads its codes from the table
  segments.replace(at, table.size(), R"({"table": "vital-sign-code-list"})");
  write_file(dir / "maps/segments.json", segments);
  auto run = run_carebridge({"map", "--mapping", (dir / "maps").string(), project_sample("hl7v2/oru_r01.hl7").string()});
  CHECK(run.exit_code != 0);
  CHECK(run.err.find("no vocabulary table 'vital-sign-code-list'") != std::string::npos);
}

TEST_CASE("map: an agency's sheet to FHIR and back to the sheet with --to csv", "[cli][agency]") {
  auto dir = temp_dir("map-agency-back");
  auto forward = run_carebridge({"map", "--mapping", "case-plan", "--out-dir", dir.string(),
                                 project_sample("agency/case-plan/plan-CP-118.csv").string()});
  INFO(forward.err);
  REQUIRE(forward.exit_code == 0);
  CHECK(forward.err.find("4 rows read: 4 taken") != std::string::npos);
  auto back = run_carebridge({"map", "--mapping", "case-plan", "--to", "csv", (dir / "plan-CP-118.json").string()});
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  CHECK(back.out.starts_with("Plan ID,Client ID,"));
  CHECK(back.out.find("Gather ID and income documents,In progress,2026-11-20,Dana Whitfield,") != std::string::npos);
  // Written to a file, the sheet starts with UTF-8's byte order mark, so that Excel opening it
  // shows the staff's accented names as typed, not as Windows-1252 ("JosÃ©").
  auto file = run_carebridge({"map", "--mapping", "case-plan", "--to", "csv", "--out-dir", (dir / "back").string(),
                              (dir / "plan-CP-118.json").string()});
  REQUIRE(file.exit_code == 0);
  std::string sheet = read_text(dir / "back" / "plan-CP-118.csv");
  CHECK(sheet.starts_with("\xEF\xBB\xBFPlan ID,Client ID,"));
  CHECK(sheet.substr(3) == back.out);
  CHECK(run_carebridge({"map", "--mapping", "hmis", "--to", "csv", (dir / "plan-CP-118.json").string()}).exit_code == 2);
  CHECK(run_carebridge({"map", "--mapping", "hl7v2", "--to", "csv", (dir / "plan-CP-118.json").string()}).exit_code == 2);
}

// Plans read back from the gateway carry the identifier systems of the organization that sent
// them: without --agency the partner got the header alone, exit 0 and no word why.
TEST_CASE("map --to csv: records of another agency are said, not an empty sheet handed back", "[cli][agency]") {
  auto dir = temp_dir("map-agency-other");
  REQUIRE(run_carebridge({"map", "--mapping", "case-plan", "--agency", "clinic-7", "--out-dir", dir.string(),
                          project_sample("agency/case-plan/plan-CP-118.csv").string()}).exit_code == 0);
  auto back = run_carebridge({"map", "--mapping", "case-plan", "--to", "csv", (dir / "plan-CP-118.json").string()});
  CHECK(back.err.find("no record in it is agency \"local\"'s") != std::string::npos);
  CHECK(back.err.find("give --agency ORGANIZATION") != std::string::npos);
  auto theirs = run_carebridge({"map", "--mapping", "case-plan", "--agency", "clinic-7", "--to", "csv", (dir / "plan-CP-118.json").string()});
  CHECK(theirs.err.find("no record") == std::string::npos);
  CHECK(theirs.out.find("Gather ID and income documents") != std::string::npos);
}

// An HMIS delta whose only row deletes a client (round 4's W34b): offline there is nothing to
// write, and that is no failure — an empty transaction Bundle, exit 0, saying why; the gateway
// deletes what the row names.
TEST_CASE("map: a delta of deleted records alone writes an empty transaction and says why", "[cli][agency]") {
  auto dir = temp_dir("map-deletions-only");
  write_file(dir / "in" / "Export.csv",
             "ExportID,SourceType,SourceID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,CSVVersion,"
             "ExportPeriodType,ExportDirective,HashStatus\nX9,3,XX-500,CoC,2024-10-01 00:00:00,2024-07-01,2024-09-30,V,FY2024,1,1,1\n");
  write_file(dir / "in" / "Client.csv",
             "PersonalID,FirstName,LastName,NameDataQuality,DateCreated,DateUpdated,UserID,DateDeleted,ExportID\n"
             "C2,Kim,Lee,1,2024-01-02 09:00:00,2024-08-01 10:00:00,U1,2024-08-01 10:00:00,X9\n");
  auto mapped = run_carebridge({"map", "--mapping", "hmis", "--out-dir", (dir / "out").string(), (dir / "in").string()});
  INFO(mapped.err);
  CHECK(mapped.exit_code == 0);
  CHECK(mapped.err.find("nothing to write: the rows skipped are deleted records") != std::string::npos);
  std::ifstream written(dir / "out" / "in.json");
  std::string bundle((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  CHECK(bundle.find("\"type\": \"transaction\"") != std::string::npos);
  CHECK(bundle.find("entry") == std::string::npos);
  // A file with no row at all still writes nothing and exits 1.
  write_file(dir / "empty" / "Client.csv", "PersonalID,FirstName\n");
  CHECK(run_carebridge({"map", "--mapping", "hmis", "--out-dir", (dir / "out").string(), (dir / "empty").string()}).exit_code == 1);
}
