// The rule families the reference validator checks, one fixture per rule under
// tests/data/validation/rules: primitives with only an id or only extensions (ele-1),
// extension contexts and the parts of complex extensions, and narrative links.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

std::vector<carebridge::fhir::model::Issue> rule(const std::string& name) {
  return validate_text(read_text(fixture("validation/rules/" + name)));
}

}  // namespace

TEST_CASE("ele-1: a primitive with extensions but no value is valid, in JSON and XML", "[validation][rules]") {
  for (const char* name : {"primitive-extension-only.json", "primitive-extension-only.xml"}) {
    auto issues = rule(name);
    INFO(name << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("ele-1: a primitive with only an id, or nothing at all, is an error", "[validation][rules]") {
  auto json = rule("primitive-id-only.json");
  INFO(describe(json));
  CHECK(has_issue(json, Severity::Error, "", "Patient.name[0].given[1]", "ele-1"));
  CHECK(count_errors(json) == 1);
  auto xml = rule("primitive-id-only.xml");
  INFO(describe(xml));
  CHECK(has_issue(xml, Severity::Error, "", "Patient.name[0].given[0]", "ele-1"));
  CHECK(count_errors(xml) == 1);
  auto empty = rule("primitive-empty-object.json");
  CHECK(has_issue(empty, Severity::Error, "", "Patient.name[0].given[0]", "ele-1"));
}

TEST_CASE("ele-1: a complex element with only an id is an error", "[validation][rules]") {
  auto issues = rule("element-id-only.xml");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "invariant", "Patient.name[0]", "ele-1"));
  CHECK(count_errors(issues) == 1);
}

TEST_CASE("extension contexts reached through contentReference", "[validation][rules][extensions]") {
  // timing-daysOfCycle may be used on PlanDefinition.action: nested actions reuse that definition.
  auto plan = rule("extension-context-nested-action.json");
  INFO(describe(plan));
  CHECK(count_errors(plan) == 0);
  // minLength may be used on Questionnaire.item, at any depth.
  auto questionnaire = rule("extension-context-nested-item.json");
  INFO(describe(questionnaire));
  CHECK(count_errors(questionnaire) == 0);
}

TEST_CASE("extension contexts on ElementDefinition inside a StructureDefinition", "[validation][rules][extensions]") {
  auto sd = rule("extension-context-elementdefinition.json");
  INFO(describe(sd));
  CHECK(count_errors(sd) == 0);
  auto wrong = rule("extension-context-wrong.json");
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Error, "structure", "Patient.name[0].extension[0]", "not allowed here"));
}

TEST_CASE("the parts of a complex extension are checked against its definition", "[validation][rules][extensions]") {
  auto good = rule("extension-complex-parts.json");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto unknown_part = rule("extension-complex-unknown-part.json");
  INFO(describe(unknown_part));
  CHECK(has_issue(unknown_part, Severity::Error, "structure", "Patient.extension[0].extension[2]", "no part 'since'"));
  auto wrong_type = rule("extension-complex-wrong-type.json");
  INFO(describe(wrong_type));
  CHECK(has_issue(wrong_type, Severity::Error, "structure", "Patient.extension[0].extension[1].valueDate"));
  auto missing = rule("extension-complex-missing-part.json");
  INFO(describe(missing));
  CHECK(has_issue(missing, Severity::Error, "required", "PlanDefinition.action[0].action[0].extension[0].extension",
                  "Extension.extension:day"));
  CHECK(count_errors(missing) == 1);
}

TEST_CASE("narrative links to #id resolve to an element, a narrative id or an anchor", "[validation][rules][narrative]") {
  auto good = rule("narrative-links.json");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto link = rule("narrative-link-unresolved.json");
  INFO(describe(link));
  CHECK(has_issue(link, Severity::Error, "invalid", "DiagnosticReport.text.div", "'#nowhere'"));
  CHECK(count_errors(link) == 1);
  auto image = rule("narrative-image-unresolved.json");
  INFO(describe(image));
  CHECK(has_issue(image, Severity::Error, "invalid", "DiagnosticReport.text.div", "'#missing'"));
  CHECK(count_errors(image) == 1);
}

TEST_CASE("a narrative link may name another resource of the Bundle", "[validation][rules][narrative]") {
  auto issues = rule("narrative-link-bundle.json");
  INFO(describe(issues));
  CHECK(count_errors(issues) == 0);
}

TEST_CASE("narrative links: script and identifier schemes are errors, other schemes are not", "[validation][rules][narrative]") {
  auto issues = rule("narrative-link-schemes.json");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "invalid", "DiagnosticReport.text.div", "javascript"));
  CHECK(has_issue(issues, Severity::Error, "invalid", "DiagnosticReport.text.div", "'urn'"));
  CHECK(count_errors(issues) == 2);
}

TEST_CASE("a uri naming #id must name something in the resource", "[validation][rules][narrative]") {
  auto good = validate_text(R"({"resourceType":"Questionnaire","id":"q","status":"draft",
      "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Q</div>"},
      "contained":[{"resourceType":"ValueSet","id":"yn","status":"active"}],
      "item":[{"linkId":"1","type":"choice","text":"Yes?","answerValueSet":"#yn","definition":"#yn"}]})");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto bad = validate_text(R"({"resourceType":"Questionnaire","id":"q","status":"draft",
      "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Q</div>"},
      "item":[{"linkId":"1","type":"string","text":"Name","definition":"#nothing"}]})");
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "not-found", "Questionnaire.item[0].definition", "#nothing"));
}

TEST_CASE("per-1: start and end compared at the lower of their precisions", "[validation][rules]") {
  for (const char* name : {"period-mixed-precision.json", "period-timezones.json", "period-month-and-day.json"}) {
    auto issues = rule(name);
    INFO(name << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
  for (const char* name : {"period-reversed.json", "period-reversed-time.json"}) {
    auto issues = rule(name);
    INFO(name << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invariant", "Encounter.period", "per-1"));
    CHECK(count_errors(issues) == 1);
  }
}

TEST_CASE("per-1 is checked without a FHIRPath engine", "[validation][rules]") {
  carebridge::fhir::validation::Options no_invariants;
  no_invariants.invariants = false;
  auto issues = validate_text(read_text(fixture("validation/rules/period-reversed.json")), no_invariants);
  CHECK(has_issue(issues, Severity::Error, "invariant", "Encounter.period", "per-1"));
}

TEST_CASE("Attachment size and hash are checked against the inline data", "[validation][rules]") {
  auto good = rule("attachment-size-hash.json");
  INFO(describe(good));
  CHECK(good.empty());
  auto size = rule("attachment-wrong-size.json");
  INFO(describe(size));
  CHECK(has_issue(size, Severity::Error, "value", "DocumentReference.content[0].attachment.size", "50 bytes"));
  // A wrong hash is an error, as the reference validator has it; a warning when ingesting.
  auto hash = rule("attachment-wrong-hash.json");
  INFO(describe(hash));
  CHECK(has_issue(hash, Severity::Error, "value", "DocumentReference.content[0].attachment.hash", "SHA-1"));
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  auto ingested = validate_text(read_text(fixture("validation/rules/attachment-wrong-hash.json")), ingest);
  INFO(describe(ingested));
  CHECK(has_issue(ingested, Severity::Warning, "value", "DocumentReference.content[0].attachment.hash", "SHA-1"));
  CHECK(count_errors(ingested) == 0);
}

TEST_CASE("a relative canonical is a warning, as the R4 examples use them, but a relative meta.profile is an error", "[validation][rules]") {
  auto issues = validate_text(R"({"resourceType":"Measure","id":"m","status":"draft",
      "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">M</div>"},
      "library":["Library/screening-logic"]})");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Warning, "value", "Measure.library[0]", "must be absolute"));
  CHECK(count_errors(issues) == 0);
  // A relative profile is no profile anyone can find: an error, as the reference validator has it.
  auto profile = validate_text(R"({"resourceType":"Patient","id":"p","meta":{"profile":["StructureDefinition/my-patient"]},
      "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">P</div>"}})");
  INFO(describe(profile));
  CHECK(has_issue(profile, Severity::Error, "value", "Patient.meta.profile[0]", "must be absolute"));
}

namespace {

// A Patient whose narrative's div holds `body`, validated strictly or under the ingest policy.
std::vector<carebridge::fhir::model::Issue> with_div(const std::string& body, bool ingest = false) {
  carebridge::fhir::validation::Options options;
  if (ingest) options.policy = carebridge::fhir::validation::Policy::Ingest;
  return validate_text(R"({"resourceType":"Patient","id":"p","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">)" +
                           body + R"(</div>"}})",
                       options);
}

}  // namespace

TEST_CASE("narrative link and image URLs hold only URL characters", "[validation][rules][narrative]") {
  CHECK(count_errors(with_div(R"(See <a href=\"https://carebridge.example/help?topic=intake#forms\">help</a>)")) == 0);
  auto spaced = with_div(R"(See <a href=\"https://carebridge.example/intake form.pdf\">form</a>)");
  INFO(describe(spaced));
  CHECK(has_issue(spaced, Severity::Error, "invalid", "Patient.text.div", "character ' '"));
  auto data = with_div(R"(Logo <img src=\"data:image/png;base64\" alt=\"logo\"/>)");
  CHECK(has_issue(data, Severity::Error, "invalid", "Patient.text.div", "data URL"));
  auto empty = with_div(R"(Logo <img src=\"\" alt=\"logo\"/>)");
  CHECK(has_issue(empty, Severity::Error, "invalid", "Patient.text.div", "empty src"));
}

TEST_CASE("a narrative data URL has base64 data when it says so and a media type of type and subtype",
          "[validation][rules][narrative]") {
  auto with_image = [](const std::string& src) {
    return validate_text(R"({"resourceType":"Patient","id":"p","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Logo <img src=\")" +
                         src + R"(\" alt=\"logo\"/></div>"}})");
  };
  for (const char* fine : {"data:image/png;base64,iVBORw0KGgo=", "data:text/plain;charset=UTF-8,FHIR", "data:,Hello%2C%20World",
                           "data:image/svg+xml;base64,PHN2Zy8+"}) {
    INFO(fine);
    CHECK(count_errors(with_image(fine)) == 0);
  }
  auto not_base64 = with_image("data:image/png;base64,iVBOR!!Kgo=");
  INFO(describe(not_base64));
  CHECK(has_issue(not_base64, Severity::Error, "invalid", "Patient.text.div", "not base64"));
  auto no_slash = with_image("data:imagepng;base64,iVBORw0KGgo=");
  INFO(describe(no_slash));
  CHECK(has_issue(no_slash, Severity::Error, "invalid", "Patient.text.div", "media type 'imagepng'"));
  CHECK(has_issue(with_image("data:text/plain,"), Severity::Error, "invalid", "Patient.text.div", "data after it"));
}

TEST_CASE("narrative elements and attributes as the reference validator lists them", "[validation][rules][narrative]") {
  CHECK(count_errors(with_div(R"(<table border=\"1\"><tr><td colspan=\"2\" nowrap=\"nowrap\">x</td></tr></table>)")) == 0);
  // Presentational HTML: refused when strict, tolerated when ingesting.
  auto font = R"(<p><font color=\"red\">Allergic</font></p>)";
  CHECK(has_issue(with_div(font), Severity::Error, "invalid", "Patient.text.div", "<font>"));
  CHECK(count_errors(with_div(font, true)) == 0);
  auto bgcolor = R"(<p bgcolor=\"red\">Allergic</p>)";
  CHECK(has_issue(with_div(bgcolor), Severity::Error, "invalid", "Patient.text.div", "'bgcolor'"));
  CHECK(count_errors(with_div(bgcolor, true)) == 0);
  auto nested = R"(<p>Problems<ul><li>Asthma</li></ul></p>)";
  CHECK(has_issue(with_div(nested), Severity::Error, "invalid", "Patient.text.div", "inside a paragraph"));
  CHECK(count_errors(with_div(nested, true)) == 0);
}

TEST_CASE("narrative elements nest as the reference validator's structure rules say", "[validation][rules][narrative]") {
  // Pretty-printed tables and lists, inline markup in paragraphs: all fine.
  for (const char* fine : {R"(<table>\n <tbody>\n  <tr><th>Name</th><td><b>Ada</b> <i>Okafor</i></td></tr>\n </tbody>\n</table>)",
                           R"(<ul>\n <li><p>Asthma</p></li>\n</ul><dl><dt>Dose</dt><dd>5 mg</dd></dl><p>See <a href=\"https://example.org/asthma\">x</a><br/></p>)"}) {
    auto issues = with_div(fine);
    INFO(fine << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
  struct Bad {
    const char* body;
    const char* words;
  };
  for (const Bad& bad : {Bad{R"(<b>very <b>bold</b></b>)", "contains itself"},
                         Bad{R"(<span>a<div>b</div></span>)", "block structures"},
                         Bad{R"(<p>a<pre>b</pre></p>)", "block structures"},
                         Bad{R"(<table>rows<tr><td>x</td></tr></table>)", "cannot hold @text"},
                         Bad{R"(<table><td>x</td></table>)", "must be in a tr"},
                         Bad{R"(<li>alone</li>)", "must be in a ul|ol"},
                         Bad{R"(<ul><p>x</p></ul>)", "cannot hold p"},
                         Bad{R"(<br>text</br>)", "cannot have children"}}) {
    auto issues = with_div(bad.body);
    INFO(bad.body << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "structure", "Patient.text.div", bad.words));
    CHECK(count_errors(with_div(bad.body, true)) == 0);
  }
}

TEST_CASE("a hostile narrative of deeply nested elements gets a bounded list of findings", "[validation][rules][narrative]") {
  // Each of 150 nested spans listed every one of 2,000 divs below it: a 13 KB resource made 100 MB
  // of findings. Now each problem is said once, at most 20 a narrative, each list five paths long.
  std::string body;
  for (int i = 0; i < 150; ++i) body += "<span>";
  for (int i = 0; i < 2000; ++i) body += "<div/>";
  for (int i = 0; i < 150; ++i) body += "</span>";
  for (int i = 0; i < 100; ++i) body += "<b>";
  for (int i = 0; i < 100; ++i) body += "</b>";
  auto issues = with_div(body);
  size_t structure = 0, text = 0;
  for (const auto& i : issues) {
    if (i.code != "structure") continue;
    ++structure;
    text += i.message.size();
  }
  CHECK(has_issue(issues, Severity::Error, "structure", "Patient.text.div", "and 1995 more"));
  CHECK(has_issue(issues, Severity::Error, "structure", "Patient.text.div", "more problems with how the narrative's elements nest"));
  CHECK(structure == 21);
  CHECK(text < 100000);
}
