// PPR^PC1 to PC3: a patient's problems (PRB) are Conditions on the problem list, found
// again by the problem's instance identifier, with their status, onset and notes.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|EPIC|NWH|EHR|F|20250130080000-0800||";
const std::string kPid = "PID|1||H100200^^^NWH^MR||DELACROIX^MARIE||19710412|F\rPV1|1|O\r";

}  // namespace

TEST_CASE("PPR^PC1: each problem is a Condition on the problem list, with its status, onset and note", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "PPR^PC1^PPR_PC1|PC1|P|2.5.1\r" + kPid +
                         "PRB|AD|20250130080000-0800|I10^Essential hypertension^I10|PRB1^EPIC|||20240101||||||"
                         "C^Confirmed|A^Active||20231115\r"
                         "NTE|1||Well controlled\r"
                         "PRB|AD|20250130080000-0800|E11.9^Type 2 diabetes mellitus^I10|PRB2^EPIC||||||||||Resolved\r");
  REQUIRE(m.of("Condition").size() == 2);
  const auto& hypertension = m.resource("Condition", 0);
  CHECK(first_code(hypertension["code"]) == "I10");
  CHECK(first_code(hypertension["category"][0]) == "problem-list-item");
  CHECK(text(hypertension["identifier"][0], "value") == "PRB1");
  CHECK(first_code(hypertension["clinicalStatus"]) == "active");
  CHECK(first_code(hypertension["verificationStatus"]) == "confirmed");
  CHECK(text(hypertension, "onsetDateTime") == "2023-11-15");
  CHECK(text(hypertension, "recordedDate") == "2024-01-01");
  CHECK(text(hypertension["note"][0], "text") == "Well controlled");
  CHECK(text(hypertension["subject"], "reference") == m.full_url("Patient"));
  // A status sent only as words is read by them; the identifier finds the record again.
  CHECK(first_code(m.resource("Condition", 1)["clinicalStatus"]) == "resolved");
  CHECK(std::string(m.request("Condition", 0)["method"].GetString()) == "PUT");
  CHECK(std::string(m.request("Condition", 0)["url"].GetString()).find("Condition?identifier=") == 0);
}

TEST_CASE("PPR: a deleted problem (PRB-1 DE) is entered in error, with no clinical status", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "PPR^PC3^PPR_PC1|PC3|P|2.5.1\r" + kPid +
                         "PRB|DE|20250130080000-0800|I10^Essential hypertension^I10|PRB1^EPIC||||||||||A^Active\r");
  const auto& problem = m.resource("Condition");
  CHECK(first_code(problem["verificationStatus"]) == "entered-in-error");
  CHECK_FALSE(problem.HasMember("clinicalStatus"));
}

TEST_CASE("PPR: a status code of the sender's own is left out with a warning, the problem still taken", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "PPR^PC1^PPR_PC1|PC4|P|2.5.1\r" + kPid +
                         "PRB|AD|20250130080000-0800|I10^Essential hypertension^I10|PRB1^EPIC|||||||||"
                         "Z^Zed^L|ACT^Active problem^L\r");
  const auto& problem = m.resource("Condition");
  CHECK_FALSE(problem.HasMember("clinicalStatus"));
  CHECK_FALSE(problem.HasMember("verificationStatus"));
  CHECK(warned(m.conversion, "PRB[1]-14[1]", "left out"));
  CHECK(warned(m.conversion, "PRB[1]-13[1]", "left out"));
}

TEST_CASE("PPR: a goal's note is not the problem's, and is said to be not mapped", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "PPR^PC1^PPR_PC1|PC5|P|2.5.1\r" + kPid +
                         "PRB|AD|20250130080000-0800|44054006^Diabetes mellitus type 2^SCT|PRB7^EPIC\r"
                         "NTE|1||New diagnosis\r"
                         "GOL|AD|20250130|HBA1C^HbA1c below 7^L\r"
                         "NTE|1||Goal note\r");
  const auto& problem = m.resource("Condition");
  REQUIRE(problem["note"].Size() == 1);
  CHECK(text(problem["note"][0], "text") == "New diagnosis");
  CHECK(warned(m.conversion, "NTE[2]", "(GOL)"));
}
