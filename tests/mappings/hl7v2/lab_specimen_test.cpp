// What a lab result says about its specimen and how each result is found again: SPM's
// collection period, method, amount and container, OBR-15's specimen source (before
// v2.5's SPM), OBX-21's instance identifier, OBX-18's equipment, OBX-11 N's absent value,
// and OBX-19 kept out of `issued` (the IG's SPM[Specimen], OBR[Specimen] and
// OBX[Observation] tables).
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kOru = "MSH|^~\\&|LIS|LAB|EHR|H|20250101120000-0500||ORU^R01^ORU_R01|LR1|P|2.5.1\r"
                         "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\r";

}  // namespace

TEST_CASE("SPM: a collection with an end is a period, and its method, amount and container are kept", "[mappings][hl7v2]") {
  Mapped m = map_message(kOru + "OBR|1|P1^EHR|F1^LIS|94500-6^SARS-CoV-2 RNA^LN|||20250101083000-0500|||||||||||||||20250101170000-0500||MB|F\r"
                                "OBX|1|CWE|94500-6^SARS-CoV-2 RNA^LN||260373001^Detected^SCT||||||F\r" +
                                segment("SPM", {{1, "1"}, {2, "SP1&EHR"}, {4, "258500001^Nasopharyngeal swab^SCT"},
                                                {7, "129316008^Aspiration - action^SCT"}, {12, "1^mL&milliliter&UCUM"},
                                                {17, "20250101083000-0500^20250101083500-0500"}, {27, "VTM^Viral transport medium^L"}}));
  const auto& specimen = m.resource("Specimen");
  const auto& collection = specimen["collection"];
  CHECK_FALSE(collection.HasMember("collectedDateTime"));
  REQUIRE(collection.HasMember("collectedPeriod"));
  CHECK(text(collection["collectedPeriod"], "start") == "2025-01-01T08:30:00-05:00");
  CHECK(text(collection["collectedPeriod"], "end") == "2025-01-01T08:35:00-05:00");
  REQUIRE(collection.HasMember("method"));
  CHECK(first_code(collection["method"]) == "129316008");
  REQUIRE(collection.HasMember("quantity"));
  CHECK(collection["quantity"]["value"].GetDouble() == 1);
  CHECK(text(collection["quantity"], "code") == "mL");
  REQUIRE(specimen.HasMember("container"));
  CHECK(first_code(specimen["container"][0]["type"]) == "VTM");

  Mapped moment = map_message(kOru + "OBR|1|P1^EHR|F1^LIS|94500-6^SARS-CoV-2 RNA^LN\r"
                                     "SPM|1|SP2&EHR||258500001^Nasopharyngeal swab^SCT|||||||||||||20250101083000-0500\r");
  CHECK(text(moment.resource("Specimen")["collection"], "collectedDateTime") == "2025-01-01T08:30:00-05:00");
}

TEST_CASE("OBR-15: the specimen source of a result without SPM is its Specimen", "[mappings][hl7v2]") {
  Mapped m = map_message(kOru + "ORC|RE|P1^EHR|M1^LIS\rOBR|1|P1^EHR|M1^LIS|600-7^Blood culture^LN|||20250101090000-0500||||||||BLD&Blood&HL70070\r"
                                "OBX|1|CWE|600-7^Blood culture^LN|1|3092008^Staphylococcus aureus^SCT||||||F\r");
  REQUIRE(m.of("Specimen").size() == 1);
  const auto& specimen = m.resource("Specimen");
  CHECK(first_code(specimen["type"]) == "BLD");
  CHECK(text(specimen["collection"], "collectedDateTime") == "2025-01-01T09:00:00-05:00");
  std::string url = m.full_url("Specimen");
  CHECK(m.resource("ServiceRequest")["specimen"][0]["reference"].GetString() == url);
  CHECK(m.resource("DiagnosticReport")["specimen"][0]["reference"].GetString() == url);
  CHECK(m.resource("Observation")["specimen"]["reference"].GetString() == url);
}

TEST_CASE("OBX-21 is the result's identifier, OBX-18 its Device, and OBX-19 is not when it was issued", "[mappings][hl7v2]") {
  Mapped m = map_message(kOru + "OBR|1|P1^EHR|F1^LIS|2345-7^Glucose^LN|||20250101140000-0500\r" +
                         segment("OBX", {{1, "1"}, {2, "NM"}, {3, "2345-7^Glucose^LN"}, {5, "182"}, {6, "mg/dL^mg/dL^UCUM"},
                                         {11, "F"}, {14, "20250101150000-0500"}, {18, "ANALYZER-7^ROCHE"},
                                         {19, "20250101152000-0500"}, {21, "OBS-777^LIS"}}));
  const auto& result = m.resource("Observation");
  REQUIRE(result["identifier"].Size() == 1);
  CHECK(text(result["identifier"][0], "value") == "OBS-777");
  CHECK(first_code(result["identifier"][0]["type"]) == "FILL");
  std::string url = text(m.request("Observation"), "url");
  CHECK(url.find("OBS-777") != std::string::npos);
  CHECK_FALSE(result.HasMember("issued"));  // OBX-19 is when it was analysed, not released
  REQUIRE(result.HasMember("device"));
  const rapidjson::Value* device = m.at(result["device"]["reference"].GetString());
  REQUIRE(device);
  CHECK(text(*device, "resourceType") == "Device");
  CHECK(text((*device)["identifier"][0], "value") == "ANALYZER-7");
}

TEST_CASE("OBX-11 N: a result not asked for has no value and says why", "[mappings][hl7v2]") {
  Mapped m = map_message(kOru + "OBR|1|P1^EHR|F1^LIS|24323-8^CMP^LN\r"
                                "OBX|1|NM|2951-2^Sodium^LN|1||mmol/L^mmol/L^UCUM|136-145||||N\r");
  const auto& result = m.resource("Observation");
  CHECK_FALSE(result.HasMember("valueQuantity"));
  REQUIRE(result.HasMember("dataAbsentReason"));
  CHECK(first_code(result["dataAbsentReason"]) == "not-asked");
}

TEST_CASE("OUL^R22: specimen-oriented results map as an ORU's do, each result on its specimen", "[mappings][hl7v2]") {
  Mapped m = map_message(
      "MSH|^~\\&|LIS|LAB|EHR|H|20250101120000-0500||OUL^R22^OUL_R22|LR22|P|2.5.1\rPID|1||M1^^^H^MR||DOE^ANN||19800101|F\r" +
      segment("SPM", {{1, "1"}, {2, "SP1&LAB"}, {4, "119297000^Blood specimen^SCT"}, {17, "20250101080000-0500"}}) +
      segment("OBR", {{1, "1"}, {2, "ORD1^EHR"}, {3, "LAB1^LAB"}, {4, "718-7^Hemoglobin^LN"}, {7, "20250101080000-0500"},
                      {22, "20250101100000-0500"}, {25, "F"}}) +
      "ORC|SC|ORD1^EHR|LAB1^LAB||CM\r"
      "OBX|1|NM|718-7^Hemoglobin^LN||10.1|g/dL^g/dL^UCUM|12.0-16.0|L|||F\rNTE|1||Verified by repeat\r");
  const auto& result = m.resource("Observation");
  CHECK(result["valueQuantity"]["value"].GetDouble() == 10.1);
  REQUIRE(result.HasMember("specimen"));
  CHECK(result["specimen"]["reference"].GetString() == m.full_url("Specimen"));
  CHECK(text(result["note"][0], "text") == "Verified by repeat");
  CHECK(text(m.resource("DiagnosticReport"), "status") == "final");
  CHECK(text(m.resource("ServiceRequest")["identifier"][0], "value") == "ORD1");
}

// SPM-20 says whether the specimen is still there (the IG's Yes/NoIndicator[AvailabilityStatus]);
// OBR-11 G is an order the lab generated, a reflex test.
TEST_CASE("SPM-20 is the specimen's availability and OBR-11 G a reflex order", "[mappings][hl7v2]") {
  Mapped m = map_message("MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|SP20|P|2.5.1\r"
                         "PID|1||MR77^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||ABARA^JOHN||19710303|M\r"
                         "ORC|RE|P77^EHR|F77^LIS\r"
                         "OBR|1|P77^EHR|F77^LIS|630-4^Urine culture^LN|||20261128080000-0500||||G||||||||||||||F\r"
                         "OBX|1|ST|630-4^Urine culture^LN||No growth||||||F\r"
                         "SPM|1|U78&LIS||122575003^Urine specimen^SCT||||||||||||||||N\r");
  CHECK(text(m.resource("Specimen"), "status") == "unavailable");
  CHECK(text(m.resource("ServiceRequest"), "intent") == "reflex-order");
}
