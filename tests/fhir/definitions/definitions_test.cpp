// The definitions registry: the R4 core indexed once, lookups by type and URL,
// choice and contentReference structure, lazy groups, and FHIR package folders.
#include <catch2/catch.hpp>

#include "support/test_support.h"

using namespace carebridge::testing;
namespace defs = carebridge::fhir::definitions;

TEST_CASE("base types of the R4 core are indexed by name") {
  const auto& d = core();
  const auto* patient = d.type("Patient");
  REQUIRE(patient);
  CHECK(patient->is_resource());
  CHECK(patient->url == "http://hl7.org/fhir/StructureDefinition/Patient");
  REQUIRE(patient->base);
  CHECK(patient->base->type == "DomainResource");
  CHECK(d.type("HumanName")->kind == defs::StructureKind::ComplexType);
  CHECK(d.type("NoSuchType") == nullptr);
  CHECK(d.fhir_version() == "4.0.1");
}

TEST_CASE("primitive types know how their values are written") {
  const auto& d = core();
  CHECK(d.type("boolean")->json_value == defs::JsonValueKind::Boolean);
  CHECK(d.type("decimal")->json_value == defs::JsonValueKind::Number);
  CHECK(d.type("positiveInt")->json_value == defs::JsonValueKind::Number);
  CHECK(d.type("positiveInt")->system_type == "System.Integer");
  CHECK(d.type("date")->json_value == defs::JsonValueKind::String);
  CHECK_FALSE(d.type("decimal")->value_regex.empty());
}

TEST_CASE("child lookup resolves choice types, cardinality and representation") {
  const auto& d = core();
  const auto* obs = d.type("Observation");
  const auto* vq = obs->child(0, "valueQuantity");
  REQUIRE(vq);
  const auto& value = obs->elements[vq->element];
  CHECK(value.is_choice);
  CHECK(value.name == "value");
  CHECK(value.types[vq->type].code == "Quantity");
  CHECK(obs->child(0, "value") == nullptr);
  CHECK(obs->elements[obs->child(0, "category")->element].repeats);
  CHECK_FALSE(obs->elements[obs->child(0, "status")->element].repeats);
  const auto* ext = d.type("Extension");
  CHECK(ext->elements[ext->child(0, "url")->element].xml_attribute);
  const auto* narrative = d.type("Narrative");
  CHECK(narrative->elements[narrative->child(0, "div")->element].xhtml);
}

TEST_CASE("contentReference elements reuse the children of their target") {
  const auto* q = core().type("Questionnaire");
  uint32_t item = q->child(0, "item")->element;
  const auto* nested = q->child(item, "item");
  REQUIRE(nested);
  CHECK(q->elements[nested->element].content_reference == "Questionnaire.item");
  CHECK(q->child(nested->element, "linkId") != nullptr);
}

TEST_CASE("profiles, extensions, terminology and search parameters load on first use") {
  const auto& d = core();
  const auto* vitals = d.structure("http://hl7.org/fhir/StructureDefinition/vitalsigns");
  REQUIRE(vitals);
  CHECK(vitals->derivation == defs::Derivation::Constraint);
  REQUIRE(vitals->base);
  CHECK(vitals->base->type == "Observation");
  CHECK(d.structure("http://hl7.org/fhir/StructureDefinition/patient-birthTime") != nullptr);
  CHECK(d.structure("http://hl7.org/fhir/StructureDefinition/Patient|4.0.1") != nullptr);
  const auto* gender = d.resource("ValueSet", "http://hl7.org/fhir/ValueSet/administrative-gender");
  REQUIRE(gender);
  CHECK(gender->json.find("\"compose\"") != std::string::npos);
  CHECK(d.resource("CodeSystem", "http://hl7.org/fhir/administrative-gender") != nullptr);
  CHECK(d.resources("SearchParameter").size() > 1000);
}

TEST_CASE("FHIR package folders add profiles and terminology") {
  auto d = defs::Definitions::load_core(defs::Definitions::default_dir());
  d->add_package(fixture("packages/carebridge.test"));
  const auto* profile = d->structure("http://carebridge.example/fhir/StructureDefinition/shelter-patient");
  REQUIRE(profile);
  CHECK(profile->type == "Patient");
  CHECK_FALSE(profile->has_snapshot);
  REQUIRE(profile->base);
  CHECK(profile->base->type == "Patient");
  CHECK(profile->elements[profile->find("Patient.name")].min == 1);
  CHECK(d->resource("ValueSet", "http://carebridge.example/fhir/ValueSet/intake-reason|0.1.0") != nullptr);
  CHECK(d->type("Patient") != profile);
  CHECK_THROWS_WITH(d->add_package(fixture("fhir")), Catch::Contains("not a FHIR package"));
}

TEST_CASE("a missing definitions folder is a clear start-up error") {
  CHECK_THROWS_WITH(defs::Definitions::load_core("/nonexistent/defs"), Catch::Contains("run scripts/setup-definitions"));
}
