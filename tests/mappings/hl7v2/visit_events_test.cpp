// What an ADT event says about who entered it, when, and where the patient is: EVN-5 as
// the Provenance's enterer, EVN-2 and EVN-6 its times, the visit's current, prior,
// temporary and pending locations with their statuses (none for a cancelled transfer's
// destination), its planned dates (PV2-8, PV2-9), the roles of ROL (the IG's
// EVN[Provenance], PV1[Encounter] and ADT_A01 tables), and a visit moved to another
// patient (A45), which merges no patients; and a vital sign sent without its time.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||";

}  // namespace

TEST_CASE("EVN-5: the operator who entered the event is the Provenance's enterer", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|EV1|P|2.5.1\rEVN|A08|20250101120000-0500|||JDOE^DOE^JANE^^^^^^UMC\r"
                                "PID|1||M1^^^H^MR||A^B||19800101|M\rPV1|1|O\r");
  const auto& provenance = m.resource("Provenance");
  REQUIRE(provenance["agent"].Size() == 2);
  CHECK(first_code(provenance["agent"][0]["type"]) == "author");
  CHECK(first_code(provenance["agent"][1]["type"]) == "enterer");
  const rapidjson::Value* who = m.at(provenance["agent"][1]["who"]["reference"].GetString());
  REQUIRE(who);
  CHECK(text(*who, "resourceType") == "Practitioner");
  CHECK(text((*who)["name"][0], "family") == "DOE");

  Mapped none = map_message(kMsh + "ADT^A08^ADT_A01|EV2|P|2.5.1\rEVN|A08|20250101\rPID|1||M1^^^H^MR||A^B\rPV1|1|O\r");
  CHECK(none.resource("Provenance")["agent"].Size() == 1);
}

TEST_CASE("A02: the prior location is completed, the assigned one active", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A02^ADT_A02|TR1|P|2.5.1\rEVN|A02|20250101\rPID|1||M1^^^H^MR||A^B\r"
                                "PV1|1|I|4W^401^A^H|||3E^301^B^H|||||||||||||V1^^^H^VN\r");
  const auto& locations = m.resource("Encounter")["location"];
  REQUIRE(locations.Size() == 2);
  CHECK(text(locations[0], "status") == "active");
  CHECK(text(*m.at(locations[0]["location"]["reference"].GetString()), "name") == "4W 401 A");
  CHECK(text(locations[1], "status") == "completed");
  CHECK(text(*m.at(locations[1]["location"]["reference"].GetString()), "name") == "3E 301 B");

  Mapped planned = map_message(kMsh + "ADT^A05^ADT_A05|TR2|P|2.5.1\rEVN|A05|20250101\rPID|1||M1^^^H^MR||A^B\rPV1|1|P|4W^401^A^H\r");
  CHECK(text(planned.resource("Encounter")["location"][0], "status") == "planned");
}

TEST_CASE("A12: a cancelled transfer records no stay at the location it cancels", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A12^ADT_A12|TR3|P|2.5.1\rEVN|A12|20250101\rPID|1||M1^^^H^MR||A^B\r"
                                "PV1|1|I|3ICU^305^A^H|||4W^412^B^H|||||||||||||V1^^^H^VN\r");
  const auto& locations = m.resource("Encounter")["location"];
  REQUIRE(locations.Size() == 1);  // PV1-6 is where the cancelled transfer meant to go
  CHECK(text(locations[0], "status") == "active");
  CHECK(text(*m.at(locations[0]["location"]["reference"].GetString()), "name") == "3ICU 305 A");
}

TEST_CASE("EVN-2 is when the event was recorded, EVN-6 when it happened, PV2-8 and PV2-9 the planned visit", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A05^ADT_A05|PA1|P|2.5.1\rEVN|A05|20241231090000-0500||||20241230170000-0500\r"
                                "PID|1||M1^^^H^MR||A^B\rPV1|1|P|4W^401^A^H\rPV2|||Knee replacement|||||20250115070000-0500|20250118\r");
  const auto& provenance = m.resource("Provenance");
  CHECK(text(provenance, "recorded") == "2024-12-31T09:00:00-05:00");
  CHECK(text(provenance, "occurredDateTime") == "2024-12-30T17:00:00-05:00");
  const auto& visit = m.resource("Encounter");
  REQUIRE(visit.HasMember("extension"));
  CHECK(text(visit["extension"][0], "url") == "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedStartDate");
  CHECK(text(visit["extension"][0], "valueDateTime") == "2025-01-15T07:00:00-05:00");
  CHECK(text(visit["extension"][1], "url") == "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate");
  CHECK(text(visit["extension"][1], "valueDateTime") == "2025-01-18");

  Mapped sent = map_message(kMsh + "ADT^A08^ADT_A01|PA2|P|2.5.1\rEVN|A08\rPID|1||M1^^^H^MR||A^B\rPV1|1|O\r");
  CHECK(text(sent.resource("Provenance"), "recorded") == "2025-01-01T12:00:00-05:00");  // MSH-7, without EVN-2
}

TEST_CASE("ROL: a primary care provider after PID is the general practitioner, a role after PV1 a participant", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A01^ADT_A01|RL1|P|2.5.1\rEVN|A01|20250101\rPID|1||M1^^^H^MR||A^B\r"
                                "ROL|1|AD|PP^Primary Care Provider^HL70443|111^WELBY^MARCUS^^^^^^NPI\r"
                                "ROL|2|AD|CP^Consulting Provider^HL70443|222^CAMERON^ALLISON^^^^^^NPI\r"
                                "PV1|1|I|4W^401^A^H||||||||||||||||V1^^^H^VN\r"
                                "ROL|3|AD|AT^Attending^HL70443|333^HOUSE^GREGORY^^^^^^NPI|20250101080000-0500\r");
  const auto& patient = m.resource("Patient");
  REQUIRE(patient.HasMember("generalPractitioner"));
  REQUIRE(patient["generalPractitioner"].Size() == 1);  // the consultant after PID is no GP
  const rapidjson::Value* gp = m.at(patient["generalPractitioner"][0]["reference"].GetString());
  REQUIRE(gp);
  CHECK(text((*gp)["name"][0], "family") == "WELBY");
  const auto& visit = m.resource("Encounter");
  REQUIRE(visit.HasMember("participant"));
  REQUIRE(visit["participant"].Size() == 1);
  const auto& attending = visit["participant"][0];
  CHECK(first_code(attending["type"][0]) == "ATND");
  CHECK(text(attending["period"], "start") == "2025-01-01T08:00:00-05:00");
  CHECK(text((*m.at(attending["individual"]["reference"].GetString()))["name"][0], "family") == "HOUSE");
}

TEST_CASE("A45: moving a visit to another patient retires no patient and links none", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A45^ADT_A45|MV1|P|2.5.1\rEVN|A45|20250118110000-0800\r"
                                "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\r"
                                "MRG|M9^^^H^MR||||V0001^^^H^VN\r"
                                "PV1|1|I|4W^401^1^H||||||||||||||||V0002^^^H^VN\r");
  REQUIRE(m.of("Patient").size() == 1);  // the patient the visit left is not written inactive
  CHECK_FALSE(m.resource("Patient").HasMember("link"));
  CHECK(text(m.resource("Encounter")["subject"], "reference") == m.full_url("Patient"));
}

TEST_CASE("PRT (v2.8's participation, for ROL): after PV1 a visit participant in its role, after PR1 a performer",
          "[mappings][hl7v2]") {
  Mapped m = map_message("MSH|^~\\&|ADT|H|EHR|H|20250101120000-0500||ADT^A01^ADT_A01|PRT1|P|2.8\rEVN|A01|20250101\r"
                         "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\r"
                         "PRT|1|AD||PP^Primary Care Provider^HL70912|1578823409^OSEI^KWAME^^^^^^NPI\rPV1|1|I|4W^401^A^H\r"
                         "PRT|2|AD||AT^Attending Provider^HL70912|1184799991^WELBY^MARCUS^^^^^^NPI\r"
                         "PR1|1||47562^Lap chole^C4||20250101083000\r"
                         "PRT|3|AD||SURG^Surgeon^L|S1^CUT^SAM\r");
  bool attending = false;
  for (const auto& p : m.resource("Encounter")["participant"].GetArray())
    attending = attending || (p.HasMember("type") && first_code(p["type"][0]) == "ATND");
  CHECK(attending);
  const auto& procedure = m.resource("Procedure");
  REQUIRE(procedure.HasMember("performer"));
  CHECK(first_code(procedure["performer"][0]["function"]) == "SURG");
  REQUIRE(m.resource("Patient").HasMember("generalPractitioner"));
}

// Cerner sends the attending's NPI with its type (XCN-13) and no authority (XCN-9): it was a
// Practitioner identified by a number of no system, a second record beside the one the same
// NPI with its authority names.
TEST_CASE("XCN-13: an identifier typed NPI with no authority is in the NPI's system, typed", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A01^ADT_A01|NP1|P|2.5.1\rEVN|A01|20250101\rPID|1||M1^^^H^MR||A^B\r"
                                "PV1|1|I|4W^401^A^H|||||9999901007^MU\xC3\x91OZ^JOS\xC3\x89^^^^^^^^^^NPI||||||||||||V1^^^H^VN\r");
  const auto& visit = m.resource("Encounter");
  REQUIRE(visit.HasMember("participant"));
  const rapidjson::Value* doctor = m.at(visit["participant"][0]["individual"]["reference"].GetString());
  REQUIRE(doctor);
  const auto& id = (*doctor)["identifier"][0];
  CHECK(text(id, "system") == "http://hl7.org/fhir/sid/us-npi");
  CHECK(text(id, "value") == "9999901007");
  CHECK(first_code(id["type"]) == "NPI");
  Mapped with_authority = map_message(kMsh + "ADT^A01^ADT_A01|NP2|P|2.5.1\rEVN|A01|20250101\rPID|1||M1^^^H^MR||A^B\r"
                                             "PV1|1|I|4W^401^A^H|||||9999901007^MUNOZ^JOSE^^^^^^NPI||||||||||||V1^^^H^VN\r");
  const rapidjson::Value* same = with_authority.at(with_authority.resource("Encounter")["participant"][0]["individual"]["reference"].GetString());
  REQUIRE(same);
  CHECK(text((*same)["identifier"][0], "system") == "http://hl7.org/fhir/sid/us-npi");
}

TEST_CASE("a vital sign sent without its time was taken when the event was recorded, else when the message was made",
          "[mappings][hl7v2]") {
  // An admission's weight with no OBX-14: the vital-signs profile needs effective[x].
  const std::string pid = "PID|1||V1^^^H^MR||ADEYEMI^TOLU||19800101|F\rPV1|1|I\r";
  const std::string weight = "OBX|1|NM|29463-7^Body weight^LN||72|kg^kg^UCUM|||||F\r";
  const std::string note = "OBX|2|ST|11506-3^Progress note^LN||walked today||||||F\r";
  Mapped with_evn = map_message(kMsh + "ADT^A01^ADT_A01|V1|P|2.5.1\rEVN|A01|20250101114500-0500\r" + pid + weight + note);
  std::string weighed, noted;
  for (const auto* e : with_evn.of("Observation")) {
    const auto& o = (*e)["resource"];
    (text(o["code"]["coding"][0], "code") == "29463-7" ? weighed : noted) = text(o, "effectiveDateTime");
  }
  CHECK(weighed == "2025-01-01T11:45:00-05:00");
  CHECK(noted.empty());  // not a vital sign: no time is made up for it
  Mapped without_evn = map_message(kMsh + "ADT^A01^ADT_A01|V2|P|2.5.1\r" + pid + weight);
  CHECK(text(without_evn.resource("Observation"), "effectiveDateTime") == "2025-01-01T12:00:00-05:00");
  CHECK(without_evn.conversion.accepted());
}
