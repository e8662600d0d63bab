// What pharmacy events say happened: an administration's order numbers, its span (RXA-3 to
// RXA-4), its dose in UCUM and why a dose was not given (RXA-18, the IG's
// ORC[MedicationAdministration] and the RXA fields); a dispense of the ordered drug names
// the order's one Medication (or, with no RXE, the order by its number), and its route is
// the RXR after it.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kPatient = "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\rPV1|1|I\r";
const std::string kMsh = "MSH|^~\\&|EHR|H|RX|H|20250101120000-0500||";

}  // namespace

TEST_CASE("RAS: the order's numbers, the administration's span and its dose in UCUM", "[mappings][hl7v2]") {
  std::string ras = kMsh + "RAS^O17^RAS_O17|RA1|P|2.5.1\r" + kPatient + "ORC|RE|RX1^EHR|D1^PHARM\r" +
                    segment("RXA", {{1, "0"}, {2, "1"}, {3, "20250101140000-0500"}, {4, "20250101143000-0500"},
                                    {5, "00409-4676-01^Cefazolin 1 g injection^NDC"}, {6, "1"}, {7, "g^gram^UCUM"},
                                    {20, "CP"}});
  Mapped m = map_message(ras);
  const auto& given = m.resource("MedicationAdministration");
  REQUIRE(given["identifier"].Size() == 2);
  CHECK(text(given["identifier"][0], "value") == "RX1");
  CHECK(first_code(given["identifier"][0]["type"]) == "PLAC");
  CHECK(text(given["identifier"][1], "value") == "D1");
  CHECK(first_code(given["identifier"][1]["type"]) == "FILL");
  CHECK_FALSE(given.HasMember("effectiveDateTime"));
  CHECK(text(given["effectivePeriod"], "start") == "2025-01-01T14:00:00-05:00");
  CHECK(text(given["effectivePeriod"], "end") == "2025-01-01T14:30:00-05:00");
  const auto& dose = given["dosage"]["dose"];
  CHECK(text(dose, "system") == "http://unitsofmeasure.org");
  CHECK(text(dose, "code") == "g");
  // The same message again writes the same record.
  CHECK(text(map_message(ras).request("MedicationAdministration"), "url") == text(m.request("MedicationAdministration"), "url"));
}

TEST_CASE("RAS: a dose not given says why (RXA-18)", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "RAS^O17^RAS_O17|RA2|P|2.5.1\r" + kPatient + "ORC|RE|RX1^EHR|D1^PHARM\r" +
                         segment("RXA", {{1, "0"}, {2, "2"}, {3, "20250101220000-0500"}, {5, "00409-4676-01^Cefazolin^NDC"},
                                         {6, "0"}, {18, "PTREF^Patient refused^L"}, {20, "NA"}}));
  const auto& missed = m.resource("MedicationAdministration");
  CHECK(text(missed, "status") == "not-done");
  REQUIRE(missed.HasMember("statusReason"));
  CHECK(first_code(missed["statusReason"][0]) == "PTREF");
}

TEST_CASE("RDS: the dispensed drug is the order's Medication, not a second one, given by the route after it", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "RDS^O13^RDS_O13|RD1|P|2.5.1\r" + kPatient + "ORC|RE|RX1^EHR|D1^PHARM\r"
                                "RXE|^Q8H^^20250101110000-0500|00409-4676-01^Cefazolin 1 g injection^NDC|1||g^gram^UCUM|INJ^Injection^HL70292\r"
                                "RXD|1|00409-4676-01^Cefazolin 1 g injection^NDC|20250101105500-0500|3|EA^each^UCUM||D1-1\r"
                                "RXR|IV^Intravenous^HL70162\r");
  REQUIRE(m.of("Medication").size() == 1);
  std::string medication = m.full_url("Medication");
  CHECK(m.resource("MedicationRequest")["medicationReference"]["reference"].GetString() == medication);
  CHECK(m.resource("MedicationDispense")["medicationReference"]["reference"].GetString() == medication);
  // The RXR after the RXD is the dispense's route.
  CHECK(first_code(m.resource("MedicationDispense")["dosageInstruction"][0]["route"]) == "IV");
}

TEST_CASE("RDS without the order's RXE: the dispense still names the order it fills, by its placer number", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "RDS^O13^RDS_O13|RD2|P|2.5.1\r" + kPatient + "ORC|RE|RX1^EHR|D1^PHARM\r"
                                "RXD|1|197361^Amlodipine 5 MG Oral Tablet^RXNORM|20250101105500-0500|30|TAB^Tablet^HL70292||RXN8899\r");
  CHECK(m.of("MedicationRequest").empty());  // no RXE or RXO: nothing says what was ordered
  REQUIRE(m.resource("MedicationDispense").HasMember("authorizingPrescription"));
  const auto& order = m.resource("MedicationDispense")["authorizingPrescription"][0];
  CHECK_FALSE(order.HasMember("reference"));
  CHECK(text(order["identifier"], "value") == "RX1");
  CHECK(first_code(order["identifier"]["type"]) == "PLAC");
}

TEST_CASE("RAS: the order's one RXR after its administrations is the route of each of them", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "RAS^O17^RAS_O17|RA3|P|2.5.1\r" + kPatient + "ORC|RE|RX1^EHR\r"
                                "RXA|0|1|20250101080000-0500|20250101080000-0500|197361^Amlodipine 5 MG^RXNORM|5|mg^^UCUM\r"
                                "RXA|0|2|20250101200000-0500|20250101200000-0500|197361^Amlodipine 5 MG^RXNORM|5|mg^^UCUM\r"
                                "RXR|PO^Oral^HL70162\r");
  REQUIRE(m.of("MedicationAdministration").size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    INFO("administration " << i);
    REQUIRE(m.resource("MedicationAdministration", i)["dosage"].HasMember("route"));
    CHECK(first_code(m.resource("MedicationAdministration", i)["dosage"]["route"]) == "PO");
  }
  // An RXR after each RXA routes only its own administration.
  Mapped each = map_message(kMsh + "RAS^O17^RAS_O17|RA4|P|2.5.1\r" + kPatient + "ORC|RE|RX1^EHR\r"
                                   "RXA|0|1|20250101080000-0500||197361^Amlodipine 5 MG^RXNORM|5|mg^^UCUM\rRXR|PO\r"
                                   "RXA|0|2|20250101200000-0500||197361^Amlodipine 5 MG^RXNORM|5|mg^^UCUM\rRXR|NG\r");
  CHECK(first_code(each.resource("MedicationAdministration", 0)["dosage"]["route"]) == "PO");
  CHECK(first_code(each.resource("MedicationAdministration", 1)["dosage"]["route"]) == "NG");
}
