// The in-memory matcher on small resources: each parameter type with its modifiers
// and prefixes, shared rows and composites, and chains and _has through a resolver.
// (tests/e2e/search_differential_test.cpp holds it to the SQL store's answers.)
#include <catch2/catch.hpp>

#include <map>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/search/index.h"
#include "fhir/search/matcher.h"
#include "fhir/search/parse.h"
#include "support/test_support.h"

using namespace carebridge;
using fhir::search::IndexedResource;
using fhir::search::IndexedView;

namespace {

struct Fixture {
  fhir::search::SearchRegistry registry{testing::core()};
  fhir::fhirpath::Engine engine{testing::core()};
  // The server's extractor (composites need FHIRPath).
  std::unique_ptr<fhir::search::IndexExtractor> extractor = fhir::search::make_fhirpath_extractor(registry, engine);
  std::vector<std::unique_ptr<fhir::model::Document>> documents;
  std::map<std::string, IndexedResource> by_key;

  const IndexedResource& add(const std::string& json) {
    auto parsed = testing::parse(json);
    REQUIRE(parsed.document);
    auto indexed = fhir::search::index_resource(*extractor, *parsed.document->root());
    documents.push_back(std::move(parsed.document));
    std::string key = indexed.type + "/" + indexed.id;
    return by_key[key] = std::move(indexed);
  }

  fhir::search::Resolver resolver() const {
    fhir::search::Resolver r;
    r.resolve = [this](std::string_view key) -> std::optional<IndexedView> {
      auto it = by_key.find(std::string(key));
      return it == by_key.end() ? std::nullopt : std::optional<IndexedView>(it->second.view());
    };
    r.referrers = [this](std::string_view type, std::string_view, std::string_view,
                         const fhir::search::Resolver::Visit& visit) {
      for (const auto& [key, resource] : by_key) {
        if (resource.type == type && !visit(resource.view())) return;
      }
    };
    return r;
  }

  // Whether the resource `key` matches the search "Type?query".
  bool matches(const std::string& key, const std::string& type, const fhir::search::Params& params,
               bool with_resolver = true) const {
    fhir::search::ParsedSearch parsed;
    std::vector<fhir::model::Issue> issues;
    REQUIRE(fhir::search::parse_search(registry, type, params, {}, true, parsed, issues));
    return fhir::search::matches(parsed.query, by_key.at(key).view(), with_resolver ? resolver() : fhir::search::Resolver{});
  }
};

}  // namespace

TEST_CASE("the matcher decides one resource on its own index rows", "[fhir][search]") {
  Fixture f;
  const auto& anna = f.add(R"({"resourceType":"Patient","id":"anna","meta":{"lastUpdated":"2024-05-01T10:00:00.250Z"},)"
                           R"("name":[{"family":"Jönes","given":["Anna"]}],"gender":"female","birthDate":"1980-05-17",)"
                           R"("identifier":[{"system":"urn:mrn","value":"7"}]})");
  CHECK(anna.id == "anna");
  CHECK(anna.updated_ms == 1714557600250);
  f.add(R"({"resourceType":"Observation","id":"bp","status":"final","subject":{"reference":"Patient/anna"},)"
        R"("code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"Blood pressure"},)"
        R"("component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},)"
        R"("valueQuantity":{"value":152,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]})");
  const std::string p = "Patient/anna", o = "Observation/bp";
  // string, token, date, _id, _lastUpdated
  CHECK(f.matches(p, "Patient", {{"name", "jones"}}));
  CHECK(f.matches(p, "Patient", {{"name:contains", "ONE"}}));
  CHECK_FALSE(f.matches(p, "Patient", {{"name:exact", "Jones"}}));
  CHECK(f.matches(p, "Patient", {{"identifier", "urn:mrn|7"}, {"gender", "male,female"}}));
  CHECK_FALSE(f.matches(p, "Patient", {{"gender:not", "female"}}));
  CHECK(f.matches(p, "Patient", {{"birthdate", "1980-05"}, {"birthdate", "lt1981"}}));
  CHECK_FALSE(f.matches(p, "Patient", {{"birthdate", "sa1980"}}));
  CHECK(f.matches(p, "Patient", {{"_id", "x,anna"}, {"_lastUpdated", "2024-05-01"}}));
  CHECK_FALSE(f.matches(p, "Observation", {}));  // another type
  // :missing, :text, quantity, composite, and patient reading subject's rows
  CHECK(f.matches(p, "Patient", {{"address:missing", "true"}, {"birthdate:missing", "false"}}));
  CHECK(f.matches(o, "Observation", {{"code:text", "blood"}}));
  CHECK(f.matches(o, "Observation", {{"component-code-value-quantity", "http://loinc.org|8480-6$gt140"}}));
  CHECK_FALSE(f.matches(o, "Observation", {{"component-code-value-quantity", "8480-6$gt160"}}));
  CHECK(f.matches(o, "Observation", {{"combo-code", "8480-6"}, {"patient", "anna"}}));
  CHECK_FALSE(f.matches(o, "Observation", {{"code", "8480-6"}}));
}

TEST_CASE("a UCUM quantity is found in any unit of its dimension and a search in no unit reads it as written",
          "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Observation","id":"g","status":"final","code":{"text":"glucose"},)"
        R"("valueQuantity":{"value":5400,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}})");
  f.add(R"({"resourceType":"Observation","id":"t","status":"final","code":{"text":"temperature"},)"
        R"("valueQuantity":{"value":37,"unit":"C","system":"http://unitsofmeasure.org","code":"Cel"}})");
  const std::string g = "Observation/g", t = "Observation/t";
  const std::string ucum = "|http://unitsofmeasure.org|";
  CHECK(f.matches(g, "Observation", {{"value-quantity", "5400" + ucum + "mg"}}));
  CHECK(f.matches(g, "Observation", {{"value-quantity", "5.4" + ucum + "g"}}));
  CHECK(f.matches(g, "Observation", {{"value-quantity", "gt5" + ucum + "g"}}));
  CHECK(f.matches(g, "Observation", {{"value-quantity", "lt6000000" + ucum + "ug"}}));
  CHECK_FALSE(f.matches(g, "Observation", {{"value-quantity", "5.4" + ucum + "kg"}}));
  CHECK_FALSE(f.matches(g, "Observation", {{"value-quantity", "5.4" + ucum + "mL"}}));  // another dimension
  CHECK_FALSE(f.matches(g, "Observation", {{"value-quantity", "5.4"}}));  // no unit: the value as written
  CHECK(f.matches(g, "Observation", {{"value-quantity", "5400"}}));
  CHECK_FALSE(f.matches(g, "Observation", {{"value-quantity", "5.4||g"}}));
  // Celsius has no canonical form here: found by its own code.
  CHECK(f.matches(t, "Observation", {{"value-quantity", "37" + ucum + "Cel"}}));
  CHECK_FALSE(f.matches(t, "Observation", {{"value-quantity", "310" + ucum + "K"}}));
}

TEST_CASE("canonical UCUM values keep their precision through quotients and leave annotated units as written",
          "[fhir][search]") {
  Fixture f;
  auto observation = [&](const std::string& id, const std::string& value, const std::string& code) {
    f.add(R"({"resourceType":"Observation","id":")" + id + R"(","status":"final","code":{"text":"x"},)"
          R"("valueQuantity":{"value":)" + value + R"(,"system":"http://unitsofmeasure.org","code":")" + code + R"("}})");
    return "Observation/" + id;
  };
  const std::string ucum = "|http://unitsofmeasure.org|";
  std::string clearance = observation("gfr", "80", "mL/min"), drip = observation("drip", "1", "mL/h");
  std::string copies = observation("vl", "5", "{copies}/mL"), dose = observation("dose", "2", "mg/kg/d");
  CHECK(f.matches(clearance, "Observation", {{"value-quantity", "1.33" + ucum + "mL/s"}}));  // 80/60 = 1.333
  CHECK_FALSE(f.matches(clearance, "Observation", {{"value-quantity", "1.5" + ucum + "mL/s"}}));
  CHECK(f.matches(drip, "Observation", {{"value-quantity", "24" + ucum + "mL/d"}}));
  CHECK(f.matches(dose, "Observation", {{"value-quantity", "14" + ucum + "mg/kg/wk"}}));
  CHECK(f.matches(copies, "Observation", {{"value-quantity", "5" + ucum + "{copies}/mL"}}));
  CHECK_FALSE(f.matches(copies, "Observation", {{"value-quantity", "5" + ucum + "{cells}/mL"}}));
  CHECK_FALSE(f.matches(copies, "Observation", {{"value-quantity", "5000" + ucum + "/L"}}));
}

TEST_CASE("ge and le find a period reaching into the searched day from either side", "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Encounter","id":"e","status":"finished","class":{"code":"AMB"},)"
        R"("period":{"start":"2020-12-01","end":"2021-01-01T10:00:00Z"}})");
  f.add(R"({"resourceType":"CarePlan","id":"c","status":"active","intent":"plan","subject":{"reference":"Patient/p"},)"
        R"("period":{"start":"2025-03-01"}})");
  const std::string e = "Encounter/e";
  CHECK(f.matches(e, "Encounter", {{"date", "ge2021-01-01"}}));  // ends inside the searched day
  CHECK_FALSE(f.matches(e, "Encounter", {{"date", "ge2021-01-02"}}));
  CHECK(f.matches(e, "Encounter", {{"date", "ge2020-12"}}));
  CHECK(f.matches(e, "Encounter", {{"date", "le2020-12-01"}}));  // begins inside it
  CHECK_FALSE(f.matches(e, "Encounter", {{"date", "le2020-11-30"}}));
  CHECK_FALSE(f.matches(e, "Encounter", {{"date", "gt2021-01-01"}}));
  CHECK_FALSE(f.matches(e, "Encounter", {{"date", "lt2020-12-01"}}));
  CHECK(f.matches("CarePlan/c", "CarePlan", {{"date", "le2025-03-01"}}));  // open-ended, from that day
  CHECK(f.matches("CarePlan/c", "CarePlan", {{"date", "ge2030"}}));
}

TEST_CASE("a reference given by its identifier alone is not missing", "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},)"
        R"("subject":{"identifier":{"system":"urn:mrn","value":"7"}}})");
  CHECK(f.matches("Observation/o", "Observation", {{"subject:missing", "false"}}));
  CHECK_FALSE(f.matches("Observation/o", "Observation", {{"subject:missing", "true"}}));
  CHECK(f.matches("Observation/o", "Observation", {{"encounter:missing", "true"}}));
}

TEST_CASE("a quantity of two or four parts and a reference modifier naming no type are refused", "[fhir][search]") {
  fhir::search::SearchRegistry registry{testing::core()};
  auto refused = [&](const std::string& key, const std::string& value) {
    fhir::search::ParsedSearch parsed;
    std::vector<fhir::model::Issue> issues;
    bool ok = fhir::search::parse_search(registry, "Observation", {{key, value}}, {}, false, parsed, issues);
    return !ok && !issues.empty() && issues.front().message.find(key.substr(0, key.find(':'))) != std::string::npos;
  };
  CHECK(refused("value-quantity", "1|2|3|4"));
  CHECK(refused("value-quantity", "5.4|http://unitsofmeasure.org"));
  CHECK(refused("subject:Nope", "1"));
  CHECK_FALSE(refused("value-quantity", "5.4|http://unitsofmeasure.org|mg"));
  CHECK_FALSE(refused("subject:Patient", "1"));
}

TEST_CASE("a bare _include=* includes through every reference parameter of the searched type", "[fhir][search]") {
  fhir::search::SearchRegistry registry{testing::core()};
  fhir::search::ParsedSearch parsed;
  std::vector<fhir::model::Issue> issues;
  REQUIRE(fhir::search::parse_search(registry, "Observation", {{"_include", "*"}}, {}, true, parsed, issues));
  REQUIRE(parsed.includes.size() == 1);
  CHECK(parsed.includes[0].source_type == "Observation");
  CHECK(parsed.includes[0].param == "*");
}

TEST_CASE("the matcher follows chains and _has through its resolver", "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Patient","id":"anna","name":[{"family":"Okafor"}],"gender":"female"})");
  f.add(R"({"resourceType":"Practitioner","id":"doc","name":[{"family":"Lund"}]})");
  f.add(R"({"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"code":"2345-7"}]},)"
        R"("subject":{"reference":"Patient/anna"},"performer":[{"reference":"Practitioner/doc"}]})");
  CHECK(f.matches("Observation/o1", "Observation", {{"subject:Patient.name", "okafor"}}));
  CHECK_FALSE(f.matches("Observation/o1", "Observation", {{"subject:Patient.name", "lund"}}));
  CHECK_FALSE(f.matches("Observation/o1", "Observation", {{"subject:Patient.name", "okafor"}}, false));  // no resolver
  CHECK(f.matches("Patient/anna", "Patient", {{"_has:Observation:subject:code", "2345-7"}}));
  CHECK_FALSE(f.matches("Patient/anna", "Patient", {{"_has:Observation:subject:code", "718-7"}}));
  CHECK(f.matches("Practitioner/doc", "Practitioner", {{"_has:Observation:performer:subject:Patient.gender", "female"}}));
  CHECK(f.matches("Observation/o1", "Observation", {{"performer:Practitioner._has:Observation:performer:code", "2345-7"}}));
  // Two levels: the Patient of an Observation that a final DiagnosticReport lists.
  f.add(R"({"resourceType":"DiagnosticReport","id":"r1","status":"final","code":{"text":"panel"},)"
        R"("result":[{"reference":"Observation/o1"}]})");
  CHECK(f.matches("Patient/anna", "Patient", {{"_has:Observation:subject:_has:DiagnosticReport:result:status", "final"}}));
  CHECK_FALSE(f.matches("Patient/anna", "Patient", {{"_has:Observation:subject:_has:DiagnosticReport:result:status", "partial"}}));
}

TEST_CASE("a system search over several types reads each parameter as each type does", "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"}})");
  f.add(R"({"resourceType":"Encounter","id":"e2","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p2"}})");
  f.add(R"({"resourceType":"Immunization","id":"i2","status":"completed","vaccineCode":{"text":"x"},)"
        R"("patient":{"reference":"Patient/p2"},"occurrenceString":"x"})");
  const fhir::search::Params search = {{"_type", "Encounter,Immunization"}, {"patient", "p2"}};
  CHECK(f.matches("Encounter/e2", "", search));
  CHECK(f.matches("Immunization/i2", "", search));
  CHECK_FALSE(f.matches("Encounter/e1", "", search));
  CHECK_FALSE(f.matches("Encounter/e2", "", {{"_type", "Encounter,Immunization"}, {"patient", "p1"}}));
  // A parameter one of the types lacks is unknown: refused under strict handling, with the type.
  fhir::search::ParsedSearch parsed;
  std::vector<fhir::model::Issue> issues;
  CHECK_FALSE(fhir::search::parse_search(f.registry, "", {{"_type", "Encounter,Immunization"}, {"class", "AMB"}}, {}, true,
                                         parsed, issues));
  REQUIRE_FALSE(issues.empty());
  CHECK(issues.front().message.find("Immunization") != std::string::npos);
}

TEST_CASE("code-value-date pairs an observation's code with its dateTime value", "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Observation","id":"lmp","status":"final",)"
        R"("code":{"coding":[{"system":"http://loinc.org","code":"8665-2"}]},"valueDateTime":"2022-12-01"})");
  const std::string o = "Observation/lmp";
  CHECK(f.matches(o, "Observation", {{"code-value-date", "8665-2$2022-12"}}));
  CHECK(f.matches(o, "Observation", {{"code-value-date", "http://loinc.org|8665-2$lt2023-01-01"}}));
  CHECK_FALSE(f.matches(o, "Observation", {{"code-value-date", "8665-2$gt2023"}}));
  CHECK_FALSE(f.matches(o, "Observation", {{"code-value-date", "8480-6$2022-12"}}));
  CHECK(f.matches(o, "Observation", {{"code-value-date:missing", "false"}}));
}

TEST_CASE("sa and eb compare with the implied range of a number and gt and lt with the number exactly", "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Observation","id":"w","status":"final","code":{"text":"weight"},)"
        R"("valueQuantity":{"value":100.4,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}})");
  const std::string w = "Observation/w";
  // 100 stands for [99.5, 100.5): 100.4 is inside it, so it neither starts after nor ends before it.
  CHECK(f.matches(w, "Observation", {{"value-quantity", "gt100"}}));
  CHECK_FALSE(f.matches(w, "Observation", {{"value-quantity", "sa100"}}));
  CHECK(f.matches(w, "Observation", {{"value-quantity", "sa100.3"}}));
  CHECK_FALSE(f.matches(w, "Observation", {{"value-quantity", "eb100.4"}}));
  CHECK(f.matches(w, "Observation", {{"value-quantity", "eb101"}}));
  CHECK(f.matches(w, "Observation", {{"value-quantity", "lt100.5"}}));
}

TEST_CASE(":of-type on a token over codes and a bare _has are refused and :identifier's refusal names the parameter",
          "[fhir][search]") {
  fhir::search::SearchRegistry registry{testing::core()};
  auto refused = [&](const std::string& type, const std::string& key, const std::string& value) {
    fhir::search::ParsedSearch parsed;
    std::vector<fhir::model::Issue> issues;
    bool ok = fhir::search::parse_search(registry, type, {{key, value}}, {}, false, parsed, issues);
    return !ok && !issues.empty() && issues.front().message.find(key.substr(0, key.find(':'))) != std::string::npos;
  };
  CHECK(refused("Observation", "code:of-type", "http://loinc.org|x|y"));
  CHECK_FALSE(refused("Patient", "identifier:of-type", "http://terminology.hl7.org/CodeSystem/v2-0203|MR|7"));
  CHECK(refused("Patient", "_has", "Observation"));
  CHECK(refused("Patient", "name:identifier", "urn:x|y"));
}

TEST_CASE("a system search over several types sorts by a parameter they all have", "[fhir][search]") {
  fhir::search::SearchRegistry registry{testing::core()};
  auto sorts = [&](const std::string& types, const std::string& sort) {
    fhir::search::ParsedSearch parsed;
    std::vector<fhir::model::Issue> issues;
    bool ok = fhir::search::parse_search(registry, "", {{"_type", types}, {"_sort", sort}}, {}, true, parsed, issues);
    return ok && parsed.query.sort.size() == 1;
  };
  CHECK(sorts("Encounter,Procedure", "-date"));
  CHECK(sorts("Encounter,Condition", "patient"));
  CHECK_FALSE(sorts("Encounter,Patient", "date"));
}

TEST_CASE("system|code finds an element of type code whose binding implies that system and no Coding without one", "[fhir][search]") {
  Fixture f;
  f.add(R"({"resourceType":"Patient","id":"m","gender":"male"})");
  f.add(R"({"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"code":"final"}]}})");
  const std::string m = "Patient/m";
  CHECK(f.matches(m, "Patient", {{"gender", "http://hl7.org/fhir/administrative-gender|male"}}));
  CHECK_FALSE(f.matches(m, "Patient", {{"gender", "http://hl7.org/fhir/administrative-gender|female"}}));
  CHECK_FALSE(f.matches(m, "Patient", {{"gender", "http://example.org/genders|male"}}));
  CHECK_FALSE(f.matches(m, "Patient", {{"gender:not", "http://hl7.org/fhir/administrative-gender|male"}}));
  CHECK(f.matches("Observation/o", "Observation", {{"status", "http://hl7.org/fhir/observation-status|final"}}));
  // A Coding written without its system is not of that system (R4 search 3.1.1.4.10).
  f.add(R"({"resourceType":"Observation","id":"l","status":"final","code":{"text":"x"},"category":[{"coding":[{"code":"laboratory"}]}]})");
  CHECK_FALSE(f.matches("Observation/l", "Observation",
                        {{"category", "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"}}));
  CHECK(f.matches("Observation/l", "Observation", {{"category", "laboratory"}}));
}
