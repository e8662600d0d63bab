// Bindings (required, extensible) against value sets expanded locally, and codes
// against their code systems.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

TEST_CASE("a code outside a required binding is an error", "[validation][terminology]") {
  auto issues = validate_text(patient(R"("gender":"f")"));
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "code-invalid", "Patient.gender", "AdministrativeGender"));
  CHECK(count_errors(validate_text(patient(R"("gender":"unknown")"))) == 0);
}

TEST_CASE("Coding and CodeableConcept under required bindings", "[validation][terminology]") {
  // Observation.status (code), Patient.communication.language (preferred, ignored),
  // AllergyIntolerance.clinicalStatus (CodeableConcept, required).
  auto bad = validate_text(R"({"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},
      "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"gone"}]}})");
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "code-invalid", "AllergyIntolerance.clinicalStatus"));
  auto good = validate_text(R"({"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},
      "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]}})");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  // A code system we cannot expand (SNOMED CT) is never a false error.
  auto external = validate_text(R"({"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},
      "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
      "code":{"coding":[{"system":"http://snomed.info/sct","code":"227493005"}]}})");
  INFO(describe(external));
  CHECK(count_errors(external) == 0);
}

TEST_CASE("extensible bindings give warnings only", "[validation][terminology]") {
  // Patient.maritalStatus is extensible to the MaritalStatus value set.
  auto issues = validate_text(patient(
      R"("maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"Q"}]})"));
  INFO(describe(issues));
  CHECK(count_errors(issues) > 0);  // Q is not a code of v3-MaritalStatus at all
  auto other = validate_text(patient(R"("maritalStatus":{"coding":[{"system":"http://example.org/ms","code":"Q"}]})"));
  CHECK(count_errors(other) == 0);
}

TEST_CASE("an unknown code in a loaded code system is an error", "[validation][terminology]") {
  auto issues = validate_text(R"({"resourceType":"Encounter","status":"finished",
      "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"NOPE"}})");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "code-invalid", "Encounter.class", "NOPE"));
  auto ok = validate_text(R"({"resourceType":"Encounter","status":"finished",
      "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}})");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
}

TEST_CASE("a display must match the code system's display or a designation", "[validation][terminology]") {
  auto encounter = [](const std::string& display) {
    return validate_text(R"({"resourceType":"Encounter","status":"finished",
        "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB","display":")" + display + "\"}}");
  };
  CHECK(count_errors(encounter("ambulatory")) == 0);
  CHECK(count_errors(encounter("Ambulatory")) == 0);  // case does not matter (whitespace does)
  auto wrong = encounter("emergency");
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Error, "invalid", "Encounter.class", "display"));
}

TEST_CASE("one problem found twice (base and profile) is reported once", "[validation][terminology]") {
  auto issues = validate_text(patient(R"("gender":"f")"));
  size_t n = 0;
  for (const auto& i : issues) n += i.expression == "Patient.gender" ? 1 : 0;
  CHECK(n == 1);
}

TEST_CASE("code and identifier systems are absolute URIs naming code systems", "[validation][terminology]") {
  auto local = validate_text(patient(R"("maritalStatus":{"coding":[{"system":"local-codes","code":"M"}]})"));
  CHECK(has_issue(local, Severity::Error, "invalid", "Patient.maritalStatus.coding[0]", "absolute"));
  auto identifier = validate_text(patient(R"("identifier":[{"system":"mrn","value":"1"}])"));
  CHECK(has_issue(identifier, Severity::Error, "invalid", "Patient.identifier[0]", "absolute"));
  auto value_set = validate_text(patient(
      R"("maritalStatus":{"coding":[{"system":"http://hl7.org/fhir/ValueSet/marital-status","code":"M"}]})"));
  INFO(describe(value_set));
  CHECK(has_issue(value_set, Severity::Error, "invalid", "Patient.maritalStatus.coding[0]", "value set"));
}

TEST_CASE("LOINC, RxNorm and SNOMED CT codes of the wrong form are unknown codes", "[validation][terminology]") {
  auto code = [](const std::string& system, const std::string& value) {
    return validate_text(R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":")" + system +
                         R"(","code":")" + value + R"("}]}})");
  };
  for (const char* good : {"2345-7", "718-7", "4548-4", "1-8", "100-8", "LA6576-8", "LP7839-6"}) {
    INFO(good);
    CHECK(count_errors(code("http://loinc.org", good)) == 0);
  }
  for (const char* bad : {"2345-6", "12345", "abc", "123456-1"}) {
    auto issues = code("http://loinc.org", bad);
    INFO(bad << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "code-invalid", "Observation.code.coding[0]", "unknown code"));
  }
  CHECK(count_errors(code("http://www.nlm.nih.gov/research/umls/rxnorm", "884308")) == 0);
  CHECK(has_issue(code("http://www.nlm.nih.gov/research/umls/rxnorm", "abc"), Severity::Error, "code-invalid",
                  "Observation.code.coding[0]", "unknown code"));
  // A SNOMED CT code is an SCTID: digits ending in their Verhoeff check digit, after a partition.
  for (const char* good : {"22298006", "38341003", "73211009", "840539006", "260385009", "999000011000001104"}) {
    INFO(good);
    CHECK(count_errors(code("http://snomed.info/sct", good)) == 0);
  }
  for (const char* bad : {"abc", "22298007", "38341009", "123", "1234567890", "415818005"}) {
    auto issues = code("http://snomed.info/sct", bad);
    INFO(bad << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "code-invalid", "Observation.code.coding[0]", "unknown code"));
  }
  // A language tag by BCP 47's grammar: single hyphens, a registered language of 2 or 3 letters first.
  for (const char* good : {"en", "en-US", "zh-Hant-TW", "sgn-ase", "es-419", "x-klingon", "de-CH-1996"}) {
    INFO(good);
    CHECK(count_errors(code("urn:ietf:bcp:47", good)) == 0);
  }
  for (const char* bad : {"en--US", "en_US", "english", "e", "en-", "en-toolongsubtag"}) {
    auto issues = code("urn:ietf:bcp:47", bad);
    INFO(bad << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "code-invalid", "Observation.code.coding[0]", "unknown code"));
  }
  // Ingest keeps what a sender mistyped: a warning there.
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  auto ingested = validate_text(
      R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1234-5"}]}})", ingest);
  INFO(describe(ingested));
  CHECK(count_errors(ingested) == 0);
  CHECK(has_issue(ingested, Severity::Warning, "code-invalid", "Observation.code.coding[0]", "unknown code"));
  carebridge::fhir::validation::Options converted;  // as the v2 converter validates its output
  converted.sender_coded = true;
  CHECK(count_errors(validate_text(
            R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1234-5"}]}})",
            converted)) == 0);
}

TEST_CASE("misnamed code systems are errors, and warnings under ingest", "[validation][terminology]") {
  auto coded = [](const std::string& system, const carebridge::fhir::validation::Options& options = {}) {
    return validate_text(R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":")" + system +
                             R"(","code":"718-7"}]}})",
                         options);
  };
  for (const char* misnamed : {"https://loinc.org", "http://loinc.org/", "http://snomed.info/sct/900000000000207008",
                               "http://hl7.org/fhir/made-up-codes", "http://hl7.org/fhir/codesystem-administrative-gender.html",
                               "http://build.fhir.org/administrative-gender", "tag:example.com,2020:codes",
                               "http://www.hl7.org/fhir/observation-interpretation"}) {
    auto issues = coded(misnamed);
    INFO(misnamed << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invalid", "Observation.code.coding[0]", misnamed));
  }
  for (const char* named : {"http://loinc.org", "http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.96",
                            "https://github.com/synthetichealth/synthea", "http://hl7.org/fhir/administrative-gender"}) {
    auto issues = coded(named);
    INFO(named << "\n" << describe(issues));
    CHECK(!has_issue(issues, Severity::Error, "invalid", "Observation.code.coding[0]"));
  }
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  CHECK(count_errors(coded("https://loinc.org", ingest)) == 0);
}

TEST_CASE("identifier systems are http, https, urn or ldap URIs, a URI identifier's value is absolute",
          "[validation][terminology]") {
  auto ftp = validate_text(patient(R"("identifier":[{"system":"ftp://example.org/ids","value":"1"}])"));
  INFO(describe(ftp));
  CHECK(has_issue(ftp, Severity::Error, "invalid", "Patient.identifier[0]", "ftp://example.org/ids"));
  CHECK(count_errors(validate_text(patient(R"("identifier":[{"system":"ldap://example.org/ou=ids","value":"1"}])"))) == 0);
  auto uri = validate_text(patient(R"("identifier":[{"system":"urn:ietf:rfc:3986","value":"12345"}])"));
  CHECK(has_issue(uri, Severity::Error, "invalid", "Patient.identifier[0]", "absolute URI"));
  // A bare OID (as the R4 examples write one) is only warned about.
  auto oid = validate_text(patient(R"("identifier":[{"system":"urn:ietf:rfc:3986","value":"2.16.840.1.113883.19.5"}])"));
  CHECK(has_issue(oid, Severity::Warning, "invalid", "Patient.identifier[0]", "absolute URI"));
  CHECK(count_errors(oid) == 0);
  CHECK(!has_issue(validate_text(patient(R"("identifier":[{"system":"urn:ietf:rfc:3986","value":"urn:oid:1.2.3"}])")),
                   Severity::Warning, "invalid", "Patient.identifier[0]", "absolute URI"));
}
