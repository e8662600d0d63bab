// The core vital-signs profiles a resource claims in meta.profile are enforced like any
// profile: the LOINC code through the slice on Observation.code.coding, the UCUM unit,
// the category, and for blood pressure the systolic and diastolic component slices.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

std::vector<carebridge::fhir::model::Issue> rule(const std::string& name) {
  return validate_text(read_text(fixture("validation/rules/" + name)));
}

struct Vital {
  const char* profile;
  const char* loinc;
  const char* ucum;
};

// Every single-value vital-signs profile of R4 core, with its code and a unit it allows.
constexpr Vital kVitals[] = {{"bodyweight", "29463-7", "kg"}, {"bodyheight", "8302-2", "cm"},  {"resprate", "9279-1", "/min"},
                             {"heartrate", "8867-4", "/min"}, {"bodytemp", "8310-5", "Cel"},   {"headcircum", "9843-4", "cm"},
                             {"oxygensat", "2708-6", "%"},    {"bmi", "39156-5", "kg/m2"}};

std::string observation(const Vital& v, const std::string& code, const std::string& unit, bool category = true) {
  std::string text = R"({"resourceType":"Observation","id":"v","meta":{"profile":["http://hl7.org/fhir/StructureDefinition/)" +
                     std::string(v.profile) + R"("]},"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">v</div>"},
      "status":"final",)";
  if (category) {
    text += R"("category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],)";
  }
  return text + R"("code":{"coding":[{"system":"http://loinc.org","code":")" + code +
         R"("}]},"subject":{"reference":"Patient/p"},"effectiveDateTime":"2024-03-02T10:00:00Z",
      "valueQuantity":{"value":1,"unit":"u","system":"http://unitsofmeasure.org","code":")" + unit + R"("}})";
}

}  // namespace

TEST_CASE("every vital-signs profile: its code, its unit and the vital-signs category", "[validation][rules][profiles]") {
  for (const Vital& v : kVitals) {
    INFO(v.profile);
    auto good = validate_text(observation(v, v.loinc, v.ucum));
    INFO(describe(good));
    CHECK(count_errors(good) == 0);
    auto code = validate_text(observation(v, "1234-5", v.ucum));
    CHECK(has_issue(code, Severity::Error, "required", "Observation.code.coding", "slice"));
    auto unit = validate_text(observation(v, v.loinc, "mm"));
    CHECK(count_errors(unit) > 0);
    auto category = validate_text(observation(v, v.loinc, v.ucum, false));
    CHECK(has_issue(category, Severity::Error, "required", "Observation.category"));
  }
}

TEST_CASE("bodytemp requires LOINC 8310-5 in Observation.code.coding", "[validation][rules][profiles]") {
  auto good = rule("vitals-bodytemp.json");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto wrong = rule("vitals-bodytemp-wrong-code.json");
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Error, "required", "Observation.code.coding", "BodyTempCode"));
}

TEST_CASE("heartrate requires its UCUM unit", "[validation][rules][profiles]") {
  auto wrong = rule("vitals-heartrate-wrong-unit.json");
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Error, "value", "Observation.valueQuantity.code", "/min"));
}

TEST_CASE("bp requires a systolic and a diastolic component, each in mm[Hg]", "[validation][rules][profiles]") {
  auto good = rule("vitals-bp.json");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto missing = rule("vitals-bp-missing-diastolic.json");
  INFO(describe(missing));
  CHECK(has_issue(missing, Severity::Error, "required", "Observation.component", "DiastolicBP"));
  auto unit = rule("vitals-bp-wrong-unit.json");
  INFO(describe(unit));
  CHECK(has_issue(unit, Severity::Error, "value", "Observation.component[1].valueQuantity.code", "mm[Hg]"));
  // kPa is also outside the vital signs units vitalsigns binds every component value to:
  // a warning, as the reference validator grades a Quantity's unit.
  CHECK(has_issue(unit, Severity::Warning, "code-invalid", "Observation.component[1].valueQuantity", "ucum-vitals-common"));
  CHECK(count_errors(unit) == 1);
}

TEST_CASE("a vital sign is checked against its profile without claiming it, under the ingest policy as warnings",
          "[validation][rules][profiles]") {
  // FHIR: an Observation with a vital sign's LOINC code SHALL conform to its profile.
  std::string heart_rate = R"({"resourceType":"Observation","id":"hr","status":"final",
      "code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/p"},
      "effectiveDateTime":"2024-03-02T10:00:00Z","valueQuantity":{"value":60,"system":"http://unitsofmeasure.org","code":"{beats}/min"}})";
  auto strict = validate_text(heart_rate);
  INFO(describe(strict));
  CHECK(has_issue(strict, Severity::Error, "required", "Observation.category"));
  CHECK(count_errors(strict) >= 2);  // the category and the unit (/min)
  CHECK(has_issue(strict, Severity::Information, "informational", "Observation", "heartrate"));
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  auto tolerated = validate_text(heart_rate, ingest);
  INFO(describe(tolerated));
  CHECK(count_errors(tolerated) == 0);
  CHECK(has_issue(tolerated, Severity::Warning, "required", "Observation.category"));
  // Another code is no vital sign: nothing more is asked of it.
  std::string glucose = heart_rate;
  glucose.replace(glucose.find("8867-4"), 6, "2339-0");
  CHECK(count_errors(validate_text(glucose)) == 0);
}

namespace {

// A heart rate that conforms to its profile, with the text `from` replaced by `to`.
std::string heart_rate_with(const std::string& from, const std::string& to) {
  std::string text = observation(kVitals[3], "8867-4", "/min");
  text.replace(text.find(from), from.size(), to);
  return text;
}

// The same heart rate without its value (the last member), and `instead` in its place.
std::string heart_rate_without_value(const std::string& instead) {
  std::string text = observation(kVitals[3], "8867-4", "/min");
  return text.substr(0, text.rfind(',', text.find(R"("valueQuantity")"))) + instead + "}";
}

}  // namespace

TEST_CASE("the vitalsigns invariants hold in the profiles derived from it: vs-2 and vs-3",
          "[validation][rules][profiles]") {
  // heartrate and bp inherit vs-2 and vs-3 from vitalsigns, whose url is their source.
  auto no_value = validate_text(heart_rate_without_value(""));
  INFO(describe(no_value));
  CHECK(has_issue(no_value, Severity::Error, "invariant", "Observation", "vs-2"));
  auto absent = validate_text(heart_rate_without_value(R"(,"dataAbsentReason":{"text":"not measured"})"));
  INFO(describe(absent));
  CHECK(count_errors(absent) == 0);
  // The diastolic component's value replaced: vs-3 asks for a value or a reason.
  std::string bp = read_text(fixture("validation/rules/vitals-bp.json"));
  size_t from = bp.rfind(',', bp.rfind("\"valueQuantity\""));
  size_t to = bp.find('}', from) + 1;
  auto replaced = [&](const std::string& with) { return std::string(bp).replace(from, to - from, with); };
  auto empty = validate_text(replaced(""));
  INFO(describe(empty));
  CHECK(has_issue(empty, Severity::Error, "invariant", "Observation.component[1]", "vs-3"));
  auto reason = validate_text(replaced(R"(,"dataAbsentReason":{"text":"not measured"})"));
  INFO(describe(reason));
  CHECK(count_errors(reason) == 0);
}

TEST_CASE("vs-1 asks day precision of a dateTime only, as the reference validator corrects it",
          "[validation][rules][profiles]") {
  // R4's text casts an effectivePeriod to dateTime, which is empty, and would fail every period.
  auto period = validate_text(heart_rate_with(R"("effectiveDateTime":"2024-03-02T10:00:00Z")",
                                              R"("effectivePeriod":{"start":"2024-03-02T10:00:00Z"})"));
  INFO(describe(period));
  CHECK(count_errors(period) == 0);
  auto month = validate_text(heart_rate_with(R"("2024-03-02T10:00:00Z")", R"("2024-03")"));
  INFO(describe(month));
  CHECK(has_issue(month, Severity::Error, "invariant", "Observation.effectiveDateTime", "vs-1"));
}

namespace {

// An Observation coded `system`#`code` alone, with a value in `ucum`, claiming no profile.
std::string unclaimed_observation(const std::string& system, const std::string& code, const std::string& ucum) {
  return R"({"resourceType":"Observation","id":"o","status":"final",
      "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
      "code":{"coding":[{"system":")" +
         system + R"(","code":")" + code + R"("}]},"subject":{"reference":"Patient/p"},
      "effectiveDateTime":"2024-03-02T10:00:00Z","valueQuantity":{"value":37,"unit":"u","system":"http://unitsofmeasure.org","code":")" +
         ucum + R"("}})";
}

}  // namespace

TEST_CASE("the other LOINC and SNOMED CT codes of a vital sign call for its profile too", "[validation][rules][profiles]") {
  // Oral body temperature (LOINC 8331-1) is a body temperature: the bodytemp profile then
  // asks for its own code, 8310-5, beside it.
  auto oral = validate_text(unclaimed_observation("http://loinc.org", "8331-1", "Cel"));
  INFO(describe(oral));
  CHECK(has_issue(oral, Severity::Information, "informational", "Observation", "bodytemp"));
  CHECK(has_issue(oral, Severity::Error, "required", "Observation.code.coding", "BodyTempCode"));
  // Systolic blood pressure alone (8480-6) is held to the blood pressure profile.
  auto systolic = validate_text(unclaimed_observation("http://loinc.org", "8480-6", "mm[Hg]"));
  INFO(describe(systolic));
  CHECK(has_issue(systolic, Severity::Information, "informational", "Observation", "/bp)"));
  CHECK(count_errors(systolic) > 0);
  auto snomed = validate_text(unclaimed_observation("http://snomed.info/sct", "249043002", "/min"));
  INFO(describe(snomed));
  CHECK(has_issue(snomed, Severity::Information, "informational", "Observation", "SNOMED CT code 249043002"));
  CHECK(count_errors(snomed) > 0);
  // Diastolic pressure (8462-4) is on no list: no profile is implied.
  auto diastolic = validate_text(unclaimed_observation("http://loinc.org", "8462-4", "mm[Hg]"));
  INFO(describe(diastolic));
  CHECK(count_errors(diastolic) == 0);
}

TEST_CASE("a component's Quantity is checked against the vital signs units its binding names",
          "[validation][rules][profiles]") {
  // vitalsigns binds Observation.component.value[x] (required) to ucum-vitals-common: a third,
  // unsliced component of a blood pressure in 'mm' is outside it. The reference validator
  // says so as a warning, in an extensible binding's words (its obs-fio2 outcome).
  std::string bp = read_text(fixture("validation/rules/vitals-bp.json"));
  size_t at = bp.rfind(']');  // the end of the component list, the last member
  auto with_third = [&](const std::string& unit) {
    std::string third = R"(,{"code":{"coding":[{"system":"http://loinc.org","code":"8478-0"}]},
        "valueQuantity":{"value":93,"unit":"u","system":"http://unitsofmeasure.org","code":")" + unit + R"("}})";
    std::string text = bp;
    return text.insert(at, third);
  };
  auto good = validate_text(with_third("mm[Hg]"));
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto wrong = validate_text(with_third("mm"));
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Warning, "code-invalid", "Observation.component[2].valueQuantity", "ucum-vitals-common"));
  CHECK(count_errors(wrong) == 0);
}
