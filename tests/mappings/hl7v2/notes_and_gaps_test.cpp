// Where notes go and what a message may leave out: an NTE belongs to the record of the
// segment before it, and one with no record to go to is said, never silently dropped; a
// result without a patient or an order (the IG's ORU_R01: the patient group is optional,
// the ServiceRequest made "IF ORC VALUED"); and error text fit to print.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|LAB|F|EHR|F|20250101120000-0500||";

}  // namespace

TEST_CASE("ORU: a result with no PID and no ORC is taken, its records about no patient", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01^ORU_R01|QC1|P|2.5.1\r"
                                "OBR|1|QC7^LAB|QC7^LIS|2345-7^Glucose^LN|||20250101140000-0500||||||||||||||||||F\r"
                                "OBX|1|NM|2345-7^Glucose^LN||100|mg/dL^mg/dL^UCUM|95-105|N|||F\r");
  CHECK(m.of("ServiceRequest").empty());  // no ORC: the result states no order
  CHECK(m.of("Patient").empty());
  CHECK_FALSE(m.resource("Observation").HasMember("subject"));
  CHECK(warned(m.conversion, "PID", "the message has no PID segment"));
}

TEST_CASE("ORU: a note between ORC and OBR is the order's, with a warning, and the order keeps its ServiceRequest", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01^ORU_R01|NT1|P|2.5.1\rPID|1||M1^^^H^MR||A^B\r"
                                "NTE|1|L|hard stick\r"
                                "ORC|RE|P1^EHR|F1^LIS\rNTE|1|L|ordered by covering MD\r"
                                "OBR|1|P1^EHR|F1^LIS|24331-1^Lipid panel^LN|||20250101140000-0500\r"
                                "OBX|1|NM|2093-3^Cholesterol^LN||199|mg/dL^mg/dL^UCUM|||||F\r");
  REQUIRE(m.of("ServiceRequest").size() == 1);
  const auto& order = m.resource("ServiceRequest");
  REQUIRE(order.HasMember("note"));
  CHECK(text(order["note"][0], "text") == "ordered by covering MD");
  CHECK(m.resource("DiagnosticReport")["basedOn"][0]["reference"].GetString() == m.full_url("ServiceRequest"));
  CHECK(warned(m.conversion, "NTE[2]", "it was mapped where it appeared"));
  CHECK(warned(m.conversion, "NTE", "the segment before it (PID)"));  // a patient's note has no place
}

TEST_CASE("OML: a note after an order's ask-at-order-entry OBX is the observation's, not the order's", "[mappings][hl7v2]") {
  // The OBX is both an Observation and the order's supportingInfo; the note (the IG's
  // OBSERVATION.NTE) is about the answer.
  Mapped m = map_message(kMsh + "OML^O21^OML_O21|NT2|P|2.5.1\rPID|1||M1^^^H^MR||A^B\r"
                                "ORC|NW|P2^EHR\rOBR|1|P2^EHR||2951-2^Sodium^LN\rNTE|1|P|on diuretics\r"
                                "OBX|1|CWE|49541-6^Fasting status^LN||Y^Yes^HL70136||||||F\rNTE|1|P|fasted since midnight\r");
  const auto& observation = m.resource("Observation");
  REQUIRE(observation.HasMember("note"));
  CHECK(text(observation["note"][0], "text") == "fasted since midnight");
  const auto& order = m.resource("ServiceRequest");
  REQUIRE(order["note"].Size() == 1);
  CHECK(text(order["note"][0], "text") == "on diuretics");
}

TEST_CASE("ADT: a note the structure has no place for, and nothing takes, is said to be not mapped", "[mappings][hl7v2]") {
  Mapped m = map_message("MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||ADT^A04^ADT_A01|AN1|P|2.5.1\rEVN|A04\r"
                         "PID|1||M1^^^H^MR||A^B\rNTE|1||prefers mornings\rPV1|1|O\r");
  CHECK(warned(m.conversion, "NTE", "it was not mapped"));
  CHECK_FALSE(warned(m.conversion, "NTE", "it was mapped where it appeared"));
}

TEST_CASE("SIU: the comment is the appointment's own note (after SCH), AIG's equipment a participant", "[mappings][hl7v2]") {
  Mapped m = map_message("MSH|^~\\&|EHR|H|CB|H|20250101120000-0500||SIU^S12^SIU_S12|SI1|P|2.5.1\r"
                         "SCH|APT1^EHR|APT1F^EHR||||NEW^New^HL70276|||30|min|^^30^20250110090000-0500^20250110093000-0500\r"
                         "NTE|1||Patient requests interpreter\r"
                         "PID|1||M1^^^H^MR||A^B\rRGS|1|A\r"
                         "AIG|1|A|ECHO1^Echo machine 1^L|EQ^Equipment^L\r"
                         "AIP|1|A|123^PATEL^ANIL|ATT^Attending^L\rNTE|1||Provider note: 15 min buffer\r");
  const auto& appointment = m.resource("Appointment");
  CHECK(text(appointment, "comment") == "Patient requests interpreter");
  bool equipment = false;
  for (const auto& p : appointment["participant"].GetArray()) {
    const rapidjson::Value* actor = m.at(p["actor"]["reference"].GetString());
    equipment = equipment || (actor && text(*actor, "resourceType") == "Device" &&
                              text((*actor)["deviceName"][0], "name") == "Echo machine 1");
  }
  CHECK(equipment);
  CHECK(warned(m.conversion, "NTE[2]", "it was not mapped"));
}

TEST_CASE("ORC-1 CA asks to cancel: the order stays active until the filler confirms (CR)", "[mappings][hl7v2]") {
  std::string order = "PID|1||M1^^^H^MR||A^B\rORC|{CONTROL}|P1^EHR\rOBR|1|P1^EHR||GLU^Glucose^L\r";
  auto with = [&](const std::string& control) {
    std::string body = order;
    body.replace(body.find("{CONTROL}"), 9, control);
    return map_message(kMsh + "ORM^O01^ORM_O01|CA" + control + "|P|2.5.1\r" + body);
  };
  CHECK(text(with("CA").resource("ServiceRequest"), "status") == "active");  // the IG's table-hl70119-to-request-status
  CHECK(text(with("CR").resource("ServiceRequest"), "status") == "revoked");
}

TEST_CASE("PID-17 religion, FT1-19's diagnosis, a bare NPI, base64 wrapped in lines", "[mappings][hl7v2]") {
  Mapped adt = map_message("MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||ADT^A08^ADT_A01|PR1|P|2.5.1\rEVN|A08\r" +
                           segment("PID", {{1, "1"}, {3, "M1^^^H^MR"}, {5, "A^B"}, {17, "CAT^Catholic^HL70006"}}) +
                           "PV1|1|O|||||1234567890^PATEL^ANIL^^^^^^NPI\r");
  const auto& patient = adt.resource("Patient");
  REQUIRE(patient.HasMember("extension"));
  CHECK(text(patient["extension"][0], "url") == "http://hl7.org/fhir/StructureDefinition/patient-religion");
  CHECK(first_code(patient["extension"][0]["valueCodeableConcept"]) == "CAT");
  const rapidjson::Value* doctor = adt.at(adt.resource("Encounter")["participant"][0]["individual"]["reference"].GetString());
  REQUIRE(doctor);
  CHECK(text((*doctor)["identifier"][0], "system") == "http://hl7.org/fhir/sid/us-npi");

  Mapped dft = map_message("MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||DFT^P03^DFT_P03|FT1|P|2.5.1\rEVN|P03\r"
                           "PID|1||M1^^^H^MR||A^B\rPV1|1|I\r" +
                           segment("FT1", {{1, "1"}, {2, "T1"}, {4, "20250101"}, {6, "CG"}, {7, "85025^CBC^CPT"}, {10, "1"},
                                           {19, "D64.9^Anemia, unspecified^I10"}}));
  REQUIRE(dft.resource("ChargeItem").HasMember("reason"));
  CHECK(first_code(dft.resource("ChargeItem")["reason"][0]) == "D64.9");

  Mapped mdm = map_message("MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||MDM^T02^MDM_T02|MD1|P|2.5.1\rEVN|T02\r"
                           "PID|1||M1^^^H^MR||A^B\rPV1|1|O\rTXA|1|CN|AP|20250101||||||||DOC1^EHR|||||AU\r"
                           "OBX|1|ED|11524-6^EKG^LN||^application^pdf^Base64^JVBERi0x\\X0D0A\\LjQK||||||F\r");
  const auto& content = mdm.resource("DocumentReference")["content"][0]["attachment"];
  CHECK(text(content, "data") == "JVBERi0xLjQK");
}

TEST_CASE("an error quoting a binary file's bytes escapes them", "[mappings][hl7v2][bad-input]") {
  Conversion c = converter().convert(std::string("MSH|^~\\&|A|B|C|D|20250101||ADT^A08^ADT_A01|1|P|2.5.1\r9\x0c\x8c}rG\x01|x\r"));
  std::string error = c.first_error();
  CHECK(error.find("\\x0C\\x8C") != std::string::npos);
  for (char ch : error) CHECK(static_cast<unsigned char>(ch) >= 0x20);
}

TEST_CASE("a segment the structure requires and the message lacks is said at its name", "[mappings][hl7v2][bad-input]") {
  Conversion c = converter().convert(
      "MSH|^~\\&|EPIC|NWH|EHR|F|20250126090000-0800||MDM^T02^MDM_T02|NT1|P|2.5.1\rEVN|T02|20250126090000-0800\r"
      "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\rPV1|1|I\r"
      "OBX|1|TX|18842-5^Discharge summary^LN||Patient admitted with chest pain.||||||F\r");
  CHECK(warned(c, "TXA", "requires a TXA segment"));
}

// A field repeated past any real use keeps its first 1,000 repetitions and says so: 20,000
// PID-3 identifiers took 16 s (each item is compared with those before it) and made a
// conditional search too long to run.
TEST_CASE("a field repeated thousands of times keeps its first thousand, said at the first left out", "[mappings][hl7v2]") {
  std::string ids;
  for (int i = 0; i < 1500; ++i) ids += (i ? "~" : "") + std::string("ID") + std::to_string(i) + "^^^H^MR";
  Mapped m = map_message("MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||ADT^A04^ADT_A01|R1|P|2.5.1\rEVN|A04|20250101\r"
                         "PID|1||" + ids + "||A^B\rPV1|1|O\r");
  CHECK(m.resource("Patient")["identifier"].Size() == 1000);
  bool said = false;
  for (const auto& i : m.conversion.issues) said = said || i.location == "PID[1]-3[1001]";
  CHECK(said);
}
