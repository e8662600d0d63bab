// A v2 update merged with the record it updates: what the message left out is kept, what
// it nulled is gone, a choice's variants are one element, identifiers and extensions are
// kept item by item.
#include <catch2/catch.hpp>

#include "gateway/ingest/stored_updates.h"
#include "gateway/ingest/v2_merge.h"
#include "gateway/rest/json_patch.h"
#include "support/test_support.h"

using carebridge::gateway::ingest::keep_unsaid;
using carebridge::testing::core;

namespace {

std::string merged(const std::string& update, const std::string& stored, const std::vector<std::string>& cleared) {
  rapidjson::Document u, s;
  REQUIRE(carebridge::gateway::rest::parse_json_keeping_numbers(update, 50, u));
  REQUIRE(carebridge::gateway::rest::parse_json_keeping_numbers(stored, 50, s));
  keep_unsaid(u, s, cleared, *core().type("Patient"), u.GetAllocator());
  return carebridge::gateway::rest::write_json_keeping_numbers(u);
}

}  // namespace

TEST_CASE("v2 update merge: left out is kept, nulled is gone, a choice is one element", "[gateway][ingest][hl7v2]") {
  std::string stored = R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"3"},"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">old</div>"},)"
                       R"("name":[{"family":"Old"}],"telecom":[{"system":"phone","value":"555"}],"birthDate":"1970-02-03",)"
                       R"("deceasedDateTime":"2026-01-01","multipleBirthInteger":2,"communication":[{"language":{"text":"Twi"}}]})";
  std::string update = R"({"resourceType":"Patient","name":[{"family":"New"}],"deceasedBoolean":false})";
  std::string out = merged(update, stored, {"telecom"});
  CHECK(out.find("\"family\":\"New\"") != std::string::npos);
  CHECK(out.find("Old") == std::string::npos);
  CHECK(out.find("telecom") == std::string::npos);          // nulled
  CHECK(out.find("deceasedDateTime") == std::string::npos);  // the update says deceased
  CHECK(out.find("\"birthDate\":\"1970-02-03\"") != std::string::npos);
  CHECK(out.find("\"multipleBirthInteger\":2") != std::string::npos);  // numbers keep their text
  CHECK(out.find("Twi") != std::string::npos);                // what v2 never carries is kept
  CHECK(out.find("versionId") == std::string::npos);
  CHECK(out.find("\"div\"") == std::string::npos);            // the old narrative is not the new record's
}

TEST_CASE("v2 update merge: identifiers by system and extensions by url", "[gateway][ingest][hl7v2]") {
  std::string stored = R"({"resourceType":"Patient","identifier":[{"system":"urn:mr","value":"1"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"123"},)"
                       R"({"system":"urn:other","value":"9"}],"extension":[{"url":"urn:a","valueString":"x"},{"url":"urn:b","valueString":"y"}]})";
  std::string update = R"({"resourceType":"Patient","identifier":[{"system":"urn:mr","value":"1"}],"extension":[{"url":"urn:b","valueString":"z"}]})";
  std::string out = merged(update, stored, {"identifier|urn:other", "extension|urn:a"});
  CHECK(out.find("us-ssn") != std::string::npos);
  CHECK(out.find("urn:other") == std::string::npos);
  CHECK(out.find("\"value\":\"1\"") == out.rfind("\"value\":\"1\""));  // not twice
  CHECK(out.find("urn:a") == std::string::npos);
  CHECK(out.find("\"valueString\":\"z\"") != std::string::npos);
  CHECK(out.find("\"valueString\":\"y\"") == std::string::npos);
}

// PID-13 (home) and PID-14 (work) both become telecom: an A08 that sends PID-13 alone lost
// the work phone an A01 gave, and one nulling PID-13 lost it too.
TEST_CASE("v2 update merge: the work numbers and the others are kept apart, as PID-14 and PID-13", "[gateway][ingest][hl7v2]") {
  std::string stored = R"({"resourceType":"Patient","telecom":[{"system":"phone","value":"(608)555-1234","use":"home"},)"
                       R"({"system":"phone","value":"(608)555-9876","use":"work"},{"system":"email","value":"a@example.org"}]})";
  std::string home = merged(R"({"resourceType":"Patient","telecom":[{"system":"phone","value":"(608)555-0000","use":"home"}]})", stored, {});
  CHECK(home.find("555-0000") != std::string::npos);
  CHECK(home.find("555-9876") != std::string::npos);  // PID-14 not sent: kept
  CHECK(home.find("555-1234") == std::string::npos);  // PID-13 sent: its numbers replaced
  CHECK(home.find("a@example.org") == std::string::npos);
  std::string nulled = merged(R"({"resourceType":"Patient","name":[{"family":"X"}]})", stored, {"telecom|home"});
  CHECK(nulled.find("555-9876") != std::string::npos);
  CHECK(nulled.find("555-1234") == std::string::npos);
  std::string work = merged(R"({"resourceType":"Patient","telecom":[{"system":"phone","value":"(608)555-4444","use":"work"}]})", stored, {});
  CHECK(work.find("555-4444") != std::string::npos);
  CHECK(work.find("555-9876") == std::string::npos);
  CHECK(work.find("555-1234") != std::string::npos);
  CHECK(work.find("a@example.org") != std::string::npos);
}

TEST_CASE("an upload never drops the security labels of the record it updates", "[gateway][ingest]") {
  rapidjson::Document update, stored;
  REQUIRE(carebridge::gateway::rest::parse_json_keeping_numbers(
      R"({"resourceType":"Patient","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}})",
      50, update));
  REQUIRE(carebridge::gateway::rest::parse_json_keeping_numbers(
      R"({"resourceType":"Patient","meta":{"versionId":"4","security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"},)"
      R"({"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"SDV"},{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"ORCON"}]}})",
      50, stored));
  carebridge::gateway::ingest::keep_security_labels(update, stored, update.GetAllocator());
  std::string out = carebridge::gateway::rest::write_json_keeping_numbers(update);
  CHECK(out.find("SDV") != std::string::npos);
  CHECK(out.find("ORCON") != std::string::npos);
  CHECK(out.find("\"R\"") == out.rfind("\"R\""));  // not twice
  CHECK(out.find("versionId") == std::string::npos);

  rapidjson::Document bare;
  REQUIRE(carebridge::gateway::rest::parse_json_keeping_numbers(R"({"resourceType":"Patient"})", 50, bare));
  carebridge::gateway::ingest::keep_security_labels(bare, stored, bare.GetAllocator());
  CHECK(carebridge::gateway::rest::write_json_keeping_numbers(bare).find("ORCON") != std::string::npos);
}
