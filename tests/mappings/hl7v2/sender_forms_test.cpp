// v2 as real senders write it, beyond the standard's letter: ISO 8601 dates, dates that
// name no real day, free-text records sent again, radiology results, units named by
// table 0396's ISO+. Each test is what a user of the Bundle would notice.
#include <catch2/catch.hpp>

#include <map>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|LAB|F|EHR|F|20250101120000-0500||";

}  // namespace

TEST_CASE("dates written in ISO 8601 are read whole, with a warning, never cut to the year", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|DT1|P|2.5.1\rPID|1||M1^^^H^MR||A^B||1980-01-15|M\r"
                                "OBR|1|P1^E|F1^L|G^Glu^L|||2025-01-01T10:00:00\r"
                                "OBX|1|DT|D1^Date^L||2025-02-15||||||F\r"
                                "OBX|2|DTM|D2^Time^L||2025-02-15T08:30Z||||||F\r");
  CHECK(text(m.resource("Patient"), "birthDate") == "1980-01-15");
  CHECK(text(m.resource("DiagnosticReport"), "effectiveDateTime") == "2025-01-01T10:00:00-05:00");
  CHECK(text(m.resource("Observation", 0), "valueDateTime") == "2025-02-15");
  CHECK(text(m.resource("Observation", 1), "valueDateTime") == "2025-02-15T08:30:00Z");
  CHECK(warned(m.conversion, "PID[1]-7[1]", "ISO 8601"));
  CHECK(warned(m.conversion, "OBR[1]-7[1]", "ISO 8601"));
  CHECK(warned(m.conversion, "OBX[1]-5[1]", "ISO 8601"));
}

TEST_CASE("a date that cannot be read is dropped with a warning at its field, never truncated", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08|DT2|P|2.5.1\rEVN||20250101\rPID|1||M1^^^H^MR||A^B||1980-1-15|M\rPV1|1|I\r");
  CHECK_FALSE(m.resource("Patient").HasMember("birthDate"));
  CHECK(warned(m.conversion, "PID[1]-7[1]", "left out"));
}

TEST_CASE("a date that names no real day is a warning and no value, in any field", "[mappings][hl7v2]") {
  // February 30th as a result (OBX-5 DT) and month 13 as a birth date: the same rule.
  Mapped m = map_message(kMsh + "ORU^R01|DT3|P|2.5.1\rPID|1||M1^^^H^MR||A^B||19801301|M\r"
                                "OBR|1|P1^E|F1^L|G^Glu^L|||20250101\r"
                                "OBX|1|DT|D1^Date^L||20250230||||||F\r"
                                "OBX|2|DT|D2^Date^L||20240229||||||F\r");
  CHECK_FALSE(m.resource("Patient").HasMember("birthDate"));
  CHECK_FALSE(m.resource("Observation", 0).HasMember("valueDateTime"));
  CHECK_FALSE(m.resource("Observation", 0).HasMember("valueString"));
  CHECK(text(m.resource("Observation", 1), "valueDateTime") == "2024-02-29");  // a leap day is real
  CHECK(warned(m.conversion, "PID[1]-7[1]", "does not exist"));
  CHECK(warned(m.conversion, "OBX[1]-5[1]", "does not exist"));
}

TEST_CASE("ADT^A06/A41: MRG-1 repeating the patient's own identifier links no patient to itself", "[mappings][hl7v2]") {
  for (std::string event : {"A06^ADT_A06", "A41^ADT_A39"}) {
    INFO(event);
    Mapped m = map_message(kMsh + "ADT^" + event + "|M1|P|2.5.1\rEVN||20250101\rPID|1||SM1^^^SM^MR||KIM^SOO||19881122|F\r"
                                  "MRG|SM1^^^SM^MR||ACC1^^^SM^AN\rPV1|1|I\r");
    REQUIRE(m.of("Patient").size() == 1);
    CHECK_FALSE(m.resource("Patient").HasMember("link"));
    CHECK(m.resource("Patient")["active"].GetBool());
  }
  // MRG-1 naming another patient is a merge: the survivor replaces it.
  Mapped merge = map_message(kMsh + "ADT^A06^ADT_A06|M2|P|2.5.1\rEVN||20250101\rPID|1||SM1^^^SM^MR||KIM^SOO\r"
                                    "MRG|SM9^^^SM^MR\rPV1|1|I\r");
  REQUIRE(merge.of("Patient").size() == 2);
  CHECK(text(merge.resource("Patient")["link"][0], "type") == "replaces");
}

TEST_CASE("free-text allergies, diagnoses, procedures and next of kin are the same records when sent again", "[mappings][hl7v2]") {
  auto adt = [](const std::string& control_id) {
    return map_message(kMsh + "ADT^A08^ADT_A01|" + control_id + "|P|2.4\rEVN||20250101\rPID|1||RM2^^^RMC^MR||WU^LEI||19500101|F\r"
                       "NK1|1||SPO^Spouse^HL70063||(555)111-2222\rPV1|1|I\rAL1|1|DA|^SULFA DRUGS\rAL1|2||PCN^Penicillin^L\r"
                       "DG1|1|||CHEST PAIN||A\rPR1|1|||Bedside ultrasound\r");
  };
  Mapped first = adt("D1"), again = adt("D2");
  for (std::string type : {"RelatedPerson", "AllergyIntolerance", "Condition", "Procedure"}) {
    INFO(type);
    REQUIRE(first.of(type).size() == again.of(type).size());
    for (size_t i = 0; i < first.of(type).size(); ++i) CHECK(text(first.request(type, i), "url") == text(again.request(type, i), "url"));
  }
  CHECK(text(first.request("AllergyIntolerance", 0), "url") != text(first.request("AllergyIntolerance", 1), "url"));
}

TEST_CASE("ORU^R01: a result's category comes from its order's diagnostic service section (OBR-24)", "[mappings][hl7v2]") {
  auto category_of = [](const std::string& section) {
    Mapped m = map_message(kMsh + "ORU^R01|C" + section + "|P|2.5.1\rPID|1||R55^^^RAD^MR||YOUNG^ADA\r"
                           "OBR|1|P1^E|F1^L|71046^XR CHEST 2V^CPT|||20250301|||||||||||||||||" + section + "|F\r"
                           "OBX|1|FT|18748-4^Diagnostic imaging study^LN||Lungs clear.||||||F\r");
    const auto& observation = m.resource("Observation");
    REQUIRE(observation["category"].Size() == 1);
    CHECK(std::string(observation["category"][0]["coding"][0]["system"].GetString()) ==
          "http://terminology.hl7.org/CodeSystem/observation-category");
    return first_code(observation["category"][0]);
  };
  CHECK(category_of("RAD") == "imaging");
  CHECK(category_of("CT") == "imaging");
  CHECK(category_of("CH") == "laboratory");
  CHECK(category_of("MB") == "laboratory");
  CHECK(category_of("") == "laboratory");  // none given: a result message's results are laboratory
}

TEST_CASE("ADT, BAR and DFT: each DG1 is a diagnosis of the visit, with its use (DG1-6) and rank (DG1-15)", "[mappings][hl7v2]") {
  for (std::string type : {"ADT^A01^ADT_A01", "BAR^P01^BAR_P01", "DFT^P03^DFT_P03"}) {
    INFO(type);
    Mapped m = map_message(kMsh + type + "|G1|P|2.5.1\rEVN||20250101\rPID|1||M1^^^H^MR||A^B\rPV1|1|I|||||||||||||||||V1^^^H^VN\r"
                                  "DG1|1|I10|R07.9^Chest pain^I10||20250101|A|||||||||1\r"
                                  "DG1|2|||NASAL CONGESTION||F|||||||||2\r"
                                  "DG1|3|||FEVER||W\r");
    const auto& diagnoses = m.resource("Encounter")["diagnosis"];
    REQUIRE(diagnoses.Size() == 3);
    for (size_t i = 0; i < 3; ++i) CHECK(text(diagnoses[i]["condition"], "reference") == m.full_url("Condition", i));
    CHECK(first_code(diagnoses[0]["use"]) == "AD");
    CHECK(std::string(diagnoses[0]["use"]["coding"][0]["system"].GetString()) == "http://terminology.hl7.org/CodeSystem/diagnosis-role");
    CHECK(diagnoses[0]["rank"].GetInt() == 1);
    CHECK(first_code(diagnoses[1]["use"]) == "DD");
    CHECK(diagnoses[1]["rank"].GetInt() == 2);
    CHECK(first_code(diagnoses[2]["use"]) == "W");  // working: no diagnosis-role code; table 0052's stays
    CHECK_FALSE(diagnoses[2].HasMember("rank"));
  }
}

TEST_CASE("text results: repetitions are lines, kept without a warning, \\.sp\\ is a line break", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|T1|P|2.5.1\rPID|1||M1^^^H^MR||A^B\rOBR|1|P1^E|F1^L|G^Glu^L|||20250101\r"
                                "OBX|1|TX|N^Note^L||line one~line two~line three||||||F\r"
                                "OBX|2|FT|R^Report^L||FINDINGS: clear.\\.sp\\IMPRESSION: normal.||||||F\r"
                                "OBX|3|CWE|O^Organism^L||A^Staph^L~B^Strep^L||||||F\r");
  CHECK(text(m.resource("Observation", 0), "valueString") == "line one\nline two\nline three");
  CHECK_FALSE(warned(m.conversion, "OBX[1]-5[2]", "only the first"));
  CHECK(text(m.resource("Observation", 1), "valueString") == "FINDINGS: clear.\nIMPRESSION: normal.");
  CHECK(warned(m.conversion, "OBX[3]-5[2]", "only the first"));  // a coded value takes one: said
}

TEST_CASE("units under table 0396's ISO+ are UCUM only when the code is UCUM, never 'ISO-'", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|U1|P|2.5.1\rPID|1||M1^^^H^MR||A^B\rOBR|1|P1^E|F1^L|G^Glu^L|||20250101\r"
                                "OBX|1|NM|718-7^Hemoglobin^LN||13.5|g/dL^^ISO+||||||F\r"
                                "OBX|2|NM|2345-7^Glucose^LN||90|MG/DL^^ISO+||||||F\r");
  const auto& ucum = m.resource("Observation", 0)["valueQuantity"];
  CHECK(text(ucum, "system") == "http://unitsofmeasure.org");
  CHECK(text(ucum, "code") == "g/dL");
  const auto& iso = m.resource("Observation", 1)["valueQuantity"];
  CHECK(text(iso, "system") != "http://unitsofmeasure.org");
  CHECK(text(iso, "system").ends_with(":ISO+"));
  CHECK(text(iso, "code") == "MG/DL");
}

TEST_CASE("a vital sign by its LOINC code is in the vital-signs category, in an ADT and in a result", "[mappings][hl7v2]") {
  Mapped adt = map_message(kMsh + "ADT^A08|VS1|P|2.5.1\rEVN||20250101\rPID|1||M1^^^H^MR||A^B||19800115|M\rPV1|1|I\r"
                                  "OBX|1|NM|8867-4^Heart rate^LN||72|/min^per minute^UCUM|||||F\r"
                                  "OBX|2|NM|2339-0^Glucose^LN||95|mg/dL^mg/dL^UCUM|||||F\r");
  REQUIRE(adt.of("Observation").size() == 2);
  CHECK(first_code(adt.resource("Observation", 0)["category"][0]) == "vital-signs");
  CHECK_FALSE(adt.resource("Observation", 1).HasMember("category"));  // a glucose is no vital sign
  // An ORU whose order names no section: the weight is a vital sign, not laboratory.
  Mapped oru = map_message(kMsh + "ORU^R01|VS2|P|2.5.1\rPID|1||M1^^^H^MR||A^B||19800115|M\r"
                                  "OBR|1|P1^E|F1^L|VS^Vitals^L|||20250101\r"
                                  "OBX|1|NM|29463-7^Body weight^LN||80|kg^kg^UCUM|||||F\r");
  REQUIRE(oru.resource("Observation")["category"].Size() == 1);
  CHECK(first_code(oru.resource("Observation")["category"][0]) == "vital-signs");
  CHECK(oru.conversion.accepted());
}

TEST_CASE("MDM^T02: encapsulated lines with no data are no crash, and no text", "[mappings][hl7v2][bad-input]") {
  // Found by mutating messages: two ED results without their data, as a truncated feed sends them.
  Mapped m = map_message(kMsh + "MDM^T02^MDM_T02|D2|P|2.5.1\rPID|1||M1^^^H^MR||A^B\rTXA|1|PN^Progress note|AP|||||||||DOC999|||||LA\r"
                                "OBX|1|ED|PDF^PDF Re||||||GHV900^^^GENHOSP^VN\r"
                                "OBX|1|ED|PDF^PDF Re|I|||||||||||||||||GHV900^^^GENHOSP^VN\r");
  CHECK(m.of("DocumentReference").size() <= 1);
}

TEST_CASE("a monitor's blood pressure components are vital signs, and MDC codes keep the 11073 system",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|VS3|P|2.5.1\rPID|1||M1^^^H^MR||A^B||19800115|M\r"
                                "OBR|1|P1^E|F1^L|VS^Vitals^L|||20250101\r"
                                "OBX|1|NM|8480-6^Systolic blood pressure^LN||142|mm[Hg]^mmHg^UCUM|||H|||F\r"
                                "OBX|2|NM|8462-4^Diastolic blood pressure^LN||91|mm[Hg]^mmHg^UCUM||||||F\r"
                                "OBX|3|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|%^%^UCUM||||||F\r");
  REQUIRE(m.of("Observation").size() == 3);
  CHECK(first_code(m.resource("Observation", 0)["category"][0]) == "vital-signs");
  CHECK(first_code(m.resource("Observation", 1)["category"][0]) == "vital-signs");
  CHECK(std::string(m.resource("Observation", 2)["code"]["coding"][0]["system"].GetString()) == "urn:iso:std:iso:11073:10101");
}

TEST_CASE("MDM^T02: the primary activity provider is an author, a documented, unauthenticated note is preliminary",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "MDM^T02^MDM_T02|D9|P|2.5.1\rEVN|T02|20240321140000-0500\r"
                                "PID|1||M1^^^H^MR||A^B||19800115|M\rPV1|1|I\r"
                                "TXA|1|DS^Discharge Summary^L|TX|20240321140000-0500|1122334455^WELBY^MARCUS^^^^MD^^NPI"
                                "|||||||DOC777^EPIC|||||DO||AV\r"
                                "OBX|1|TX|DS^Discharge Summary^L||Discharged home.||||||F\r");
  const auto& document = m.resource("DocumentReference");
  REQUIRE(document.HasMember("author"));
  CHECK(document["author"][0]["reference"].GetString() == m.full_url("Practitioner"));
  CHECK(text(document, "docStatus") == "preliminary");
}

TEST_CASE("what two fields say alike is said once: PID-2 and PID-3, and an edit naming itself as its parent",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "MDM^T08^MDM_T02|D10|P|2.5.1\rEVN|T08|20240321140000-0500\r"
                                "PID|1|M1^^^H^MR|M1^^^H^MR||A^B||19800115|M\rPV1|1|I\r"
                                "TXA|1|DS^Discharge Summary^L|TX|20240321140000-0500||||||||DOC777^EPIC|DOC777^EPIC|||||AU||AV\r"
                                "OBX|1|TX|DS^Discharge Summary^L||Corrected text.||||||F\r");
  const auto& patient = m.resource("Patient");
  REQUIRE(patient["identifier"].Size() == 1);
  CHECK_FALSE(m.resource("DocumentReference").HasMember("relatesTo"));  // not "replaces itself"
  // A parent that is another document still is one.
  Mapped other = map_message(kMsh + "MDM^T08^MDM_T02|D11|P|2.5.1\rEVN|T08|20240321140000-0500\r"
                                    "PID|1||M1^^^H^MR||A^B||19800115|M\rPV1|1|I\r"
                                    "TXA|1|DS^Discharge Summary^L|TX|20240321140000-0500||||||||DOC778^EPIC|DOC777^EPIC|||||AU||AV\r"
                                    "OBX|1|TX|DS^Discharge Summary^L||Corrected text.||||||F\r");
  CHECK(other.resource("DocumentReference").HasMember("relatesTo"));
}

TEST_CASE("ORU^R01: the principal result interpreter (OBR-32) interprets the report", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|RI1|P|2.5.1\rPID|1||M1^^^H^MR||A^B||19800115|M\r"
                                "OBR|1|RP55^EHR|RF55^RIS|71046^XR CHEST 2V^CPT|||20250301080000-0500|||||||||||||||||RAD|F"
                                "|||||||2221^ROENTGEN^WILHELM\r"
                                "OBX|1|FT|18748-4^Diagnostic imaging study^LN||FINDINGS: Lungs clear.||||||F\r");
  const auto& report = m.resource("DiagnosticReport");
  REQUIRE(report.HasMember("resultsInterpreter"));
  CHECK(report["resultsInterpreter"][0]["reference"].GetString() == m.full_url("Practitioner"));
  CHECK(m.conversion.accepted());
}

TEST_CASE("a coding system or authority written as a number that is no OID is a local name, not an invalid urn:oid",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A01|OID1|P|2.5.1\rEVN|A01|20250101\r"
                                "PID|1||M1^^^H&2.16..840&ISO^MR||A^B||19800115|M\r"
                                "PV1|1|I|4W^401^1^H|EL^Elective^1|||||||||||||||V1^^^H^VN\r"
                                "OBX|1|CWE|X1^Finding^2.16.840.1.113883.6.96||Y^Yes^99||||||F\r");
  std::string type_system = text(m.resource("Encounter")["type"][0]["coding"][0], "system");
  CHECK(type_system.find("urn:oid:") == std::string::npos);
  CHECK_FALSE(type_system.empty());
  CHECK(text(m.resource("Patient")["identifier"][0], "system").find("urn:oid:") == std::string::npos);
  // A real OID stays one.
  CHECK(text(m.resource("Observation")["code"]["coding"][0], "system") == "urn:oid:2.16.840.1.113883.6.96");
}

// An assigning authority's universal id shaped like an OID but too short to name a
// registered namespace ("1.23", HD-3 HCD, as a Cerner sample writes its visit numbers) is
// no urn:oid: — the reference validator refuses urn:oid:1.23 — so the namespace names it.
TEST_CASE("a short dotted universal id of another type is the authority's namespace, not urn:oid", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A04|OID2|P|2.5.1\rEVN|A04|20250101\r"
                                "PID|1||M1^^^STJMRN&1.23&HCD^MR||A^B||19800115|M\r"
                                "PV1|1|O|CL1^^^H||||||||||||||||40007716^^^AccMng&1.2&HCD^AN\r");
  std::string patient_system = text(m.resource("Patient")["identifier"][0], "system");
  CHECK(patient_system.find("urn:oid:") == std::string::npos);
  CHECK(patient_system.find("STJMRN") != std::string::npos);
  const auto& visit = m.resource("Encounter");
  REQUIRE(visit.HasMember("identifier"));
  CHECK(text(visit["identifier"][0], "system").find("AccMng") != std::string::npos);
  CHECK(m.conversion.accepted());
}

TEST_CASE("identifiers: the NPI named by its OID is the NPI, and a bare number asks for no system", "[mappings][hl7v2]") {
  // The FHIR identifier registry gives the NPI (OID 2.16.840.1.113883.4.6) its system; a
  // sender writing the OID and one writing NPI name one prescriber. A number without an
  // authority is looked up as one without a system, never as any system's, among the sender's records.
  Mapped m = map_message(kMsh + "OML^O21^OML_O21|ID1|P|2.5.1\rPID|1||4400||A^B\r"
                                "ORC|NW|P1^EHR|||||||20250101120000-0500|||1234567893^WELBY^MARCUS^^^^^^&2.16.840.1.113883.4.6&ISO\r"
                                "OBR|1|P1^EHR||2345-7^Glucose^LN\r");
  const auto& prescriber = m.resource("Practitioner");
  CHECK(text(prescriber["identifier"][0], "system") == "http://hl7.org/fhir/sid/us-npi");
  // ... and is the sender's: another facility's bare 4400 is another person (transaction.h).
  CHECK(text(m.request("Patient"), "ifNoneExist").starts_with("identifier=%7C4400&_source=urn:carebridge:v2:sender:"));
  CHECK(text(m.resource("Patient")["meta"], "source").starts_with("urn:carebridge:v2:sender:"));
}

TEST_CASE("XTN-8: a work number's extension is kept, also when the number is sent whole (v2.3)", "[mappings][hl7v2]") {
  Mapped m = map_message("MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||ADT^A31|XT1|P|2.3.1\rEVN|A31\r"
                         "PID|1||M1^^^H^MR||BELL^ALEXANDER|||M|||||(617)555-0001^PRN^PH|(617)555-0003^WPN^PH^^^^^123\r"
                         "PV1|1|N\r");
  const auto& patient = m.resource("Patient");
  REQUIRE(patient["telecom"].Size() == 2);
  const auto& work = patient["telecom"][1];
  CHECK(text(work, "value") == "(617)555-0003");
  CHECK(text(work, "use") == "work");
  REQUIRE(work.HasMember("extension"));
  CHECK(text(work["extension"][0], "url") == "http://hl7.org/fhir/StructureDefinition/contactpoint-extension");
  CHECK(text(work["extension"][0], "valueString") == "123");
}

TEST_CASE("NK1 AL1 and IN1 segments that carry only nulls make no records", "[mappings][hl7v2]") {
  // An interface engine's template with every field sent as "" (the v2 null): no next of
  // kin, no allergen, no insurer — nothing to record, where a RelatedPerson of nobody, an
  // allergy to nothing (with its severity) and a self-paid Coverage were made.
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|NL1|P|2.5.1\rEVN|A08\rPID|1||E1^^^EPI^MR||\"\"||19600101|M\r"
                                "NK1|1|\"\"|\"\"|\"\"|\"\"\rNK1|2|DOE^JANE|\"\"\rPV1|1|O\r"
                                "AL1|1|DA|\"\"|SV\rIN1|1|\"\"|\"\"|\"\"\r");
  REQUIRE(m.of("RelatedPerson").size() == 1);
  CHECK(text(m.resource("RelatedPerson")["name"][0], "family") == "DOE");
  CHECK(m.of("AllergyIntolerance").empty());
  CHECK(m.of("Coverage").empty());
  // The same segments with a value are recorded, as before.
  Mapped kept = map_message(kMsh + "ADT^A08^ADT_A01|NL2|P|2.5.1\rEVN|A08\rPID|1||E1^^^EPI^MR||DOE^JOHN||19600101|M\r"
                                   "PV1|1|O\rAL1|1|DA|PCN^Penicillin^L|SV\rIN1|1|GOLD|ACME|Acme Health\r");
  CHECK(kept.of("AllergyIntolerance").size() == 1);
  CHECK(kept.of("Coverage").size() == 1);
}

TEST_CASE("PID-15 languages sent as ISO 639 codes become the BCP-47 tags FHIR binds", "[mappings][hl7v2]") {
  // Table 0296 is user-defined: senders write ISO 639-2 (SPA, ger) or 639-1 (EN); FHIR's
  // Patient.communication.language takes BCP-47 (es, de, en). A code no table lists is kept.
  auto language = [](const std::string& pid15) {
    Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|LG1|P|2.5.1\rEVN|A08\rPID|1||E1^^^EPI^MR||DOE^ANA||19600101|F|||||||" +
                           pid15 + "\rPV1|1|O\r");
    return std::pair{text(m.resource("Patient")["communication"][0]["language"]["coding"][0], "system"),
                     text(m.resource("Patient")["communication"][0]["language"]["coding"][0], "code")};
  };
  CHECK(language("SPA^Spanish^HL70296") == std::pair<std::string, std::string>{"urn:ietf:bcp:47", "es"});
  CHECK(language("ger") == std::pair<std::string, std::string>{"urn:ietf:bcp:47", "de"});
  CHECK(language("EN^ENGLISH^HL70296") == std::pair<std::string, std::string>{"urn:ietf:bcp:47", "en"});
  CHECK(language("XQZ^Local dialect^L").second == "XQZ");
}

TEST_CASE("a PID-7 with a time of day keeps it in the birthTime extension, as the v2-to-FHIR IG maps it", "[mappings][hl7v2]") {
  auto patient_of = [](const std::string& pid7) {
    return map_message(kMsh + "ADT^A08^ADT_A01|BT1|P|2.5.1\rEVN|A08\rPID|1||E1^^^EPI^MR||DOE^ANA||" + pid7 + "|F\rPV1|1|O\r");
  };
  Mapped timed = patient_of("198808181126+0215");
  const auto& patient = timed.resource("Patient");
  CHECK(text(patient, "birthDate") == "1988-08-18");
  REQUIRE(patient.HasMember("_birthDate"));
  const auto& birth_time = patient["_birthDate"]["extension"][0];
  CHECK(text(birth_time, "url") == "http://hl7.org/fhir/StructureDefinition/patient-birthTime");
  CHECK(text(birth_time, "valueDateTime") == "1988-08-18T11:26:00+02:15");
  // A date alone is the birthDate and nothing more.
  Mapped dated = patient_of("19880818");
  CHECK(text(dated.resource("Patient"), "birthDate") == "1988-08-18");
  CHECK_FALSE(dated.resource("Patient").HasMember("_birthDate"));
}

TEST_CASE("PV2-25 visit priority becomes the Encounter's priority in v3 ActPriority", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A04^ADT_A01|VP1|P|2.5.1\rEVN|A04\rPID|1||E1^^^EPI^MR||DOE^ANA||19800101|F\r"
                                "PV1|1|E\rPV2|||||||||||||||||||||||||1^Emergency^HL70217\r");
  const auto& priority = m.resource("Encounter")["priority"]["coding"][0];
  CHECK(text(priority, "system") == "http://terminology.hl7.org/CodeSystem/v3-ActPriority");
  CHECK(text(priority, "code") == "EM");
}

TEST_CASE("PV2-38 mode of arrival becomes the encounter-modeOfArrival extension", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A04^ADT_A01|MA1|P|2.5.1\rEVN|A04\rPID|1||E1^^^EPI^MR||DOE^ANA||19800101|F\r"
                                "PV1|1|E\rPV2||||||||||||||||||||||||||||||||||||||A\r");
  REQUIRE(m.resource("Encounter").HasMember("extension"));
  const auto& arrival = m.resource("Encounter")["extension"][0];
  CHECK(text(arrival, "url") == "http://hl7.org/fhir/StructureDefinition/encounter-modeOfArrival");
  CHECK(text(arrival["valueCoding"], "system") == "http://terminology.hl7.org/CodeSystem/v2-0430");
  CHECK(text(arrival["valueCoding"], "code") == "A");
}

TEST_CASE("DG1-5 is when the diagnosis was made (onset), DG1-19 when it was attested (recorded), DG1-20 its identifier", "[mappings][hl7v2]") {
  // The v2-to-FHIR IG's DG1[Condition]: DG1-5 Diagnosis Date/Time to onsetDateTime, DG1-19
  // Attestation Date/Time to recordedDate.
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|DG1|P|2.5.1\rEVN|A08\rPID|1||E1^^^EPI^MR||DOE^ANA||19800101|F\rPV1|1|I\r" +
                         segment("DG1", {{1, "1"}, {3, "I10^Essential hypertension^I10"}, {5, "20240115"},
                                         {6, "W"}, {19, "20240120093000-0500"}, {20, "DX778^EHR"}}));
  const auto& condition = m.resource("Condition");
  CHECK(text(condition, "onsetDateTime") == "2024-01-15");
  CHECK(text(condition, "recordedDate") == "2024-01-20T09:30:00-05:00");
  CHECK(text(condition["identifier"][0], "value") == "DX778");  // DG1-20, the diagnosis identifier
}

TEST_CASE("OBX-20 observation site becomes the Observation's bodySite", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|BS1|P|2.5.1\rPID|1||M1^^^H^MR||A^B||19800101|F\rOBR|1|P1^E|F1^L|G^Glu^L|||20250101\r" +
                         segment("OBX", {{1, "1"}, {2, "NM"}, {3, "8310-5^Body temperature^LN"}, {5, "37.1"},
                                         {6, "Cel^degree Celsius^UCUM"}, {11, "F"},
                                         {20, "368209003^Right upper arm^SCT"}}));
  const auto& site = m.resource("Observation")["bodySite"]["coding"][0];
  CHECK(text(site, "system") == "http://snomed.info/sct");
  CHECK(text(site, "code") == "368209003");
}

TEST_CASE("a named NK1 is also one of the Patient's contacts, as the IG's ADT maps have it", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A04^ADT_A01|NC1|P|2.5.1\rEVN|A04\rPID|1||E1^^^EPI^MR||DOE^ANA||19800101|F\r" +
                         segment("NK1", {{1, "1"}, {2, "DOE^JOHN"}, {3, "SPO^Spouse^HL70063"}, {5, "^PRN^PH^^1^617^5551234"},
                                         {7, "N^Next-of-Kin^HL70131"}}) +
                         segment("NK1", {{1, "2"}, {3, "EMR^Employer^HL70063"}}) + "PV1|1|O\r");
  const auto& patient = m.resource("Patient");
  REQUIRE(patient.HasMember("contact"));
  REQUIRE(patient["contact"].Size() == 1);  // the unnamed NK1 stays a RelatedPerson only
  const auto& contact = patient["contact"][0];
  CHECK(text(contact["name"], "family") == "DOE");
  CHECK(text(contact["relationship"][0]["coding"][0], "code") == "N");
  CHECK(contact.HasMember("telecom"));
  CHECK(m.of("RelatedPerson").size() == 2);
}

TEST_CASE("PV1 readmission, ambulatory status, VIP, diet and alternate visit id reach the Encounter", "[mappings][hl7v2]") {
  // The v2-to-FHIR IG's PV1[Encounter]: PV1-13, -15, -16 and -38 to hospitalization, PV1-50 an identifier.
  Mapped m = map_message(kMsh + "ADT^A01^ADT_A01|PV1X|P|2.5.1\rEVN|A01\rPID|1||E1^^^EPI^MR||DOE^ANA||19800101|F\r" +
                         segment("PV1", {{1, "1"}, {2, "I"}, {13, "R^Readmission^HL70092"}, {15, "A1^Ambulates with assistive device^HL70009"},
                                         {16, "VIP^Very important person^L"}, {38, "DIAB^Diabetic^L"}, {50, "ALT778^^^EPI^VN"}}));
  const auto& encounter = m.resource("Encounter");
  const auto& stay = encounter["hospitalization"];
  CHECK(text(stay["reAdmission"]["coding"][0], "code") == "R");
  CHECK(text(stay["specialArrangement"][0]["coding"][0], "code") == "A1");
  CHECK(text(stay["specialCourtesy"][0]["coding"][0], "code") == "VIP");
  CHECK(text(stay["dietPreference"][0]["coding"][0], "code") == "DIAB");
  bool alternate = false;
  for (const auto& id : encounter["identifier"].GetArray()) alternate = alternate || text(id, "value") == "ALT778";
  CHECK(alternate);
}

TEST_CASE("a DG1 whose action code (DG1-21) is D is a diagnosis entered in error", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|DG2|P|2.5.1\rEVN|A08\rPID|1||E1^^^EPI^MR||DOE^ANA||19800101|F\rPV1|1|I\r" +
                         segment("DG1", {{1, "1"}, {3, "I10^Essential hypertension^I10"}, {6, "W"}, {21, "D"}}));
  CHECK(text(m.resource("Condition")["verificationStatus"]["coding"][0], "code") == "entered-in-error");
  Mapped added = map_message(kMsh + "ADT^A08^ADT_A01|DG3|P|2.5.1\rEVN|A08\rPID|1||E1^^^EPI^MR||DOE^ANA||19800101|F\rPV1|1|I\r" +
                             segment("DG1", {{1, "1"}, {3, "I10^Essential hypertension^I10"}, {6, "W"}, {21, "A"}}));
  CHECK_FALSE(added.resource("Condition").HasMember("verificationStatus"));
}

TEST_CASE("SPM-30 accession id becomes the Specimen's accessionIdentifier", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|SP1|P|2.5.1\rPID|1||M1^^^H^MR||A^B||19800101|F\rOBR|1|P1^E|F1^L|G^Glu^L|||20250101\r"
                                "OBX|1|NM|2345-7^Glucose^LN||95|mg/dL^^UCUM|||||F\r" +
                         segment("SPM", {{1, "1"}, {2, "S1^L"}, {4, "BLD^Blood^HL70487"}, {30, "ACC-2025-0042^^^LAB"}}));
  REQUIRE(m.of("Specimen").size() == 1);
  CHECK(text(m.resource("Specimen")["accessionIdentifier"], "value") == "ACC-2025-0042");
}

TEST_CASE("PID-23 birth place, PID-26 citizenship and PID-28 nationality become R4's patient extensions", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A04^ADT_A01|BP1|P|2.5.1\rEVN|A04\r" +
                         segment("PID", {{1, "1"}, {3, "E1^^^EPI^MR"}, {5, "DOE^ANA"}, {7, "19800101"}, {8, "F"},
                                         {23, "Springfield General Hospital"}, {26, "USA^United States^ISO3166"},
                                         {28, "MEX^Mexico^ISO3166"}}) + "PV1|1|O\r");
  const auto& patient = m.resource("Patient");
  std::map<std::string, const rapidjson::Value*> by_url;
  for (const auto& e : patient["extension"].GetArray()) by_url[text(e, "url")] = &e;
  const std::string base = "http://hl7.org/fhir/StructureDefinition/patient-";
  REQUIRE(by_url.count(base + "birthPlace"));
  CHECK(text((*by_url[base + "birthPlace"])["valueAddress"], "text") == "Springfield General Hospital");
  REQUIRE(by_url.count(base + "citizenship"));
  const auto& citizenship = (*by_url[base + "citizenship"])["extension"][0];
  CHECK(text(citizenship, "url") == "code");
  CHECK(text(citizenship["valueCodeableConcept"]["coding"][0], "code") == "USA");
  REQUIRE(by_url.count(base + "nationality"));
  CHECK(text((*by_url[base + "nationality"])["extension"][0]["valueCodeableConcept"]["coding"][0], "code") == "MEX");
}

// A required element the message left empty is missing at the field the maps fill it from,
// so the sender's ACK (ERR-2) and the report point at RXA-5 of the administration that lacks
// it, not at the ORC whose segment made the Immunization, nor at the first RXA.
TEST_CASE("a vaccine given without its code is refused at RXA-5 of its own administration", "[mappings][hl7v2]") {
  const std::string coded = "RXA|0|1|20240402100500-0500|20240402100500-0500|08^HepB^CVX|0.5|mL^milliliters^UCUM||00^New record^NIP001\r";
  const std::string uncoded = "RXA|0|1|20240402100500-0500|20240402100500-0500||0.5|mL^milliliters^UCUM||00^New record^NIP001\r";
  const std::string head = kMsh + "VXU^V04^VXU_V04|VX9|P|2.5.1\rPID|1||M9^^^H^MR||A^B||20230601|M\r";
  for (const auto& [message, where] : {std::pair{head + "ORC|RE||IMM-9^EHR\r" + uncoded, "RXA[1]-5"},
                                       std::pair{head + "ORC|RE||IMM-8^EHR\r" + coded + "ORC|RE||IMM-9^EHR\r" + uncoded, "RXA[2]-5"}}) {
    Conversion c = converter().convert(message);
    CHECK_FALSE(c.accepted());
    bool at_field = false;
    for (const auto& i : c.issues)
      at_field = at_field || (i.location == where && i.issue.message.find("vaccineCode") != std::string::npos);
    INFO(where);
    CHECK(at_field);
  }
}
