// A QuestionnaireResponse against the Questionnaire it answers (contained, in the
// same Bundle or loaded): items, order, repeats, required answers, answer types and
// answer options, at every level.
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
