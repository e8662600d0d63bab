// What an ADT says about records a person has beyond the visit: A60's allergies found by
// their own identifier (IAM-7), deleted (IAM-6 D) and verified (IAM-17; a code of the
// sender's own is left out), and A29, which deletes a person's information, refused
// rather than written as a live Patient; A24's two records of one person linked to each
// other; A20, a bed's status, is refused as naming no patient.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||";

}  // namespace

TEST_CASE("A60: an allergy is found by IAM-7, and a delete is entered in error, never active", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A60^ADT_A60|AL1|P|2.5.1\rEVN|A60|20250101\rPID|1||M1^^^H^MR||A^B\r" +
                         segment("IAM", {{1, "1"}, {2, "DA^Drug allergy^HL70127"}, {3, "7980^Penicillin G^RXNORM"},
                                         {6, "A^Add^HL70323"}, {7, "ALG100^EHR"}, {13, "20241231093000-0500"},
                                         {17, "C^Confirmed or verified^HL70438"}}) +
                         segment("IAM", {{1, "2"}, {2, "DA^Drug allergy^HL70127"}, {3, "2670^Codeine^RXNORM"},
                                         {6, "D^Delete^HL70323"}, {7, "ALG077^EHR"}}));
  REQUIRE(m.of("AllergyIntolerance").size() == 2);
  const auto& added = m.resource("AllergyIntolerance", 0);
  CHECK(text(added["identifier"][0], "value") == "ALG100");
  CHECK(text(m.request("AllergyIntolerance", 0), "url").find("AllergyIntolerance?identifier=") == 0);
  CHECK(first_code(added["clinicalStatus"]) == "active");
  CHECK(first_code(added["verificationStatus"]) == "confirmed");
  CHECK(text(added, "recordedDate") == "2024-12-31T09:30:00-05:00");
  const auto& deleted = m.resource("AllergyIntolerance", 1);
  CHECK(text(m.request("AllergyIntolerance", 1), "url").find("ALG077") != std::string::npos);
  CHECK_FALSE(deleted.HasMember("clinicalStatus"));
  CHECK(first_code(deleted["verificationStatus"]) == "entered-in-error");
}

TEST_CASE("A60: IAM-5 reactions keep their codes (a CWE), not only their words", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A60^ADT_A60|AL3|P|2.5.1\rEVN|A60|20250101\rPID|1||M1^^^H^MR||A^B\r" +
                         segment("IAM", {{1, "1"}, {2, "DA^Drug allergy^HL70127"}, {3, "7980^Penicillin G^RXNORM"},
                                         {5, "39579001^Anaphylaxis^SCT~^Hives~Wheezing"}, {6, "A^Add^HL70323"},
                                         {7, "ALG300^EHR"}}));
  const auto& manifestations = m.resource("AllergyIntolerance")["reaction"][0]["manifestation"];
  REQUIRE(manifestations.Size() == 3);
  CHECK(first_code(manifestations[0]) == "39579001");
  CHECK(text(manifestations[0]["coding"][0], "system") == "http://snomed.info/sct");
  CHECK(text(manifestations[1], "text") == "Hives");
  // Words alone (no code system, no text beside them) are words, not a code of no system.
  CHECK(text(manifestations[2], "text") == "Wheezing");
  CHECK_FALSE(manifestations[2].HasMember("coding"));
}

TEST_CASE("A60: a verification status of the sender's own is left out with a warning, the allergy still taken",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A60^ADT_A60|AL2|P|2.5.1\rEVN|A60|20250101\rPID|1||M1^^^H^MR||A^B\r" +
                         segment("IAM", {{1, "1"}, {2, "DA^Drug allergy^HL70127"}, {3, "7980^Penicillin G^RXNORM"},
                                         {6, "A^Add^HL70323"}, {7, "ALG100^EHR"}, {17, "Q^Questionable^L"}}));
  const auto& allergy = m.resource("AllergyIntolerance");
  CHECK_FALSE(allergy.HasMember("verificationStatus"));
  CHECK(first_code(allergy["clinicalStatus"]) == "active");
  CHECK(warned(m.conversion, "IAM[1]-17[1]", "left out"));
}

TEST_CASE("A29: deleting a person's information is refused, not written as a live Patient", "[mappings][hl7v2]") {
  Conversion c = converter().convert(kMsh + "ADT^A29^ADT_A21|DP1|P|2.5.1\rEVN|A29|20250101\r"
                                            "PID|1||M1^^^H^MR||NGUYEN^MAI||19900214|F\rPV1|1|N\r");
  CHECK(c.outcome == Conversion::Outcome::Rejected);
  CHECK(c.first_error().find("MSH[1]-9: ADT^A29: A29 (delete person information) is not applied") == 0);
}

TEST_CASE("A20: a bed status update is refused saying it names no patient, not as a record missing a field",
          "[mappings][hl7v2][bad-input]") {
  Conversion c = converter().convert(kMsh + "ADT^A20^ADT_A20|BS1|P|2.5.1\rEVN|A20|20250101\r"
                                            "NPU|5SOUTH^510^1^H|C^Closed^HL70116\r");
  CHECK(c.outcome == Conversion::Outcome::Rejected);
  CHECK(c.first_error().find("MSH[1]-9: ADT^A20: A20 (bed status update) is about a bed") == 0);
}

TEST_CASE("A24: the two PIDs are one person's records, each linked to the other, neither retired", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A24^ADT_A24|LK1|P|2.5.1\rEVN|A24|20250101\r"
                                "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\rPV1|1|I|4W^401^1^H||||||||||||||||V1^^^H^VN\r"
                                "PID|2||C7^^^CLINIC^MR||DOE^ANN||19800101|F\rPV1|1|O|CL^^^CLINIC||||||||||||||||V7^^^CLINIC^VN\r");
  REQUIRE(m.of("Patient").size() == 2);
  std::string first = m.full_url("Patient", 0), second = m.full_url("Patient", 1);
  for (size_t i = 0; i < 2; ++i) {
    const auto& patient = m.resource("Patient", i);
    REQUIRE(patient.HasMember("link"));
    CHECK(text(patient["link"][0], "type") == "seealso");
    CHECK(text(patient["link"][0]["other"], "reference") == (i == 0 ? second : first));
    CHECK_FALSE((patient.HasMember("active") && !patient["active"].GetBool()));
  }
  // Each visit is its own patient's.
  CHECK(text(m.resource("Encounter", 0)["subject"], "reference") == first);
  CHECK(text(m.resource("Encounter", 1)["subject"], "reference") == second);
}

TEST_CASE("A41: merging an account retires the prior Account (MRG-3), not a Patient", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A41^ADT_A39|A41|P|2.5.1\rEVN|A41|20250101\r"
                         "PID|1||M1^^^H^MR||DOE^ANN||19800101|F||||||||||ACCT2^^^H^AN\r"
                         "MRG|M1^^^H^MR||ACCT1^^^H^AN\r");
  REQUIRE(m.of("Patient").size() == 1);
  CHECK_FALSE(m.resource("Patient").HasMember("link"));
  bool retired = false, kept = false;
  for (const auto* e : m.of("Account")) {
    const auto& account = (*e)["resource"];
    std::string id = account["identifier"][0]["value"].GetString();
    retired = retired || (id == "ACCT1" && text(account, "status") == "inactive");
    kept = kept || (id == "ACCT2" && text(account, "status") == "active");
  }
  CHECK(retired);
  CHECK(kept);
}

TEST_CASE("NK1 with no name but a relationship and a phone is still one of the Patient's contacts", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|NK9|P|2.5.1\rEVN|A08|20250101\rPID|1||M1^^^H^MR||DOE^ANN||19800101|F\r"
                         "NK1|1|DOE^JIM|FTH^Father^HL70063||^PRN^PH^^1^309^5550181\r"
                         "NK1|2||EMC^Emergency Contact^HL70063||^PRN^CP^^1^309^5550182\r"
                         "NK1|3||SPO^Spouse^HL70063\rPV1|1|O\r");
  const auto& contacts = m.resource("Patient")["contact"];
  REQUIRE(contacts.Size() == 2);
  CHECK(text(contacts[0]["name"], "family") == "DOE");
  CHECK_FALSE(contacts[1].HasMember("name"));
  CHECK(first_code(contacts[1]["relationship"][0]) == "EMC");
  CHECK(text(contacts[1]["telecom"][0], "use") == "mobile");
}

TEST_CASE("XAD: an address's effective and expiration dates (or 2.3's validity range) are its period", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A28^ADT_A05|AD1|P|2.5\rEVN|A28\rPID|1||M1^^^H^MR||DOE^ANN||19800101|F|||"
                                "9 ELM CT^^PALO ALTO^CA^94301^USA^H^^^^^^20200101^20241231~"
                                "1 OLD RD^^TROY^NY^12180^USA^H^^^^^19990101&20191231\r");
  const auto& addresses = m.resource("Patient")["address"];
  REQUIRE(addresses.Size() == 2);
  CHECK(text(addresses[0]["period"], "start") == "2020-01-01");
  CHECK(text(addresses[0]["period"], "end") == "2024-12-31");
  CHECK(text(addresses[1]["period"], "start") == "1999-01-01");
  CHECK(text(addresses[1]["period"], "end") == "2019-12-31");
}

TEST_CASE("NK1-13: a contact that is an organization (an employer) names it", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|NK10|P|2.5.1\rEVN|A08|20250101\rPID|1||M1^^^H^MR||DOE^ANN||19800101|F\r"
                         "NK1|1||EMP^Employer^HL70063||^WPN^PH^^1^860^5557000||E^Employer^HL70131||||||ACME MILLS\r"
                         "PV1|1|O\r");
  const auto& contacts = m.resource("Patient")["contact"];
  REQUIRE(contacts.Size() == 1);
  REQUIRE(contacts[0].HasMember("organization"));
  const rapidjson::Value* employer = m.at(contacts[0]["organization"]["reference"].GetString());
  REQUIRE(employer);
  CHECK(text(*employer, "name") == "ACME MILLS");
}

TEST_CASE("an address ending before it starts and an NK1-13 naming no organization refuse nothing", "[mappings][hl7v2]") {
  // The period failed per-1 and an NK1 with only a relationship failed pat-1: no Bundle at all.
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|NK11|P|2.5.1\rEVN|A08|20250101\rPID|1||M1^^^H^MR||DOE^ANN||19800101|F|||"
                                "9 ELM CT^^PALO ALTO^CA^94301^USA^H^^^^^^20200101^20100101\r"
                                "NK1|1||EMR^Employer^HL70063||||||||||^L\rPV1|1|O\r");
  const auto& patient = m.resource("Patient");
  CHECK(text(patient["address"][0]["period"], "start") == "2020-01-01");
  CHECK_FALSE(patient["address"][0]["period"].HasMember("end"));
  CHECK_FALSE(patient.HasMember("contact"));
}


// NK1's other fields the IG's NK1[RelatedPerson] maps: an associated party's number (NK1-12),
// language (NK1-20), and an organization's contact person and phone (NK1-30, NK1-31).
TEST_CASE("NK1: a related person's number and language, and an organization's contact person", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A04^ADT_A01|NK1|P|2.5.1\rEVN|A04|20250101\rPID|1||M1^^^H^MR||A^B\r" +
                         segment("NK1", {{1, "1"}, {2, "ROSSI^GIULIA"}, {3, "SIS^Sister^HL70063"}, {12, "EMP-5521^^^ACME"},
                                         {20, "it^Italian^ISO639"}}) +
                         segment("NK1", {{1, "2"}, {3, "EMR^Employer^HL70063"}, {13, "ACME FOODS"}, {30, "BELL^TOM"},
                                         {31, "^WPN^PH^^1^312^5550177"}}) +
                         "PV1|1|O\r");
  REQUIRE(m.of("RelatedPerson").size() == 2);
  const auto& sister = m.resource("RelatedPerson", 0);
  CHECK(text(sister["identifier"][0], "value") == "EMP-5521");
  CHECK(text(sister["communication"][0]["language"], "text") == "Italian");
  const auto& employer = m.resource("RelatedPerson", 1);
  CHECK(text(employer["name"][0], "family") == "BELL");  // the contact person, as no NK1-2 names anyone
  CHECK(text(employer["telecom"][0], "value").find("5550177") != std::string::npos);
}
