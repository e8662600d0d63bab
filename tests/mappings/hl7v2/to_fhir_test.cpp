// v2 to FHIR through the shipped maps, on the project's samples: the Bundles validate
// strictly, land on the right records (conditional writes on business identifiers), link
// each result to its own report and order, and keep values, units, ranges, flags,
// statuses and times; every mapped value knows its v2 position.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <rapidjson/document.h>

#include "fhir/io/base64.h"
#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

TEST_CASE("ORU^R01: reports, results and orders, each result with its own report", "[mappings][hl7v2]") {
  Mapped m = map_sample("oru_r01.hl7");
  CHECK(m.bundle["type"].GetString() == std::string("transaction"));
  REQUIRE(m.of("DiagnosticReport").size() == 2);
  REQUIRE(m.of("Observation").size() == 5);
  REQUIRE(m.of("ServiceRequest").size() == 2);
  // The first report has the three chemistry results, the second the two virology ones.
  const auto& panel = m.resource("DiagnosticReport", 0);
  CHECK(first_code(panel["code"]) == "24323-8");
  CHECK(text(panel, "status") == "final");
  CHECK(panel["result"].Size() == 3);
  CHECK(m.resource("DiagnosticReport", 1)["result"].Size() == 2);
  CHECK(text(panel["result"][0], "reference") == m.full_url("Observation", 0));
  CHECK(text(m.resource("DiagnosticReport", 1)["result"][0], "reference") == m.full_url("Observation", 3));
  CHECK(text(panel["basedOn"][0], "reference") == m.full_url("ServiceRequest", 0));

  const auto& glucose = m.resource("Observation", 0);
  CHECK(first_code(glucose["code"]) == "2345-7");
  CHECK(glucose["code"]["coding"][0]["system"].GetString() == std::string("http://loinc.org"));
  CHECK(glucose["valueQuantity"]["value"].GetInt() == 182);
  CHECK(text(glucose["valueQuantity"], "code") == "mg/dL");
  CHECK(text(glucose["valueQuantity"], "system") == "http://unitsofmeasure.org");
  CHECK(text(glucose["referenceRange"][0], "text") == "70-99");
  CHECK(first_code(glucose["interpretation"][0]) == "H");
  CHECK(text(glucose, "status") == "final");
  CHECK(text(glucose, "effectiveDateTime") == "2026-03-14T12:00:00-05:00");
  CHECK(text(glucose["note"][0], "text") == "Fasting status unknown.");
  CHECK(text(glucose["subject"], "reference") == m.full_url("Patient"));
  CHECK(text(m.resource("Observation", 1)["valueQuantity"], "value").empty());  // a number, not text
  CHECK(m.resource("Observation", 1)["valueQuantity"]["value"].GetDouble() == Approx(0.84));
  // SN ">^60": a quantity with its comparator.
  CHECK(text(m.resource("Observation", 2)["valueQuantity"], "comparator") == ">");
  CHECK(first_code(m.resource("Observation", 3)["valueCodeableConcept"]) == "260415000");
  CHECK(text(m.resource("Observation", 4), "valueString") ==
        "Specimen received at ambient temperature\nResult verified by M. Ortiz");
  CHECK(m.of("Specimen").size() == 2);  // the first order's by its collection (OBR-7), the second's from SPM

  // Lands on the right record: the Patient by its MRN and assigning authority (created only
  // when no record has it: a lab result is not the source of demographics), each result by
  // the filler order number and its code.
  CHECK(text(m.request("Patient"), "method") == "POST");
  CHECK(text(m.request("Patient"), "ifNoneExist") == "identifier=urn:oid:2.16.840.1.113883.3.1001%7CRV100200");
  CHECK(text(m.request("Observation"), "method") == "PUT");
  CHECK(text(m.request("Observation"), "url").starts_with("Observation?identifier=%7CFL88101-SUNQUEST-2345-7&_source="));
  CHECK(text(m.request("DiagnosticReport"), "url").starts_with("DiagnosticReport?identifier="));
  // The message itself is kept, and the Provenance names it and everything it produced.
  REQUIRE(m.of("Binary").size() == 1);
  const auto& provenance = m.resource("Provenance");
  CHECK(text(provenance["entity"][0]["what"], "reference") == m.full_url("Binary"));
  // Everything but the message, the Provenance itself and its agent (the sending lab).
  CHECK(provenance["target"].Size() == m.bundle["entry"].Size() - 3);
  // MSH as the IG's MSH[MessageHeader] map makes it: the event, who sent it to whom, about whom.
  const auto& header = m.resource("MessageHeader");
  CHECK(text(header["eventCoding"], "system") == "http://terminology.hl7.org/CodeSystem/v2-0003");
  CHECK(text(header["eventCoding"], "code") == "R01");
  CHECK(text(header["source"], "name") == "SUNQUEST");
  CHECK(text(header["source"]["_endpoint"]["extension"][0], "valueCode") == "unknown");  // v2 gives no endpoint
  CHECK(text(header["destination"][0], "name") == "CAREBRIDGE");
  CHECK(text(header["sender"], "reference") == text(provenance["agent"][0]["who"], "reference"));
  CHECK(text(header["focus"][0], "reference") == m.full_url("Patient"));
  CHECK(text(header["meta"]["tag"][0], "code") == "P");
  CHECK(text(m.request("MessageHeader"), "method") == "PUT");  // its id is the message's: sent again, the same one
}

TEST_CASE("every mapped value knows its v2 position", "[mappings][hl7v2]") {
  Mapped m = map_sample("oru_r01.hl7");
  auto at = [&](const std::string& path) { return m.conversion.mapped.source_of(path); };
  size_t glucose = 0;
  for (size_t i = 0; i < m.bundle["entry"].Size(); ++i)
    if (m.bundle["entry"][i]["fullUrl"].GetString() == m.full_url("Observation", 0)) glucose = i;
  std::string entry = "Bundle.entry[" + std::to_string(glucose) + "].resource";
  CHECK(at(entry + ".valueQuantity.value") == "OBX[1]-5[1].1");
  CHECK(at(entry + ".interpretation[0]") == "OBX[1]-8[1]");
  CHECK(at(entry + ".referenceRange[0].text") == "OBX[1]-7[1]");
}

TEST_CASE("ADT^A01: demographics, next of kin, visit, allergy, diagnosis and coverage", "[mappings][hl7v2]") {
  Mapped m = map_sample("adt_a01.hl7");
  const auto& patient = m.resource("Patient");
  CHECK(text(m.request("Patient"), "method") == "PUT");  // an ADT is the source of demographics
  CHECK(text(m.request("Patient"), "url") == "Patient?identifier=urn:oid:2.16.840.1.113883.3.1001%7CRV100200");
  CHECK(text(patient["name"][0], "family") == "ALVAREZ");
  CHECK(patient["name"][0]["given"].Size() == 2);
  CHECK(text(patient, "gender") == "female");
  CHECK(text(patient, "birthDate") == "1978-11-02");
  CHECK(text(patient["address"][0], "city") == "SPRINGFIELD");
  CHECK(text(patient["maritalStatus"]["coding"][0], "code") == "M");
  bool email = false;
  for (const auto& t : patient["telecom"].GetArray()) email = email || text(t, "system") == "email";
  CHECK(email);
  const auto& encounter = m.resource("Encounter");
  CHECK(text(encounter, "status") == "in-progress");
  CHECK(text(encounter["class"], "code") == "IMP");
  CHECK(text(encounter["period"], "start") == "2026-03-14T08:15:00-05:00");
  CHECK(text(m.request("Encounter"), "url").find("RVV7001") != std::string::npos);
  CHECK(m.of("Practitioner").size() == 1);  // the same doctor in PV1-7 and PV1-17 is one record
  const auto& allergy = m.resource("AllergyIntolerance");
  CHECK(text(allergy, "criticality") == "high");
  CHECK(allergy["reaction"][0]["manifestation"].Size() == 2);
  CHECK(first_code(m.resource("Condition")["code"]) == "J18.9");
  CHECK(text(m.resource("Coverage"), "subscriberId") == "BCX998877");
  CHECK(text(m.resource("RelatedPerson")["relationship"][0]["coding"][0], "code") == "SPS");
}

TEST_CASE("ADT^A40: the old record is marked inactive and replaced by the surviving one", "[mappings][hl7v2]") {
  Mapped m = map_sample("adt_a40.hl7");
  REQUIRE(m.of("Patient").size() == 2);
  const auto& survivor = m.resource("Patient", 0);
  const auto& old = m.resource("Patient", 1);
  CHECK(old["active"].IsFalse());
  CHECK(text(old["link"][0], "type") == "replaced-by");
  CHECK(text(old["link"][0]["other"], "reference") == m.full_url("Patient", 0));
  CHECK(text(survivor["link"][0], "type") == "replaces");
  CHECK(text(m.request("Patient", 1), "url").find("RV100977") != std::string::npos);

  // An MRG naming no identifier merges nothing, and says so at MRG: no blank inactive
  // Patient, no link from the survivor.
  Mapped unnamed = map_message("MSH|^~\\&|EPIC|STMARY|CAREBRIDGE|GW|20260312091500-0500||ADT^A40^ADT_A39|M2|P|2.5.1\r"
                               "EVN|A40|20260321105900-0500\r"
                               "PID|1||E1000999^^^EPIC^MR||KOWALSKI^ANNA||19660214|F\r"
                               "MRG|^^^EPIC^MR\r");
  REQUIRE(unnamed.of("Patient").size() == 1);
  CHECK(!unnamed.resource("Patient").HasMember("link"));
  bool said = false;
  for (const auto& i : unnamed.conversion.issues) said = said || (i.location == "MRG" && i.issue.message.find("MRG-1") != std::string::npos);
  CHECK(said);
}

TEST_CASE("RDE^O11, VXU^V04, SIU^S12, MDM^T02 and ORM^O01 become their resources", "[mappings][hl7v2]") {
  Mapped rde = map_sample("rde_o11.hl7");
  REQUIRE(rde.of("MedicationRequest").size() == 2);
  const auto& cephalexin = rde.resource("MedicationRequest");
  // The drug is a Medication, as the IG maps RXE-2 (one record per code).
  REQUIRE(rde.of("Medication").size() == 2);
  CHECK(text(cephalexin["medicationReference"], "reference") == rde.full_url("Medication", 0));
  CHECK(first_code(rde.resource("Medication", 0)["code"]) == "197454");
  CHECK(text(cephalexin, "status") == "active");
  CHECK(cephalexin["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"].GetInt() == 500);
  CHECK(first_code(cephalexin["dosageInstruction"][0]["route"]) == "PO");

  Mapped vxu = map_sample("vxu_v04.hl7");
  const auto& shot = vxu.resource("Immunization");
  CHECK(first_code(shot["vaccineCode"]) == "03");
  CHECK(text(shot, "status") == "completed");
  CHECK(text(shot, "lotNumber") == "M33918");
  CHECK(shot["primarySource"].IsTrue());
  CHECK(text(vxu.request("Immunization"), "url").find("IZ77120") != std::string::npos);

  Mapped siu = map_sample("siu_s12.hl7");
  const auto& visit = siu.resource("Appointment");
  CHECK(text(visit, "status") == "booked");
  CHECK(text(visit, "start") == "2026-03-18T10:30:00-05:00");
  CHECK(visit["participant"].Size() == 3);  // the patient, the room, the doctor

  Mapped mdm = map_sample("mdm_t02.hl7");
  const auto& document = mdm.resource("DocumentReference");
  CHECK(text(document, "docStatus") == "final");
  CHECK(document["content"].Size() == 1);  // two lines of one text

  Mapped cancel = map_sample("orm_o01_cancel.hl7");
  CHECK(text(cancel.resource("ServiceRequest"), "status") == "revoked");
  CHECK(text(cancel.request("ServiceRequest"), "url") ==
        text(map_sample("orm_o01.hl7").request("ServiceRequest"), "url"));
}

TEST_CASE("the same message maps to the same Bundle, and a correction to the same records", "[mappings][hl7v2]") {
  Mapped once = map_sample("oru_r01.hl7"), twice = map_sample("oru_r01.hl7");
  CHECK(once.conversion.mapped.bundle_json() == twice.conversion.mapped.bundle_json());
  Mapped corrected = map_sample("oru_r01_corrected.hl7");
  CHECK(text(corrected.resource("Observation"), "status") == "corrected");
  CHECK(text(corrected.resource("DiagnosticReport"), "status") == "corrected");
  CHECK(text(corrected.request("Observation"), "url") == text(once.request("Observation"), "url"));
}

TEST_CASE("messages that cannot be taken say why and where", "[mappings][hl7v2]") {
  auto unsupported = converter().convert("MSH|^~\\&|A|B|C|D|20260101||ZZZ^Z99|1|P|2.5.1\rPID|1||7\r");
  CHECK(unsupported.outcome == Conversion::Outcome::Rejected);
  REQUIRE_FALSE(unsupported.issues.empty());
  CHECK(unsupported.issues[0].location == "MSH[1]-9");
  CHECK(unsupported.issues[0].issue.code == "not-supported");

  // A result sent as ADT^R01: R01 is no ADT event, and the ADT map would make it a visit.
  auto misfiled = converter().convert("MSH|^~\\&|A|B|C|D|20260101||ADT^R01|2|P|2.5.1\rPID|1||7\rPV1|1|O\r");
  CHECK(misfiled.outcome == Conversion::Outcome::Rejected);
  REQUIRE_FALSE(misfiled.issues.empty());
  CHECK(misfiled.issues[0].location == "MSH[1]-9.2");

  auto garbage = converter().convert(std::string("\x01\x02not hl7 at all", 17));
  CHECK(garbage.outcome == Conversion::Outcome::Rejected);
  CHECK_FALSE(garbage.first_error().empty());

  // An order's result with no patient cannot make valid FHIR (the order's ServiceRequest
  // needs a subject): AE, at its subject.
  auto orphan = converter().convert(
      "MSH|^~\\&|LAB|X|CB|Y|20260101||ORU^R01^ORU_R01|9|P|2.5.1\rORC|RE||F9\rOBR|1||F9|X^X\rOBX|1|NM|Y^Y||1|mg||||||F\r");
  CHECK(orphan.outcome == Conversion::Outcome::Invalid);
  CHECK(orphan.first_error().find("subject") != std::string::npos);

  // A bad date is left out with a warning that says where.
  auto bad_date = converter().convert(
      "MSH|^~\\&|A|B|C|D|20260101||ADT^A04^ADT_A01|2|P|2.5.1\rEVN|A04\rPID|1||7^^^H^MR||DOE^JO||19991399\rPV1|1|O\r");
  CHECK(bad_date.accepted());
  bool warned = false;
  for (const auto& i : bad_date.issues) warned = warned || (i.location == "PID[1]-7[1]" && i.issue.message.find("19991399") != std::string::npos);
  CHECK(warned);
}

TEST_CASE("text in no known encoding is refused at its field, never passed on", "[mappings][hl7v2]") {
  // The text is UTF-8 (no MSH-18): what an \X..\ escape makes of it must be too.
  auto c = converter().convert(
      "MSH|^~\\&|A|B|C|D|20260101||ADT^A04^ADT_A01|3|P|2.5.1\rEVN|A04\rPID|1||7^^^H^MR||O\\XFF\\BRIEN^JO\rPV1|1|O\r");
  CHECK_FALSE(c.accepted());
  bool placed = false;
  for (const auto& i : c.issues)
    placed = placed || (i.location.starts_with("PID[1]-5") && i.issue.message.find("UTF-8") != std::string::npos);
  CHECK(placed);
}

TEST_CASE("a Windows-1252 sender that names no MSH-18 is read, with a warning, not refused", "[mappings][hl7v2]") {
  // 0x92 is Windows-1252's typographic apostrophe: "O’BRIEN", never a refused message.
  Mapped m = map_message("MSH|^~\\&|A|B|C|D|20260101||ADT^A04^ADT_A01|3|P|2.5.1\rEVN|A04\rPID|1||7^^^H^MR||O\x92" "BRIEN^JO\rPV1|1|O\r");
  CHECK(text(m.resource("Patient")["name"][0], "family") == "O\u2019BRIEN");
  CHECK(warned(m.conversion, "MSH[1]-18", "Windows-1252"));
}

TEST_CASE("ORU^R01: OBX segments with one code and no sub-ID are each their own result", "[mappings][hl7v2]") {
  // A transcribed report sent line by line, as radiology and transcription systems do: every
  // line has the same OBX-3 and no OBX-4. Each is a result; none is written over another.
  std::string message =
      "MSH|^~\\&|RIS|NORTH IMAGING|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|RAD1|P|2.5.1\r"
      "PID|1||MR4411^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OKAFOR^GRACE||19600505|F\r"
      "OBR|1|PL77^EPIC|RAD1^RIS|71046^Chest X-ray 2 views^CPT|||20261128093000-0500|||||||||||||||20261128101000-0500|||F\r"
      "OBX|1|TX|REPORT^Report text^L||FINDINGS: Lungs clear.||||||F\r"
      "OBX|2|TX|REPORT^Report text^L||No effusion.||||||F\r"
      "OBX|3|TX|REPORT^Report text^L||IMPRESSION: Normal chest.||||||F\r";
  Mapped m = map_message(message);
  auto observations = m.of("Observation");
  REQUIRE(observations.size() == 3);
  std::set<std::string> urls, lines;
  for (const auto* e : observations) {
    urls.insert(text((*e)["request"], "url"));
    lines.insert(text((*e)["resource"], "valueString"));
  }
  CHECK(urls.size() == 3);
  CHECK(lines == std::set<std::string>{"FINDINGS: Lungs clear.", "No effusion.", "IMPRESSION: Normal chest."});
}

TEST_CASE("v2's null \"\" is no value: nothing stores two quotes", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A08^ADT_A01|N1|P|2.5.1\r"
      "EVN|A08|20261128101500-0500\r"
      "PID|1||E2^^^GOODHOSP^MR||Doe^Jane^\"\"||\"\"|\"\"|||\"\"||\"\"\r"
      "PV1|1|I|\"\"||||\"\"\r";
  Mapped m = map_message(message);
  CHECK(m.conversion.mapped.bundle_json().find(R"(\"\")") == std::string::npos);
  const auto& patient = m.resource("Patient");
  CHECK(patient["name"][0]["given"].Size() == 1);  // Jane, and no middle name of two quotes
  CHECK(!patient.HasMember("gender"));
  CHECK(!patient.HasMember("birthDate"));
  CHECK(!patient.HasMember("address"));
  CHECK(!patient.HasMember("telecom"));
  CHECK(m.of("Location").empty());
  CHECK(m.of("Practitioner").empty());
}

TEST_CASE("ORU^R01: a specimen belongs to its own order's results, not to the other orders'", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|L9|P|2.5.1\r"
      "PID|1||MR4412^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||ABARA^JOHN||19710303|M\r"
      "OBR|1||F1^LIS|2345-7^Glucose^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|NM|2345-7^Glucose^LN||99|mg/dL^^UCUM|||||F\r"
      "OBR|2||F2^LIS|630-4^Urine culture^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|ST|630-4^Urine culture^LN||No growth||||||F\r"
      "SPM|1|U77&LIS||122575003^Urine specimen^SCT\r"
      "OBR|3||F3^LIS|718-7^Hemoglobin^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|NM|718-7^Hemoglobin^LN||13.5|g/dL^^UCUM|||||F\r";
  Mapped m = map_message(message);
  // The SPM's specimen, and for each order no SPM describes, the IG's OBR[Specimen]: what its
  // results were observed on, by when it was collected (OBR-7).
  REQUIRE(m.of("Specimen").size() == 3);
  std::map<std::string, std::string> specimen_of;
  for (const auto* e : m.of("Observation")) specimen_of[first_code((*e)["resource"]["code"])] = text((*e)["resource"]["specimen"], "reference");
  std::set<std::string> distinct;
  for (const auto& [code, specimen] : specimen_of) distinct.insert(specimen);
  CHECK(distinct.size() == 3);
  for (const auto* e : m.of("Specimen")) {
    const auto& specimen = (*e)["resource"];
    std::string url = (*e)["fullUrl"].GetString();
    if (specimen.HasMember("type")) {  // the SPM's: the urine culture's
      CHECK(url == specimen_of["630-4"]);
    } else {
      CHECK((url == specimen_of["2345-7"] || url == specimen_of["718-7"]));
      CHECK(text(specimen["collection"], "collectedDateTime") == "2026-11-28T08:00:00-05:00");
    }
  }
}

TEST_CASE("ORU^R01: a repeated OBX-5 is said to keep only its first value, never dropped in silence", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|L10|P|2.5.1\r"
      "PID|1||MR4413^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||MENSAH^AMA||19880808|F\r"
      "OBR|1||F9^LIS|630-4^Urine culture^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|CWE|664-3^Organism identified^LN||3092008^Staphylococcus aureus^SCT~112283007^Escherichia coli^SCT||||||F\r";
  Mapped m = map_message(message);
  bool said = false;
  for (const auto& i : m.conversion.issues) {
    INFO(i.location << " " << i.issue.message);
    said = said || (i.location + i.issue.message).find("only the first") != std::string::npos;
  }
  CHECK(said);
}

TEST_CASE("VXU^V04: a route in NCIt stays NCIt, and a lower-case coding system name is known", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|EHR|NORTH CLINIC|CAREBRIDGE|CB|20261128101500-0500||VXU^V04^VXU_V04|V7|P|2.5.1\r"
      "PID|1||MR4414^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OSEI^KOFI||20200101|M\r"
      "ORC|RE||IMM7^EHR\r"
      "RXA|0|1|20261128100000-0500|20261128100000-0500|08^HepB pediatric^cvx|0.5|mL^mL^UCUM||00^New record^NIP001||||||LOT9||MSD^Merck^MVX|||CP|A\r"
      "RXR|C28161^Intramuscular^NCIT|LT^Left Thigh^HL70163\r";
  Mapped m = map_message(message);
  const auto& immunization = m.resource("Immunization");
  CHECK(text(immunization["route"]["coding"][0], "system") == "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl");
  CHECK(text(immunization["route"]["coding"][0], "code") == "C28161");
  CHECK(text(immunization["vaccineCode"]["coding"][0], "system") == "http://hl7.org/fhir/sid/cvx");
}

TEST_CASE("XTN: a number given only unformatted (XTN-12) is kept", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A04^ADT_A01|T1|P|2.5.1\r"
      "EVN|A04|20261128101500-0500\r"
      "PID|1||E3^^^GOODHOSP^MR||Tel^Test||19800101|F|||||^PRN^PH^^1^617^5550001~^BPN^BP^^^^^^^^^6175550006\r"
      "PV1|1|O\r";
  Mapped m = map_message(message);
  const auto& telecom = m.resource("Patient")["telecom"];
  REQUIRE(telecom.Size() == 2);
  CHECK(text(telecom[1], "system") == "pager");
  CHECK(text(telecom[1], "value") == "6175550006");
}

TEST_CASE("XTN: the unformatted number (XTN-12) is the value over XTN-1, and XTN-13/14 its period", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A04^ADT_A01|T2|P|2.7\r"
      "EVN|A04|20261128101500-0500\r"
      "PID|1||E4^^^GOODHOSP^MR||Tel^Test||19800101|F|||||(617)555-0001^PRN^PH^^1^617^5550001^^^^^+16175550001^20200101^20301231\r"
      "PV1|1|O\r";
  Mapped m = map_message(message);
  const auto& telecom = m.resource("Patient")["telecom"];
  REQUIRE(telecom.Size() == 1);
  CHECK(text(telecom[0], "value") == "+16175550001");
  CHECK(text(telecom[0]["period"], "start") == "2020-01-01");
  CHECK(text(telecom[0]["period"], "end") == "2030-12-31");
}

TEST_CASE("XPN-12/13 are the name's period, XPN-14 a suffix, and XTN-18 the number's rank", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A04^ADT_A01|T5|P|2.7\r"
      "EVN|A04|20261128101500-0500\r"
      "PID|1||E6^^^GOODHOSP^MR||Hart^Jo^^^^^L^^^^^20100101^20251231^MD||19800101|F|||||"
      "^PRN^PH^^1^978^5552000^^^^^^^^^^^2~^PRN^CP^^1^978^5552001^^^^^^^^^^^1\r"
      "PV1|1|O\r";
  Mapped m = map_message(message);
  const auto& name = m.resource("Patient")["name"][0];
  CHECK(text(name["period"], "start") == "2010-01-01");
  CHECK(text(name["period"], "end") == "2025-12-31");
  REQUIRE(name.HasMember("suffix"));
  CHECK(std::string(name["suffix"][0].GetString()) == "MD");
  const auto& telecom = m.resource("Patient")["telecom"];
  REQUIRE(telecom.Size() == 2);
  CHECK(telecom[0]["rank"].GetInt() == 2);
  CHECK(telecom[1]["rank"].GetInt() == 1);
}

TEST_CASE("ORU^R01: a date range (OBX-2 DR) is a valuePeriod, and one that is not dates stays text", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|L11|P|2.5.1\r"
      "PID|1||MR4415^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||ADJEI^YAW||19800101|M\r"
      "OBR|1||F11^LIS|1234-5^Test^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|DR|52455-3^Date range^LN||20260101^20260201||||||F\r"
      "OBX|2|DR|52455-3^Date range^LN||soon^later||||||F\r";
  Mapped m = map_message(message);
  const auto& range = m.resource("Observation", 0);
  REQUIRE(range.HasMember("valuePeriod"));
  CHECK(text(range["valuePeriod"], "start") == "2026-01-01");
  CHECK(text(range["valuePeriod"], "end") == "2026-02-01");
  CHECK(text(m.resource("Observation", 1), "valueString") == "soon^later");
}

TEST_CASE("ORU^R01: each line of a text report under one OBX-3 and OBX-4 is kept, in order", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|COPATH|NORTH PATH|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|P1|P|2.5.1\r"
      "PID|1||MR4415^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||ADJEI^YAA||19600101|M\r"
      "OBR|1||S26-77^COPATH|11529-5^Surgical pathology study^LN|||20261127080000-0500||||||||||||||||||F\r"
      "OBX|1|TX|22637-3^Final diagnosis^LN|1|SKIN, LEFT FOREARM, SHAVE BIOPSY:||||||F\r"
      "OBX|2|TX|22637-3^Final diagnosis^LN|1|- COMPOUND NEVUS||||||F\r"
      "OBX|3|TX|22637-3^Final diagnosis^LN|1|- MARGINS CLEAR||||||F\r";
  Mapped m = map_message(message);
  auto observations = m.of("Observation");
  REQUIRE(observations.size() == 3);
  CHECK(text((*observations[1])["resource"], "valueString") == "- COMPOUND NEVUS");
  CHECK(text((*observations[2])["resource"], "valueString") == "- MARGINS CLEAR");
  const auto& report = m.resource("DiagnosticReport");
  REQUIRE(report["result"].Size() == 3);
  CHECK(text(report["result"][2], "reference") == (*observations[2])["fullUrl"].GetString());
}

TEST_CASE("a result names the visit without rewriting it, an ADT is the visit's source", "[mappings][hl7v2]") {
  std::string oru =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|L11|P|2.5.1\r"
      "PID|1||MR4416^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||BOATENG^ABENA||19900101|F\r"
      "PV1|1|I|4W^401^A||||||||||||||||V7788^^^NORTH&2.16.840.1.113883.3.2001&ISO^VN\r"
      "OBR|1||F10^LIS|2345-7^Glucose^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|NM|2345-7^Glucose^LN||95|mg/dL^mg/dL^UCUM|70-99||||F\r";
  Mapped result = map_message(oru);
  CHECK(text(result.request("Encounter"), "method") == "POST");
  CHECK(text(result.request("Encounter"), "ifNoneExist").find("V7788") != std::string::npos);
  std::string adt =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A01^ADT_A01|A11|P|2.5.1\r"
      "EVN|A01\rPID|1||MR4416^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||BOATENG^ABENA||19900101|F\r"
      "PV1|1|I|4W^401^A||||||||||||||||V7788^^^NORTH&2.16.840.1.113883.3.2001&ISO^VN\r";
  CHECK(text(map_message(adt).request("Encounter"), "method") == "PUT");
  // PV1-2 N (not applicable: a person, not a visit) makes no Encounter.
  std::string a28 =
      "MSH|^~\\&|MPI|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A28^ADT_A05|A12|P|2.5.1\r"
      "EVN|A28\rPID|1||MR4417^^^GOODHOSP^MR||MENSAH^KOJO||19900101|M\rPV1|1|N\r";
  CHECK(map_message(a28).of("Encounter").empty());
}

TEST_CASE("PID-40 telecom (v2.7 on) and PID-15 language are kept", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A04^ADT_A01|T2|P|2.8\r"
      "EVN|A04\r"
      "PID|1||E4^^^GOODHOSP^MR||Owusu^Ama||19800101|F|||||||twi^Twi^ISO639|||||||||||||||||||||||||"
      "^PRN^PH^^1^617^5550002~^NET^Internet^ama@example.org\r"
      "PV1|1|O\r";
  Mapped m = map_message(message);
  const auto& patient = m.resource("Patient");
  REQUIRE(patient["telecom"].Size() == 2);
  CHECK(text(patient["telecom"][1], "value") == "ama@example.org");
  CHECK(text(patient["communication"][0]["language"]["coding"][0], "code") == "twi");
}

TEST_CASE("VXU^V04: a deleted dose is entered in error, a partial dose is subpotent", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|EHR|NORTH CLINIC|CAREBRIDGE|CB|20261128101500-0500||VXU^V04^VXU_V04|V8|P|2.5.1\r"
      "PID|1||MR4418^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OSEI^ESI||20200101|F\r"
      "ORC|RE||IMM8^EHR\r"
      "RXA|0|1|20261101100000-0500|20261101100000-0500|08^HepB pediatric^CVX|0.5|mL^mL^UCUM||00^New^NIP001|||||||||||CP|D\r"
      "ORC|RE||IMM9^EHR\r"
      "RXA|0|1|20261128100000-0500|20261128100000-0500|20^DTaP^CVX|0.5|mL^mL^UCUM||00^New^NIP001|||||||||||PA|A\r";
  Mapped m = map_message(message);
  CHECK(text(m.resource("Immunization", 0), "status") == "entered-in-error");
  CHECK(m.resource("Immunization", 1)["isSubpotent"].GetBool());
}

TEST_CASE("encapsulated data: the media type from ED-3's format, Hex decoded", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|RIS|NORTH|CAREBRIDGE|CB|20261128101500-0500||MDM^T02^MDM_T02|D1|P|2.5.1\r"
      "EVN|T02|20261128101500-0500\r"
      "PID|1||MR4419^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||ADDO^KWAME||19700101|M\r"
      "PV1|1|O\r"
      "TXA|1|DS|TX|20261128101500-0500||||||||DOC77^RIS|||||AU\r"
      "OBX|1|ED|18748-4^Diagnostic imaging study^LN||^Application^PDF^Hex^255044462D||||||F\r";
  Mapped m = map_message(message);
  const auto& attachment = m.resource("DocumentReference")["content"][0]["attachment"];
  CHECK(text(attachment, "contentType") == "application/pdf");
  CHECK(text(attachment, "data") == "JVBERi0=");  // "%PDF-"
}

TEST_CASE("times without a zone: the configured senders' zone, else UTC with a warning", "[mappings][hl7v2]") {
  std::string text =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500||ORU^R01^ORU_R01|Z1|P|2.3\r"
      "PID|1||MR4420^^^NORTH^MR||ASANTE^AKOSUA||19900101|F\r"
      "OBR|1||F11^LIS|2345-7^Glucose^LN|||20261128080000\r"
      "OBX|1|NM|2345-7^Glucose^LN||95|mg/dL|70-99||||F|||20261128093000\r";
  auto message = parse_er7(text);
  REQUIRE(message);
  MapOptions options;
  options.default_timezone = "-05:00";
  auto spec = MapSpec::load_default();
  REQUIRE(spec.ok());
  auto zoned = map_to_fhir(*message, text, **spec, options);
  REQUIRE(zoned);
  CHECK(zoned->bundle_json().find("\"2026-11-28T09:30:00-05:00\"") != std::string::npos);
  CHECK(zoned->warnings.empty());
  auto utc = map_to_fhir(*message, text, **spec);
  REQUIRE(utc);
  CHECK(utc->bundle_json().find("\"2026-11-28T09:30:00Z\"") != std::string::npos);
  bool said = false;
  for (const auto& w : utc->warnings) said = said || w.message.find("no time zone") != std::string::npos;
  CHECK(said);
}

TEST_CASE("ORU^R01: the ORC before an OBR fills the same order (its numbers and status)", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|L12|P|2.5.1\r"
      "PID|1||MR4421^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OFORI^KOFI||19900101|M\r"
      "ORC|RE|ORD77^EPIC|LAB77^LIS||CM\r"
      "OBR|1|||2093-3^Cholesterol^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|NM|2093-3^Cholesterol^LN||180|mg/dL^mg/dL^UCUM|<200||||F\r";
  Mapped m = map_message(message);
  REQUIRE(m.of("ServiceRequest").size() == 1);
  const auto& order = m.resource("ServiceRequest");
  CHECK(text(order, "status") == "completed");
  CHECK(text(order["identifier"][0], "value") == "ORD77");
  CHECK(text(order["code"]["coding"][0], "code") == "2093-3");
}

TEST_CASE("RDE^O11 and OML^O21: TQ1 gives the timing, its bounds and the priority", "[mappings][hl7v2]") {
  std::string rde =
      "MSH|^~\\&|EHR|NORTH|CAREBRIDGE|CB|20261128101500-0500||RDE^O11^RDE_O11|R7|P|2.7\r"
      "PID|1||MR4422^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OWUSU^AMA||19800101|F\r"
      "ORC|NW|RX77^EHR\r"
      "TQ1|1||Q6H^Every 6 hours^HL70335||||20261128120000-0500|20261201120000-0500|PRN|as needed for pain\r"
      "RXE||7052^Morphine 2 mg/mL^RXNORM|2||mg^mg^UCUM\r";
  Mapped m = map_message(rde);
  const auto& dosage = m.resource("MedicationRequest")["dosageInstruction"][0];
  CHECK(text(dosage["timing"]["code"]["coding"][0], "code") == "Q6H");
  CHECK(text(dosage["timing"]["repeat"]["boundsPeriod"], "end") == "2026-12-01T12:00:00-05:00");
  CHECK(dosage["asNeededBoolean"].GetBool());
  CHECK(text(dosage["additionalInstruction"][0], "text") == "as needed for pain");
  std::string oml =
      "MSH|^~\\&|EHR|NORTH|CAREBRIDGE|CB|20261128101500-0500||OML^O21^OML_O21|O7|P|2.5.1\r"
      "PID|1||MR4422^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OWUSU^AMA||19800101|F\r"
      "ORC|NW|LAB77^EHR\r"
      "TQ1|1||||||20261128110000-0500||S^Stat^HL70485\r"
      "OBR|1|LAB77^EHR||2345-7^Glucose^LN\r";
  Mapped order = map_message(oml);
  CHECK(text(order.resource("ServiceRequest"), "priority") == "stat");
  CHECK(order.of("MedicationRequest").empty());  // TQ1 adds to an order; it makes none
}

TEST_CASE("ORU^R01: a report sent as a PDF (OBX-2 ED) is the DiagnosticReport's presentedForm", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|RIS|NORTH|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|E1|P|2.5.1\r"
      "PID|1||MR4423^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||BOAKYE^ADWOA||19800101|F\r"
      "OBR|1||RAD88^RIS|71046^Chest X-ray^CPT|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|ED|18748-4^Diagnostic imaging study^LN||^AP^PDF^Base64^JVBERi0=||||||F\r";
  Mapped m = map_message(message);
  const auto& form = m.resource("DiagnosticReport")["presentedForm"][0];
  CHECK(text(form, "contentType") == "application/pdf");
  CHECK(text(form, "data") == "JVBERi0=");
}

TEST_CASE("VXU^V04: the CDC guide's OBX give the dose's funding eligibility, source and VIS", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|EHR|NORTH CLINIC|CAREBRIDGE|CB|20261128101500-0500||VXU^V04^VXU_V04|V9|P|2.5.1\r"
      "PID|1||MR4424^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OSEI^YAW||20200101|M\r"
      "ORC|RE||IMM10^EHR\r"
      "RXA|0|1|20261128100000-0500|20261128100000-0500|08^HepB pediatric^CVX|0.5|mL^mL^UCUM||00^New^NIP001||||||LOT1||MSD^Merck^MVX|||CP|A\r"
      "OBX|1|CE|64994-7^Vaccine funding program eligibility category^LN|1|V02^VFC eligible - Medicaid^HL70064||||||F\r"
      "OBX|2|CE|30956-7^Vaccine Type^LN|2|45^Hep B, unspecified formulation^CVX||||||F\r"
      "OBX|3|TS|29769-7^Date vaccine information statement presented^LN|2|20261128||||||F\r"
      "OBX|4|CE|63938-5^Vaccine funding source^LN|3|VXC1^Federal funds^CDCPHINVS||||||F\r";
  Mapped m = map_message(message);
  const auto& dose = m.resource("Immunization");
  CHECK(text(dose["programEligibility"][0]["coding"][0], "code") == "V02");
  CHECK(text(dose["fundingSource"]["coding"][0], "code") == "VXC1");
  CHECK(text(dose["education"][0], "documentType") == "Hep B, unspecified formulation");
  CHECK(text(dose["education"][0], "presentationDate") == "2026-11-28");
}

TEST_CASE("PID-10 and PID-22 become US Core race and ethnicity", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A04^ADT_A01|T3|P|2.5.1\r"
      "EVN|A04\r"
      "PID|1||E5^^^GOODHOSP^MR||Mensah^Efua||19800101|F||2054-5^Black or African American^CDCREC||||||||||||"
      "H^Hispanic or Latino^HL70189\r"
      "PV1|1|O\r";
  Mapped m = map_message(message);
  const auto& extensions = m.resource("Patient")["extension"];
  std::map<std::string, std::string> omb;
  for (const auto& e : extensions.GetArray())
    for (const auto& part : e["extension"].GetArray())
      if (text(part, "url") == "ombCategory") omb[text(e, "url")] = text(part["valueCoding"], "code");
  CHECK(omb["http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"] == "2054-5");
  CHECK(omb["http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"] == "2135-2");

  // A local code with the CDC code as its alternate (CWE-4..6): the CDC code is the category.
  size_t at = message.find("H^Hispanic or Latino^HL70189");
  message.replace(at, 28, "NH^Not Hispanic^L^2186-5^Not Hispanic or Latino^CDCREC");
  Mapped local = map_message(message);
  std::string ethnicity;
  for (const auto& e : local.resource("Patient")["extension"].GetArray())
    for (const auto& part : e["extension"].GetArray())
      if (text(e, "url") == "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity" && text(part, "url") == "ombCategory")
        ethnicity = text(part["valueCoding"], "system") + "|" + text(part["valueCoding"], "code");
  CHECK(ethnicity == "urn:oid:2.16.840.1.113883.6.238|2186-5");
}

TEST_CASE("SIU: SCH-6 is why a cancelled appointment was cancelled, never the visit's reason", "[mappings][hl7v2]") {
  std::string head = "MSH|^~\\&|SCHED|NORTH|CAREBRIDGE|CB|20261128101500-0500||";
  std::string body =
      "|P|2.5.1\r"
      "SCH|AP55^SCHED||||||FOLLOWUP^Follow-up^HL70276|NORMAL^Routine^HL70277|30|MIN|^^30^20261201090000-0500^20261201093000-0500\r"
      "PID|1||MR4425^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||ADJEI^AKUA||19800101|F\r";
  std::string booked = body;
  booked.replace(booked.find("||||||FOLLOWUP"), 14, "|||||MOVE^Moved^L|FOLLOWUP");
  Mapped moved = map_message(head + "SIU^S13^SIU_S12|S1" + booked);
  CHECK(text(moved.resource("Appointment")["reasonCode"][0]["coding"][0], "code") == "FOLLOWUP");
  CHECK(moved.resource("Appointment")["reasonCode"].Size() == 1);
  std::string cancelled = body;
  cancelled.replace(cancelled.find("||||||FOLLOWUP"), 14, "|||||ILL^Patient ill^L|FOLLOWUP");
  Mapped c = map_message(head + "SIU^S15^SIU_S12|S2" + cancelled);
  CHECK(text(c.resource("Appointment"), "status") == "cancelled");
  CHECK(text(c.resource("Appointment")["cancelationReason"]["coding"][0], "code") == "ILL");
}

TEST_CASE("MDM^T02: a document sent as lines of text is one text, the lines in order", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|TRANS|NORTH|CAREBRIDGE|CB|20261128101500-0500||MDM^T02^MDM_T02|D2|P|2.5.1\r"
      "EVN|T02|20261128101500-0500\r"
      "PID|1||MR4426^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||ANSAH^KWESI||19700101|M\r"
      "PV1|1|O\r"
      "TXA|1|DS|TX|20261128101500-0500||||||||DOC78^TRANS|||||AU\r"
      "OBX|1|TX|18842-5^Discharge summary^LN||ADMISSION DIAGNOSIS: Chest pain.||||||F\r"
      "OBX|2|TX|18842-5^Discharge summary^LN||PLAN: Follow up in clinic.||||||F\r";
  Mapped m = map_message(message);
  const auto& content = m.resource("DocumentReference")["content"];
  REQUIRE(content.Size() == 1);
  auto text_of = carebridge::fhir::io::base64_decode(text(content[0]["attachment"], "data"));
  REQUIRE(text_of);
  CHECK(*text_of == "ADMISSION DIAGNOSIS: Chest pain.\nPLAN: Follow up in clinic.");
}

TEST_CASE("ORU^R01: susceptibilities are linked to the isolate they test (OBR-26, OBR-29)", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|M1|P|2.5.1\r"
      "PID|1||MR4427^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||OWUSU^KOJO||19700101|M\r"
      "OBR|1||MIC1^LIS|630-4^Urine culture^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|CWE|630-4^Bacteria identified^LN|1|112283007^Escherichia coli^SCT||||||F\r"
      "OBX|2|CWE|630-4^Bacteria identified^LN|2|3092008^Staphylococcus aureus^SCT||||||F\r"
      "OBR|2||MIC2^LIS|29576-6^Susceptibility panel^LN|||20261128080000-0500||||||||||||||||||F|"
      "630-4&Bacteria identified&LN^2^Staphylococcus aureus|||^MIC1&LIS\r"
      "OBX|1|SN|18964-7^Oxacillin^LN||>^2|ug/mL|||R|||F\r";
  Mapped m = map_message(message);
  auto observations = m.of("Observation");
  REQUIRE(observations.size() == 3);
  const auto& oxacillin = (*observations[2])["resource"];
  REQUIRE(oxacillin.HasMember("derivedFrom"));
  CHECK(text(oxacillin["derivedFrom"][0], "reference") == (*observations[1])["fullUrl"].GetString());  // S. aureus, not E. coli
  CHECK((*observations[1])["resource"]["hasMember"].Size() == 1);
  CHECK_FALSE((*observations[0])["resource"].HasMember("hasMember"));
}

TEST_CASE("a coded field through a table keeps the sender's other code and original text (CWE-4..6, CWE-9)", "[mappings][hl7v2]") {
  std::string message =
      "MSH|^~\\&|ADT|GOODHOSP|CAREBRIDGE|CB|20261128101500-0500||ADT^A04^ADT_A01|T6|P|2.5.1\r"
      "EVN|A04|20261128101500-0500\r"
      "PID|1||E7^^^GOODHOSP^MR||Hart^Jo||19800101|F||||||||M^Married^HL70002^MAR^Married^L^^^Married (per patient)\r"
      "PV1|1|O\r";
  Mapped m = map_message(message);
  const auto& marital = m.resource("Patient")["maritalStatus"];
  REQUIRE(marital["coding"].Size() == 2);
  CHECK(text(marital["coding"][0], "system") == "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus");
  CHECK(text(marital["coding"][0], "code") == "M");
  CHECK(text(marital["coding"][1], "code") == "MAR");
  CHECK(text(marital, "text") == "Married (per patient)");
}
