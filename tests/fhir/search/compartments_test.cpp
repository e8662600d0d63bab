// Compartments read from a CompartmentDefinition: the clause that keeps a search of a type to
// the resources in one patient's compartment, judged by the in-memory matcher.
#include <catch2/catch.hpp>

#include "fhir/search/compartments.h"
#include "fhir/search/index.h"
#include "fhir/search/matcher.h"
#include "support/test_support.h"

using namespace carebridge;

TEST_CASE("a compartment search keeps to the resources one of the compartment's parameters places there", "[fhir][search]") {
  fhir::search::SearchRegistry registry{testing::core()};
  fhir::search::Compartments compartments;
  REQUIRE(compartments.add(R"({"resourceType":"CompartmentDefinition","code":"Patient","search":true,"resource":[)"
                           R"({"code":"Observation","param":["subject","performer"]},{"code":"Organization"}]})",
                           registry));
  CHECK(compartments.defines("Patient"));
  CHECK_FALSE(compartments.defines("Encounter"));
  CHECK(compartments.clause("Patient", "p1", "Organization").either.empty());  // never in it
  auto clause = compartments.clause("Patient", "p1", "Observation");
  REQUIRE(clause.either.size() == 2);
  fhir::search::SearchQuery query;
  query.type = "Observation";
  query.clauses.push_back(clause);
  auto extractor = fhir::search::make_path_extractor(registry);
  auto matches = [&](const std::string& json) {
    auto parsed = testing::parse(json);
    REQUIRE(parsed.document);
    auto indexed = fhir::search::index_resource(*extractor, *parsed.document->root());
    return fhir::search::matches(query, indexed.view(), {});
  };
  std::string head = R"({"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},)";
  CHECK(matches(head + R"("subject":{"reference":"Patient/p1"}})"));
  CHECK(matches(head + R"("performer":[{"reference":"Patient/p1"}]})"));
  CHECK_FALSE(matches(head + R"("subject":{"reference":"Patient/p2"}})"));
  CHECK_FALSE(matches(head + R"("subject":{"reference":"Group/p1"}})"));
}

TEST_CASE("the five R4 compartments come from the core definitions, each read once", "[fhir][search]") {
  fhir::search::SearchRegistry registry{testing::core()};
  auto compartments = fhir::search::Compartments::load(testing::core(), testing::core().root() / "r4", registry);
  for (const char* compartment : {"Patient", "Encounter", "RelatedPerson", "Practitioner", "Device"}) {
    INFO(compartment);
    CHECK(compartments.defines(compartment));
  }
  CHECK(compartments.urls().size() == 5);  // compartmentdefinition-patient.json is R4's Patient compartment again
  CHECK_FALSE(compartments.clause("Practitioner", "pr1", "Encounter").either.empty());  // participant, ...
  CHECK_FALSE(compartments.clause("Encounter", "e1", "Observation").either.empty());    // encounter
}
