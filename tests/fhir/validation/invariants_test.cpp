// FHIRPath invariants from the definitions, reported with their severity, and the
// rules of particular resource types.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

TEST_CASE("invariants are evaluated with their severity", "[validation][invariants]") {
  REQUIRE(validator().evaluates_invariants());
  // dom-6 (warning): a resource should have narrative.
  auto no_text = validate_text(R"({"resourceType":"Patient","id":"a"})");
  INFO(describe(no_text));
  CHECK(has_issue(no_text, Severity::Warning, "invariant", "Patient", "dom-6"));
  CHECK(count_errors(no_text) == 0);
  // pat-1 (error): a contact has details or an organization.
  auto contact = validate_text(patient(R"("contact":[{"gender":"male"}])"));
  INFO(describe(contact));
  CHECK(has_issue(contact, Severity::Error, "invariant", "Patient.contact[0]", "pat-1"));
  // obs-6: dataAbsentReason only without a value.
  auto obs6 = validate_text(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"a",
      "dataAbsentReason":{"text":"n"}})");
  CHECK(has_issue(obs6, Severity::Error, "invariant", "Observation", "obs-6"));
  // obs-7: a component with the observation's own code has no value on the observation.
  auto obs7 = validate_text(R"({"resourceType":"Observation","status":"final",
      "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":1},
      "component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":1}}]})");
  INFO(describe(obs7));
  CHECK(has_issue(obs7, Severity::Error, "invariant", "Observation", "obs-7"));
  // per-3 on a datatype (Period): start before end.
  auto period = validate_text(patient(R"("name":[{"family":"x","period":{"start":"2020-02-01","end":"2020-01-01"}}])"));
  CHECK(has_issue(period, Severity::Error, "invariant", "Patient.name[0].period", "per-1"));
}

TEST_CASE("invariants are skipped when asked", "[validation][invariants]") {
  carebridge::fhir::validation::Options options;
  options.invariants = false;
  auto issues = validate_text(R"({"resourceType":"Patient","id":"a"})", options);
  CHECK_FALSE(has_issue(issues, Severity::Warning, "invariant", "Patient", "dom-6"));
}

TEST_CASE("rules of particular resource types", "[validation][rules]") {
  auto questionnaire = validate_text(R"({"resourceType":"Questionnaire","status":"draft","item":[
      {"linkId":"1","type":"group","enableWhen":[{"question":"1.1","operator":"exists","answerBoolean":true}],
       "item":[{"linkId":"1.1","type":"boolean"}]},
      {"linkId":"2","type":"string","enableWhen":[{"question":"9","operator":"exists","answerBoolean":true}]}]})");
  INFO(describe(questionnaire));
  CHECK(has_issue(questionnaire, Severity::Error, "business-rule", "Questionnaire.item[0].enableWhen[0]", "inside"));
  CHECK(has_issue(questionnaire, Severity::Error, "business-rule", "Questionnaire.item[1].enableWhen[0]", "'9'"));
  auto capability = validate_text(R"({"resourceType":"CapabilityStatement","status":"active","date":"2020","kind":"instance",
      "fhirVersion":"4.0.1","format":["json"],"implementation":{"description":"x"},
      "rest":[{"mode":"server","resource":[{"type":"Patient","searchParam":[{"name":"gender",
      "definition":"http://hl7.org/fhir/SearchParameter/individual-gender","type":"date"}]}]}]})");
  INFO(describe(capability));
  CHECK(has_issue(capability, Severity::Error, "business-rule", "CapabilityStatement.rest[0].resource[0].searchParam[0]", "token"));
  auto search = validate_text(R"({"resourceType":"SearchParameter","url":"http://x.org/sp","name":"n","status":"draft",
      "description":"d","code":"n","base":["Patient"],"type":"string","expression":"Patient.name",
      "derivedFrom":"http://hl7.org/fhir/SearchParameter/Organization-name"})");
  INFO(describe(search));
  CHECK(has_issue(search, Severity::Error, "business-rule", "SearchParameter", "Patient"));
}

TEST_CASE("a derived search parameter keeps its parent's type and may take any base when the parent is on Resource",
          "[validation][rules]") {
  auto derived = [](const std::string& base, const std::string& type, const std::string& parent) {
    return validate_text(R"({"resourceType":"SearchParameter","url":"http://x.org/sp","name":"n","status":"draft",
        "description":"d","code":"n","base":[")" + base + R"("],"type":")" + type + R"(","expression":")" + base + R"(.meta.tag",
        "derivedFrom":"http://hl7.org/fhir/SearchParameter/)" + parent + R"("})");
  };
  auto any_base = derived("Patient", "token", "Resource-tag");
  INFO(describe(any_base));
  CHECK(count_errors(any_base) == 0);
  auto retyped = derived("Patient", "string", "Resource-tag");
  INFO(describe(retyped));
  CHECK(has_issue(retyped, Severity::Error, "business-rule", "SearchParameter", "has type token, not string"));
}

TEST_CASE("code systems define each code once, value sets list real codes", "[validation][rules]") {
  auto cs = validate_text(R"({"resourceType":"CodeSystem","url":"http://x.org/cs","status":"draft","content":"complete",
      "concept":[{"code":"a","concept":[{"code":"b"}]},{"code":"b"}]})");
  INFO(describe(cs));
  CHECK(has_issue(cs, Severity::Error, "business-rule", "CodeSystem.concept[1]", "'b'"));
  auto vs = validate_text(R"({"resourceType":"ValueSet","url":"http://x.org/vs","status":"draft","compose":{"include":[
      {"system":"http://hl7.org/fhir/administrative-gender","concept":[{"code":"male"},{"code":"man"}]}]}})");
  INFO(describe(vs));
  CHECK(has_issue(vs, Severity::Error, "code-invalid", "ValueSet.compose.include[0].concept[1]", "'man'"));
  CHECK(count_errors(vs) == 1);
}

TEST_CASE("per-1 judges a date against a date-time on the date as written", "[validation][invariants]") {
  auto period = [](const std::string& start, const std::string& end) {
    return validate_text(
        patient(R"("name":[{"family":"x","period":{"start":")" + start + R"(","end":")" + end + R"("}}])"));
  };
  // 23:30 at -05:00 on January 1 is January 2 in UTC, but the same day as an end of January 1.
  auto same_day = period("2020-01-01T23:30:00-05:00", "2020-01-01");
  CHECK_FALSE(has_issue(same_day, Severity::Error, "invariant", "Patient.name[0].period", "per-1"));
  auto next_day = period("2020-01-02", "2020-01-01T20:00:00-05:00");
  CHECK(has_issue(next_day, Severity::Error, "invariant", "Patient.name[0].period", "per-1"));
  auto fraction = period("2020-01-01T10:00:00.0002Z", "2020-01-01T10:00:00.0001Z");
  CHECK(has_issue(fraction, Severity::Error, "invariant", "Patient.name[0].period", "per-1"));
}

TEST_CASE("a code system's count, content and properties agree with its concepts", "[validation][rules]") {
  auto cs = [](const std::string& members) {
    return validate_text(R"({"resourceType":"CodeSystem","url":"http://x.org/cs","status":"draft",)" + members + "}");
  };
  auto good = cs(R"("content":"complete","count":3,"property":[{"code":"inactive","uri":"http://hl7.org/fhir/concept-properties#inactive","type":"boolean"},
      {"code":"weight","type":"decimal"}],
      "concept":[{"code":"a","display":"A","designation":[{"value":"A"},{"language":"de","value":"Ah"}],
        "property":[{"code":"inactive","valueBoolean":true},{"code":"weight","valueDecimal":1.5}],"concept":[{"code":"b"}]},{"code":"c"}])");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  // count counts nested concepts too
  auto count = cs(R"("content":"complete","count":2,"concept":[{"code":"a","concept":[{"code":"b"}]},{"code":"c"}])");
  INFO(describe(count));
  CHECK(has_issue(count, Severity::Error, "invalid", "CodeSystem.count", "3 concepts"));
  CHECK(count_errors(cs(R"("content":"fragment","count":9,"concept":[{"code":"a"}])")) == 0);
  auto not_present = cs(R"("content":"not-present","concept":[{"code":"a"}])");
  CHECK(has_issue(not_present, Severity::Error, "invalid", "CodeSystem", "not-present"));
  auto undeclared = cs(R"("content":"complete","concept":[{"code":"a","property":[{"code":"foo","valueString":"x"}]}])");
  INFO(describe(undeclared));
  // Since 2025 the reference validator only warns of an undeclared property.
  CHECK(has_issue(undeclared, Severity::Warning, "business-rule", "CodeSystem.concept[0].property[0]", "'foo'"));
  CHECK(count_errors(undeclared) == 0);
  auto wrong_type = cs(R"("content":"complete","property":[{"code":"foo","type":"boolean"}],
      "concept":[{"code":"a","property":[{"code":"foo","valueString":"x"}]}])");
  CHECK(has_issue(wrong_type, Severity::Error, "business-rule", "CodeSystem.concept[0].property[0]", "boolean"));
  auto bad_uri = cs(R"("content":"complete","property":[{"code":"x","uri":"http://hl7.org/fhir/concept-properties#nonsense","type":"code"},
      {"code":"inactive","uri":"http://hl7.org/fhir/concept-properties#inactive","type":"code"}])");
  INFO(describe(bad_uri));
  CHECK(has_issue(bad_uri, Severity::Error, "business-rule", "CodeSystem.property[0]", "nonsense"));
  CHECK(has_issue(bad_uri, Severity::Error, "business-rule", "CodeSystem.property[1]", "not code"));
  auto designation = cs(R"("content":"complete","concept":[{"code":"a","display":"A","designation":[{"value":"Other"}]}])");
  CHECK(has_issue(designation, Severity::Warning, "business-rule", "CodeSystem.concept[0].designation[0]", "'Other'"));
  CHECK(count_errors(designation) == 0);
}

TEST_CASE("the value set a code system names as all its codes includes that code system whole", "[validation][rules]") {
  auto cs = [](const std::string& url, const std::string& value_set) {
    return validate_text(R"({"resourceType":"CodeSystem","url":")" + url + R"(","valueSet":")" + value_set +
                         R"(","status":"draft","content":"complete","concept":[{"code":"female"},{"code":"male"}]})");
  };
  auto other = cs("http://x.org/cs", "http://hl7.org/fhir/ValueSet/administrative-gender");
  INFO(describe(other));
  CHECK(has_issue(other, Severity::Error, "business-rule", "CodeSystem", "another code system"));
  CHECK(count_errors(cs("http://hl7.org/fhir/administrative-gender", "http://hl7.org/fhir/ValueSet/administrative-gender")) == 0);
  CHECK(count_errors(cs("http://x.org/cs", "http://x.org/ValueSet/all")) == 0);
}

TEST_CASE("a code system's property URIs are absolute and given once and its parent properties name its own codes",
          "[validation][rules]") {
  auto cs = [](const std::string& url, const std::string& properties, const std::string& parent) {
    return validate_text(R"({"resourceType":"CodeSystem","url":")" + url + R"(","status":"draft","content":"complete",
        "property":[{"code":"parent","uri":"http://hl7.org/fhir/concept-properties#parent","type":"code"})" + properties + R"(],
        "concept":[{"code":"a"},{"code":"b","property":[{"code":"parent","valueCode":")" + parent + R"("}]}]})");
  };
  auto good = cs("http://x.org/cs", R"(,{"code":"weight","uri":"http://x.org/props#weight","type":"decimal"})", "a");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto relative = cs("http://x.org/cs", R"(,{"code":"weight","uri":"props#weight","type":"decimal"})", "a");
  INFO(describe(relative));
  CHECK(has_issue(relative, Severity::Error, "business-rule", "CodeSystem.property[1]", "must be absolute"));
  auto twice = cs("http://x.org/cs", R"(,{"code":"w1","uri":"http://x.org/props#w","type":"decimal"},{"code":"w2","uri":"http://x.org/props#w","type":"decimal"})", "a");
  CHECK(has_issue(twice, Severity::Error, "business-rule", "CodeSystem.property[2]", "declared twice"));
  auto orphan = cs("http://x.org/cs", "", "zz");
  INFO(describe(orphan));
  CHECK(has_issue(orphan, Severity::Error, "business-rule", "CodeSystem.concept[1].property[0]", "'zz'"));
  // FHIR's own code systems may define properties under http://hl7.org/fhir, and any code system under its own URL.
  auto own = cs("http://hl7.org/fhir/my-codes", R"(,{"code":"rank","uri":"http://hl7.org/fhir/concept-properties#rank","type":"integer"})", "a");
  INFO(describe(own));
  CHECK(count_errors(own) == 0);
  auto self = cs("http://hl7.org/fhir/x/cs", R"(,{"code":"rank","uri":"http://hl7.org/fhir/x/cs#rank","type":"integer"})", "a");
  CHECK(count_errors(self) == 0);
}

TEST_CASE("a concept map's source codes are codes of the code system it maps from", "[validation][rules]") {
  auto cm = [](const std::string& source, const std::string& target) {
    return validate_text(R"({"resourceType":"ConceptMap","url":"http://x.org/cm","status":"draft","group":[{
        "source":"http://hl7.org/fhir/administrative-gender","target":"http://x.org/other",
        "element":[{"code":")" + source + R"(","target":[{"code":"m","equivalence":"equal"}]}]},{
        "source":"http://x.org/other","target":"http://hl7.org/fhir/administrative-gender",
        "element":[{"code":"m","target":[{"code":")" + target + R"(","equivalence":"equal"}]}]}]})");
  };
  auto good = cm("male", "female");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto bad_source = cm("boy", "female");
  INFO(describe(bad_source));
  CHECK(has_issue(bad_source, Severity::Error, "code-invalid", "ConceptMap.group[0].element[0].code", "'boy'"));
  // Targets are not checked: the R4 examples map to a code v3-AdministrativeGender lacks.
  CHECK(count_errors(cm("male", "girl")) == 0);
}

TEST_CASE("a concept map's codes are in the value sets it is scoped to", "[validation][rules]") {
  auto cm = [](const std::string& source, const std::string& target) {
    return validate_text(R"({"resourceType":"ConceptMap","url":"http://x.org/cm","status":"draft",)"
                         R"("sourceCanonical":"http://hl7.org/fhir/ValueSet/immunization-status",)"
                         R"("targetCanonical":"http://hl7.org/fhir/ValueSet/timing-abbreviation","group":[{)"
                         R"("source":"http://hl7.org/fhir/event-status","target":"http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",)"
                         R"("element":[{"code":")" + source + R"(","target":[{"code":")" + target + R"(","equivalence":"equal"}]}]}]})");
  };
  auto good = cm("completed", "BID");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto source = cm("in-progress", "BID");
  INFO(describe(source));
  CHECK(has_issue(source, Severity::Error, "code-invalid", "ConceptMap.group[0].element[0].code", "immunization-status"));
  auto target = cm("completed", "JHNUSMLK");
  INFO(describe(target));
  CHECK(has_issue(target, Severity::Error, "code-invalid", "ConceptMap.group[0].element[0].target[0].code", "timing-abbreviation"));
}

TEST_CASE("a concept map's source and target scopes are value sets", "[validation][rules]") {
  auto cm = [](const std::string& scope) {
    return validate_text(R"({"resourceType":"ConceptMap","url":"http://x.org/cm","status":"draft",)" + scope +
                         R"(,"group":[{"source":"http://hl7.org/fhir/administrative-gender","target":"http://x.org/other",)"
                         R"("element":[{"code":"male","target":[{"code":"m","equivalence":"equal"}]}]}]})");
  };
  auto code_system = cm(R"("sourceUri":"http://hl7.org/fhir/administrative-gender")");
  INFO(describe(code_system));
  CHECK(has_issue(code_system, Severity::Error, "invalid", "ConceptMap.sourceUri", "CodeSystem"));
  auto profile = cm(R"("targetCanonical":"http://hl7.org/fhir/StructureDefinition/Patient")");
  INFO(describe(profile));
  CHECK(has_issue(profile, Severity::Error, "invalid", "ConceptMap.targetCanonical", "StructureDefinition"));
  CHECK(count_errors(cm(R"("sourceCanonical":"http://hl7.org/fhir/ValueSet/administrative-gender")")) == 0);
  CHECK(count_errors(cm(R"("targetUri":"http://x.org/ValueSet/unknown")")) == 0);
}
