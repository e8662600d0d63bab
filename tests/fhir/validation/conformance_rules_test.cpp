// Rules of conformance resources the definitions cannot carry: a composite
// SearchParameter has components, a SearchParameter's expression fits its bases, and a
// Measure whose stratifiers are CQL has a library that resolves.
#include <catch2/catch.hpp>

#include <tuple>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

const std::string kText = R"("text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"})";

std::string search_parameter(const std::string& body) {
  return R"({"resourceType":"SearchParameter","id":"sp1",)" + kText +
         R"(,"url":"http://example.org/SearchParameter/sp1","name":"SP1","status":"draft","description":"d","code":"foo",)" +
         body + "}";
}

std::string measure(const std::string& body) {
  return R"({"resourceType":"Measure","id":"m1",)" + kText +
         R"(,"url":"http://example.org/Measure/m1","name":"M1","status":"draft")" + (body.empty() ? "" : "," + body) + "}";
}

const std::string kCqlStratifier =
    R"("group":[{"population":[{"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":"initial-population"}]},)"
    R"("criteria":{"language":"text/cql","expression":"Lib.InInitialPopulation"}}],)"
    R"("stratifier":[{"code":{"text":"s"},"criteria":{"language":"text/cql","expression":"Lib.Strat"}}]}])";

}  // namespace

TEST_CASE("SearchParameter: a composite parameter defines two or more components", "[validation][search-parameter]") {
  const std::string gender = R"({"definition":"http://hl7.org/fhir/SearchParameter/individual-gender","expression":"gender"})";
  const std::string birth = R"({"definition":"http://hl7.org/fhir/SearchParameter/individual-birthdate","expression":"birthDate"})";
  const std::string words = "A search parameter of type composite must define two or more components";
  for (const std::string& components : {std::string(), R"(,"component":[)" + gender + "]"}) {
    auto issues = validate_text(search_parameter(R"("base":["Patient"],"type":"composite","expression":"Patient")" + components));
    INFO(describe(issues));
    CHECK(has_issue(issues, Severity::Error, "business-rule", "SearchParameter", words));
  }
  auto two = validate_text(
      search_parameter(R"("base":["Patient"],"type":"composite","expression":"Patient","component":[)" + gender + "," + birth + "]"));
  INFO(describe(two));
  CHECK(count_errors(two) == 0);
}

TEST_CASE("SearchParameter: the expression compiles and names only what its bases have", "[validation][search-parameter]") {
  auto with = [](const std::string& bases, const std::string& expression) {
    return validate_text(search_parameter(R"("base":)" + bases + R"(,"type":"token","expression":")" + expression + "\""));
  };
  const std::string words = "Error in search expression";
  for (const char* fine : {"Patient.gender", "Patient.name.family", "(Patient.deceased as boolean)", "gender",
                           "Patient.extension('http://example.org/x').value"}) {
    auto issues = with(R"(["Patient"])", fine);
    INFO(fine << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
  // Each branch of a union applies to its own base.
  // A choice element named with its type, as the reference validator allows there.
  auto typed = with(R"(["Observation"])", "Observation.valueQuantity");
  INFO(describe(typed));
  CHECK(count_errors(typed) == 0);
  auto both = with(R"(["Patient","Practitioner"])", "Patient.gender | Practitioner.gender");
  INFO(describe(both));
  CHECK(count_errors(both) == 0);

  auto syntax = with(R"(["Patient"])", "Patient.gender.where(");
  INFO(describe(syntax));
  CHECK(has_issue(syntax, Severity::Error, "invalid", "SearchParameter.expression", words + " 'Patient.gender.where('"));
  auto unknown = with(R"(["Patient"])", "Patient.fooBar");
  INFO(describe(unknown));
  CHECK(has_issue(unknown, Severity::Error, "invalid", "SearchParameter.expression", "fooBar"));
  auto other = with(R"(["Patient"])", "Observation.status");
  INFO(describe(other));
  CHECK(has_issue(other, Severity::Error, "invalid", "SearchParameter.expression", words));
  auto half = with(R"(["Patient"])", "Patient.name | Practitioner.name");
  INFO(describe(half));
  CHECK(has_issue(half, Severity::Error, "invalid", "SearchParameter.expression", words));
}

TEST_CASE("SearchParameter: names deeper than the top level are checked against their types", "[validation][search-parameter]") {
  auto with = [](const std::string& bases, const std::string& expression) {
    return validate_text(search_parameter(R"("base":)" + bases + R"(,"type":"string","expression":")" + expression + "\""));
  };
  // The expression is checked on an empty resource: below its top level nothing is
  // there, yet the types the path names are known.
  for (const char* wrong : {"Patient.name.famly", "Patient.contact.name.txt", "Encounter.period.begin",
                            "Observation.component.kode", "Observation.subject.where(reference.exists()).refrence",
                            "Observation.value.as(Quantity).amount", "Condition.onset.ofType(Period).begin"}) {
    std::string base = std::string(wrong).substr(0, std::string(wrong).find('.'));
    auto issues = with("[\"" + base + "\"]", wrong);
    INFO(wrong << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invalid", "SearchParameter.expression", "is not an element of"));
  }
  for (const char* fine : {"Patient.contact.name.family", "Encounter.location.location", "Patient.name.extension.url",
                           "Observation.component.value.as(Quantity).unit", "Questionnaire.item.item.linkId",
                           "Observation.subject.where(resolve() is Patient)", "Bundle.entry.resource.name"}) {
    std::string base = std::string(fine).substr(0, std::string(fine).find('.'));
    auto issues = with("[\"" + base + "\"]", fine);
    INFO(fine << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
  auto other_base = with(R"(["Patient","Practitioner"])", "Patient.name.text | Practitioner.name.txt");
  INFO(describe(other_base));
  CHECK(has_issue(other_base, Severity::Error, "invalid", "SearchParameter.expression", "'txt' is not an element of"));
}

TEST_CASE("SearchParameter: no core search parameter's expression is reported", "[validation][search-parameter]") {
  size_t checked = 0;
  std::vector<std::string> reported;
  for (const auto* sp : core().resources("SearchParameter")) {
    auto issues = validate_text(sp->json);
    ++checked;
    for (const auto& i : issues) {
      if (i.message.starts_with("Error in search expression")) reported.push_back(sp->url + ": " + i.message);
    }
  }
  for (const auto& r : reported) UNSCOPED_INFO(r);
  CHECK(checked > 1000);
  CHECK(reported.empty());
}

TEST_CASE("Measure: CQL stratifier criteria need a library that resolves", "[validation][measure]") {
  const std::string words = "No CQL Libraries found on this Measure";
  auto none = validate_text(measure(kCqlStratifier));
  INFO(describe(none));
  CHECK(has_issue(none, Severity::Error, "invalid", "Measure.group[0].stratifier[0].criteria", words));
  auto unresolved = validate_text(measure(R"("library":["http://example.org/Library/none"],)" + kCqlStratifier));
  INFO(describe(unresolved));
  CHECK(has_issue(unresolved, Severity::Error, "invalid", "Measure.group[0].stratifier[0].criteria", words));
  // Population criteria in CQL alone are not reported (the specification's own examples have them).
  auto population = validate_text(measure(
      R"("group":[{"population":[{"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":"initial-population"}]},)"
      R"("criteria":{"language":"text/cql","expression":"InInitialPopulation"}}]}])"));
  INFO(describe(population));
  CHECK(count_errors(population) == 0);
}

TEST_CASE("ValueSet: an include names its code system by absolute URL, the version apart", "[validation][value-set]") {
  auto value_set = [](const std::string& include) {
    return validate_text(R"({"resourceType":"ValueSet","url":"http://example.org/fhir/ValueSet/x","status":"draft",)"
                         R"("compose":{"include":[)" + include + "]}}");
  };
  auto relative = value_set(R"({"system":"genders"})");
  INFO(describe(relative));
  CHECK(has_issue(relative, Severity::Error, "invalid", "ValueSet.compose.include[0]", "absolute"));
  auto versioned = value_set(R"({"system":"http://loinc.org|2.74"})");
  CHECK(has_issue(versioned, Severity::Error, "invalid", "ValueSet.compose.include[0]", "include.version"));
  CHECK(count_errors(value_set(R"({"system":"http://loinc.org","version":"2.74"})")) == 0);
  // The version after '|' is refused even when include.version says the same; a bare '|' is only a warning.
  auto both = value_set(R"({"system":"http://loinc.org|2.74","version":"2.74"})");
  INFO(describe(both));
  CHECK(has_issue(both, Severity::Error, "invalid", "ValueSet.compose.include[0]", "include.version"));
  auto bare = value_set(R"({"system":"http://loinc.org|","concept":[{"code":"8867-4"}]})");
  INFO(describe(bare));
  CHECK(has_issue(bare, Severity::Warning, "invalid", "ValueSet.compose.include[0]", "names no version"));
  CHECK(count_errors(bare) == 0);
}

TEST_CASE("ValueSet: filter values are judged as the reference validator reads them and never crash it", "[validation][value-set]") {
  auto filtered = [](const std::string& system, const std::string& property, const std::string& op, const std::string& value) {
    return validate_text(R"({"resourceType":"ValueSet","url":"http://example.org/fhir/ValueSet/x","status":"draft",)"
                         R"("compose":{"include":[{"system":")" + system + R"(",)"
                         R"("filter":[{"property":")" + property + R"(","op":")" + op + R"(","value":")" + value + R"("}]}]}})");
  };
  std::string act = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
  // Java's pattern syntax (inline flags, POSIX classes), a comparator on a date, a trailing comma
  // in a list: all read by the reference validator.
  for (const auto& [property, op, value] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"code", "regex", "(?i)amb"}, {"code", "regex", "\\\\p{Upper}+"}, {"concept", "in", "AMB,EMER,"}}) {
    auto issues = filtered(act, property, op, value);
    INFO(property << " " << op << " " << value << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
  CHECK(count_errors(filtered(act, "code", "regex", "(AMB")) == 1);  // unbalanced in any dialect
  // Values long enough to overflow a recursive regex matcher's stack (a crash, before) are judged.
  CHECK(count_errors(filtered(act, "code", "regex", std::string(30000, '(') + std::string(30000, ')'))) == 0);
  CHECK_NOTHROW(filtered(act, "effectiveDate", "=", "2020-01-01T00:00:00." + std::string(60000, '5') + "Z"));
  CHECK_NOTHROW(filtered(act, "itemWeight", "=", std::string(60000, '7')));
  // SNOMED CT's filters are its own checker's in Java: the R4 stub here does not judge them.
  CHECK(count_errors(filtered("http://snomed.info/sct", "expression", "=", "<< 404684003")) == 0);
}

TEST_CASE("ValueSet: a filter on a code system we have uses the property's operations and values", "[validation][value-set]") {
  auto filtered = [](const std::string& property, const std::string& op, const std::string& value) {
    return validate_text(R"({"resourceType":"ValueSet","url":"http://example.org/fhir/ValueSet/x","status":"draft",)"
                         R"("compose":{"include":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode",)"
                         R"("filter":[{"property":")" + property + R"(","op":")" + op + R"(","value":")" + value + R"("}]}]}})");
  };
  for (const auto& [property, op, value, words] : std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"concept", "is-a", "NOPE", "not a code of"},
           {"concept", "in", "AMB,NOPE", "not a code of"},
           {"concept", "regex", "A.*", "cannot be a regex"},
           {"concept", "exists", "yes", "takes true or false"},
           {"code", "is-a", "AMB", "cannot use the operation 'is-a'"},
           {"code", "regex", "[A-", "not a regular expression"},
           {"inactive", "=", "yes", "not true or false"},
           {"notSelectable", "=", "no", "not true or false"},  // a property v3-ActCode declares, boolean
           {"concept", "=", "AMB ", "whitespace"}}) {
    auto issues = filtered(property, op, value);
    INFO(property << " " << op << " " << value << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invalid", "ValueSet.compose.include[0].filter[0]", words));
  }
  for (const auto& [property, op, value] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"concept", "is-a", "_ActAccountCode"}, {"concept", "in", "AMB,EMER"}, {"code", "regex", "A.*"},
           {"inactive", "=", "true"}, {"status", "=", "whatever"}, {"undeclared", "=", "x"}}) {
    auto issues = filtered(property, op, value);
    INFO(property << " " << op << " " << value << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("ValueSet: a code system known by an OID is included by its URL", "[validation][value-set]") {
  auto value_set = [](const std::string& system) {
    return validate_text(R"({"resourceType":"ValueSet","url":"http://example.org/fhir/ValueSet/x","status":"draft",)"
                         R"("compose":{"include":[{"system":")" + system + R"(","concept":[{"code":"F"}]}]}})");
  };
  auto oid = value_set("urn:oid:2.16.840.1.113883.5.1");
  INFO(describe(oid));
  CHECK(has_issue(oid, Severity::Error, "invalid", "ValueSet.compose.include[0]",
                  "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender"));
  CHECK(count_errors(value_set("http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender")) == 0);
  CHECK(count_errors(value_set("urn:oid:1.2.3.4.5.6.7")) == 0);
}

TEST_CASE("ValueSet: include.system names a code system and not a value set", "[validation][value-set]") {
  auto value_set = [](const std::string& system) {
    return validate_text(R"({"resourceType":"ValueSet","url":"http://example.org/fhir/ValueSet/x","status":"draft",)"
                         R"("compose":{"include":[{"system":")" + system + R"("}]}})");
  };
  auto named = value_set("http://hl7.org/fhir/ValueSet/administrative-gender");
  INFO(describe(named));
  CHECK(has_issue(named, Severity::Error, "invalid", "ValueSet.compose.include[0]", "is a value set"));
  CHECK(count_errors(value_set("http://hl7.org/fhir/administrative-gender")) == 0);
  CHECK(count_errors(value_set("http://example.org/fhir/CodeSystem/unknown")) == 0);
}

TEST_CASE("a security label is given once", "[validation][resource]") {
  auto issues = validate_text(patient(
      R"("meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"},)"
      R"({"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]})"));
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "business-rule", "Patient.meta.security[1]", "more than once"));
}

TEST_CASE("CodeSystem: a supplement says so both ways and adds to its system's codes only", "[validation][code-system]") {
  auto code_system = [](const std::string& fields) {
    return validate_text(R"({"resourceType":"CodeSystem","id":"s","url":"http://example.org/cs/s","status":"draft",)" +
                         fields + R"(,"concept":[{"code":"CODE","designation":[{"language":"de","value":"Mann"}]}]})");
  };
  const std::string gender = R"("supplements":"http://hl7.org/fhir/administrative-gender")";
  auto good = validate_text(R"({"resourceType":"CodeSystem","id":"s","url":"http://example.org/cs/s","status":"draft","content":"supplement",)" +
                            gender + R"(,"concept":[{"code":"male","designation":[{"language":"de","value":"Mann"}]}]})");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  CHECK(has_issue(code_system(R"("content":"supplement",)" + gender), Severity::Error, "code-invalid", "CodeSystem.concept[0]", "CODE"));
  CHECK(has_issue(code_system(R"("content":"complete",)" + gender), Severity::Error, "business-rule", "CodeSystem", "content supplement"));
  CHECK(has_issue(code_system(R"("content":"supplement")"), Severity::Error, "business-rule", "CodeSystem", "what it supplements"));
  CHECK(has_issue(code_system(R"("content":"supplement","caseSensitive":true,)" + gender), Severity::Error, "business-rule",
                  "CodeSystem.caseSensitive"));
}

namespace {

// A Patient profile whose differential holds `elements` after its root.
std::string patient_profile(const std::string& elements) {
  return R"({"resourceType":"StructureDefinition","id":"p1",)" + kText +
         R"(,"url":"http://example.org/StructureDefinition/p1","name":"P1","status":"draft","kind":"resource",)"
         R"("abstract":false,"type":"Patient","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient",)"
         R"("derivation":"constraint","differential":{"element":[{"id":"Patient","path":"Patient"})" +
         (elements.empty() ? "" : "," + elements) + "]}}";
}

}  // namespace

TEST_CASE("StructureDefinition: a differential keeps within its base", "[validation][structure-definition]") {
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {R"({"id":"Patient.nickname","path":"Patient.nickname","min":1})", "is not an element of the base"},
      {R"({"id":"Patient.name.surname","path":"Patient.name.surname","min":1})", "is not an element of the base"},
      {R"({"id":"Patient.deceased[x]","path":"Patient.deceased[x]","type":[{"code":"string"}]})", "the type string"},
      {R"({"id":"Patient.name","path":"Patient.name","type":[{"code":"Address"}]})", "the type Address"},
      {R"({"id":"Patient.gender","path":"Patient.gender","max":"*"})", "greater than the base's max"},
      {R"({"id":"Patient.link.other","path":"Patient.link.other","min":0})", "less than the base's min"},
      {R"({"id":"Patient.gender","path":"Patient.gender","binding":{"strength":"extensible",)"
       R"("valueSet":"http://hl7.org/fhir/ValueSet/administrative-gender"}})", "a profile cannot make it extensible"},
      {R"({"id":"Patient.birthDate","path":"Patient.birthDate","binding":{"strength":"required",)"
       R"("valueSet":"http://hl7.org/fhir/ValueSet/administrative-gender"}})", "none of its types can be bound"},
      {R"({"id":"Patient.gender","path":"Patient.gender","fixedBoolean":true})", "not one of its types"},
      {R"({"id":"Patient.gender","path":"Patient.gender","slicing":{"discriminator":[{"type":"value","path":"$this"}],)"
       R"("rules":"open"}},{"id":"Patient.gender:m","path":"Patient.gender","sliceName":"m"})", "does not repeat"}};
  for (const auto& [element, words] : wrong) {
    auto issues = validate_text(patient_profile(element));
    INFO(element << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "", "StructureDefinition.differential.element[", words));
  }
  for (const char* fine : {
           R"({"id":"Patient.deceased[x]","path":"Patient.deceased[x]","type":[{"code":"dateTime"}]})",
           R"({"id":"Patient.deceasedBoolean","path":"Patient.deceasedBoolean","min":1})",
           R"({"id":"Patient.name.family","path":"Patient.name.family","min":1})",
           R"({"id":"Patient.gender","path":"Patient.gender","min":1,"max":"1"})",
           R"({"id":"Patient.contained","path":"Patient.contained","type":[{"code":"Practitioner"}]})",
           R"({"id":"Patient.identifier:mrn","path":"Patient.identifier","sliceName":"mrn","min":1,"max":"1"})",
           R"({"id":"Patient.deceased[x]:b","path":"Patient.deceased[x]","sliceName":"b","type":[{"code":"boolean"}]})",
           R"({"id":"Patient.extension.url","path":"Patient.extension.url","fixedUri":"http://example.org/x"})",
           // One slice in all of an element that does not repeat, as published core profiles do.
           R"({"id":"Patient.gender:m","path":"Patient.gender","sliceName":"m","max":"1"})",
           R"({"id":"Patient.gender","path":"Patient.gender","max":"1","slicing":{"rules":"closed","description":"one"}},)"
           R"({"id":"Patient.gender:m","path":"Patient.gender","sliceName":"m"})"}) {
    auto issues = validate_text(patient_profile(fine));
    INFO(fine << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("StructureDefinition: lengths and ranges and targets only on types that take them", "[validation][structure-definition]") {
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {R"({"id":"Patient.maritalStatus","path":"Patient.maritalStatus","type":[{"code":"CodeableConcept"}],"maxLength":20})",
       "has a maxLength"},
      {R"({"id":"Patient.name.family","path":"Patient.name.family","type":[{"code":"string"}],"minValueInteger":1})",
       "has a minValue"},
      {R"({"id":"Patient.multipleBirth[x]","path":"Patient.multipleBirth[x]","type":[{"code":"integer"}],)"
       R"("extension":[{"url":"http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces","valueInteger":2}]})",
       "has a maxDecimalPlaces"}};
  for (const auto& [element, words] : wrong) {
    auto issues = validate_text(patient_profile(element));
    INFO(element << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "business-rule", "StructureDefinition.differential.element[1]", words));
  }
  // The root's type is the profiled resource, which has no length.
  std::string root = patient_profile("");
  root.replace(root.find(R"({"id":"Patient","path":"Patient"})"), 33, R"({"id":"Patient","path":"Patient","maxLength":5})");
  auto rooted = validate_text(root);
  INFO(describe(rooted));
  CHECK(has_issue(rooted, Severity::Error, "business-rule", "StructureDefinition.differential.element[0]", "has a maxLength"));
  for (const char* fine : {
           R"({"id":"Patient.name.family","path":"Patient.name.family","type":[{"code":"string"}],"maxLength":40})",
           R"({"id":"Patient.birthDate","path":"Patient.birthDate","type":[{"code":"date"}],"minValueDate":"1900-01-01"})",
           R"({"id":"Patient.multipleBirth[x]","path":"Patient.multipleBirth[x]","type":[{"code":"boolean"},{"code":"integer"}],)"
           R"("maxValueInteger":9})",
           // Without types of its own the element is not judged (the reference validator reads its own types).
           R"({"id":"Patient.maritalStatus","path":"Patient.maritalStatus","maxLength":20})"}) {
    auto issues = validate_text(patient_profile(fine));
    INFO(fine << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("StructureDefinition: a choice sliced by type is sliced as type slicing must be", "[validation][structure-definition]") {
  const std::string root = R"({"id":"Patient.deceased[x]","path":"Patient.deceased[x]","slicing":)";
  const std::string by_type = R"({"discriminator":[{"type":"type","path":"$this"}],"rules":"open"}},)";
  auto slice = [](const std::string& name, const std::string& type, const std::string& more = "") {
    return R"({"id":"Patient.deceased[x]:)" + name + R"(","path":"Patient.deceased[x]","sliceName":")" + name +
           R"(",)" + more + R"("type":[{"code":")" + type + R"("}]})";
  };
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {root + R"({"discriminator":[{"type":"type","path":"$this"}],"rules":"open","ordered":true}},)" +
           slice("deceasedBoolean", "boolean"), "cannot be ordered"},
      {root + R"({"discriminator":[{"type":"value","path":"$this"}],"rules":"open"}},)" + slice("deceasedBoolean", "boolean"),
       "of type 'type'"},
      {root + R"({"discriminator":[{"type":"type","path":"deceased"}],"rules":"open"}},)" + slice("deceasedBoolean", "boolean"),
       "at '$this'"},
      {root + R"({"discriminator":[{"type":"type","path":"$this"},{"type":"type","path":"$this"}],"rules":"open"}},)" +
           slice("deceasedBoolean", "boolean"), "one discriminator"},
      {root + by_type + slice("flag", "boolean"), "must be named deceasedBoolean"},
      {slice("deceasedDateTime", "boolean") + "," + slice("deceasedDateTime2", "dateTime"), "must be named deceasedBoolean"},
      {root + by_type + slice("deceasedBoolean", "boolean", R"("min":1,)") + "," + slice("deceasedDateTime", "dateTime"),
       "has min > 0"}};
  for (const auto& [elements, words] : wrong) {
    auto issues = validate_text(patient_profile(elements));
    INFO(elements << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "structure", "StructureDefinition.differential.element[", words));
  }
  for (const std::string& fine : {
           root + by_type + slice("deceasedBoolean", "boolean") + "," + slice("deceasedDateTime", "dateTime"),
           root + by_type + slice("deceasedBoolean", "boolean") + "," + slice("deceasedDateTime", "dateTime", R"("min":1,)"),
           root + R"({"discriminator":[{"type":"type","path":"$this"}],"rules":"closed","ordered":false}},)" +
               slice("deceasedDateTime", "dateTime"),
           // A lone slice is a constraint on the choice, not a type slicing.
           slice("flag", "boolean")}) {
    auto issues = validate_text(patient_profile(fine));
    INFO(fine << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("StructureDefinition: a target profile constrains one of the base's targets", "[validation][structure-definition]") {
  auto general_practitioner = [](const std::string& targets) {
    return R"({"id":"Patient.generalPractitioner","path":"Patient.generalPractitioner","type":[{"code":"Reference",)"
           R"("targetProfile":[)" + targets + "]}]}";
  };
  const std::string sd = "http://hl7.org/fhir/StructureDefinition/";
  for (const std::string& wrong : {"\"" + sd + "Patient\"", "\"" + sd + "Practitioner\",\"" + sd + "Device\"",
                                   "\"" + sd + "vitalsigns\""}) {
    auto issues = validate_text(patient_profile(general_practitioner(wrong)));
    INFO(wrong << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "business-rule", "StructureDefinition.differential.element[1]",
                    "not a valid constraint on the base's targets"));
  }
  for (const std::string& fine : {"\"" + sd + "Practitioner\"", "\"" + sd + "Organization\",\"" + sd + "PractitionerRole\"",
                                  std::string("\"http://example.org/StructureDefinition/my-practitioner\"")}) {
    auto issues = validate_text(patient_profile(general_practitioner(fine)));
    INFO(fine << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("StructureDefinition: slicing where the base slices keeps to the base's slicing", "[validation][structure-definition]") {
  auto on_bp = [](const std::string& path, const std::string& slicing) {
    std::string profile = patient_profile(R"({"id":")" + path + R"(","path":")" + path + R"(","slicing":)" + slicing + "}");
    for (auto [from, to] : {std::pair<std::string, std::string>{R"("type":"Patient")", R"("type":"Observation")"},
                            {"StructureDefinition/Patient", "StructureDefinition/bp"},
                            {R"({"id":"Patient","path":"Patient"})", R"({"id":"Observation","path":"Observation"})"}}) {
      profile.replace(profile.find(from), from.size(), to);
    }
    return validate_text(profile);
  };
  const std::string by_code = R"({"type":"value","path":"code.coding.code"},{"type":"value","path":"code.coding.system"})";
  for (const auto& [path, slicing] : std::vector<std::pair<std::string, std::string>>{
           {"Observation.component", R"({"discriminator":[{"type":"pattern","path":"code"}],"rules":"open"})"},
           {"Observation.component", R"({"discriminator":[{"type":"value","path":"code.coding.system"}],"rules":"open"})"},
           {"Observation.value[x]", R"({"discriminator":[{"type":"value","path":"$this"}],"rules":"closed"})"}}) {
    auto issues = on_bp(path, slicing);
    INFO(path << " " << slicing << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "structure", "StructureDefinition.differential.element[1]",
                    "does not match the base's slicing"));
  }
  for (const auto& [path, slicing] : std::vector<std::pair<std::string, std::string>>{
           {"Observation.component", R"({"discriminator":[)" + by_code + R"(],"rules":"closed"})"},
           {"Observation.component", R"({"discriminator":[)" + by_code + R"(,{"type":"exists","path":"value"}],"rules":"open"})"},
           {"Observation.component", R"({"description":"by code","rules":"open"})"},
           {"Observation.value[x]", R"({"discriminator":[{"type":"type","path":"$this"}],"rules":"open"})"}}) {
    auto issues = on_bp(path, slicing);
    INFO(path << " " << slicing << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("StructureDefinition: a choice's children are constrained once it has one type", "[validation][structure-definition]") {
  const std::string child = R"({"id":"Patient.multipleBirth[x].extension","path":"Patient.multipleBirth[x].extension","max":"0"})";
  auto unnarrowed = validate_text(patient_profile(child));
  INFO(describe(unnarrowed));
  CHECK(has_issue(unnarrowed, Severity::Error, "structure", "StructureDefinition.differential.element[1]", "several types"));
  auto narrowed = validate_text(patient_profile(
      R"({"id":"Patient.multipleBirth[x]","path":"Patient.multipleBirth[x]","type":[{"code":"integer"}]},)" + child));
  INFO(describe(narrowed));
  CHECK(count_errors(narrowed) == 0);
  auto sliced = validate_text(patient_profile(
      R"({"id":"Patient.multipleBirth[x]:multipleBirthInteger","path":"Patient.multipleBirth[x]","sliceName":"multipleBirthInteger",)"
      R"("type":[{"code":"integer"}]},{"id":"Patient.multipleBirth[x]:multipleBirthInteger.extension",)"
      R"("path":"Patient.multipleBirth[x].extension","max":"0"})"));
  INFO(describe(sliced));
  CHECK(count_errors(sliced) == 0);
}

TEST_CASE("StructureDefinition: a constraining profile gives meaningWhenMissing only to extensions", "[validation][structure-definition]") {
  auto status = validate_text(patient_profile(R"({"id":"Patient.active","path":"Patient.active","meaningWhenMissing":"active"})"));
  INFO(describe(status));
  CHECK(has_issue(status, Severity::Error, "structure", "StructureDefinition.differential.element[1]", "meaningWhenMissing"));
  auto extension = validate_text(patient_profile(R"({"id":"Patient.extension","path":"Patient.extension","meaningWhenMissing":"none"})"));
  INFO(describe(extension));
  CHECK(count_errors(extension) == 0);
}

TEST_CASE("StructureDefinition: kind and extension url follow the base and the definition", "[validation][structure-definition]") {
  std::string profile = patient_profile("");
  auto fine = validate_text(profile);
  INFO(describe(fine));
  CHECK(count_errors(fine) == 0);
  auto complex = validate_text(std::string(profile).replace(profile.find(R"("kind":"resource")"), 17, R"("kind":"complex-type")"));
  INFO(describe(complex));
  CHECK(has_issue(complex, Severity::Error, "invalid", "StructureDefinition", "must be the kind of the base"));

  auto extension = [](const std::string& fixed_url) {
    return R"({"resourceType":"StructureDefinition","id":"e1",)" + kText +
           R"(,"url":"http://example.org/StructureDefinition/e1","name":"E1","status":"draft","kind":"complex-type",)"
           R"("abstract":false,"type":"Extension","context":[{"type":"element","expression":"Patient"}],)"
           R"("baseDefinition":"http://hl7.org/fhir/StructureDefinition/Extension","derivation":"constraint",)"
           R"("differential":{"element":[{"id":"Extension","path":"Extension"},)"
           R"({"id":"Extension.url","path":"Extension.url","fixedUri":")" + fixed_url + R"("},)"
           R"({"id":"Extension.value[x]","path":"Extension.value[x]","type":[{"code":"string"}]}]}})";
  };
  auto own = validate_text(extension("http://example.org/StructureDefinition/e1"));
  INFO(describe(own));
  CHECK(count_errors(own) == 0);
  auto other = validate_text(extension("http://example.org/StructureDefinition/e2"));
  INFO(describe(other));
  CHECK(has_issue(other, Severity::Error, "invalid", "differential.element[1]", "not the definition's url"));
  const std::string fixed = R"({"id":"Extension.url","path":"Extension.url","fixedUri":"http://example.org/StructureDefinition/e1"},)";
  std::string unfixed = extension("http://example.org/StructureDefinition/e1");
  unfixed.replace(unfixed.find(fixed), fixed.size(), R"({"id":"Extension.url","path":"Extension.url","short":"the url"},)");
  std::string without = extension("http://example.org/StructureDefinition/e1");
  without.replace(without.find(fixed), fixed.size(), "");
  for (const std::string& text : {unfixed, without}) {
    auto missing = validate_text(text);
    INFO(describe(missing));
    CHECK(has_issue(missing, Severity::Error, "invalid", "StructureDefinition", "does not fix the value of Extension.url"));
  }
}

TEST_CASE("StructureDefinition: bindings name value sets and type profiles fit their types", "[validation][structure-definition]") {
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {R"({"id":"Patient.gender","path":"Patient.gender","binding":{"strength":"required",)"
       R"("valueSet":"http://hl7.org/fhir/administrative-gender"}})", "a CodeSystem, not a ValueSet"},
      {R"({"id":"Patient.name","path":"Patient.name","type":[{"code":"HumanName",)"
       R"("profile":["http://hl7.org/fhir/StructureDefinition/Address"]}]})", "is of type Address, not HumanName"}};
  for (const auto& [element, words] : wrong) {
    auto issues = validate_text(patient_profile(element));
    INFO(element << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "business-rule", "StructureDefinition.differential.element[1]", words));
  }
  // request-doNotPerform is a modifier extension; patient-birthPlace is not.
  const std::string do_not_perform = "http://hl7.org/fhir/StructureDefinition/request-doNotPerform";
  const std::string birth_place = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
  auto slot = [](const std::string& name, const std::string& url) {
    return patient_profile(R"({"id":"Patient.)" + name + R"(:x","path":"Patient.)" + name +
                           R"(","sliceName":"x","type":[{"code":"Extension","profile":[")" + url + R"("]}]})");
  };
  for (const auto& [text, words] : {std::pair{slot("modifierExtension", birth_place), std::string("is not a modifier extension")},
                                    std::pair{slot("extension", do_not_perform), std::string("belongs in modifierExtension")}}) {
    auto issues = validate_text(text);
    INFO(describe(issues));
    CHECK(has_issue(issues, Severity::Error, "business-rule", "StructureDefinition.differential.element[1]", words));
  }
  auto modifier = validate_text(slot("modifierExtension", do_not_perform));
  INFO(describe(modifier));
  CHECK(count_errors(modifier) == 0);
  auto extension_profile = validate_text(patient_profile(
      R"({"id":"Patient.extension:bp","path":"Patient.extension","sliceName":"bp","type":[{"code":"Extension",)"
      R"("profile":["http://hl7.org/fhir/StructureDefinition/patient-birthPlace"]}]})"));
  INFO(describe(extension_profile));
  CHECK(count_errors(extension_profile) == 0);
}

TEST_CASE("StructureDefinition: the constraints a profile adds compile", "[validation][structure-definition]") {
  auto with = [](const std::string& expression) {
    return validate_text(patient_profile(R"({"id":"Patient.name","path":"Patient.name","constraint":[{"key":"p1-1",)"
                                         R"("severity":"error","human":"a family name","expression":")" +
                                         expression + R"("}]})"));
  };
  for (const char* wrong : {"family.exists(", "family.existz()"}) {
    auto issues = with(wrong);
    INFO(wrong << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invalid", "differential.element[1]", "the expression of constraint 'p1-1' does not compile"));
  }
  auto fine = with("family.exists() and given.count() < 5");
  INFO(describe(fine));
  CHECK(count_errors(fine) == 0);
}

TEST_CASE("StructureDefinition: a differential adds constraints of its own and each key names one expression",
          "[validation][structure-definition]") {
  auto constraint = [](const std::string& path, const std::string& key, const std::string& expression,
                       const std::string& source) {
    return R"({"id":")" + path + R"(","path":")" + path + R"(","constraint":[{"key":")" + key +
           R"(","severity":"error","human":"a rule","expression":")" + expression + "\"" +
           (source.empty() ? "" : R"(,"source":")" + source + "\"") + "}]}";
  };
  const std::string own = "http://example.org/StructureDefinition/p1";
  const std::string pat1 = "name.exists() or telecom.exists() or address.exists() or organization.exists()";
  for (const auto& [elements, words] :
       {std::pair{constraint("Patient.contact", "pat-1", "name.exists()", ""), std::string("'pat-1' is already used")},
        std::pair{constraint("Patient.name", "obs-6", "family.exists()", ""), std::string("'obs-6' is already used")},
        std::pair{constraint("Patient.name", "p1-1", "family.exists()", "http://hl7.org/fhir/StructureDefinition/Patient"),
                  std::string("may only add constraints of the profile itself")},
        std::pair{constraint("Patient.name", "p1-1", "family.exists()", "") + "," +
                      constraint("Patient.telecom", "p1-1", "value.exists()", ""),
                  std::string("'p1-1' is already used in this profile")}}) {
    auto issues = validate_text(patient_profile(elements));
    INFO(elements << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invalid", "differential.element", words));
  }
  for (const std::string& elements :
       {constraint("Patient.contact", "pat-1", pat1, ""), constraint("Patient.name", "p1-1", "family.exists()", own),
        constraint("Patient.name", "p1-1", "family.exists()", "") + "," +
            constraint("Patient.telecom", "p1-1", "family.exists()", "")}) {
    auto issues = validate_text(patient_profile(elements));
    INFO(elements << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("StructureDefinition: a key core types give different expressions may be an extension's own", "[validation][structure-definition]") {
  // inv-1 is Parameters', Task's and TestReport's, each its own: the core extension
  // allergyintolerance-substanceExposureRisk, with an inv-1 of its own, was refused.
  std::string differential =
      R"({"resourceType":"StructureDefinition","url":"http://example.org/StructureDefinition/exposure","name":"Exposure","status":"active",)"
      R"("kind":"complex-type","abstract":false,"type":"Extension","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Extension",)"
      R"("derivation":"constraint","context":[{"type":"element","expression":"AllergyIntolerance"}],"differential":{"element":[)"
      R"({"id":"Extension","path":"Extension","constraint":[{"key":"inv-1","severity":"error","human":"substance or risk",)"
      R"x("expression":"extension.exists()","source":"http://example.org/StructureDefinition/exposure"}]},)x"
      R"({"id":"Extension.url","path":"Extension.url","fixedUri":"http://example.org/StructureDefinition/exposure"}]}})";
  auto issues = validate_text(differential);
  INFO(describe(issues));
  for (const auto& i : issues) CHECK(i.message.find("already used") == std::string::npos);
}

TEST_CASE("StructureDefinition: a profile says its derivation and keeps its base's type", "[validation][structure-definition]") {
  std::string profile = patient_profile("");
  std::string underived = std::string(profile).replace(profile.find(R"("derivation":"constraint",)"), 26, "");
  auto issues = validate_text(underived);
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "invalid", "StructureDefinition", "must say its derivation"));
  std::string observation = R"({"resourceType":"StructureDefinition","id":"p2",)" + kText +
                            R"(,"url":"http://example.org/StructureDefinition/p2","name":"P2","status":"draft","kind":"resource",)"
                            R"("abstract":false,"type":"Observation","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient",)"
                            R"("derivation":"constraint","differential":{"element":[{"id":"Observation","path":"Observation"}]}})";
  auto retyped = validate_text(observation);
  INFO(describe(retyped));
  CHECK(has_issue(retyped, Severity::Error, "invalid", "StructureDefinition", "must be the type of the base"));
}
