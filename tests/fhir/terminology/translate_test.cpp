// ConceptMap $translate as a library function: element targets with their
// equivalence, dependsOn / product, groups chosen by source and target system, and
// the unmapped rules (provided, fixed, other-map, with loops cut); a core map.
#include <catch2/catch.hpp>

#include "terminology_fixture.h"

using namespace carebridge::testing::terminology;

namespace {

const std::string kTaxonomy = "http://carebridge.example/fhir/CodeSystem/211-taxonomy";
const std::string kPrograms = "http://carebridge.example/fhir/CodeSystem/local-programs";

std::string map_url(const std::string& id) { return "http://carebridge.example/fhir/ConceptMap/" + id; }

// Two maps from the services code system to a 211 taxonomy and to local programs, the
// first deferring to the second for what it lacks; and two maps that defer to each other.
const char* kMaps = R"({"resourceType":"Bundle","type":"collection","entry":[
  {"resource":{"resourceType":"ConceptMap","url":"http://carebridge.example/fhir/ConceptMap/services-to-211","group":[
    {"source":"http://carebridge.example/fhir/CodeSystem/services",
     "target":"http://carebridge.example/fhir/CodeSystem/211-taxonomy",
     "element":[
       {"code":"shelter","target":[{"code":"BH-1800.8000","display":"Emergency Shelter","equivalence":"equivalent"}]},
       {"code":"housing","target":[{"code":"BH","equivalence":"wider"},{"code":"BH-1800","equivalence":"narrower"}]},
       {"code":"legal","target":[{"equivalence":"unmatched","comment":"no legal services in this taxonomy"}]},
       {"code":"pantry","target":[{"code":"BD-1800.2000","equivalence":"equivalent",
         "dependsOn":[{"property":"http://carebridge.example/age-group","value":"adult"}],
         "product":[{"property":"http://carebridge.example/frequency","value":"weekly"}]}]}],
     "unmapped":{"mode":"other-map","url":"http://carebridge.example/fhir/ConceptMap/services-fallback"}},
    {"source":"http://carebridge.example/fhir/CodeSystem/services|1.0.0",
     "target":"http://carebridge.example/fhir/CodeSystem/local-programs",
     "element":[{"code":"food","target":[{"code":"FOOD","equivalence":"equal"}]}],
     "unmapped":{"mode":"provided"}}]}},
  {"resource":{"resourceType":"ConceptMap","url":"http://carebridge.example/fhir/ConceptMap/services-fallback","group":[
    {"source":"http://carebridge.example/fhir/CodeSystem/services",
     "target":"http://carebridge.example/fhir/CodeSystem/211-taxonomy",
     "element":[{"code":"ride","target":[{"code":"BT-4500","equivalence":"equivalent"}]}],
     "unmapped":{"mode":"fixed","code":"OTHER","display":"Other services"}}]}},
  {"resource":{"resourceType":"ConceptMap","url":"http://carebridge.example/fhir/ConceptMap/loop-a","group":[
    {"source":"http://carebridge.example/fhir/CodeSystem/services",
     "target":"http://carebridge.example/fhir/CodeSystem/211-taxonomy",
     "unmapped":{"mode":"other-map","url":"http://carebridge.example/fhir/ConceptMap/loop-b"}}]}},
  {"resource":{"resourceType":"ConceptMap","url":"http://carebridge.example/fhir/ConceptMap/loop-b","group":[
    {"source":"http://carebridge.example/fhir/CodeSystem/services",
     "target":"http://carebridge.example/fhir/CodeSystem/211-taxonomy",
     "unmapped":{"mode":"other-map","url":"http://carebridge.example/fhir/ConceptMap/loop-a"}}]}}]})";

const carebridge::fhir::terminology::Terminology& terminology() {
  static auto defs = definitions_with({kMaps});
  static term::Terminology instance(*defs);
  return instance;
}

term::Translation translate(const std::string& map, const std::string& code, const std::string& target = "",
                            const std::string& system = kServices) {
  auto result = terminology().translate(map_url(map), {system, code, target});
  REQUIRE(result.ok());
  return *result;
}

}  // namespace

TEST_CASE("$translate gives each group's targets with their equivalence", "[terminology][translate]") {
  auto shelter = translate("services-to-211", "shelter");
  CHECK(shelter.result);
  REQUIRE(shelter.matches.size() == 2);
  CHECK(shelter.matches[0].system == kTaxonomy);
  CHECK(shelter.matches[0].code == "BH-1800.8000");
  CHECK(shelter.matches[0].display == "Emergency Shelter");
  CHECK(shelter.matches[0].equivalence == "equivalent");
  CHECK(shelter.matches[0].source == map_url("services-to-211"));
  // The second group has no element for it: its unmapped rule gives the code as provided.
  CHECK(shelter.matches[1].system == kPrograms);
  CHECK(shelter.matches[1].code == "shelter");
  CHECK(shelter.matches[1].equivalence == "equal");
  CHECK(shelter.matches[1].unmapped == term::ConceptMap::Unmapped::provided);

  auto housing = translate("services-to-211", "housing", kTaxonomy);
  REQUIRE(housing.matches.size() == 2);
  CHECK(housing.matches[0].equivalence == "wider");
  CHECK(housing.matches[1].equivalence == "narrower");

  auto pantry = translate("services-to-211", "pantry", kTaxonomy);
  REQUIRE(pantry.matches.size() == 1);
  REQUIRE(pantry.matches[0].depends_on.size() == 1);
  CHECK(pantry.matches[0].depends_on[0].value == "adult");
  REQUIRE(pantry.matches[0].product.size() == 1);
  CHECK(pantry.matches[0].product[0].value == "weekly");
}

TEST_CASE("$translate chooses groups by source and target system", "[terminology][translate]") {
  auto food = translate("services-to-211", "food", kPrograms);
  REQUIRE(food.matches.size() == 1);
  CHECK(food.matches[0].code == "FOOD");  // the group's source had a version: compared without it
  CHECK(translate("services-to-211", "food", "http://example.org/elsewhere").matches.empty());
  auto other_system = translate("services-to-211", "shelter", "", "http://example.org/other-cs");
  CHECK(other_system.matches.empty());
  CHECK_FALSE(other_system.result);
}

TEST_CASE("unmatched and disjoint targets are matches that do not map", "[terminology][translate]") {
  auto legal = translate("services-to-211", "legal", kTaxonomy);
  REQUIRE(legal.matches.size() == 1);
  CHECK(legal.matches[0].equivalence == "unmatched");
  CHECK(legal.matches[0].comment == "no legal services in this taxonomy");
  CHECK_FALSE(legal.result);
}

TEST_CASE("unmapped other-map and fixed rules", "[terminology][translate]") {
  auto ride = translate("services-to-211", "ride", kTaxonomy);
  REQUIRE(ride.matches.size() == 1);
  CHECK(ride.matches[0].code == "BT-4500");
  CHECK(ride.matches[0].source == map_url("services-fallback"));
  auto deposit = translate("services-to-211", "deposit", kTaxonomy);
  REQUIRE(deposit.matches.size() == 1);
  CHECK(deposit.matches[0].code == "OTHER");
  CHECK(deposit.matches[0].display == "Other services");
  CHECK(deposit.matches[0].unmapped == term::ConceptMap::Unmapped::fixed);
  CHECK(deposit.result);
  // Maps that defer to each other stop where they started.
  auto loop = translate("loop-a", "ride");
  CHECK(loop.matches.empty());
}

TEST_CASE("$translate fails for an unknown map or without a code", "[terminology][translate]") {
  auto missing = terminology().translate("http://example.org/no-map", {kServices, "shelter", ""});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.issues().front().code == "not-found");
  auto no_code = terminology().translate(map_url("services-to-211"), {kServices, "", ""});
  REQUIRE_FALSE(no_code.ok());
  CHECK(no_code.issues().front().code == "required");
}

TEST_CASE("the core's concept maps translate", "[terminology][translate]") {
  term::Terminology core_terminology(carebridge::testing::core());
  auto male = core_terminology.translate("http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v3",
                                         {"http://hl7.org/fhir/administrative-gender", "male", ""});
  REQUIRE(male.ok());
  REQUIRE(male->matches.size() == 1);
  CHECK(male->matches[0].system == "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender");
  CHECK(male->matches[0].code == "M");
  CHECK(male->matches[0].equivalence == "equal");
  // ConceptMap/101 sends what it does not list to a fixed code.
  auto unlisted = core_terminology.translate("http://hl7.org/fhir/ConceptMap/101",
                                             {"http://hl7.org/fhir/address-use", "billing", ""});
  REQUIRE(unlisted.ok());
  REQUIRE(unlisted->matches.size() == 1);
  CHECK(unlisted->matches[0].code == "temp");
}

TEST_CASE("a map read backwards translates a target code to its sources with the equivalence turned", "[terminology][translate]") {
  // $translate's reverse was not read: a target code came back with no match.
  const term::ConceptMap* map = terminology().concept_map(map_url("services-to-211"));
  REQUIRE(map);
  auto back = terminology().translate(term::reversed(*map), {kTaxonomy, "BH", ""});
  REQUIRE(back.ok());
  CHECK(back->result);
  REQUIRE(back->matches.size() == 1);
  CHECK(back->matches[0].system == kServices);
  CHECK(back->matches[0].code == "housing");
  CHECK(back->matches[0].equivalence == "narrower");  // BH is wider than housing
  CHECK(back->matches[0].source == map_url("services-to-211"));
}

TEST_CASE("every map the definitions hold is listed for a translate that names none", "[terminology][translate]") {
  auto maps = terminology().concept_maps();
  CHECK(maps.size() == 4);
  CHECK(std::any_of(maps.begin(), maps.end(), [](const term::ConceptMap* m) { return m->url == map_url("services-fallback"); }));
}
