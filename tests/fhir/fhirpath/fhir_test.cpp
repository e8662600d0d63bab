// FHIR additions: navigation over the element model, extension(), resolve(),
// memberOf(), hasValue()/getValue(), conformsTo(), environment variables, tree
// functions, and the path checks the CLI turns on.
#include <catch2/catch.hpp>

#include "fhirpath_fixture.h"

using namespace carebridge::testing::fhirpath;
using Strings = std::vector<std::string>;

TEST_CASE("navigation over the element model", "[fhirpath][fhir]") {
  CHECK(eval("Patient.name.given", "patient.json") == Strings{"Adaeze", "Ngozi", "Ada"});
  CHECK(eval("name.family", "patient.json") == Strings{"Okafor"});
  CHECK(value("Resource.id", "patient.json") == "pat-1");
  CHECK(value("DomainResource.contained.name", "patient.json") == "Harbor Light Shelter");
  CHECK(value("Observation.id", "patient.json").empty());
  CHECK(value("Patient.identifier.period.all(start.hasValue().not() or end.hasValue().not() or start <= end)",
              "patient.json") == "true");
  CHECK(value("Bundle.entry.resource.ofType(Patient).name.family", "bundle.json") == "Reyes");
}

TEST_CASE("extension() and primitive extensions", "[fhirpath][fhir]") {
  CHECK(value("extension('http://example.org/carebridge/intake-channel').value", "patient.json") == "walk-in");
  CHECK(value("birthDate.extension(%`ext-patient-birthTime`).value", "patient.json") ==
        "1988-07-14T06:30:00-05:00");
  CHECK(value("birthDate.extension('http://example.org/none').exists()", "patient.json") == "false");
  CHECK(value("birthDate.hasValue()", "patient.json") == "true");
  CHECK(value("name.hasValue()", "patient.json") == "false");
  CHECK(types("birthDate.getValue()", "patient.json") == Strings{"Date"});
}

TEST_CASE("resolve() within a Bundle and to contained resources", "[fhirpath][fhir]") {
  const char* obs = "Bundle.entry.resource.ofType(Observation)";
  CHECK(value(std::string(obs) + ".subject.resolve().name.given", "bundle.json") == "Marisol");
  CHECK(value(std::string(obs) + ".performer.resolve().name.family", "bundle.json") == "Lin");
  CHECK(value(std::string(obs) + ".performer.resolve().count()", "bundle.json") == "1");
  CHECK(value(std::string(obs) + ".subject.resolve() is Patient", "bundle.json") == "true");
  CHECK(value("managingOrganization.resolve().name", "patient.json") == "Harbor Light Shelter");
  CHECK(value("managingOrganization.reference.resolve().id", "patient.json") == "org1");
  // Unresolvable references give nothing, unless resolving by type (search indexing).
  const std::string missing = std::string(obs) + ".performer.where(resolve() is Practitioner).reference";
  CHECK(value(missing, "bundle.json") == "Practitioner/dr-lin");
  fp::Context by_type;
  by_type.resolve_by_type = true;
  auto r = run(missing, "bundle.json", by_type);
  REQUIRE(r.ok);
  CHECK(r.items.size() == 2);
  CHECK(run("'Patient/123'.resolve() is Patient", "patient.json", by_type).as_boolean() == true);
  CHECK(run("'Nonsense/123'.resolve()", "patient.json", by_type).items.empty());
}

TEST_CASE("resolve() in a Bundle of two servers reads a relative reference against its entry's base", "[fhirpath][fhir]") {
  // R4 bundle.html: Organization/umbrella in an entry of pantry.example.org is that server's,
  // which the Bundle does not hold; the absolute reference finds the network's.
  const char* performers = "Bundle.entry.resource.ofType(Observation).performer";
  CHECK(eval(std::string(performers) + ".resolve().name", "bundle-two-servers.json") ==
        std::vector<std::string>{"Eastside Food Bank", "Umbrella Network"});
  CHECK(value(std::string(performers) + "[1].resolve().exists()", "bundle-two-servers.json") == "false");
  CHECK(value("Bundle.entry[1].resource.partOf.resolve().exists()", "bundle-two-servers.json") == "false");
  // A decimal written with an exponent is written back as digits.
  CHECK(value("Bundle.entry[2].resource.value.value.toString()", "bundle-two-servers.json") == "12.5");
}

TEST_CASE("memberOf() against core value sets", "[fhirpath][fhir][terminology]") {
  CHECK(value("gender.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')", "patient.json") == "true");
  CHECK(value("maritalStatus.memberOf('http://hl7.org/fhir/ValueSet/marital-status')", "patient.json") == "true");
  CHECK(value("maritalStatus.coding.memberOf(%`vs-marital-status`)", "patient.json") == "true");
  CHECK(value("'Z'.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')") == "false");
  CHECK(value("'x'.memberOf('http://example.org/unknown-value-set')").empty());
}

TEST_CASE("conformsTo() and htmlChecks()", "[fhirpath][fhir]") {
  CHECK(value("conformsTo('http://hl7.org/fhir/StructureDefinition/Patient')", "patient.json") == "true");
  CHECK(value("conformsTo('http://hl7.org/fhir/StructureDefinition/Observation')", "patient.json") == "false");
  CHECK(is_error("conformsTo('http://example.org/not-a-profile')", "patient.json"));
  CHECK(value("htmlChecks()", "patient.json") == "true");
  for (const char* div : {R"(<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x()</script></div>)",
                          R"(<div xmlns=\"http://www.w3.org/1999/xhtml\"><p onclick=\"x()\">a</p></div>)",
                          R"(<div xmlns=\"http://www.w3.org/1999/xhtml\"><form/></div>)"}) {
    std::string patient = std::string(R"({"resourceType":"Patient","text":{"status":"generated","div":")") + div + "\"}}";
    INFO(patient);
    auto parsed = carebridge::testing::parse(patient);
    REQUIRE(parsed.document);
    auto compiled = engine().compile("text.div.htmlChecks()");
    REQUIRE(compiled);
    auto r = engine().evaluate(*compiled, *parsed.document->root(), {});
    REQUIRE(r.items.size() == 1);
    CHECK(fp::to_string(r.items[0]) == "false");
  }
}

TEST_CASE("environment variables", "[fhirpath][fhir]") {
  CHECK(value("%ucum") == "http://unitsofmeasure.org");
  CHECK(value("%sct") == "http://snomed.info/sct");
  CHECK(value("%loinc") == "http://loinc.org");
  CHECK(value("%vs-marital-status") == "http://hl7.org/fhir/ValueSet/marital-status");
  CHECK(value("%resource.id", "patient.json") == "pat-1");
  CHECK(value("%context.id", "patient.json") == "pat-1");
  CHECK(is_error("%nonsense"));

  // %resource is the resource holding the focus; %rootResource the one not contained.
  const auto& patient = resource("patient.json");
  const carebridge::fhir::model::Element* org = nullptr;
  for (const auto* c : patient.children()) {
    if (c->name == "contained") org = c;
  }
  REQUIRE(org);
  auto r = engine().evaluate("%resource.name | %rootResource.id", *org);
  REQUIRE(r.ok);
  REQUIRE(r.items.size() == 2);
  CHECK(fp::to_string(r.items[0]) == "Harbor Light Shelter");
  CHECK(fp::to_string(r.items[1]) == "pat-1");

  fp::Context context;
  context.variables.push_back({"limit", {fp::Item{nullptr, fp::SystemType::Integer, "2", "", false}}});
  auto limited = run("name.given.take(%limit)", "patient.json", context);
  REQUIRE(limited.ok);
  CHECK(limited.items.size() == 2);
}

TEST_CASE("tree navigation and repeat", "[fhirpath][fhir]") {
  CHECK(value("item.children().count()", "questionnaire.json") > "");
  CHECK(value("Questionnaire.repeat(item).count()", "questionnaire.json") == "5");
  CHECK(value("Questionnaire.descendants().where($this is Coding).code.count()", "questionnaire.json") == "2");
  CHECK(value("Questionnaire.descendants().linkId.isDistinct()", "questionnaire.json") == "true");
  // repeat() over values that come back again terminates.
  CHECK(value("(1 | 2).repeat($this)") == "1, 2");
  CHECK(value("(1).repeat(1 | 2).count()") == "2");
}

TEST_CASE("Result::as_boolean for invariants", "[fhirpath][fhir]") {
  CHECK(run("name.exists()", "patient.json").as_boolean() == true);
  CHECK(run("name.exists().not()", "patient.json").as_boolean() == false);
  CHECK_FALSE(run("deceased", "patient.json").as_boolean().has_value());
  CHECK(run("name.family", "patient.json").as_boolean() == true);  // single non-boolean
}

TEST_CASE("path checks report what cannot exist", "[fhirpath][fhir]") {
  fp::Context strict;
  strict.check_paths = true;
  auto misspelled = run("name.givn", "patient.json", strict);
  CHECK_FALSE(misspelled.ok);
  CHECK(misspelled.error == "at 6: 'givn' is not an element of HumanName");
  auto other_type = run("Observation.status", "patient.json", strict);
  CHECK_FALSE(other_type.ok);
  CHECK(run("name.givn", "patient.json").ok);  // lenient by default: validators evaluate many shapes
  CHECK(run("descendants().code", "patient.json", strict).ok);
}

TEST_CASE("path checks leave items of an open type alone (N1 3: a missing element is empty for that item)",
          "[fhirpath][fhir]") {
  fp::Context strict;
  strict.check_paths = true;
  auto strings = [&](const std::string& expression, const std::string& input) {
    fp::Result r = run(expression, input, strict);
    if (!r.ok) return Strings{"error: " + r.error};
    Strings out;
    for (const auto& item : r.items) out.push_back(fp::to_string(item));
    return out;
  };
  // Resources in Bundle.entry.resource or contained are of any resource type: an
  // Observation has no name, a Patient no status, an Organization no gender.
  CHECK(strings("Bundle.entry.resource.where(name.family = 'Lin').id", "bundle.json") == Strings{"dr-lin"});
  CHECK(strings("Bundle.entry.select(resource.status)", "bundle.json") == Strings{"final"});
  CHECK(strings("Patient.contained.where(gender.exists()).count()", "patient.json") == Strings{"0"});
  // children() and descendants() give items of many types.
  CHECK(strings("Patient.children().select(given).count()", "patient.json") == Strings{"3"});
  CHECK(strings("Questionnaire.descendants().where(linkId.exists()).count()", "questionnaire.json") == Strings{"5"});
  // A choice element: the extension's value is a code, which has no family.
  CHECK(strings("Patient.extension.value.family", "patient.json").empty());
  // Where one type is known, a name it does not declare is still a mistake.
  CHECK(strings("name.where(givn.exists())", "patient.json") ==
        Strings{"error: at 12: 'givn' is not an element of HumanName"});
  CHECK(strings("Bundle.entry.where(resourc.exists())", "bundle.json").front().starts_with("error: "));
  CHECK(strings("Bundle.entry.resource.ofType(Patient).where(gendr.exists())", "bundle.json") ==
        Strings{"error: at 45: 'gendr' is not an element of Patient"});
}

TEST_CASE("test() reads an expression as a condition exactly as as_boolean() reads its result", "[fhirpath][fhir]") {
  // Invariants are checked with test(): the answer must be what evaluating and reading the
  // result gives, for true, false, empty, several items, a non-boolean single item and errors.
  for (std::string expression :
       {"name.exists()", "name.empty()", "name.given.exists() and birthDate.hasValue()", "id.startsWith('pat').not()",
        "Observation.id", "name.given", "birthDate", "name.family = 'Okafor' implies name.given.count() > 1",
        "(name.family | name.given).count() = 4 xor active", "name.given.single()", "telecom.where(system = 'phone').exists()",
        "identifier.all(system.exists())", "active or name.exists()", "{}.not()"}) {
    INFO(expression);
    auto compiled = engine().compile(expression);
    REQUIRE(compiled);
    auto read = engine().evaluate(*compiled, resource("patient.json"));
    std::optional<bool> expected = read.ok ? read.as_boolean() : std::nullopt;
    CHECK(engine().test(*compiled, resource("patient.json")) == expected);
  }
}
