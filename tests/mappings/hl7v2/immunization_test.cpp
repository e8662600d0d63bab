// VXU: what an immunization record says beyond the vaccine — the observations about it,
// its manufacturer, dose, origin, indication and place (the IG's RXA[Immunization] and
// VXU tables).
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kVxu = "MSH|^~\\&|EHR|CLINIC|IIS|STATE|20250101120000-0500||VXU^V04^VXU_V04|VX1|P|2.5.1\r"
                         "PID|1||M1^^^H^MR||DOE^ANN||20200101|F\r";

}  // namespace

TEST_CASE("VXU: an RXA's observations are part of its Immunization, manufacturer, dose, place", "[mappings][hl7v2]") {
  Mapped m = map_message(kVxu + "ORC|RE||F1^IIS\r" +
                                segment("RXA", {{1, "0"}, {2, "1"}, {3, "20250101"}, {5, "08^HepB^CVX"}, {6, "0.5"}, {7, "mL^milliliter^UCUM"},
                                                {9, "00^New Record^NIP001"}, {11, "^^^CLINIC-1"}, {15, "L1"}, {16, "20261231"},
                                                {17, "MSD^Merck^MVX"}, {19, "V05.3^Hepatitis B exposure^I9CDX"}, {20, "CP"},
                                                {21, "A"}, {22, "20250102"}, {27, "CLINIC-1^ROOM 2"}}) +
                                "OBX|1|CE|64994-7^Eligibility^LN|1|V01^Not VFC eligible^HL70064||||||F\r"
                                "ORC|RE||F2^IIS\r" +
                                segment("RXA", {{1, "0"}, {2, "1"}, {3, "20200601"}, {5, "03^MMR^CVX"}, {6, "999"},
                                                {9, "01^Historical^NIP001"}, {20, "CP"}, {21, "A"}}));
  REQUIRE(m.of("Immunization").size() == 2);
  const auto& given = m.resource("Immunization", 0);
  REQUIRE(m.of("Observation").size() == 1);
  REQUIRE(m.resource("Observation").HasMember("partOf"));
  CHECK(m.resource("Observation")["partOf"][0]["reference"].GetString() == m.full_url("Immunization", 0));
  REQUIRE(given["manufacturer"].HasMember("reference"));
  const rapidjson::Value* maker = m.at(given["manufacturer"]["reference"].GetString());
  REQUIRE(maker);
  CHECK(text(*maker, "name") == "Merck");
  CHECK(text((*maker)["identifier"][0], "value") == "MSD");
  CHECK(text((*maker)["identifier"][0], "system") == "http://terminology.hl7.org/CodeSystem/MVX");
  CHECK(given["doseQuantity"]["value"].GetDouble() == 0.5);
  CHECK(text(given["doseQuantity"], "system") == "http://unitsofmeasure.org");
  CHECK(text(given["doseQuantity"], "code") == "mL");
  CHECK(given["primarySource"].GetBool());
  CHECK_FALSE(given.HasMember("reportOrigin"));
  REQUIRE(given.HasMember("location"));
  const rapidjson::Value* place = m.at(given["location"]["reference"].GetString());
  REQUIRE(place);
  CHECK(text(*place, "name") == "CLINIC-1 ROOM 2");  // RXA-27, as the IG says; RXA-11 it leaves unmapped
  CHECK(first_code(given["reasonCode"][0]) == "V05.3");
  CHECK(text(given, "recorded").rfind("2025-01-02", 0) == 0);
  const auto& historical = m.resource("Immunization", 1);
  CHECK_FALSE(historical["primarySource"].GetBool());
  REQUIRE(historical.HasMember("reportOrigin"));
  CHECK(first_code(historical["reportOrigin"]) == "01");
}

TEST_CASE("VXU: a note after an RXA's OBX is that observation's, not the Immunization's", "[mappings][hl7v2]") {
  // The IG's VXU_V04 ORDER.OBSERVATION.NTE: Observation.note. The OBX also adds its funding
  // eligibility to the Immunization, which the note is not about.
  Mapped m = map_message(kVxu + "ORC|RE||F1^IIS\r" +
                         segment("RXA", {{1, "0"}, {2, "1"}, {3, "20250101"}, {5, "08^HepB^CVX"}, {6, "0.5"},
                                         {7, "mL^milliliter^UCUM"}, {20, "CP"}, {21, "A"}}) +
                         "OBX|1|CE|64994-7^Eligibility^LN|1|V01^Not VFC eligible^HL70064||||||F\r"
                         "NTE|1|L|Eligibility verified at the visit\r");
  const auto& observation = m.resource("Observation");
  REQUIRE(observation.HasMember("note"));
  CHECK(text(observation["note"][0], "text") == "Eligibility verified at the visit");
  CHECK_FALSE(m.resource("Immunization").HasMember("note"));
  CHECK(m.resource("Immunization").HasMember("programEligibility"));
}

TEST_CASE("VXU: each VIS group (OBX-4) is its own education item", "[mappings][hl7v2]") {
  // The CDC guide's VIS groups: a combination vaccine's two statements, one named by the
  // vaccine (30956-7) with its edition date, one by its document bar code (69764-9).
  Mapped m = map_message(kVxu + "ORC|RE||F1^IIS\r" +
                         segment("RXA", {{1, "0"}, {2, "1"}, {3, "20250101"}, {5, "94^MMRV^CVX"}, {6, "0.5"},
                                         {7, "mL^milliliter^UCUM"}, {20, "CP"}, {21, "A"}}) +
                         "OBX|1|CE|30956-7^Vaccine type^LN|1|03^MMR^CVX||||||F\r"
                         "OBX|2|TS|29768-9^VIS published^LN|1|20120420||||||F\r"
                         "OBX|3|TS|29769-7^VIS presented^LN|1|20250101||||||F\r"
                         "OBX|4|CE|69764-9^Document type^LN|2|253088698300026411111130201^Varicella VIS^cdcgs1vis||||||F\r"
                         "OBX|5|TS|29769-7^VIS presented^LN|2|20250101||||||F\r");
  const auto& given = m.resource("Immunization");
  REQUIRE(given.HasMember("education"));
  REQUIRE(given["education"].Size() == 2);
  const auto& mmr = given["education"][0];
  CHECK(text(mmr, "documentType") == "MMR");
  CHECK(text(mmr, "publicationDate") == "2012-04-20");
  CHECK(text(mmr, "presentationDate") == "2025-01-01");
  const auto& varicella = given["education"][1];
  CHECK(text(varicella, "documentType") == "Varicella VIS");
  CHECK(text(varicella, "reference") == "253088698300026411111130201");
  CHECK_FALSE(varicella.HasMember("publicationDate"));
}

TEST_CASE("VXU: an OBX 30973-2 after the RXA is the dose's number in its series", "[mappings][hl7v2]") {
  Mapped m = map_message(kVxu + "ORC|RE||F3^IIS\r" +
                         segment("RXA", {{1, "0"}, {2, "1"}, {3, "20250101"}, {5, "115^Tdap^CVX"}, {6, "0.5"},
                                         {7, "mL^mL^UCUM"}, {20, "CP"}, {21, "A"}}) +
                         "OBX|1|NM|30973-2^Dose number in series^LN|1|2||||||F\r");
  const auto& given = m.resource("Immunization");
  REQUIRE(given.HasMember("protocolApplied"));
  CHECK(given["protocolApplied"][0]["doseNumberPositiveInt"].GetInt() == 2);
}

// A dose whose amount is no number ("0.3mL", the units typed into RXA-6) is left out, and said
// at its place: never dropped in silence.
TEST_CASE("VXU: an administered amount that is no number is said at RXA-6", "[mappings][hl7v2]") {
  Mapped m = map_message(kVxu + "ORC|RE||F4^IIS\r" +
                         segment("RXA", {{1, "0"}, {2, "1"}, {3, "20250101"}, {5, "115^Tdap^CVX"}, {6, "0.3mL"},
                                         {7, "mL^mL^UCUM"}, {20, "CP"}}));
  CHECK(!m.resource("Immunization").HasMember("doseQuantity"));
  bool said = false;
  for (const auto& i : m.conversion.issues)
    said = said || (i.location.starts_with("RXA[1]-6") && i.issue.message.find("'0.3mL' is not a number") != std::string::npos);
  CHECK(said);
}

// v2.7+ names the ordering and administering providers in PRT segments of the order (VXU_V04's
// ORDER.PRT rows), where ORC-12 and RXA-10 were.
TEST_CASE("VXU: v2.8 PRT segments of an order are the Immunization's performers, in their functions", "[mappings][hl7v2]") {
  Mapped m = map_message(kVxu + "ORC|RE||F5^IIS\r"
                         "PRT|1|UC||OP^Ordering Provider^HL70443|6123^FELD^MIRIAM^^^^^^NPI^L^^^NPI\r"
                         "PRT|2|UC||AP^Administering Provider^HL70443|RN55^WARD^JILL^^^^^^EPIC^L\r" +
                         segment("RXA", {{1, "0"}, {2, "1"}, {3, "20250101"}, {5, "115^Tdap^CVX"}, {6, "0.5"},
                                         {7, "mL^mL^UCUM"}, {20, "CP"}}));
  const auto& performers = m.resource("Immunization")["performer"];
  REQUIRE(performers.Size() == 2);
  CHECK(first_code(performers[0]["function"]) == "OP");
  CHECK(first_code(performers[1]["function"]) == "AP");
  for (const auto& p : performers.GetArray()) CHECK(std::string(p["actor"]["reference"].GetString()).starts_with("urn:uuid:"));
  for (const auto& i : m.conversion.issues) CHECK(i.issue.message.find("not part of the message structure") == std::string::npos);
}
