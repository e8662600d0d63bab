// The profile machinery as the reference validator has it: snapshots generated from
// differentials (type-specific choice names, slices without max), slice members checked
// against their slice and the element it slices, ordered slicing, fixed values and their
// extensions, profiles named for a datatype.
#include <catch2/catch.hpp>

#include "fhir/io/format.h"
#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;
namespace validation = carebridge::fhir::validation;

namespace {

const std::string kBase = "http://carebridge.example/fhir/StructureDefinition/";

std::vector<carebridge::fhir::model::Issue> check(const std::string& text, const std::string& profile) {
  return validate_with_package("cb-machinery", text, kBase + profile);
}

std::string observation_with(const std::string& status, const std::string& value) {
  return R"({"resourceType":"Observation","id":"o","status":")" + status + R"(","code":{"text":"glucose"},)" + value + "}";
}

std::string patient_with(const std::string& identifiers) {
  return R"({"resourceType":"Patient","id":"p","identifier":[)" + identifiers + "]}";
}

const std::string kMrn = R"({"system":"http://carebridge.example/mrn","value":"1"})";
const std::string kSsn = R"({"system":"http://hl7.org/fhir/sid/us-ssn","value":"2"})";
const std::string kOther = R"({"system":"http://other.example","value":"3"})";

// A panel Observation whose two members (contained #a and #b) have these LOINC codes.
std::string panel(const std::string& first, const std::string& second) {
  auto member = [](const std::string& id, const std::string& code) {
    return R"({"resourceType":"Observation","id":")" + id + R"(","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" +
           code + R"("}]},"valueString":"x"})";
  };
  return R"({"resourceType":"Observation","id":"o","status":"final","code":{"text":"panel"},"contained":[)" + member("a", first) +
         "," + member("b", second) + R"(],"hasMember":[{"reference":"#a"},{"reference":"#b"}]})";
}

}  // namespace

TEST_CASE("a differential constraining only a child of a choice's type-specific name applies it",
          "[validation][profiles][snapshots]") {
  // cbm-observation says Observation.valueQuantity.system, never Observation.valueQuantity.
  auto ok = check(observation_with("final", R"("valueQuantity":{"value":1,"system":"http://unitsofmeasure.org","code":"mg"})"),
                  "cbm-observation");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  auto other = check(observation_with("final", R"("valueQuantity":{"value":1,"system":"http://units.example","code":"mg"})"),
                     "cbm-observation");
  INFO(describe(other));
  CHECK(has_issue(other, Severity::Error, "value", "Observation.valueQuantity.system"));
  auto none = check(observation_with("final", R"("valueQuantity":{"value":1,"unit":"mg"})"), "cbm-observation");
  INFO(describe(none));
  CHECK(count_errors(none) > 0);
}

TEST_CASE("a fixed value allows no extension it does not have, a slice matched by it does",
          "[validation][profiles]") {
  auto extended = check(observation_with("final", R"("_status":{"extension":[{"url":"http://example.org/x","valueString":"y"}]})"),
                        "cbm-observation");
  INFO(describe(extended));
  CHECK(has_issue(extended, Severity::Error, "value", "Observation.status", "exactly"));
  // The mrn slice fixes its system: an extension on the system does not keep the item out of it.
  auto sliced = check(patient_with(R"({"system":"http://carebridge.example/mrn","_system":{"extension":[{"url":"http://example.org/x",
      "valueString":"y"}]},"value":"1"})"), "cbm-identified");
  INFO(describe(sliced));
  CHECK(has_issue(sliced, Severity::Error, "value", "Patient.identifier[0].system", "exactly"));
  CHECK_FALSE(has_issue(sliced, Severity::Error, "required", "Patient.identifier", "mrn"));
}

TEST_CASE("a slice without max in the differential keeps its sliced element's", "[validation][profiles][slicing]") {
  auto two = check(patient_with(kMrn + "," + kMrn), "cbm-identified");
  INFO(describe(two));
  CHECK(count_errors(two) == 0);
  auto none = check(patient_with(kOther), "cbm-identified");
  CHECK(has_issue(none, Severity::Error, "required", "Patient.identifier", "mrn"));
}

TEST_CASE("a slice member is checked against the element it slices too", "[validation][profiles][slicing]") {
  // cbm-identified-checked adds an invariant to Patient.identifier of cbm-identified, whose
  // snapshot already has the mrn slice: the slice does not repeat it, the item still meets it.
  auto ok = check(patient_with(kMrn), "cbm-identified-checked");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  auto no_value = check(patient_with(R"({"system":"http://carebridge.example/mrn"})"), "cbm-identified-checked");
  INFO(describe(no_value));
  CHECK(has_issue(no_value, Severity::Error, "invariant", "Patient.identifier[0]", "cbm-1"));
  // The slice's own invariant fails at the same place: both are said, neither hides the other.
  CHECK(has_issue(no_value, Severity::Error, "invariant", "Patient.identifier[0]", "cbm-2"));
}

TEST_CASE("ordered slicing compares an item with the one before it", "[validation][profiles][slicing]") {
  CHECK(count_errors(check(patient_with(kMrn + "," + kSsn), "cbm-ordered")) == 0);
  auto reversed = check(patient_with(kSsn + "," + kMrn), "cbm-ordered");
  CHECK(has_issue(reversed, Severity::Error, "structure", "Patient.identifier[1]", "ordered"));
  // An item of no slice between them starts over, as in the reference validator.
  auto between = check(patient_with(kSsn + "," + kOther + "," + kMrn), "cbm-ordered");
  INFO(describe(between));
  CHECK(count_errors(between) == 0);
}

TEST_CASE("a profile discriminator through resolve() checks the resource the reference resolves to",
          "[validation][profiles][slicing]") {
  // cbm-glucose-panel: hasMember:glucose (1..1) is told apart by its target profile cbm-glucose.
  // One member conforms: it alone is the glucose slice; the other is outside the open slicing.
  auto one = check(panel("2345-7", "2093-3"), "cbm-glucose-panel");
  INFO(describe(one));
  CHECK(count_errors(one) == 0);
  auto none = check(panel("2093-3", "2571-8"), "cbm-glucose-panel");
  INFO(describe(none));
  CHECK(has_issue(none, Severity::Error, "", "Observation.hasMember", "glucose"));
  auto both = check(panel("2345-7", "2345-7"), "cbm-glucose-panel");
  INFO(describe(both));
  CHECK(has_issue(both, Severity::Error, "", "Observation.hasMember", "glucose"));
  // A reference that resolves to nothing matches no slice.
  auto unresolved = check(R"({"resourceType":"Observation","id":"o","status":"final","code":{"text":"panel"},)"
                          R"("hasMember":[{"reference":"Observation/elsewhere"}]})",
                          "cbm-glucose-panel");
  INFO(describe(unresolved));
  CHECK(has_issue(unresolved, Severity::Error, "", "Observation.hasMember", "glucose"));
}

TEST_CASE("a discriminator through resolve() finds a later Bundle entry as an earlier one", "[validation][profiles][slicing]") {
  // cbm-panel-of-panels: hasMember:panel is a member conforming to cbm-glucose-panel, whose own
  // hasMember:glucose resolves further. The answer depended on the entries' order: entry b's
  // reference to c was not resolved yet when a's slice checked b.
  auto member = [](const std::string& id, const std::string& code, const std::string& members, const std::string& profile) {
    return R"({"fullUrl":"http://ex.org/fhir/Observation/)" + id + R"(","resource":{"resourceType":"Observation","id":")" + id +
           R"(",)" + (profile.empty() ? "" : R"("meta":{"profile":[")" + kBase + profile + R"("]},)") +
           R"("status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" + code + R"("}]},)" +
           R"("effectiveDateTime":"2024-01-01",)" + (members.empty() ? R"("valueString":"x")" : R"("hasMember":[{"reference":"Observation/)" + members + R"("}])") + "}}";
  };
  std::string a = member("a", "24331-1", "b", "cbm-panel-of-panels"), b = member("b", "24331-1", "c", ""), c = member("c", "2345-7", "", "");
  for (const std::string& entries : {a + "," + b + "," + c, c + "," + b + "," + a}) {
    auto issues = validate_with_package("cb-machinery", R"({"resourceType":"Bundle","type":"collection","entry":[)" + entries + "]}");
    INFO(describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("a pattern discriminator through resolve() reads the pattern from the slice's target profile",
          "[validation][profiles][slicing]") {
  // cbm-glucose-by-code: hasMember:glucose (1..1) told apart by resolve().code, which cbm-glucose fixes.
  auto one = check(panel("2093-3", "2345-7"), "cbm-glucose-by-code");
  INFO(describe(one));
  CHECK(count_errors(one) == 0);
  auto none = check(panel("2093-3", "2571-8"), "cbm-glucose-by-code");
  INFO(describe(none));
  CHECK(has_issue(none, Severity::Error, "", "Observation.hasMember", "glucose"));
  auto both = check(panel("2345-7", "2345-7"), "cbm-glucose-by-code");
  INFO(describe(both));
  CHECK(has_issue(both, Severity::Error, "", "Observation.hasMember", "glucose"));
}

TEST_CASE("a type discriminator through resolve() compares the type of the resource the reference resolves to",
          "[validation][profiles][slicing]") {
  // cbm-typed-members: hasMember closed, its slice result (1..*) holds references that resolve to an Observation.
  auto with_members = [](const std::string& contained, const std::string& refs) {
    return R"({"resourceType":"Observation","id":"o","status":"final","code":{"text":"panel"},"contained":[)" + contained +
           R"(],"hasMember":[)" + refs + "]}";
  };
  const std::string obs = R"({"resourceType":"Observation","id":"a","status":"final","code":{"text":"x"},"valueString":"y"})";
  const std::string qr = R"({"resourceType":"QuestionnaireResponse","id":"b","status":"completed"})";
  auto ok = check(with_members(obs, R"({"reference":"#a"})"), "cbm-typed-members");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  auto other = check(with_members(obs + "," + qr, R"({"reference":"#a"},{"reference":"#b"})"), "cbm-typed-members");
  INFO(describe(other));
  CHECK(has_issue(other, Severity::Error, "", "Observation.hasMember", ""));
  auto none = check(with_members(qr, R"({"reference":"#b"})"), "cbm-typed-members");
  INFO(describe(none));
  CHECK(has_issue(none, Severity::Error, "", "Observation.hasMember", "result"));
}

TEST_CASE("a profile named for a datatype that cannot be found is an error", "[validation][profiles]") {
  auto with = check(observation_with("final", R"("valueQuantity":{"value":1})"), "cbm-unshipped-quantity");
  INFO(describe(with));
  CHECK(has_issue(with, Severity::Error, "not-found", "Observation.valueQuantity", "cbm-not-shipped"));
  CHECK(count_errors(check(observation_with("final", R"("issued":"2024-01-01T00:00:00Z")"), "cbm-unshipped-quantity")) == 0);
}

TEST_CASE("differential elements without ids are told apart by their slice names", "[validation][profiles][snapshots]") {
  // cbm-no-ids gives path and sliceName only, as older tools write differentials.
  auto ok = check(R"({"resourceType":"Patient","id":"p","gender":"male","identifier":[)" + kMrn + "," + kSsn + "]}", "cbm-no-ids");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  auto no_mrn = check(R"({"resourceType":"Patient","id":"p","gender":"male","identifier":[)" + kSsn + "]}", "cbm-no-ids");
  INFO(describe(no_mrn));
  CHECK(has_issue(no_mrn, Severity::Error, "required", "Patient.identifier", "mrn"));
  CHECK(has_issue(check(patient_with(kMrn), "cbm-no-ids"), Severity::Error, "required", "Patient.gender"));
}

TEST_CASE("a profile slices the extensions of a primitive element", "[validation][profiles][slicing]") {
  auto with = check(R"({"resourceType":"Patient","id":"p","birthDate":"1980-05-01","_birthDate":{"extension":[
      {"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1980-05-01T08:30:00Z"}]}})",
                    "cbm-birth-time");
  INFO(describe(with));
  CHECK(count_errors(with) == 0);
  auto without = check(R"({"resourceType":"Patient","id":"p","birthDate":"1980-05-01"})", "cbm-birth-time");
  INFO(describe(without));
  CHECK(has_issue(without, Severity::Error, "required", "Patient.birthDate", "time"));
}

TEST_CASE("an extension slice typed with a profile of an extension holds that extension's url",
          "[validation][profiles][slicing]") {
  // cbm-paired slices Patient.extension with cbm-pair-strict, a profile of cbm-pair that needs part b.
  auto with = [](const std::string& parts) {
    return check(R"({"resourceType":"Patient","id":"p","extension":[{"url":"http://carebridge.example/fhir/StructureDefinition/cbm-pair",
        "extension":[)" + parts + "]}]}", "cbm-paired");
  };
  auto both = with(R"({"url":"a","valueString":"x"},{"url":"b","valueString":"y"})");
  INFO(describe(both));
  CHECK(count_errors(both) == 0);
  auto no_b = with(R"({"url":"a","valueString":"x"})");
  INFO(describe(no_b));
  CHECK(has_issue(no_b, Severity::Error, "required", "Patient.extension[0]", "b"));
}

TEST_CASE("a slice of a choice named for one of its types takes that type alone", "[validation][profiles][snapshots]") {
  // cbm-type-slices names effective[x]:effectiveDateTime (min 1) and value[x]:valueCodeableConcept
  // with neither a type nor a slicing for the choice, as integrators often write them.
  const std::string value = R"("valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"1-8"}]})";
  auto ok = check(observation_with("final", R"("effectiveDateTime":"2024-01-01",)" + value), "cbm-type-slices");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  auto period = check(observation_with("final", R"("effectivePeriod":{"start":"2024-01-01"},)" + value), "cbm-type-slices");
  INFO(describe(period));
  CHECK(has_issue(period, Severity::Error, "required", "Observation.effective", "effectiveDateTime"));
  auto text = check(observation_with("final", R"("effectiveDateTime":"2024-01-01","valueCodeableConcept":{"text":"x"})"),
                    "cbm-type-slices");
  INFO(describe(text));
  CHECK(has_issue(text, Severity::Error, "required", "Observation.valueCodeableConcept", "coding"));
}

TEST_CASE("a slicing without discriminators takes no item for a slice", "[validation][profiles][slicing]") {
  // cbm-undiscriminated slices identifier (open) with no discriminator: neither item is the 'first' slice.
  auto two = check(patient_with(kMrn + "," + kOther), "cbm-undiscriminated");
  INFO(describe(two));
  CHECK(count_errors(two) == 0);
}

TEST_CASE("a discriminator path through extension('url') keeps the url whole", "[validation][profiles][slicing]") {
  // cbm-flagged: a component flagged urgent (cbm-flag) is the 'urgent' slice, which needs a value.
  const std::string flag = R"("extension":[{"url":"http://carebridge.example/fhir/StructureDefinition/cbm-flag","valueCode":"urgent"}])";
  auto valued = check(observation_with("final", R"("component":[{"code":{"text":"a"},)" + flag + R"(,"valueInteger":1}])"), "cbm-flagged");
  INFO(describe(valued));
  CHECK(count_errors(valued) == 0);
  auto bare = check(observation_with("final", R"("component":[{"code":{"text":"a"},)" + flag + "}]"), "cbm-flagged");
  INFO(describe(bare));
  CHECK(has_issue(bare, Severity::Error, "required", "Observation.component[0]", "value"));
}

TEST_CASE("a slice that gives its discriminator nothing to compare cannot be evaluated", "[validation][profiles][slicing]") {
  // cbm-vague slices identifier by system, but its slice fixes no system.
  auto with = check(patient_with(kMrn), "cbm-vague");
  INFO(describe(with));
  CHECK(has_issue(with, Severity::Error, "processing", "Patient.identifier", "cannot be evaluated"));
  CHECK(count_errors(check(R"({"resourceType":"Patient","id":"p"})", "cbm-vague")) == 0);
}

TEST_CASE("a slice's pattern on the sliced element itself gives the discriminator's value below it",
          "[validation][profiles][slicing]") {
  // cbm-patterned: identifier sliced by system; the mrn slice (1..1) is patternIdentifier {system}.
  auto with = check(patient_with(kOther + "," + kMrn), "cbm-patterned");
  INFO(describe(with));
  CHECK(count_errors(with) == 0);
  auto without = check(patient_with(kOther), "cbm-patterned");
  INFO(describe(without));
  CHECK(has_issue(without, Severity::Error, "required", "Patient.identifier", "mrn"));
  // The slice's own rules apply to the item it takes: a value longer than 3.
  auto longer = check(patient_with(R"({"system":"http://carebridge.example/mrn","value":"12345"})"), "cbm-patterned");
  INFO(describe(longer));
  CHECK(count_errors(longer) >= 1);
}

TEST_CASE("conformsTo() in a profile's invariant checks the resource against the profile, not its claim",
          "[validation][profiles][invariants]") {
  // cbm-conforming: a contained subject must conform to cbm-patterned (an MRN identifier); it claims nothing.
  auto with = [](const std::string& identifier) {
    return check(observation_with("final", R"("contained":[{"resourceType":"Patient","id":"p","identifier":[)" + identifier +
                                               R"(]}],"subject":{"reference":"#p"})"),
                 "cbm-conforming");
  };
  auto mrn = with(kMrn);
  INFO(describe(mrn));
  CHECK(count_errors(mrn) == 0);
  auto other = with(kOther);
  INFO(describe(other));
  CHECK(has_issue(other, Severity::Error, "invariant", "Observation", "cbm-conf-1"));
}

TEST_CASE("a profile's aggregation modes say how a reference may hold its target", "[validation][profiles]") {
  // cbm-aggregated: Observation.subject may only be a contained Patient.
  auto contained = check(observation_with("final", R"("contained":[{"resourceType":"Patient","id":"cp"}],"subject":{"reference":"#cp"})"),
                         "cbm-aggregated");
  INFO(describe(contained));
  CHECK(count_errors(contained) == 0);
  auto remote = check(observation_with("final", R"("subject":{"reference":"Patient/1"})"), "cbm-aggregated");
  INFO(describe(remote));
  CHECK(has_issue(remote, Severity::Error, "structure", "Observation.subject", "referenced"));
  CHECK(count_errors(check(observation_with("final", R"("subject":{"display":"someone"})"), "cbm-aggregated")) == 0);
}

TEST_CASE("a profile constrains the parts of an extension slice through the extension's definition",
          "[validation][profiles][snapshots]") {
  // cbm-paired-a makes part a of its cbm-pair slice required: the slice's children come from cbm-pair.
  auto with = [](const std::string& parts) {
    return check(R"({"resourceType":"Patient","id":"p","extension":[{"url":"http://carebridge.example/fhir/StructureDefinition/cbm-pair",
        "extension":[)" + parts + "]}]}", "cbm-paired-a");
  };
  auto a = with(R"({"url":"a","valueString":"x"})");
  INFO(describe(a));
  CHECK(count_errors(a) == 0);
  auto b = with(R"({"url":"b","valueString":"y"})");
  INFO(describe(b));
  CHECK(has_issue(b, Severity::Error, "required", "Patient.extension[0]", "a"));
}

TEST_CASE("a differential reaches a slice that the element's type profile defines", "[validation][profiles][snapshots]") {
  // cbm-coded fixes Observation.code.coding:loinc.code; the loinc slice comes from cbm-loinc-concept.
  auto with = [](const std::string& code) {
    return check(R"({"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" +
                     code + R"("}]}})",
                 "cbm-coded");
  };
  auto fixed = with("1-8");
  INFO(describe(fixed));
  CHECK(count_errors(fixed) == 0);
  auto other = with("2-6");
  INFO(describe(other));
  CHECK(has_issue(other, Severity::Error, "value", "Observation.code.coding[0].code", "exactly"));
}

TEST_CASE("an extension's FHIRPath context is evaluated in the resource", "[validation][profiles][extensions]") {
  // cbm-official-note may be used on Patient.name.where(use = 'official') only.
  auto on = [](const std::string& use) {
    return check(R"({"resourceType":"Patient","id":"p","name":[{"use":")" + use + R"(","family":"Doe","extension":[
        {"url":"http://carebridge.example/fhir/StructureDefinition/cbm-official-note","valueString":"x"}]}]})",
                 "cbm-no-ids");
  };
  auto official = on("official");
  INFO(describe(official));
  CHECK_FALSE(has_issue(official, Severity::Error, "structure", "Patient.name[0].extension[0]", "not allowed here"));
  auto usual = on("usual");
  INFO(describe(usual));
  CHECK(has_issue(usual, Severity::Error, "structure", "Patient.name[0].extension[0]", "not allowed here"));
}
