// FHIR primitive subtypes under is/as/ofType and type(): `is` follows the hierarchy
// (a code is a string), `as` and `ofType()` treat the primitives as independent types,
// a resource's id is an `id`, and with path checks on, unknown type names and `as` on
// several items are errors.
#include <catch2/catch.hpp>

#include "fhirpath_fixture.h"

using namespace carebridge::testing::fhirpath;
using Strings = std::vector<std::string>;

namespace {

std::string param(const std::string& name) { return "parameter.where(name = '" + name + "').value"; }

fp::Context strict() {
  fp::Context c;
  c.check_paths = true;
  return c;
}

}  // namespace

TEST_CASE("is() follows the FHIR primitive hierarchy", "[fhirpath][types]") {
  CHECK(value("gender.is(code)", "patient.json") == "true");
  CHECK(value("gender.is(string)", "patient.json") == "true");
  CHECK(value("gender.is(FHIR.string)", "patient.json") == "true");
  CHECK(value("gender is string", "patient.json") == "true");
  CHECK(value("gender.is(id)", "patient.json") == "false");
  CHECK(value("gender.is(System.String)", "patient.json") == "false");
  CHECK(value(param("uuid") + ".is(uuid)", "parameters.json") == "true");
  CHECK(value(param("uuid") + ".is(uri)", "parameters.json") == "true");
  CHECK(value(param("uuid") + ".is(string)", "parameters.json") == "false");
  CHECK(value(param("endpoint") + ".is(uri)", "parameters.json") == "true");
  CHECK(value(param("system") + ".is(url)", "parameters.json") == "false");
  CHECK(value(param("profile") + ".is(uri)", "parameters.json") == "true");
  CHECK(value(param("oid") + ".is(uri)", "parameters.json") == "true");
  CHECK(value(param("key") + ".is(string)", "parameters.json") == "true");
  CHECK(value(param("note") + ".is(string)", "parameters.json") == "true");
  CHECK(value(param("beds") + ".is(integer)", "parameters.json") == "true");
  CHECK(value(param("nights") + ".is(integer)", "parameters.json") == "true");
  CHECK(value(param("nights") + ".is(unsignedInt)", "parameters.json") == "false");
  CHECK(value(param("age") + " is Quantity", "parameters.json") == "true");
  CHECK(value(param("age") + " is Duration", "parameters.json") == "false");
}

TEST_CASE("as and ofType() treat FHIR primitive types as independent", "[fhirpath][types]") {
  CHECK(value("gender.as(code)", "patient.json") == "female");
  CHECK(value("gender.as(string)", "patient.json").empty());
  CHECK(value("gender.ofType(code)", "patient.json") == "female");
  CHECK(value("gender.ofType(string)", "patient.json").empty());
  CHECK(value("gender as code", "patient.json") == "female");
  CHECK(value("(gender as string)", "patient.json").empty());
  CHECK(value("name[0].family.as(string)", "patient.json") == "Okafor");
  CHECK(value("parameter.value.ofType(uri)", "parameters.json") == "urn:carebridge:client");
  CHECK(value("parameter.value.ofType(string)", "parameters.json") == "Harbor Light");
  CHECK(value("parameter.value.ofType(integer)", "parameters.json") == "3");
  CHECK(value("parameter.value.ofType(positiveInt)", "parameters.json") == "14");
  CHECK(value("parameter.value.ofType(canonical)", "parameters.json") ==
        "http://example.org/StructureDefinition/shelter-client");
  // Complex types and resources still cast to the types they derive from.
  CHECK(value("parameter.value.ofType(Quantity).value", "parameters.json") == "34, 3");
  CHECK(value("(" + param("age") + " as Quantity).code", "parameters.json") == "a");
  CHECK(value("Patient.as(DomainResource).id", "patient.json") == "pat-1");
  CHECK(value("Bundle.entry.resource.ofType(Resource).count()", "bundle.json") == "3");
}

TEST_CASE("type() reports the FHIR primitive subtype", "[fhirpath][types]") {
  CHECK(value("gender.type().name", "patient.json") == "code");
  CHECK(value("gender.type().namespace", "patient.json") == "FHIR");
  CHECK(types("parameter.value.where($this is uri)", "parameters.json") ==
        Strings{"uri", "url", "canonical", "oid", "uuid"});
  CHECK(types("parameter.value.where($this is integer)", "parameters.json") ==
        Strings{"integer", "unsignedInt", "positiveInt"});
  CHECK(value("parameter.value.where($this is string).type().name", "parameters.json") ==
        "string, code, id, markdown");
}

TEST_CASE("a resource's own id is of type id, element ids are strings", "[fhirpath][types]") {
  CHECK(types("contained.id", "patient.json") == Strings{"id"});
  CHECK(value("contained.id", "patient.json") == "org1");
  CHECK(value("contained.id is id", "patient.json") == "true");
  CHECK(value("contained.id is string", "patient.json") == "true");  // id derives from string
  CHECK(value("contained.id.ofType(id)", "patient.json") == "org1");
  CHECK(value("id.type().name", "patient.json") == "id");
  CHECK(value("Parameters.id.type().name", "parameters.json") == "id");
  CHECK(value("parameter[0].id.type().name", "parameters.json") == "string");
  CHECK(value("contained.id = 'org1'", "patient.json") == "true");
}

TEST_CASE("unknown type names and as on many items are errors when checking paths", "[fhirpath][types]") {
  CHECK_FALSE(run("gender.as(string1)", "patient.json", strict()).ok);
  CHECK_FALSE(run("gender.ofType(string1)", "patient.json", strict()).ok);
  CHECK_FALSE(run("gender.is(string1)", "patient.json", strict()).ok);
  CHECK_FALSE(run("gender is Strin", "patient.json", strict()).ok);
  CHECK(run("gender.as(string1)", "patient.json", strict()).error.find("unknown type 'string1'") != std::string::npos);
  CHECK_FALSE(run("name.as(HumanName).use", "patient.json", strict()).ok);
  CHECK_FALSE(run("(name as HumanName).use", "patient.json", strict()).ok);
  CHECK(run("name.ofType(HumanName).use", "patient.json", strict()).items.size() == 2);
  // A known type in the wrong namespace is simply not the value's type.
  auto r = run("Patient.is(System.Patient)", "patient.json", strict());
  CHECK(r.ok);
  CHECK(r.as_boolean() == false);
  // Without path checks (validation, search indexing) casts filter and unknown types match nothing.
  CHECK(value("name.as(HumanName).use", "patient.json") == "official, nickname");
  CHECK(value("gender.is(string1)", "patient.json") == "false");
}
