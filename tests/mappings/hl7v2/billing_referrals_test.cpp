// Accounts, charges and referrals (BAR, DFT, REF): an account's end, the procedure a charge
// bills, coverage order, a referral's cancellation and its providers' identifiers.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|HB|H|EHR|H|20250101120000-0500||";
const std::string kPid = "PID|1||M1^^^H^MR||DOE^ANN||19800101|F||||||||||ACCT7^^^H^AN\r";

}  // namespace

TEST_CASE("BAR P06: ending an account makes its Account inactive", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "BAR^P06^BAR_P06|B6|P|2.5\rEVN|P06|20250101\r" + kPid + "PV1|1|O\r");
  CHECK(text(m.resource("Account"), "status") == "inactive");
  CHECK(text(m.resource("Account")["identifier"][0], "value") == "ACCT7");
}

TEST_CASE("DFT: the procedure sent under a charge (FT1 then PR1) is the ChargeItem's service", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "DFT^P03^DFT_P03|D3|P|2.5.1\rEVN|P03|20250101\r" + kPid + "PV1|1|O\r" +
                         segment("FT1", {{1, "1"}, {2, "T1"}, {4, "20250101"}, {6, "CG"}, {7, "99213^Visit^CPT"}, {10, "1"}}) +
                         "PR1|1||99213^Visit^CPT||20250101\r" +
                         segment("FT1", {{1, "2"}, {2, "T2"}, {4, "20250101"}, {6, "CG"}, {7, "83036^A1c^CPT"}, {10, "1"}}));
  const auto& billed = m.resource("ChargeItem", 0);
  REQUIRE(billed.HasMember("service"));
  REQUIRE(billed["service"].Size() == 1);
  CHECK(billed["service"][0]["reference"].GetString() == m.full_url("Procedure"));
  CHECK_FALSE(m.resource("ChargeItem", 1).HasMember("service"));
}

TEST_CASE("IN1-22: the coordination of benefits priority is the Coverage's order", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|A8|P|2.5.1\rEVN|A08|20250101\r" + kPid + "PV1|1|O\r" +
                         segment("IN1", {{1, "1"}, {2, "PPO1"}, {4, "AETNA"}, {17, "18^Self"}, {22, "1"}, {36, "P1"}}) +
                         segment("IN1", {{1, "2"}, {2, "MCR"}, {4, "MEDICARE"}, {17, "18^Self"}, {22, "2"}, {36, "P2"}}));
  CHECK(m.resource("Coverage", 0)["order"].GetInt() == 1);
  CHECK(m.resource("Coverage", 1)["order"].GetInt() == 2);
}

TEST_CASE("REF I14: cancelling a referral revokes its ServiceRequest", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "REF^I14^REF_I12|R14|P|2.5\r" +
                         segment("RF1", {{1, "C^Cancelled^L"}, {2, "R"}, {6, "RF1^EHR"}, {7, "20250101"}}) + kPid);
  CHECK(text(m.resource("ServiceRequest"), "status") == "revoked");
}

TEST_CASE("EI: an authority the identifier registry names (PRD-7 1234^NPI) gets the registry's system", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "REF^I12^REF_I12|R12|P|2.5\r" + segment("RF1", {{1, "P"}, {6, "RF2^EHR"}}) +
                         segment("PRD", {{1, "RP^Referring Provider^HL70286"}, {2, "WELBY^MARCUS"}, {7, "1184799991^NPI"}}) + kPid +
                         segment("DG1", {{1, "1"}, {3, "I10^Hypertension^I10"}, {20, "DX1^EHR^1.3.6.1.4.1.44750.1^CLIP"}}) +
                         "PV1|1|O|||||1184799991^WELBY^MARCUS^^^^^^NPI\r");
  const rapidjson::Value* requester = m.at(m.resource("ServiceRequest")["requester"]["reference"].GetString());
  REQUIRE(requester != nullptr);
  CHECK(text((*requester)["identifier"][0], "system") == "http://hl7.org/fhir/sid/us-npi");
  CHECK(text((*requester)["identifier"][0], "value") == "1184799991");
  // An OID-shaped universal id stays an OID whatever EI-4 calls its type.
  CHECK(text(m.resource("Condition")["identifier"][0], "system") == "urn:oid:1.3.6.1.4.1.44750.1");
}

TEST_CASE("REF: the referral's own notes (the NTEs that end the message) are its ServiceRequest's", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "REF^I12^REF_I12|R13|P|2.5\r" + segment("RF1", {{1, "P"}, {6, "RF3^EHR"}}) + kPid +
                         "OBR|1|||24323-8^Metabolic panel^LN\rOBX|1|NM|2345-7^Glucose^LN||99|mg/dL^mg/dL^UCUM||||||F\r"
                         "NTE|1||Fasting\rPV1|1|O\rNTE|1||Please evaluate for rate control\rNTE|2||Urgent within 2 weeks\r");
  const auto& referral = m.resource("ServiceRequest");
  REQUIRE(referral.HasMember("note"));
  REQUIRE(referral["note"].Size() == 2);
  CHECK(text(referral["note"][0], "text") == "Please evaluate for rate control");
  CHECK(text(m.resource("Observation")["note"][0], "text") == "Fasting");
}

TEST_CASE("BAR P12: PR1's anesthesiologist and surgeon perform the Procedure, and a deleted diagnosis is not the visit's",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "BAR^P12^BAR_P12|B12|P|2.5\rEVN|P12|20250101\r" + kPid + "PV1|1|O||||||||||||||||||V12\r" +
                         segment("DG1", {{1, "1"}, {3, "K80.20^Gallstones^I10"}, {6, "F"}}) +
                         segment("DG1", {{1, "2"}, {3, "K81.0^Acute cholecystitis^I10"}, {6, "F"}, {21, "D"}}) +
                         segment("PR1", {{1, "1"}, {3, "47562^Lap chole^C4"}, {5, "20250101083000"},
                                         {6, "P^Procedure for treatment^HL70230"}, {8, "A1^GAS^ANNE"}, {11, "S1^CUT^SAM"}}));
  const auto& procedure = m.resource("Procedure");
  REQUIRE(procedure.HasMember("performer"));
  REQUIRE(procedure["performer"].Size() == 2);
  CHECK(text(procedure["performer"][0]["function"], "text") == "Anesthesiologist");
  CHECK(text(procedure["performer"][1]["function"], "text") == "Surgeon");
  CHECK(first_code(procedure["category"]) == "P");
  const auto& visit = m.resource("Encounter");
  REQUIRE(visit["diagnosis"].Size() == 1);
  CHECK(visit["diagnosis"][0]["condition"]["reference"].GetString() == m.full_url("Condition", 0));
}

TEST_CASE("FT1-24: who entered the charge is the ChargeItem's enterer", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "DFT^P03^DFT_P03|D3E|P|2.5.1\rEVN|P03|20250101\r" + kPid + "PV1|1|O\r" +
                         segment("FT1", {{1, "1"}, {2, "T9"}, {4, "20250101"}, {6, "CG"}, {7, "99213^Visit^CPT"}, {10, "1"},
                                         {20, "1184799991^WELBY^MARCUS^^^^^^NPI"}, {24, "CLERK7^PAYNE^ROSE"}}));
  const auto& charge = m.resource("ChargeItem");
  REQUIRE(charge.HasMember("enterer"));
  const rapidjson::Value* enterer = m.at(charge["enterer"]["reference"].GetString());
  REQUIRE(enterer != nullptr);
  CHECK(text((*enterer)["name"][0], "family") == "PAYNE");
}

TEST_CASE("ROL after PR1: the procedure's role person performs it, in that role", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|A8R|P|2.5.1\rEVN|A08|20250101\r" + kPid + "PV1|1|I\r" +
                         segment("PR1", {{1, "1"}, {3, "47562^Lap chole^C4"}, {5, "20250101083000"}}) +
                         "ROL|1|AD|SURG^Surgeon^L|S1^CUT^SAM\r");
  const auto& procedure = m.resource("Procedure");
  REQUIRE(procedure.HasMember("performer"));
  CHECK(first_code(procedure["performer"][0]["function"]) == "SURG");
  const rapidjson::Value* surgeon = m.at(procedure["performer"][0]["actor"]["reference"].GetString());
  REQUIRE(surgeon != nullptr);
  CHECK(text((*surgeon)["name"][0], "family") == "CUT");
  CHECK_FALSE(warned(m.conversion, "ROL", "not mapped"));
}

TEST_CASE("FT1 without its transaction code (FT1-7) bills the procedure code FT1-25, and one naming nothing is no charge",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "DFT^P03^DFT_P03|D3C|P|2.5.1\rEVN|P03|20250101\r" + kPid + "PV1|1|O\r" +
                         segment("FT1", {{1, "1"}, {2, "T7"}, {4, "20250101"}, {6, "CG"}, {10, "1"}, {25, "99213^Visit^CPT"}}) +
                         segment("FT1", {{1, "2"}, {2, "T8"}, {4, "20250101"}, {6, "CG"}, {10, "1"}, {11, "12.00"}}));
  REQUIRE(m.of("ChargeItem").size() == 1);
  CHECK(first_code(m.resource("ChargeItem")["code"]) == "99213");
}
