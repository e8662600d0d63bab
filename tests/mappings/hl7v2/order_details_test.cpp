// What an order carries beside its test (ORM, OML, OMG): the placer group, the diagnoses
// it is for, the answers asked at order entry, relevant clinical information and the
// reason for its control (the IG's ORC[ServiceRequest] and OBR[ServiceRequest] tables).
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|EHR|H|LAB|L|20250101120000-0500||";
const std::string kPid = "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\rPV1|1|O\r";

}  // namespace

TEST_CASE("ORM: placer group number, diagnoses and clinical information on the ServiceRequest", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORM^O01^ORM_O01|OR1|P|2.5.1\r" + kPid +
                         "ORC|NW|P1^EHR||G7^EHR|||||20250101|||DR1^SMITH^JO\r"
                         "OBR|1|P1^EHR||CBC^Blood count^L|||20250101||||||Pregnant\r"
                         "DG1|1||R50.9^Fever^I10\r");
  const auto& order = m.resource("ServiceRequest");
  REQUIRE(order.HasMember("requisition"));
  CHECK(text(order["requisition"], "value") == "G7");
  CHECK(first_code(order["requisition"]["type"]) == "PGN");
  REQUIRE(order.HasMember("reasonReference"));
  CHECK(order["reasonReference"][0]["reference"].GetString() == m.full_url("Condition"));
  REQUIRE(order.HasMember("supportingInfo"));
  CHECK(text(order["supportingInfo"][0], "display") == "Pregnant");
}

TEST_CASE("OML: an OBX asked at order entry supports the order, ORC-16 is the status reason", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "OML^O21^OML_O21|OL1|P|2.5.1\r" + kPid +
                         "ORC|CA|P2^EHR|||||||20250101|||||||WRONG^Ordered in error^L\r"
                         "OBR|1|P2^EHR||GLU^Glucose^L\r"
                         "OBX|1|NM|29463-7^Body weight^LN||70|kg^kg^UCUM|||||F\r");
  const auto& order = m.resource("ServiceRequest");
  REQUIRE(order.HasMember("supportingInfo"));
  CHECK(order["supportingInfo"][0]["reference"].GetString() == m.full_url("Observation"));
  REQUIRE(order.HasMember("extension"));
  CHECK(text(order["extension"][0], "url") == "http://hl7.org/fhir/StructureDefinition/request-statusReason");
  CHECK(first_code(order["extension"][0]["valueCodeableConcept"]) == "WRONG");
}

TEST_CASE("ORM v2.3: the quantity/timing's start (ORC-7.4 or OBR-27.4) is when the service is wanted", "[mappings][hl7v2]") {
  Mapped orc = map_message(kMsh + "ORM^O01|OR2|P|2.3\r" + kPid +
                           "ORC|NW|P3^EHR|||SC||^^^20250115080000^^R\rOBR|1|P3^EHR||CMP^Metabolic panel^L\r");
  CHECK(text(orc.resource("ServiceRequest"), "occurrenceDateTime") == "2025-01-15T08:00:00-05:00");
  CHECK(text(orc.resource("ServiceRequest"), "priority") == "routine");
  Mapped obr = map_message(kMsh + "ORM^O01|OR3|P|2.3\r" + kPid +
                           "ORC|NW|P4^EHR\rOBR|1|P4^EHR||CMP^Metabolic panel^L" + std::string(23, '|') +
                           "^^^20250116^^S\r");
  CHECK(text(obr.resource("ServiceRequest"), "occurrenceDateTime") == "2025-01-16");
}

TEST_CASE("ORU: an order marked confidential (ORC-28) labels its order, report and results, and the technician, producer, "
          "supplemental information, order type and another provider are kept", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01^ORU_R01|OR2|P|2.5.1\r" + "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\r" +
                         segment("PV1", {{1, "1"}, {2, "O"}, {52, "555^OTHER^OLGA"}}) +
                         segment("ORC", {{1, "RE"}, {2, "P2^EHR"}, {3, "F2^LAB"}, {28, "HIV^HIV(+) patient^HL70177"},
                                         {29, "I^Inpatient^HL70482"}}) +
                         segment("OBR", {{1, "1"}, {2, "P2^EHR"}, {3, "F2^LAB"}, {4, "24323-8^Metabolic panel^LN"}, {7, "20250101"},
                                         {25, "F"}, {32, "111&JONES&AMY&&&DR"}, {34, "222&TECH&TOM"}, {46, "PSI^Supplemental^L"}}) +
                         "OBX|1|NM|2345-7^Glucose^LN||95|mg/dL|||||F||||LABX^Main Lab^L\r");
  for (const char* type : {"ServiceRequest", "DiagnosticReport", "Observation"}) {
    INFO(type);
    const auto& r = m.resource(type);
    REQUIRE(r.HasMember("meta"));
    CHECK(text(r["meta"]["security"][0], "code") == "HIV");
    CHECK(text(r["meta"]["security"][0], "system") == "http://terminology.hl7.org/CodeSystem/v3-ActCode");
  }
  const auto& order = m.resource("ServiceRequest");
  CHECK(first_code(order["orderDetail"][0]) == "PSI");
  CHECK(first_code(order["locationCode"][0]) == "I");
  const auto& report = m.resource("DiagnosticReport");
  REQUIRE(report.HasMember("performer"));
  CHECK(first_code(report["performer"][0]["extension"][0]["valueCodeableConcept"]) == "SPRF");
  const rapidjson::Value* technician = m.at(report["performer"][0]["reference"].GetString());
  REQUIRE(technician);
  CHECK(text((*technician)["name"][0], "family") == "TECH");
  CHECK(text((*technician)["identifier"][0], "value") == "222");
  const rapidjson::Value* interpreter = m.at(report["resultsInterpreter"][0]["reference"].GetString());
  REQUIRE(interpreter);
  CHECK(text((*interpreter)["name"][0], "family") == "JONES");  // OBR-32.1.2: a CNN's family name is a sub-component
  CHECK(std::string((*interpreter)["name"][0]["given"][0].GetString()) == "AMY");
  const auto& result = m.resource("Observation");  // OBX-15, the producer
  REQUIRE(result.HasMember("performer"));
  const rapidjson::Value* producer = m.at(result["performer"][0]["reference"].GetString());
  REQUIRE(producer);
  CHECK(text(*producer, "name") == "Main Lab");
  CHECK(text((*producer)["identifier"][0], "value") == "LABX");
  const auto& visit = m.resource("Encounter");
  REQUIRE(visit.HasMember("participant"));
  CHECK(first_code(visit["participant"][0]["type"][0]) == "PART");
}
