// Bundle rules the reference validator checks, one fixture each under
// tests/data/validation/rules: absolute and unique fullUrls (bdl-7 with versions), how
// references resolve inside a Bundle and the type of what they resolve to, link
// relations, and documents and messages that carry what they refer to.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

std::vector<carebridge::fhir::model::Issue> rule(const std::string& name) {
  return validate_text(read_text(fixture("validation/rules/" + name)));
}

}  // namespace

TEST_CASE("fullUrl is absolute: a RESTful URL or a urn", "[validation][rules][bundles]") {
  auto good = rule("bundle-fullurl-absolute.json");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto relative = rule("bundle-fullurl-relative.json");
  INFO(describe(relative));
  CHECK(has_issue(relative, Severity::Error, "invalid", "Bundle.entry[0]", "absolute"));
}

TEST_CASE("a RESTful fullUrl ends with its resource's type and id: an error when strict and a warning when ingesting",
          "[validation][rules][bundles]") {
  const std::string bundle = R"({"resourceType":"Bundle","type":"collection","entry":[
      {"fullUrl":"http://example.org/fhir/Observation/o1","resource":{"resourceType":"Observation","id":"o2",
        "status":"final","code":{"text":"Heart rate"}}}]})";
  auto strict = validate_text(bundle);
  INFO(describe(strict));
  CHECK(has_issue(strict, Severity::Error, "invalid", "Bundle.entry[0]", "does not end with the type and id '/Observation/o2'"));
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  auto ingested = validate_text(bundle, ingest);
  INFO(describe(ingested));
  CHECK(count_errors(ingested) == 0);
  CHECK(has_issue(ingested, Severity::Warning, "invalid", "Bundle.entry[0]", "does not end with"));
}

TEST_CASE("a fullUrl that is the resource's canonical url is the RESTful URL of its type and id", "[validation][rules][bundles]") {
  auto entry = [](const std::string& full_url, const std::string& url, const std::string& id) {
    return validate_text(R"({"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":")" + full_url +
                         R"(","resource":{"resourceType":"CodeSystem","id":")" + id + R"(","url":")" + url +
                         R"(","name":"Colors","status":"active","content":"complete","concept":[{"code":"red"}]}}]})");
  };
  auto not_restful = entry("http://example.org/codes/colors", "http://example.org/codes/colors", "colors");
  INFO(describe(not_restful));
  CHECK(has_issue(not_restful, Severity::Error, "invalid", "Bundle.entry[0]", "canonical url"));
  auto restful = entry("http://example.org/fhir/CodeSystem/colors", "http://example.org/fhir/CodeSystem/colors", "colors");
  INFO(describe(restful));
  CHECK(count_errors(restful) == 0);
  auto elsewhere = entry("urn:uuid:5b0b2a3e-8c1d-4f6a-9e27-3d4c5b6a7f81", "http://example.org/codes/colors", "colors");
  INFO(describe(elsewhere));
  CHECK(count_errors(elsewhere) == 0);
  auto pre_utg = entry("http://hl7.org/fhir/v3/Colors", "http://hl7.org/fhir/v3/Colors", "v3-Colors");
  INFO(describe(pre_utg));
  CHECK(count_errors(pre_utg) == 0);
}

TEST_CASE("bdl-7: a fullUrl is unique, unless the entries are different versions", "[validation][rules][bundles]") {
  auto versions = rule("bundle-fullurl-versions.json");
  INFO(describe(versions));
  CHECK(count_errors(versions) == 0);
  auto duplicate = rule("bundle-fullurl-duplicate.json");
  INFO(describe(duplicate));
  CHECK(has_issue(duplicate, Severity::Error, "invariant", "Bundle.entry[1]", "bdl-7"));
}

TEST_CASE("a reference matching several entries is an error, a version picks one", "[validation][rules][bundles]") {
  auto issues = rule("bundle-reference-ambiguous.json");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "invalid", "Bundle.entry[2].resource.subject.reference", "multiple entries"));
  CHECK_FALSE(has_issue(issues, Severity::Error, "", "Bundle.entry[3].resource.subject.reference"));
  CHECK(count_errors(issues) == 1);
}

TEST_CASE("a urn:uuid reference that matches no entry is a warning", "[validation][rules][bundles]") {
  auto issues = rule("bundle-reference-urn-missing.json");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Warning, "not-found", "Bundle.entry[0].resource.subject.reference"));
  CHECK(count_errors(issues) == 0);
}

TEST_CASE("the entry a reference resolves to must be a type the reference allows", "[validation][rules][bundles]") {
  auto issues = rule("bundle-reference-wrong-type.json");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "structure", "Bundle.entry[2].resource.subject.reference", "Observation"));
  CHECK(count_errors(issues) == 1);
}

TEST_CASE("relative references resolve against the entry's fullUrl base", "[validation][rules][bundles]") {
  auto good = rule("bundle-reference-relative.json");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto wrong = rule("bundle-reference-relative-wrong-type.json");
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Error, "structure", "Bundle.entry[1].resource.subject.reference", "Practitioner"));
}

TEST_CASE("link relations: paging only in search and history results, each at most once", "[validation][rules][bundles]") {
  auto good = rule("bundle-links-searchset.json");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto repeated = rule("bundle-links-repeated.json");
  INFO(describe(repeated));
  CHECK(has_issue(repeated, Severity::Error, "invalid", "Bundle.link[2]", "only once"));
  auto collection = rule("bundle-links-paging-in-collection.json");
  INFO(describe(collection));
  CHECK(has_issue(collection, Severity::Error, "invalid", "Bundle.link[1]", "'next'"));
}

TEST_CASE("a document carries what its Composition refers to, and nothing unreachable", "[validation][rules][bundles]") {
  auto complete = rule("document-complete.json");
  INFO(describe(complete));
  CHECK(count_errors(complete) == 0);  // the Provenance that points back is expected
  auto author = rule("document-missing-author.json");
  INFO(describe(author));
  CHECK(has_issue(author, Severity::Error, "not-found", "Bundle.entry[0].resource.author[0].reference", "Practitioner/lee"));
  auto orphan = rule("document-orphan-entry.json");
  INFO(describe(orphan));
  CHECK(has_issue(orphan, Severity::Error, "invalid", "Bundle.entry[4]", "cannot be reached"));
  CHECK(count_errors(orphan) == 1);
}

TEST_CASE("a message carries its focus, unreachable entries are warnings", "[validation][rules][bundles]") {
  auto issues = rule("message-missing-focus.json");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "not-found", "Bundle.entry[0].resource.focus[0].reference", "ServiceRequest/ref1"));
  CHECK(has_issue(issues, Severity::Warning, "invalid", "Bundle.entry[1]", "cannot be reached"));
  CHECK(count_errors(issues) == 1);
}

TEST_CASE("ingest tolerates what real senders do: no fullUrls in a transaction, loose documents", "[validation][rules][bundles]") {
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  const std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Observation","status":"final","code":{"text":"Heart rate"},
        "subject":{"reference":"Patient/rosa"}},"request":{"method":"POST","url":"Observation"}}]})";
  auto strict = validate_text(transaction);
  INFO(describe(strict));
  CHECK(has_issue(strict, Severity::Error, "required", "Bundle.entry[0].resource.subject.reference", "no fullUrl"));
  auto ingested = validate_text(transaction, ingest);
  INFO(describe(ingested));
  CHECK(count_errors(ingested) == 0);
  auto orphan = validate_text(read_text(fixture("validation/rules/document-orphan-entry.json")), ingest);
  INFO(describe(orphan));
  CHECK(has_issue(orphan, Severity::Warning, "invalid", "Bundle.entry[4]", "cannot be reached"));
  CHECK(count_errors(orphan) == 0);
}

TEST_CASE("a document's relative stylesheet link names one of its entries", "[validation][rules][bundles]") {
  const std::string document = R"({"resourceType":"Bundle","id":"d","type":"document","timestamp":"2020-01-01T10:00:00Z",
    "identifier":{"system":"urn:ietf:rfc:3986","value":"urn:uuid:00000000-0000-4000-8000-000000000009"},
    "link":[{"relation":"stylesheet","url":"STYLESHEET"}],
    "entry":[{"fullUrl":"http://example.org/fhir/Composition/c","resource":{"resourceType":"Composition","id":"c",
      "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">c</div>"},"status":"final",
      "type":{"text":"note"},"date":"2020-01-01","author":[{"reference":"Patient/p"}],"title":"t","subject":{"reference":"Patient/p"}}},
     {"fullUrl":"http://example.org/fhir/Patient/p","resource":{"resourceType":"Patient","id":"p",
      "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">p</div>"}}},
     {"fullUrl":"http://example.org/fhir/Binary/css","resource":{"resourceType":"Binary","id":"css","contentType":"text/css"}}]})";
  auto with = [&](const std::string& url) {
    std::string text = document;
    return validate_text(text.replace(text.find("STYLESHEET"), 10, url));
  };
  auto found = with("Binary/css");
  INFO(describe(found));
  CHECK(!has_issue(found, Severity::Error, "not-found", "Bundle.link[0]"));
  CHECK(has_issue(with("Binary/other"), Severity::Error, "not-found", "Bundle.link[0]", "stylesheet"));
  CHECK(!has_issue(with("https://hl7.org/fhir/fhir.css"), Severity::Error, "not-found", "Bundle.link[0]"));
}
