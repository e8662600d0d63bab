// Insurance and guarantors (IN1, GT1): who pays, under which plan, for whom, after the
// HL7 v2-to-FHIR IG's IN1[Coverage] and GT1 tables.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kAdt = "MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||ADT^A08^ADT_A01|IN1|P|2.5.1\r"
                         "EVN||20250101120000-0500\rPID|1||M1^^^H^MR||DOE^ANN||19800101|F\rPV1|1|O\r";

std::string relationship(const rapidjson::Value& coverage) { return first_code(coverage["relationship"]); }

}  // namespace

TEST_CASE("IN1: the plan is a Coverage class, the payer id the payer Organization's identifier", "[mappings][hl7v2]") {
  Mapped m = map_message(kAdt + segment("IN1", {{1, "1"}, {2, "PPO1^Choice PPO"}, {3, "60054^^^^NIIP"}, {4, "AETNA"},
                                                      {5, "1 MAIN ST^^HARTFORD^CT"}, {8, "GRP7"}, {9, "ACME"}, {36, "POL9"}}));
  const auto& coverage = m.resource("Coverage");
  REQUIRE(coverage.HasMember("class"));
  REQUIRE(coverage["class"].Size() == 2);
  CHECK(first_code(coverage["class"][0]["type"]) == "plan");
  CHECK(text(coverage["class"][0], "value") == "PPO1");
  CHECK(text(coverage["class"][0], "name") == "Choice PPO");
  CHECK(first_code(coverage["class"][1]["type"]) == "group");
  CHECK(text(coverage["class"][1], "value") == "GRP7");
  const rapidjson::Value* payer = m.at(coverage["payor"][0]["reference"].GetString());
  REQUIRE(payer);
  CHECK(text(*payer, "resourceType") == "Organization");
  CHECK(text(*payer, "name") == "AETNA");
  CHECK(text((*payer)["identifier"][0], "value") == "60054");
  CHECK(text((*payer)["address"][0], "city") == "HARTFORD");
}

TEST_CASE("IN1-17: table 0063 and X12 relationship codes, the insured other than the patient is a RelatedPerson", "[mappings][hl7v2]") {
  std::string insurances;
  const char* relationships[][3] = {  // IN1-17, IN1-16, IN1-18
      {"SEL^Self^HL70063", "DOE^ANN", ""}, {"01^Spouse^X12", "DOE^JOHN", "19700101"}, {"19^Child", "DOE^JOHN", ""},
      {"18^Self^X12", "DOE^ANN", ""},      {"SLF^Father", "DOE^JOHN", ""},           {"20^Employee", "DOE^JOHN", ""},
      {"01^Self^HL70063", "DOE^ANN", ""}};  // UB-82's 01: the words say which code set
  for (size_t i = 0; i < 7; ++i)
    insurances += segment("IN1", {{1, std::to_string(i + 1)}, {2, "P" + std::to_string(i)}, {3, "I" + std::to_string(i) + "^^^^NIIP"},
                                  {4, "Ins"}, {16, relationships[i][1]}, {17, relationships[i][0]}, {18, relationships[i][2]},
                                  {49, i == 1 ? "SUB-1^^^INS^MB" : ""}});
  Mapped m = map_message(kAdt + insurances);
  REQUIRE(m.of("Coverage").size() == 7);
  std::string patient = m.full_url("Patient");
  CHECK(relationship(m.resource("Coverage", 0)) == "self");
  CHECK(relationship(m.resource("Coverage", 1)) == "spouse");
  CHECK(relationship(m.resource("Coverage", 2)) == "child");
  CHECK(relationship(m.resource("Coverage", 3)) == "self");
  CHECK(relationship(m.resource("Coverage", 4)) == "parent");
  CHECK(relationship(m.resource("Coverage", 5)) == "other");
  CHECK(relationship(m.resource("Coverage", 6)) == "self");
  for (size_t i : {0, 1, 3, 6}) REQUIRE(m.resource("Coverage", i).HasMember("subscriber"));
  CHECK(m.resource("Coverage", 0)["subscriber"]["reference"].GetString() == patient);
  CHECK(m.resource("Coverage", 3)["subscriber"]["reference"].GetString() == patient);
  CHECK(m.resource("Coverage", 6)["subscriber"]["reference"].GetString() == patient);
  CHECK(m.of("RelatedPerson").size() == 4);  // the spouse, child, father and employee, never the patient
  const rapidjson::Value* spouse = m.at(m.resource("Coverage", 1)["subscriber"]["reference"].GetString());
  REQUIRE(spouse);
  CHECK(text(*spouse, "resourceType") == "RelatedPerson");
  CHECK(text((*spouse)["name"][0], "family") == "DOE");
  CHECK(text(*spouse, "birthDate") == "1970-01-01");
  CHECK(text((*spouse)["identifier"][0], "value") == "SUB-1");
  CHECK((*spouse)["patient"]["reference"].GetString() == patient);
}

TEST_CASE("IN1 naming only a self-pay payer still gives a Coverage", "[mappings][hl7v2]") {
  Mapped m = map_message(kAdt + "IN1|1|||SELF PAY\r");
  REQUIRE(m.of("Coverage").size() == 1);
  const auto& coverage = m.resource("Coverage");
  CHECK(text(coverage, "status") == "active");
  REQUIRE(coverage.HasMember("payor"));
}

TEST_CASE("GT1: the guarantor is a RelatedPerson, the patient when self, and the Account's guarantor", "[mappings][hl7v2]") {
  Mapped m = map_message(kAdt + segment("GT1", {{1, "1"}, {2, "G44^^^H^MR"}, {3, "DOE^JOSE"}, {5, "9 OAK AVE^^DALLAS^TX"},
                                                      {6, "^PRN^PH^^1^214^5550100"}, {8, "19600101"}, {9, "M"},
                                                      {11, "FTH^Father^HL70063"}, {12, "123-45-6789"}, {13, "20240101"},
                                                      {14, "20241231"}}));
  REQUIRE(m.of("Account").size() == 1);
  const auto& account = m.resource("Account");
  const rapidjson::Value* party = m.at(account["guarantor"][0]["party"]["reference"].GetString());
  REQUIRE(party);
  CHECK(text(*party, "resourceType") == "RelatedPerson");
  CHECK(text((*party)["name"][0], "family") == "DOE");
  CHECK(first_code((*party)["relationship"][0]) == "FTH");
  bool ssn = false;
  for (const auto& id : (*party)["identifier"].GetArray())
    ssn = ssn || (text(id, "system") == "http://hl7.org/fhir/sid/us-ssn" && text(id, "value") == "123-45-6789");
  CHECK(ssn);
  CHECK(text(account["guarantor"][0]["period"], "start") == "2024-01-01");
  CHECK(account["subject"][0]["reference"].GetString() == m.full_url("Patient"));

  Mapped self = map_message(kAdt + segment("GT1", {{1, "1"}, {3, "DOE^ANN"}, {11, "SEL^Self^HL70063"}}));
  CHECK(self.of("RelatedPerson").empty());
  CHECK(self.resource("Account")["guarantor"][0]["party"]["reference"].GetString() == self.full_url("Patient"));
}

TEST_CASE("GT1 naming nobody but its dates gives no guarantor without a party, and the message maps", "[mappings][hl7v2]") {
  Mapped m = map_message(kAdt + segment("GT1", {{1, "1"}, {2, "G45^^^H^GT"}, {11, "SPO^Spouse"}, {13, "20250101"}}));
  const auto& account = m.resource("Account");
  CHECK_FALSE(account.HasMember("guarantor"));
}
