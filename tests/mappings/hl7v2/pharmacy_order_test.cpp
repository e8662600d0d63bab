// RDE: the give amount as a dose or a dose range, its units, and the Medication's form
// and compound ingredients (RXE-3 to RXE-6, RXC).
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kRde = "MSH|^~\\&|EHR|H|RX|H|20250101120000-0500||RDE^O11^RDE_O11|RX1|P|2.5.1\r"
                         "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\rPV1|1|I\rORC|NW|P1^EHR\r";

const rapidjson::Value& dose_and_rate(const Mapped& m) {
  return m.resource("MedicationRequest")["dosageInstruction"][0]["doseAndRate"][0];
}

}  // namespace

TEST_CASE("RXE-3/RXE-4: a minimum and a maximum are a dose range, in UCUM units when named so", "[mappings][hl7v2]") {
  Mapped range = map_message(kRde + "RXE|^Q6H^^20250101|MOR^Morphine^L|2|4|mg^milligram^UCUM|TAB^Tablet^HL70292\r");
  const auto& dose = dose_and_rate(range);
  REQUIRE(dose.HasMember("doseRange"));
  CHECK(dose["doseRange"]["low"]["value"].GetDouble() == 2);
  CHECK(dose["doseRange"]["high"]["value"].GetDouble() == 4);
  CHECK(text(dose["doseRange"]["high"], "system") == "http://unitsofmeasure.org");
  CHECK(text(dose["doseRange"]["low"], "code") == "mg");

  Mapped same = map_message(kRde + "RXE|^Q6H^^20250101|MOR^Morphine^L|2|2|mg^milligram^UCUM\r");
  REQUIRE(dose_and_rate(same).HasMember("doseQuantity"));
  CHECK(dose_and_rate(same)["doseQuantity"]["value"].GetDouble() == 2);
  CHECK(text(dose_and_rate(same)["doseQuantity"], "code") == "mg");
}

TEST_CASE("RXE-6 is the Medication's form, RXC its ingredients", "[mappings][hl7v2]") {
  Mapped m = map_message(kRde + "RXE|^Q6H^^20250101|IVMIX^Custom infusion^L|100||mL^mL^UCUM|IV^IV solution^HL70292\r"
                                "RXC|B|D5W^Dextrose 5%^L|1000|mL^mL^UCUM\r"
                                "RXC|A|KCL^Potassium chloride^L|20|meq^mEq^UCUM\r");
  REQUIRE(m.of("Medication").size() == 1);
  const auto& medication = m.resource("Medication");
  CHECK(m.resource("MedicationRequest")["medicationReference"]["reference"].GetString() == m.full_url("Medication"));
  CHECK(first_code(medication["code"]) == "IVMIX");
  REQUIRE(medication.HasMember("form"));
  CHECK(first_code(medication["form"]) == "IV");
  REQUIRE(medication.HasMember("ingredient"));
  REQUIRE(medication["ingredient"].Size() == 2);
  CHECK(first_code(medication["ingredient"][0]["itemCodeableConcept"]) == "D5W");
  CHECK_FALSE(medication["ingredient"][0]["isActive"].GetBool());
  CHECK(medication["ingredient"][1]["isActive"].GetBool());
  CHECK(medication["ingredient"][1]["strength"]["numerator"]["value"].GetDouble() == 20);
}

TEST_CASE("RXE-2 sent as text alone is the order's medication, not an order without one", "[mappings][hl7v2]") {
  // A free-text give code (a compounded infusion): RXE-2's first component is empty.
  Mapped m = map_message(kRde + "RXE||^Potassium chloride 20 mEq in NS 1000 mL|1000||mL^milliliter^UCUM\r");
  REQUIRE(m.of("Medication").size() == 1);
  CHECK(text(m.resource("Medication")["code"], "text") == "Potassium chloride 20 mEq in NS 1000 mL");
  CHECK(m.resource("MedicationRequest")["medicationReference"]["reference"].GetString() == m.full_url("Medication"));
}

TEST_CASE("TQ priority PRN (RXE-1.6, ORC-7.6) is as needed, not a priority", "[mappings][hl7v2]") {
  Mapped m = map_message(kRde + "RXE|^Q4H^^^^PRN|OXY5^Oxycodone 5 mg^L|1|2|TAB^tablet^HL70292\r");
  const auto& order = m.resource("MedicationRequest");
  CHECK_FALSE(order.HasMember("priority"));
  CHECK(order["dosageInstruction"][0]["asNeededBoolean"].GetBool());
  CHECK_FALSE(warned(m.conversion, "RXE[1]-1[1].6", "order-priority"));
}

TEST_CASE("RXO-2 to RXO-4: the requested dose keeps its coded units, a maximum makes it a range", "[mappings][hl7v2]") {
  const std::string orm = "MSH|^~\\&|EHR|H|RX|H|20250101120000-0500||ORM^O01|RX2|P|2.3\r"
                          "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\rORC|NW|P2^EHR\r";
  Mapped single = map_message(orm + "RXO|APAP325^Acetaminophen 325 mg^L|650||mg^milligram^UCUM\r");
  const auto& dose = single.resource("MedicationRequest")["dosageInstruction"][0]["doseAndRate"][0];
  REQUIRE(dose.HasMember("doseQuantity"));
  CHECK(dose["doseQuantity"]["value"].GetDouble() == 650);
  CHECK(text(dose["doseQuantity"], "code") == "mg");
  CHECK(text(dose["doseQuantity"], "system") == "http://unitsofmeasure.org");

  Mapped range = map_message(orm + "RXO|APAP325^Acetaminophen 325 mg^L|650|1000|mg^milligram^UCUM\r");
  const auto& both = range.resource("MedicationRequest")["dosageInstruction"][0]["doseAndRate"][0];
  REQUIRE(both.HasMember("doseRange"));
  CHECK(both["doseRange"]["high"]["value"].GetDouble() == 1000);
}

TEST_CASE("RXR-4 administration method and RXR-5 routing instruction reach the dosage instruction", "[mappings][hl7v2]") {
  Mapped m = map_message(kRde + "RXE|^Q6H^^20250101|MOR^Morphine^L|2||mg^milligram^UCUM\r"
                                "RXR|PO^Oral^HL70162||||SWALLOW^Swallow whole^L\r");
  const auto& dosage = m.resource("MedicationRequest")["dosageInstruction"][0];
  CHECK(text(dosage["route"]["coding"][0], "code") == "PO");
  REQUIRE(dosage.HasMember("additionalInstruction"));
  CHECK(text(dosage["additionalInstruction"][0]["coding"][0], "code") == "SWALLOW");
  Mapped method = map_message(kRde + "RXE|^Q6H^^20250101|MOR^Morphine^L|2||mg^milligram^UCUM\r"
                                     "RXR|IV^Intravenous^HL70162|||PUSH^Push^HL70165\r");
  CHECK(text(method.resource("MedicationRequest")["dosageInstruction"][0]["method"]["coding"][0], "code") == "PUSH");
}

TEST_CASE("RXE-23/RXE-24: an infusion's give rate is the dosage's rateQuantity", "[mappings][hl7v2]") {
  Mapped m = map_message(kRde + segment("RXE", {{2, "HEP25K^Heparin 25000 units in D5W 250 mL^L"}, {3, "1000"},
                                               {5, "[iU]/h^units per hour^UCUM"}, {23, "10"},
                                               {24, "mL/h^milliliters per hour^UCUM"}}));
  const auto& rate = dose_and_rate(m)["rateQuantity"];
  CHECK(rate["value"].GetDouble() == 10);
  CHECK(text(rate, "code") == "mL/h");
  CHECK(text(rate, "system") == "http://unitsofmeasure.org");
  CHECK(dose_and_rate(m).HasMember("doseQuantity"));
}
