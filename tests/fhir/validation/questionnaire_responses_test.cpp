// A QuestionnaireResponse against the Questionnaire it answers (contained, in the
// same Bundle or loaded): items, order, repeats, required answers, answer types and
// answer options, and the limits items set by their extensions, at every level.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

const std::string kText = R"("text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"})";

// b: required boolean; c: choice of two codings; o: open-choice; s: string; d: display;
// g: a group holding a required integer n, which has a string t under its answers.
const std::string kQuestionnaire =
    R"({"resourceType":"Questionnaire","id":"cq","url":"http://example.org/Questionnaire/cq","status":"draft","item":[)"
    R"({"linkId":"b","text":"b","type":"boolean","required":true},)"
    R"({"linkId":"c","text":"c","type":"choice","answerOption":[{"valueCoding":{"system":"http://example.org/cs","code":"a"}},{"valueCoding":{"system":"http://example.org/cs","code":"b"}}]},)"
    R"({"linkId":"o","text":"o","type":"open-choice","answerOption":[{"valueCoding":{"system":"http://example.org/cs","code":"a"}}]},)"
    R"({"linkId":"s","text":"s","type":"string"},)"
    R"({"linkId":"d","text":"d","type":"display"},)"
    R"({"linkId":"g","text":"g","type":"group","item":[{"linkId":"n","text":"n","type":"integer","required":true,)"
    R"("item":[{"linkId":"t","text":"t","type":"text"}]}]}]})";

std::string response(const std::string& items, const std::string& status = "completed") {
  return R"({"resourceType":"QuestionnaireResponse","id":"qr",)" + kText + R"(,"contained":[)" + kQuestionnaire +
         R"(],"questionnaire":"#cq","status":")" + status + R"(","item":[)" + items + "]}";
}

const std::string kB = R"({"linkId":"b","answer":[{"valueBoolean":true}]})";
const std::string kG = R"({"linkId":"g","item":[{"linkId":"n","answer":[{"valueInteger":3,"item":[{"linkId":"t","answer":[{"valueString":"x"}]}]}]}]})";

std::vector<carebridge::fhir::model::Issue> check(const std::string& items, const std::string& status = "completed") {
  return validate_text(response(items, status));
}

}  // namespace

TEST_CASE("QuestionnaireResponse: answers that fit the Questionnaire have no error", "[validation][questionnaire]") {
  auto issues = check(kB + R"(,{"linkId":"c","answer":[{"valueCoding":{"system":"http://example.org/cs","code":"a"}}]},)"
                           R"({"linkId":"o","answer":[{"valueCoding":{"system":"http://example.org/cs","code":"other"}}]},)"
                           R"({"linkId":"s","answer":[{"valueString":"x"}]},)" + kG);
  INFO(describe(issues));
  CHECK(count_errors(issues) == 0);
}

TEST_CASE("QuestionnaireResponse: a required item missing is an error when completed, a warning in progress",
          "[validation][questionnaire]") {
  const std::string s = R"({"linkId":"s","answer":[{"valueString":"x"}]})";
  auto completed = check(s + "," + kG);
  INFO(describe(completed));
  CHECK(has_issue(completed, Severity::Error, "required", "QuestionnaireResponse", "'b'"));
  auto in_progress = check(s + "," + kG, "in-progress");
  INFO(describe(in_progress));
  CHECK(count_errors(in_progress) == 0);
  CHECK(has_issue(in_progress, Severity::Warning, "required", "QuestionnaireResponse", "'b'"));
  // Inside a group too.
  auto nested = check(kB + R"(,{"linkId":"g"})");
  INFO(describe(nested));
  CHECK(has_issue(nested, Severity::Error, "required", "QuestionnaireResponse.item[1]", "'n'"));
  auto unanswered = check(kB + R"(,{"linkId":"g","item":[{"linkId":"n"}]})");
  INFO(describe(unanswered));
  CHECK(has_issue(unanswered, Severity::Error, "required", "QuestionnaireResponse.item[1].item[0]", "'n'"));
}

TEST_CASE("QuestionnaireResponse: an answer has the value type of its item", "[validation][questionnaire]") {
  auto wrong = check(R"({"linkId":"b","answer":[{"valueString":"yes"}]})");
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Error, "structure", "QuestionnaireResponse.item[0].answer[0].valueString", "boolean"));
  auto nested = check(kB + R"(,{"linkId":"g","item":[{"linkId":"n","answer":[{"valueInteger":3,"item":[{"linkId":"t","answer":[{"valueBoolean":true}]}]}]}]})");
  INFO(describe(nested));
  CHECK(has_issue(nested, Severity::Error, "structure", "answer[0].item[0].answer[0].valueBoolean", "text"));
}

TEST_CASE("QuestionnaireResponse: items are the Questionnaire's, at their level and in its order", "[validation][questionnaire]") {
  auto unknown = check(kB + R"(,{"linkId":"zz","answer":[{"valueString":"x"}]})");
  INFO(describe(unknown));
  CHECK(has_issue(unknown, Severity::Error, "not-found", "QuestionnaireResponse.item[1]", "'zz' is not in the Questionnaire"));
  auto misplaced = check(kB + R"(,{"linkId":"n","answer":[{"valueInteger":1}]})");
  INFO(describe(misplaced));
  CHECK(has_issue(misplaced, Severity::Error, "structure", "QuestionnaireResponse.item[1]", "not at this level"));
  auto order = check(R"({"linkId":"s","answer":[{"valueString":"x"}]},)" + kB);
  INFO(describe(order));
  CHECK(has_issue(order, Severity::Error, "structure", "QuestionnaireResponse.item[1]", "out of order"));
}

TEST_CASE("QuestionnaireResponse: choice answers come from answerOption, open-choice answers need not",
          "[validation][questionnaire]") {
  auto outside = check(kB + R"(,{"linkId":"c","answer":[{"valueCoding":{"system":"http://example.org/cs","code":"zz"}}]})");
  INFO(describe(outside));
  CHECK(has_issue(outside, Severity::Error, "code-invalid", "QuestionnaireResponse.item[1].answer[0].valueCoding", "zz"));
  auto open = check(kB + R"(,{"linkId":"o","answer":[{"valueString":"free text"}]})");
  INFO(describe(open));
  CHECK(count_errors(open) == 0);
}

TEST_CASE("QuestionnaireResponse: repeats, display and group items", "[validation][questionnaire]") {
  auto two_answers = check(kB + R"(,{"linkId":"s","answer":[{"valueString":"x"},{"valueString":"y"}]})");
  INFO(describe(two_answers));
  CHECK(has_issue(two_answers, Severity::Error, "structure", "QuestionnaireResponse.item[1].answer[1]", "only one answer"));
  auto twice = check(kB + R"(,{"linkId":"s","answer":[{"valueString":"x"}]},{"linkId":"s","answer":[{"valueString":"y"}]})");
  INFO(describe(twice));
  CHECK(has_issue(twice, Severity::Error, "structure", "QuestionnaireResponse.item[2]", "does not repeat"));
  auto display = check(kB + R"(,{"linkId":"d","answer":[{"valueString":"x"}]})");
  INFO(describe(display));
  CHECK(has_issue(display, Severity::Error, "structure", "QuestionnaireResponse.item[1].answer[0]", "display item"));
  auto group = check(kB + R"(,{"linkId":"g","answer":[{"valueString":"x"}]})");
  INFO(describe(group));
  CHECK(has_issue(group, Severity::Error, "structure", "QuestionnaireResponse.item[1].answer[0]", "group item"));
}

TEST_CASE("QuestionnaireResponse: the Questionnaire is found in the same Bundle by url", "[validation][questionnaire]") {
  std::string qr = R"({"resourceType":"QuestionnaireResponse","id":"qr",)" + kText +
                   R"(,"questionnaire":"http://example.org/Questionnaire/cq","status":"completed","item":[{"linkId":"b","answer":[{"valueString":"yes"}]}]})";
  std::string q = kQuestionnaire;
  q.insert(q.size() - 1, "," + kText);
  std::string bundle = R"({"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"http://example.org/fhir/Questionnaire/cq","resource":)" +
                       q + R"(},{"fullUrl":"http://example.org/fhir/QuestionnaireResponse/qr","resource":)" + qr + "}]}";
  auto issues = validate_text(bundle);
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "structure", "valueString", "boolean"));
}

namespace {

// smoker: boolean; packs: a required integer enabled when smoker is true; kind: a string with
// options and a maxLength; why: required, enabled when smoker exists or kind exists (any).
const std::string kSmoking =
    R"({"resourceType":"Questionnaire","id":"sq","status":"draft","item":[)"
    R"({"linkId":"smoker","text":"Smoker?","type":"boolean"},)"
    R"({"linkId":"packs","text":"Packs","type":"integer","required":true,)"
    R"("enableWhen":[{"question":"smoker","operator":"=","answerBoolean":true}]},)"
    R"({"linkId":"kind","text":"Kind","type":"string","maxLength":8,"answerOption":[{"valueString":"pipe"},{"valueString":"cigarette"}]},)"
    R"({"linkId":"why","text":"Why","type":"string","required":true,"enableBehavior":"any","enableWhen":[)"
    R"({"question":"smoker","operator":"exists","answerBoolean":true},{"question":"kind","operator":"exists","answerBoolean":true}]}]})";

std::vector<carebridge::fhir::model::Issue> smoking(const std::string& items, const std::string& status = "completed") {
  return validate_text(R"({"resourceType":"QuestionnaireResponse","id":"qr",)" + kText + R"(,"contained":[)" + kSmoking +
                       R"(],"questionnaire":"#sq","status":")" + status + "\"" +
                       (items.empty() ? "" : R"(,"item":[)" + items + "]") + "}");
}

std::string answer(const std::string& link_id, const std::string& value) {
  return R"({"linkId":")" + link_id + R"(","answer":[{)" + value + "}]}";
}

}  // namespace

TEST_CASE("QuestionnaireResponse: enableWhen decides which required items must be answered and which may be",
          "[validation][questionnaire]") {
  auto nothing = smoking("");  // nothing answered: packs and why are not enabled
  INFO(describe(nothing));
  CHECK(count_errors(nothing) == 0);
  auto packs_missing = smoking(answer("smoker", R"("valueBoolean":true)") + "," + answer("why", R"("valueString":"x")"));
  CHECK(has_issue(packs_missing, Severity::Error, "required", "QuestionnaireResponse", "'packs'"));
  auto all = smoking(answer("smoker", R"("valueBoolean":true)") + "," + answer("packs", R"("valueInteger":2)") + "," +
                     answer("why", R"("valueString":"x")"));
  INFO(describe(all));
  CHECK(count_errors(all) == 0);
  auto disabled = smoking(answer("smoker", R"("valueBoolean":false)") + "," + answer("packs", R"("valueInteger":2)") +
                          "," + answer("why", R"("valueString":"x")"));
  CHECK(has_issue(disabled, Severity::Error, "business-rule", "QuestionnaireResponse.item[1]", "enableWhen"));
  auto any = smoking(answer("kind", R"("valueString":"pipe")"));  // 'any': kind alone enables why
  CHECK(has_issue(any, Severity::Error, "required", "QuestionnaireResponse", "'why'"));
}

TEST_CASE("QuestionnaireResponse: item text, string options and maxLength, and statuses short of completed",
          "[validation][questionnaire]") {
  auto text = smoking(R"({"linkId":"smoker","text":"Do you smoke?","answer":[{"valueBoolean":false}]},)" +
                      answer("why", R"("valueString":"x")"));
  CHECK(has_issue(text, Severity::Error, "value", "QuestionnaireResponse.item[0].text", "Smoker?"));
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  auto ingested = validate_text(R"({"resourceType":"QuestionnaireResponse","id":"qr",)" + kText + R"(,"contained":[)" +
                                kSmoking + R"(],"questionnaire":"#sq","status":"completed","item":[)" +
                                R"({"linkId":"smoker","text":"Fumeur ?","answer":[{"valueBoolean":false}]},)" + answer("why", R"("valueString":"x")") + "]}",
                                ingest);
  INFO(describe(ingested));
  CHECK(count_errors(ingested) == 0);
  CHECK(has_issue(ingested, Severity::Warning, "value", "QuestionnaireResponse.item[0].text", "Smoker?"));
  auto option = smoking(answer("kind", R"("valueString":"cigar")") + "," + answer("why", R"("valueString":"x")"));
  CHECK(has_issue(option, Severity::Error, "code-invalid", "QuestionnaireResponse.item[0].answer[0].valueString", "cigar"));
  auto longer = smoking(answer("kind", R"("valueString":"cigarette")") + "," + answer("why", R"("valueString":"x")"));
  CHECK(has_issue(longer, Severity::Error, "value", "QuestionnaireResponse.item[0].answer[0].valueString", "maxLength"));
  auto stopped = smoking(answer("smoker", R"("valueBoolean":true)"), "stopped");
  INFO(describe(stopped));
  CHECK(count_errors(stopped) == 0);
  CHECK(has_issue(stopped, Severity::Warning, "required", "QuestionnaireResponse", "'packs'"));
  CHECK(count_errors(smoking(answer("smoker", R"("valueBoolean":true)"), "amended")) > 0);
}

TEST_CASE("QuestionnaireResponse: a choice answer of a type none of the answerOptions has is not one of them",
          "[validation][questionnaire]") {
  auto text = check(kB + R"(,{"linkId":"c","answer":[{"valueString":"a"}]},)" + kG);
  INFO(describe(text));
  CHECK(has_issue(text, Severity::Error, "structure", "QuestionnaireResponse.item[1].answer[0].valueString", "none of type string"));
  auto open = check(kB + R"(,{"linkId":"o","answer":[{"valueString":"a"}]},)" + kG);
  INFO(describe(open));
  CHECK(count_errors(open) == 0);
}

TEST_CASE("QuestionnaireResponse: a Coding answer is in the item's answerValueSet", "[validation][questionnaire]") {
  const std::string questionnaire =
      R"({"resourceType":"Questionnaire","id":"vq","status":"draft","item":[)"
      R"({"linkId":"g","text":"g","type":"choice","answerValueSet":"http://hl7.org/fhir/ValueSet/administrative-gender"},)"
      R"({"linkId":"k","text":"k","type":"open-choice","answerValueSet":"#kinds"}]})";
  const std::string kinds =
      R"({"resourceType":"ValueSet","id":"kinds","status":"draft","compose":{"include":[)"
      R"({"system":"http://example.org/kinds","concept":[{"code":"a"},{"code":"b"}]}]}})";
  auto answered = [&](const std::string& gender, const std::string& kind) {
    return validate_text(R"({"resourceType":"QuestionnaireResponse","id":"qr",)" + kText + R"(,"contained":[)" +
                         questionnaire + "," + kinds + R"(],"questionnaire":"#vq","status":"completed","item":[)" +
                         R"({"linkId":"g","answer":[{"valueCoding":)" + gender + R"(}]},)" +
                         R"({"linkId":"k","answer":[{"valueCoding":)" + kind + "}]}]}");
  };
  const std::string female = R"({"system":"http://hl7.org/fhir/administrative-gender","code":"female"})";
  const std::string a = R"({"system":"http://example.org/kinds","code":"a"})";
  auto good = answered(female, a);
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto other_system = answered(R"({"system":"http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender","code":"F"})", a);
  INFO(describe(other_system));
  CHECK(has_issue(other_system, Severity::Error, "code-invalid", "QuestionnaireResponse.item[0].answer[0].valueCoding",
                  "answerValueSet"));
  auto not_listed = answered(female, R"({"system":"http://example.org/kinds","code":"c"})");
  INFO(describe(not_listed));
  CHECK(has_issue(not_listed, Severity::Error, "code-invalid", "QuestionnaireResponse.item[1].answer[0].valueCoding",
                  "'#kinds'"));
  // A code system nobody here knows: the reference asks a terminology server, which cannot say.
  auto unknown = answered(R"({"system":"http://example.org/sexes","code":"f"})", a);
  INFO(describe(unknown));
  CHECK(count_errors(unknown) == 0);
}

namespace {

// A completed response to a contained Questionnaire with the given items.
std::vector<carebridge::fhir::model::Issue> answered(const std::string& questionnaire_items, const std::string& items) {
  return validate_text(R"({"resourceType":"QuestionnaireResponse","id":"qr",)" + kText +
                       R"(,"contained":[{"resourceType":"Questionnaire","id":"ew","status":"draft","item":[)" +
                       questionnaire_items + R"(]}],"questionnaire":"#ew","status":"completed","item":[)" + items + "]}");
}

}  // namespace

TEST_CASE("QuestionnaireResponse: enableWhen looks for its answers in the same instance of a repeating group",
          "[validation][questionnaire]") {
  const std::string group =
      R"({"linkId":"g","text":"g","type":"group","repeats":true,"item":[{"linkId":"t","text":"t","type":"boolean"},)"
      R"({"linkId":"x","text":"x","type":"string","required":true,"enableWhen":[{"question":"t","operator":"=","answerBoolean":true}]}]})";
  auto instance = [](bool t, bool with_x) {
    return R"({"linkId":"g","item":[{"linkId":"t","answer":[{"valueBoolean":)" + std::string(t ? "true" : "false") + "}]}" +
           (with_x ? R"(,{"linkId":"x","answer":[{"valueString":"s"}]})" : "") + "]}";
  };
  auto each_own = answered(group, instance(true, true) + "," + instance(false, false));
  INFO(describe(each_own));
  CHECK(count_errors(each_own) == 0);
  auto second_answered = answered(group, instance(true, true) + "," + instance(false, true));
  INFO(describe(second_answered));
  CHECK(has_issue(second_answered, Severity::Error, "business-rule", "QuestionnaireResponse.item[1].item[1]", "enableWhen"));
  auto second_missing = answered(group, instance(true, true) + "," + instance(true, false));
  INFO(describe(second_missing));
  CHECK(has_issue(second_missing, Severity::Error, "required", "QuestionnaireResponse.item[1]", "'x'"));
}

TEST_CASE("QuestionnaireResponse: enableWhen conditions as the reference evaluates them", "[validation][questionnaire]") {
  auto x_when = [](const std::string& conditions, const std::string& extra = "") {
    return R"({"linkId":"t","text":"t","type":"quantity"},{"linkId":"c","text":"c","type":"open-choice"},)"
           R"({"linkId":"x","text":"x","type":"string")" + extra + R"(,"enableWhen":[)" + conditions + "]}";
  };
  const std::string kg6 = R"({"linkId":"t","answer":[{"valueQuantity":{"value":6,"system":"http://unitsofmeasure.org","code":"kg"}}]})";
  const std::string coded = R"({"linkId":"c","answer":[{"valueCoding":{"system":"http://example.org/cs","code":"y"}}]})";
  const std::string x = R"({"linkId":"x","answer":[{"valueString":"s"}]})";
  const std::string above5 = R"({"question":"t","operator":">","answerQuantity":{"value":5,"system":"http://unitsofmeasure.org","code":"kg"}})";
  const std::string above7 = R"({"question":"t","operator":">","answerQuantity":{"value":7,"system":"http://unitsofmeasure.org","code":"kg"}})";
  // Quantities compare by value.
  CHECK(count_errors(answered(x_when(above5), kg6 + "," + x)) == 0);
  CHECK(count_errors(answered(x_when(above7), kg6 + "," + x)) == 1);
  // An answerCoding without a system matches the code in any system.
  CHECK(count_errors(answered(x_when(R"({"question":"c","operator":"=","answerCoding":{"code":"y"}})"), coded + "," + x)) == 0);
  CHECK(count_errors(answered(x_when(R"({"question":"c","operator":"=","answerCoding":{"code":"n"}})"), coded + "," + x)) == 1);
  // Several conditions and no enableBehavior (which R4 requires): the reference leaves the item enabled.
  auto no_behavior = answered(x_when(above7 + R"(,{"question":"c","operator":"exists","answerBoolean":true})"), kg6 + "," + x);
  INFO(describe(no_behavior));
  CHECK(count_errors(no_behavior) == 0);
  auto required = answered(x_when(above7 + "," + above7, R"(,"required":true)"), kg6);
  INFO(describe(required));
  CHECK(has_issue(required, Severity::Error, "required", "QuestionnaireResponse", "'x'"));
  auto all = answered(x_when(above7 + R"(,{"question":"c","operator":"exists","answerBoolean":true})", R"(,"enableBehavior":"all")"), kg6 + "," + x);
  CHECK(has_issue(all, Severity::Error, "business-rule", "QuestionnaireResponse.item[1]", "enableWhen"));
}

namespace {

// One item of `type` with the extensions `limits` (from http://hl7.org/fhir/StructureDefinition/),
// answered `answers`: the errors found.
size_t limit_errors(const std::string& type, const std::string& limits, const std::string& answers, bool repeats = false) {
  const std::string q = R"({"resourceType":"Questionnaire","id":"lq","status":"draft","item":[{"linkId":"x","text":"x","type":")" +
                        type + R"(","repeats":)" + (repeats ? "true" : "false") + R"(,"extension":[)" + limits + "]}]}";
  auto issues = validate_text(R"({"resourceType":"QuestionnaireResponse","id":"qr",)" + kText + R"(,"contained":[)" + q +
                              R"(],"questionnaire":"#lq","status":"completed","item":[{"linkId":"x","answer":[)" + answers + "]}]}");
  INFO(describe(issues));
  return count_errors(issues);
}

std::string ext(const std::string& name, const std::string& value) {
  return R"({"url":"http://hl7.org/fhir/StructureDefinition/)" + name + R"(",)" + value + "}";
}

}  // namespace

TEST_CASE("QuestionnaireResponse: answers keep within the limits the item's extensions set", "[validation][questionnaire]") {
  const std::string range = ext("minValue", R"("valueInteger":1)") + "," + ext("maxValue", R"("valueInteger":10)");
  CHECK(limit_errors("integer", range, R"({"valueInteger":10})") == 0);
  CHECK(limit_errors("integer", range, R"({"valueInteger":11})") == 1);
  CHECK(limit_errors("integer", range, R"({"valueInteger":0})") == 1);
  CHECK(limit_errors("decimal", ext("maxDecimalPlaces", R"("valueInteger":2)"), R"({"valueDecimal":1.25})") == 0);
  CHECK(limit_errors("decimal", ext("maxDecimalPlaces", R"("valueInteger":2)"), R"({"valueDecimal":1.255})") == 1);
  CHECK(limit_errors("date", ext("maxValue", R"("valueDate":"2024-12-31")"), R"({"valueDate":"2024-12-31"})") == 0);
  CHECK(limit_errors("date", ext("maxValue", R"("valueDate":"2024-12-31")"), R"({"valueDate":"2025-01-01"})") == 1);
  CHECK(limit_errors("string", ext("minLength", R"("valueInteger":3)"), R"({"valueString":"ab"})") == 1);
  CHECK(limit_errors("string", ext("regex", R"("valueString":"[0-9]{5}")"), R"({"valueString":"02139"})") == 0);
  CHECK(limit_errors("string", ext("regex", R"("valueString":"[0-9]{5}")"), R"({"valueString":"2139"})") == 1);
  // A pattern from an untrusted Questionnaire that backtracks exponentially is matched in linear time.
  CHECK(limit_errors("string", ext("regex", R"("valueString":"(a+)+b")"), R"({"valueString":")" + std::string(5000, 'a') + R"("})") == 1);
  const std::string kg = ext("questionnaire-unitOption", R"("valueCoding":{"system":"http://unitsofmeasure.org","code":"kg"})");
  CHECK(limit_errors("quantity", kg, R"({"valueQuantity":{"value":70,"system":"http://unitsofmeasure.org","code":"kg"}})") == 0);
  CHECK(limit_errors("quantity", kg, R"({"valueQuantity":{"value":150,"system":"http://unitsofmeasure.org","code":"[lb_av]"}})") == 1);
  const std::string images = ext("mimeType", R"("valueCode":"image/")");
  CHECK(limit_errors("attachment", images, R"({"valueAttachment":{"contentType":"image/png","data":"aGk="}})") == 0);
  CHECK(limit_errors("attachment", images, R"({"valueAttachment":{"contentType":"application/pdf","data":"aGk="}})") == 1);
  const std::string two = ext("questionnaire-maxOccurs", R"("valueInteger":2)");
  CHECK(limit_errors("string", two, R"({"valueString":"a"},{"valueString":"b"})", true) == 0);
  CHECK(limit_errors("string", two, R"({"valueString":"a"},{"valueString":"b"},{"valueString":"c"})", true) == 1);
}
