// MDM documents and SIU schedules: who authenticated a document, the document it adds to
// or replaces, its blank lines; why an appointment moved and each resource's role in it.
#include <catch2/catch.hpp>


#include "fhir/io/base64.h"
#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|EHR|H|DOCS|H|20250101120000-0500||";
const std::string kPid = "PID|1||M1^^^H^MR||DOE^ANN||19800101|F\rPV1|1|O\r";

std::string document_text(const rapidjson::Value& document) {
  return *carebridge::fhir::io::base64_decode(document["content"][0]["attachment"]["data"].GetString());
}

}  // namespace

TEST_CASE("MDM: TXA-22 authenticates, TXA-13 is the parent an addendum appends to or an edit replaces", "[mappings][hl7v2]") {
  auto mdm = [&](const std::string& event) {
    return map_message(kMsh + "MDM^" + event + "^MDM_T02|" + event + "|P|2.5.1\rEVN|" + event + "|20250101\r" + kPid +
                       segment("TXA", {{1, "1"}, {2, "DS^Discharge summary^HL70270"}, {3, "TX"}, {4, "20250101"},
                                       {9, "DR1^SMITH^JO"}, {12, "D2^EHR"}, {13, "D1^EHR"}, {17, "AU"}, {19, "AV"},
                                       {22, "DR2^JONES^AL^^^^^^^^^^^^20250102"}}) +
                       "OBX|1|TX|DS^Summary^L||Line one||||||F\rOBX|2|TX|DS^Summary^L||||||||F\rOBX|3|TX|DS^Summary^L||Line three||||||F\r");
  };
  Mapped addendum = mdm("T06");
  const auto& document = addendum.resource("DocumentReference");
  REQUIRE(document.HasMember("authenticator"));
  CHECK(document["authenticator"]["reference"].GetString() != std::string());
  REQUIRE(document.HasMember("relatesTo"));
  CHECK(text(document["relatesTo"][0], "code") == "appends");
  CHECK(text(document["relatesTo"][0]["target"]["identifier"], "value") == "D1");
  CHECK(document_text(document) == "Line one\n\nLine three");
  CHECK(text(mdm("T10").resource("DocumentReference")["relatesTo"][0], "code") == "replaces");
}

TEST_CASE("SIU: SCH-6 is the reason a rescheduling happened, AIP-4 the participant's role", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "SIU^S13^SIU_S12|S13|P|2.5.1\r" +
                         segment("SCH", {{1, "A100^EPIC"}, {2, "APT1^ORTHO"}, {6, "RESCHED^Patient request^L"},
                                         {7, "FOLLOWUP^Follow-up^L"}, {9, "30"}, {10, "MIN"},
                                         {11, "^^30^20241116100000-0700^20241116103000-0700"}, {25, "Booked"}}) + kPid +
                         "RGS|1\rAIP|1|A|555^GREY^MEREDITH^^^^^^NPI|AT^Attending^HL70443||20241115090000-0700\r");
  REQUIRE(m.resource("Provenance").HasMember("reason"));
  CHECK(first_code(m.resource("Provenance")["reason"][0]) == "RESCHED");
  const auto& participants = m.resource("Appointment")["participant"];
  bool attender = false;
  for (const auto& p : participants.GetArray())
    attender = attender || (p.HasMember("type") && first_code(p["type"][0]) == "ATND");
  CHECK(attender);
}

TEST_CASE("SIU: a deletion (S17) with its reason is entered in error and the reason its event's, not refused",
          "[mappings][hl7v2]") {
  auto siu = [&](const std::string& event, const std::string& status) {
    return map_message(kMsh + "SIU^" + event + "^SIU_S12|" + event + "|P|2.5.1\r" +
                       segment("SCH", {{1, "A200^EPIC"}, {6, "ERR^Entered in error^L"}, {25, status}}) +
                       "TQ1|1||||||20250110090000-0500|20250110092000-0500\r" + kPid + "RGS|1|D\r");
  };
  Mapped deleted = siu("S17", "Deleted");
  const auto& appointment = deleted.resource("Appointment");
  CHECK(text(appointment, "status") == "entered-in-error");
  CHECK_FALSE(appointment.HasMember("cancelationReason"));
  REQUIRE(deleted.resource("Provenance").HasMember("reason"));
  CHECK(first_code(deleted.resource("Provenance")["reason"][0]) == "ERR");
  // S16: the rest of an appointment will not happen (table 0278 Dc): cancelled, with its reason.
  Mapped discontinued = siu("S16", "");
  CHECK(text(discontinued.resource("Appointment"), "status") == "cancelled");
  CHECK(first_code(discontinued.resource("Appointment")["cancelationReason"]) == "ERR");
}

TEST_CASE("SIU: a note after the SCH's TQ1 timing is still the appointment's comment", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "SIU^S12^SIU_S12|S12|P|2.5.1\r" + segment("SCH", {{1, "A300^EPIC"}, {25, "Booked"}}) +
                         "TQ1|1||||||20250110090000-0500|20250110092000-0500\rNTE|1||Needs an interpreter\r" + kPid +
                         "RGS|1\r");
  CHECK(text(m.resource("Appointment"), "comment") == "Needs an interpreter");
}

TEST_CASE("SIU: an appointment timed only by its service's start and duration (AIS-4, AIS-7) ends then, not refused",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "SIU^S12^SIU_S12|S12B|P|2.5\r" + segment("SCH", {{1, "A400^EPIC"}, {25, "Booked"}}) + kPid +
                         "RGS|1|A\r" +
                         segment("AIS", {{1, "1"}, {2, "A"}, {3, "WCC^Well child^L"}, {4, "20250620093000-0500"},
                                         {7, "45"}, {8, "min^Minutes^ISO"}}));
  const auto& appointment = m.resource("Appointment");
  CHECK(text(appointment, "start") == "2025-06-20T09:30:00-05:00");
  CHECK(text(appointment, "end") == "2025-06-20T10:15:00-05:00");
  CHECK(appointment["minutesDuration"].GetInt() == 45);
}

// A booked appointment with a start and nothing to end it cannot be FHIR (app-2, app-3): the
// refusal says so at the field that gave the start, not at the SCH alone.
TEST_CASE("SIU: a start with no end or duration is refused, said at the field that gave the start", "[mappings][hl7v2]") {
  auto c = converter().convert(kMsh + "SIU^S14^SIU_S12|S14C|P|2.5.1\r" +
                               segment("SCH", {{1, "A500^EPIC"}, {11, "^^^20260411080000-0500"}, {25, "Booked"}}) + kPid);
  CHECK(!c.accepted());
  bool said = false;
  for (const auto& i : c.issues) said = said || (i.location.starts_with("SCH[1]-11") && i.issue.message.find("no end or duration") != std::string::npos);
  CHECK(said);
}

TEST_CASE("SIU: a duration in hours or seconds is the appointment's minutes and one in units of no time is left out",
          "[mappings][hl7v2]") {
  std::string warned;
  auto minutes_of = [&](const std::string& sch9, const std::string& sch10) {
    Mapped m = map_message(kMsh + "SIU^S12^SIU_S12|D" + sch9 + "|P|2.5\r" +
                           segment("SCH", {{1, "A500^EPIC"}, {9, sch9}, {10, sch10}, {11, "^^^20250620093000-0500^20250620110000-0500"}, {25, "Booked"}}) +
                           kPid + "RGS|1\r");
    warned.clear();
    for (const auto& i : m.conversion.issues)
      if (i.issue.message.find("duration") != std::string::npos) warned += i.location + ": " + i.issue.message + "\n";
    const auto& appointment = m.resource("Appointment");
    return appointment.HasMember("minutesDuration") ? appointment["minutesDuration"].GetInt() : -1;
  };
  CHECK(minutes_of("2", "h^hour^UCUM") == 120);
  CHECK(minutes_of("1.5", "HR^Hours^ISO+") == 90);
  CHECK(minutes_of("1800", "s^second^UCUM") == 30);
  CHECK(minutes_of("30", "MIN^Minutes^ISO+") == 30);
  CHECK(minutes_of("30", "^minutes") == 30);  // the units in words only
  CHECK(minutes_of("3", "mg^milligram^UCUM") == -1);
  CHECK_THAT(warned, Catch::Contains("SCH[1]-9") && Catch::Contains("no unit of time"));
  CHECK(minutes_of("3", "") == -1);
  CHECK_THAT(warned, Catch::Contains("has no units"));
  CHECK(minutes_of("1.4", "min") == 1);
  CHECK_THAT(warned, Catch::Contains("rounded to 1"));
  CHECK(minutes_of("20", "s") == -1);  // under a minute
  CHECK(minutes_of("99999999999999999999", "h") == -1);  // beyond a positiveInt, not undefined
  CHECK(minutes_of("2", "H") == 120);
}

TEST_CASE("SIU: a diagnosis sent with the patient (DG1) is the appointment's reason", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "SIU^S12^SIU_S12|S12C|P|2.5.1\r" + segment("SCH", {{1, "A500^EPIC"}, {25, "Booked"}}) +
                         "TQ1|1||||||20250618130000-0500|20250618134000-0500\r" + kPid +
                         "DG1|1|I10|I48.91^Atrial fibrillation^I10||20250602|W\rRGS|1|A\r");
  const auto& appointment = m.resource("Appointment");
  REQUIRE(appointment.HasMember("reasonReference"));
  CHECK(appointment["reasonReference"][0]["reference"].GetString() == m.full_url("Condition"));
  // A diagnosis the sender deletes (DG1-21 D) is no reason: its Condition is entered in error.
  Mapped deleted = map_message(kMsh + "SIU^S12^SIU_S12|S12D|P|2.5.1\r" + segment("SCH", {{1, "A501^EPIC"}, {25, "Booked"}}) +
                               "TQ1|1||||||20250618130000-0500|20250618134000-0500\r" + kPid +
                               segment("DG1", {{1, "1"}, {2, "I10"}, {3, "I48.91^Atrial fibrillation^I10"}, {21, "D"}}) +
                               "RGS|1|A\r");
  CHECK_FALSE(deleted.resource("Appointment").HasMember("reasonReference"));
}

TEST_CASE("MDM: a document sent as two renditions and no text line (RTF and HTML) keeps both, not refused",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "MDM^T02^MDM_T02|T2R|P|2.5.1\rEVN|T02|20250101\r" + kPid +
                         segment("TXA", {{1, "1"}, {2, "PN^Progress note^L"}, {3, "ED"}, {12, "D9^EHR"}, {17, "AU"}}) +
                         "OBX|1|ED|11506-3^Progress note^LN|1|^TEXT^RTF^Base64^e1xydGYxIE5vdGV9||||||F\r"
                         "OBX|2|ED|11506-3^Progress note^LN|2|^TEXT^HTML^A^<p>Note</p>||||||F\r");
  const auto& contents = m.resource("DocumentReference")["content"];
  REQUIRE(contents.Size() == 2);
  CHECK(text(contents[0]["attachment"], "contentType") == "application/rtf");
  CHECK(text(contents[1]["attachment"], "contentType") == "text/html");
  CHECK(document_text(m.resource("DocumentReference")) == "{\\rtf1 Note}");
}
