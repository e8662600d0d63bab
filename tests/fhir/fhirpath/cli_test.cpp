// `carebridge fhirpath`: single expressions with and without input, the NDJSON
// batch mode, and exit codes.
#include <catch2/catch.hpp>

#include <sstream>

#include "support/test_support.h"

using carebridge::testing::fixture;
using carebridge::testing::run_carebridge;

TEST_CASE("fhirpath prints typed JSON results", "[fhirpath][cli]") {
  std::string patient = fixture("fhirpath/patient.json").string();
  auto r = run_carebridge({"fhirpath", "--input", patient, "name[0].given"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[{\"type\":\"string\",\"value\":\"Adaeze\"},{\"type\":\"string\",\"value\":\"Ngozi\"}]\n");

  r = run_carebridge({"fhirpath", "--input", patient, "name[1]"});
  CHECK(r.out == "[{\"type\":\"HumanName\",\"value\":{\"use\":\"nickname\",\"given\":[\"Ada\"]}}]\n");

  r = run_carebridge({"fhirpath", "--input", patient, "active | birthDate"});
  CHECK(r.out == "[{\"type\":\"boolean\",\"value\":true},{\"type\":\"date\",\"value\":\"1988-07-14\"}]\n");

  r = run_carebridge({"fhirpath", "1.50 + 1 | 2 'mg' | 'x' | @2024-02 | (3 > 2)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "[{\"type\":\"Decimal\",\"value\":2.50},{\"type\":\"Quantity\",\"value\":{\"value\":2,\"unit\":\"mg\"}},"
        "{\"type\":\"String\",\"value\":\"x\"},{\"type\":\"Date\",\"value\":\"2024-02\"},"
        "{\"type\":\"Boolean\",\"value\":true}]\n");

  r = run_carebridge({"fhirpath", "--input", fixture("fhirpath/bundle.json").string(),
                      "Bundle.entry.resource.ofType(Observation).value"});
  CHECK(r.out.find("{\"type\":\"Quantity\",\"value\":{\"value\":72.50,\"unit\":\"kg\"") == 1);
}

TEST_CASE("fhirpath exit codes", "[fhirpath][cli]") {
  auto r = run_carebridge({"fhirpath", "name.nosuch()"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("at 6: unknown function 'nosuch'") != std::string::npos);
  CHECK(r.out.empty());
  r = run_carebridge({"fhirpath", "--input", "/nonexistent/file.json", "name"});
  CHECK(r.exit_code == 1);
  r = run_carebridge({"fhirpath"});
  CHECK(r.exit_code == 2);
  r = run_carebridge({"fhirpath", "--bogus", "1"});
  CHECK(r.exit_code == 2);
  r = run_carebridge({"fhirpath", "1", "2"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("fhirpath --batch answers every line", "[fhirpath][cli][batch]") {
  std::string patient = fixture("fhirpath/patient.json").string();
  std::string input =
      "{\"input\": \"" + patient + "\", \"expression\": \"name.given.first()\"}\n"
      "{\"input\": \"" + patient + "\", \"expression\": \"name.(\"}\n"
      "not json\n"
      "{\"input\": \"/nonexistent.json\", \"expression\": \"id\"}\n"
      "{\"expression\": \"1 + 1\"}\n"
      "\n"
      "{\"input\": \"" + patient + "\", \"expression\": \"gender\"}\n";
  auto r = run_carebridge({"fhirpath", "--batch"}, input);
  CHECK(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::vector<std::string> out;
  for (std::string line; std::getline(lines, line);) out.push_back(line);
  REQUIRE(out.size() == 7);
  CHECK(out[0] == "{\"result\":[{\"type\":\"string\",\"value\":\"Adaeze\"}]}");
  CHECK(out[1].starts_with("{\"error\":\"at 6:"));
  CHECK(out[2].starts_with("{\"error\":"));
  CHECK(out[3].starts_with("{\"error\":\"/nonexistent.json"));
  CHECK(out[4] == "{\"result\":[{\"type\":\"Integer\",\"value\":2}]}");
  CHECK(out[5].starts_with("{\"error\":"));
  CHECK(out[6] == "{\"result\":[{\"type\":\"code\",\"value\":\"female\"}]}");
}
