// Security labels: the shipped labelling rules applied to resources as they are written,
// reading meta.security, writing labels back without duplicates, and rules-file errors.
#include <catch2/catch.hpp>

#include "fhir/io/format.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/security/labels.h"
#include "support/test_support.h"

namespace sec = carebridge::gateway::security;
namespace model = carebridge::fhir::model;
using carebridge::testing::core;

namespace {

constexpr const char* kOrganizationKind = "https://carebridge.dev/fhir/CodeSystem/organization-kind";

const sec::LabelRules& shipped_rules() {
  static sec::LabelRules rules = [] {
    auto loaded = sec::LabelRules::load_file(sec::LabelRules::default_path());
    if (!loaded) FAIL(loaded.message());
    return std::move(loaded).value();
  }();
  return rules;
}

std::unique_ptr<model::Document> parsed(const std::string& json) {
  auto result = carebridge::testing::parse(json);
  INFO(result.first_error());
  REQUIRE(!result.has_errors());
  return std::move(result.document);
}

std::string observation(const std::string& system, const std::string& code, const std::string& extra = "") {
  return R"({"resourceType":"Observation","status":"final",)" + extra + R"("code":{"coding":[{"system":")" + system +
         R"(","code":")" + code + R"("}]},"subject":{"reference":"Patient/p1"}})";
}

std::string condition(const std::string& system, const std::string& code) {
  return R"({"resourceType":"Condition","code":{"coding":[{"system":")" + system + R"(","code":")" + code +
         R"("}]},"subject":{"reference":"Patient/p1"}})";
}

// meta.security as "system|code" lines, in order.
std::vector<std::string> security_of(const model::Element& resource) {
  std::vector<std::string> out;
  const model::Element* meta = resource.child("meta");
  for (const model::Element* c = meta ? meta->first_child : nullptr; c; c = c->next) {
    if (c->name != "security") continue;
    const model::Element* system = c->child("system");
    const model::Element* code = c->child("code");
    out.push_back(std::string(system ? system->value : "") + "|" + std::string(code ? code->value : ""));
  }
  return out;
}

sec::SourceFacts source(const std::string& kind) { return {{{kOrganizationKind, kind}}}; }

}  // namespace

TEST_CASE("An HIV viral load result is labelled HIV and restricted", "[labels]") {
  auto doc = parsed(observation("http://loinc.org", "25836-8"));
  auto outcome = shipped_rules().apply(*doc->root(), {});
  CHECK(outcome.labels == (sec::HIV | sec::ConfidentialityR));
  CHECK_FALSE(outcome.confined);
  REQUIRE(outcome.reasons.size() == 1);
  CHECK(outcome.reasons[0].find("Observation.code.coding[0]") != std::string::npos);
  CHECK(outcome.reasons[0].find("'hiv'") != std::string::npos);
}

TEST_CASE("A record that names a sensitivity as data is labelled with it", "[labels]") {
  // A document's own label (DocumentReference.securityLabel), with no sensitive code in it.
  auto document = parsed(R"({"resourceType":"DocumentReference","status":"current","subject":{"reference":"Patient/p1"},
    "securityLabel":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]}],
    "content":[{"attachment":{"contentType":"text/plain","data":"bm90ZQ=="}}]})");
  auto labelled = shipped_rules().apply(*document->root(), {});
  CHECK(labelled.labels == (sec::HIV | sec::ConfidentialityR));
  REQUIRE(labelled.reasons.size() == 1);
  CHECK(labelled.reasons[0].find("DocumentReference.securityLabel[0].coding[0]") != std::string::npos);
  // A Consent about sharing domestic-violence records tells that there are some.
  auto consent = parsed(R"({"resourceType":"Consent","status":"active","patient":{"reference":"Patient/p1"},
    "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
    "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
    "provision":{"provision":[{"type":"permit","securityLabel":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"SDV"}]}]}})");
  CHECK(shipped_rules().apply(*consent->root(), {}).labels == (sec::SDV | sec::ConfidentialityR));
  // A confidentiality code alone, and codes that are not sensitivities (a refrain, an encounter class).
  auto very = parsed(R"({"resourceType":"DocumentReference","status":"current","subject":{"reference":"Patient/p1"},
    "securityLabel":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]},
                     {"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"NORDSCLCDS"}]}],
    "content":[{"attachment":{"contentType":"text/plain","data":"bm90ZQ=="}}]})");
  CHECK(shipped_rules().apply(*very->root(), {}).labels == sec::ConfidentialityV);
  auto visit = parsed(R"({"resourceType":"Encounter","status":"finished",
    "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}})");
  CHECK(shipped_rules().apply(*visit->root(), {}).labels == 0);
}

// A medication list shows HIV and substance-use treatment by the drug's name, whatever the code
// system says of it (an RxNorm code the rules do not list, an NDC, a pharmacy's own code, words).
TEST_CASE("Antiretrovirals and opioid-use-disorder medications are labelled by their names", "[labels]") {
  auto prescribed = [](const std::string& medication) {
    return parsed(R"({"resourceType":"MedicationRequest","status":"active","intent":"order","medicationCodeableConcept":)" +
                  medication + R"(,"subject":{"reference":"Patient/p1"}})");
  };
  auto biktarvy = prescribed(R"({"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1999663",)"
                             R"("display":"Bictegravir 50 MG / Emtricitabine 200 MG / Tenofovir Alafenamide 25 MG Oral Tablet"}]})");
  auto outcome = shipped_rules().apply(*biktarvy->root(), {});
  CHECK(outcome.labels == (sec::HIV | sec::ConfidentialityR));
  REQUIRE(outcome.reasons.size() == 1);
  CHECK(outcome.reasons[0].find("names bictegravir") != std::string::npos);
  auto suboxone = prescribed(R"({"text":"Buprenorphine-naloxone 8-2 mg SL film"})");
  CHECK(shipped_rules().apply(*suboxone->root(), {}).labels == (sec::ETH | sec::ConfidentialityR));
  // A name inside another word is not that name; drugs with other common uses are not labelled.
  CHECK(shipped_rules().apply(*prescribed(R"j({"text":"Paxlovid (nirmatrelvir and ritonavir)"})j")->root(), {}).labels == 0);
  CHECK(shipped_rules().apply(*prescribed(R"j({"text":"Vemlidy (tenofovir alafenamide) for hepatitis B"})j")->root(), {}).labels == 0);
}

TEST_CASE("An opioid dependence diagnosis is substance use, Part 2 only from a Part 2 program", "[labels]") {
  auto doc = parsed(condition("http://hl7.org/fhir/sid/icd-10-cm", "F11.20"));
  auto plain = shipped_rules().apply(*doc->root(), {});
  CHECK(plain.labels == (sec::ETH | sec::ConfidentialityR));

  auto program = shipped_rules().apply(*doc->root(), source("part2-program"));
  CHECK(program.labels == (sec::ETH | sec::Part2 | sec::ConfidentialityR));
  CHECK_FALSE(program.confined);

  // Any record of a Part 2 program is Part 2 data, a body-mass index too.
  auto bmi = parsed(observation("http://loinc.org", "39156-5"));
  CHECK((shipped_rules().apply(*bmi->root(), source("part2-program")).labels & sec::Part2));
}

TEST_CASE("Nicotine dependence is not substance-use sensitive (42 CFR 2.11 excludes tobacco)", "[labels]") {
  auto doc = parsed(condition("http://hl7.org/fhir/sid/icd-10-cm", "F17.210"));
  CHECK(shipped_rules().apply(*doc->root(), {}).labels == 0);
}

TEST_CASE("Depression diagnoses are mental-health sensitive in ICD-10-CM and SNOMED CT", "[labels]") {
  auto icd = parsed(condition("http://hl7.org/fhir/sid/icd-10-cm", "F32.9"));
  CHECK(shipped_rules().apply(*icd->root(), {}).labels == (sec::PSY | sec::ConfidentialityR));
  auto undotted = parsed(condition("http://hl7.org/fhir/sid/icd-10-cm", "F329"));
  CHECK(shipped_rules().apply(*undotted->root(), {}).labels == (sec::PSY | sec::ConfidentialityR));
  auto snomed = parsed(condition("http://snomed.info/sct", "35489007"));
  CHECK(shipped_rules().apply(*snomed->root(), {}).labels == (sec::PSY | sec::ConfidentialityR));
}

TEST_CASE("Codes are found wherever they are: values, components, contained resources", "[labels]") {
  auto value = parsed(observation("http://loinc.org", "29463-7",
                                  R"("valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"76272004"}]},)"));
  CHECK(shipped_rules().apply(*value->root(), {}).labels == (sec::STD | sec::ConfidentialityR));

  auto contained = parsed(R"({"resourceType":"MedicationRequest","status":"active","intent":"order",
    "contained":[{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"T74.11XA"}]},
                  "subject":{"reference":"Patient/p1"}}],
    "medicationCodeableConcept":{"text":"x"},"subject":{"reference":"Patient/p1"},"reasonReference":[{"reference":"#c"}]})");
  CHECK(shipped_rules().apply(*contained->root(), {}).labels == (sec::SDV | sec::ConfidentialityR));
}

TEST_CASE("Codes in meta and partner-relationship problems give no label", "[labels]") {
  auto tagged = parsed(observation("http://loinc.org", "39156-5",
                                   R"("meta":{"tag":[{"system":"http://loinc.org","code":"25836-8"}]},)"));
  CHECK(shipped_rules().apply(*tagged->root(), {}).labels == 0);
  auto partner = parsed(condition("http://hl7.org/fhir/sid/icd-10-cm", "Z63.0"));
  CHECK(shipped_rules().apply(*partner->root(), {}).labels == 0);
}

TEST_CASE("A plain body-mass index gets nothing", "[labels]") {
  auto doc = parsed(observation("http://loinc.org", "39156-5"));
  auto outcome = shipped_rules().apply(*doc->root(), {});
  CHECK(outcome.labels == 0);
  CHECK_FALSE(outcome.confined);
  CHECK(outcome.reasons.empty());
  sec::add_labels(*doc, core(), *doc->root(), outcome.labels);
  CHECK(doc->root()->child("meta") == nullptr);
}

TEST_CASE("A victim-service provider's record is very restricted, SDV and confined", "[labels]") {
  auto doc = parsed(observation("http://loinc.org", "39156-5",
                                R"("meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"N"}]},)"));
  auto outcome = shipped_rules().apply(*doc->root(), source("victim-service-provider"));
  CHECK(outcome.labels == (sec::ConfidentialityV | sec::SDV));
  CHECK(outcome.confined);
  REQUIRE(outcome.reasons.size() == 1);
  CHECK(outcome.reasons[0].find("VAWA") != std::string::npos);

  sec::add_labels(*doc, core(), *doc->root(), outcome.labels);
  // One confidentiality code, the highest: N is replaced by V.
  CHECK(security_of(*doc->root()) ==
        std::vector<std::string>{"http://terminology.hl7.org/CodeSystem/v3-Confidentiality|V",
                                 "http://terminology.hl7.org/CodeSystem/v3-ActCode|SDV"});
  CHECK(sec::labels_of(*doc->root()) == (sec::ConfidentialityV | sec::SDV));
}

TEST_CASE("An HIV test written twice carries HIV and R once, R replacing the sender's N", "[labels]") {
  auto doc = parsed(observation("http://loinc.org", "25836-8", R"("meta":{"security":[
    {"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"N"}]},)"));
  sec::add_labels(*doc, core(), *doc->root(), shipped_rules().apply(*doc->root(), {}).labels);
  const std::vector<std::string> expected{"http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R",
                                          "http://terminology.hl7.org/CodeSystem/v3-ActCode|HIV"};
  CHECK(security_of(*doc->root()) == expected);

  // The stored resource written again (an update) is labelled again: nothing is added.
  std::string json;
  std::vector<model::Issue> issues;
  carebridge::fhir::io::write(*doc->root(), carebridge::fhir::io::Format::Json, json, issues, false);
  auto again = parsed(json);
  sec::add_labels(*again, core(), *again->root(), shipped_rules().apply(*again->root(), {}).labels);
  CHECK(security_of(*again->root()) == expected);
  CHECK(sec::labels_of(*again->root()) == (sec::HIV | sec::ConfidentialityR));
}

TEST_CASE("Labels already present are kept and never duplicated", "[labels]") {
  auto doc = parsed(observation("http://loinc.org", "25836-8", R"("meta":{"security":[
    {"system":"http://hl7.org/fhir/v3/ActCode","code":"HIV"},
    {"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R","display":"restricted"}]},)"));
  const auto before = security_of(*doc->root());
  auto outcome = shipped_rules().apply(*doc->root(), {});
  sec::add_labels(*doc, core(), *doc->root(), outcome.labels);
  sec::add_labels(*doc, core(), *doc->root(), outcome.labels);
  CHECK(security_of(*doc->root()) == before);

  // Part 2 data gets the refrain, once.
  sec::add_labels(*doc, core(), *doc->root(), sec::Part2);
  sec::add_labels(*doc, core(), *doc->root(), sec::Part2 | sec::ETH);
  auto after = security_of(*doc->root());
  CHECK(std::count(after.begin(), after.end(), "http://terminology.hl7.org/CodeSystem/v3-ActCode|42CFRPart2") == 1);
  CHECK(std::count(after.begin(), after.end(), "http://terminology.hl7.org/CodeSystem/v3-ActCode|NORDSCLCDS") == 1);
  CHECK(std::count(after.begin(), after.end(), "http://terminology.hl7.org/CodeSystem/v3-ActCode|ETH") == 1);
  CHECK(after.size() == 5);
}

TEST_CASE("Written labels carry the code systems' displays and survive JSON", "[labels]") {
  auto doc = parsed(observation("http://loinc.org", "25836-8"));
  sec::add_labels(*doc, core(), *doc->root(), shipped_rules().apply(*doc->root(), {}).labels);
  std::string json;
  std::vector<model::Issue> issues;
  carebridge::fhir::io::write(*doc->root(), carebridge::fhir::io::Format::Json, json, issues, false);
  CHECK(json.find(R"({"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV","display":"HIV/AIDS information sensitivity"})") !=
        std::string::npos);
  auto again = parsed(json);
  CHECK(sec::labels_of(*again->root()) == (sec::HIV | sec::ConfidentialityR));
}

TEST_CASE("labels_of reads current, older and deprecated label codes", "[labels]") {
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-ActCode", "HIV") == sec::HIV);
  CHECK(sec::label_bits("http://hl7.org/fhir/v3/Confidentiality", "R") == sec::ConfidentialityR);
  CHECK(sec::label_bits("urn:oid:2.16.840.1.113883.5.25", "V") == sec::ConfidentialityV);
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "PSY") == sec::PSY);
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "N") == 0);
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPIOIDUD") == sec::ETH);
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-ActCode", "SPI") == (sec::ETH | sec::PSY));
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-ActUSPrivacyLaw", "42CFRPart2") == sec::Part2);
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-ActCode", "GDIS") == sec::OtherSensitive);
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-ActCode", "V") == 0);  // "Visa", not confidentiality
  CHECK(sec::label_bits("http://example.org/labels", "HIV") == 0);
  CHECK((sec::kSensitive & sec::NoRedisclosure) == 0);
  // ORCON confines a record to its writer, in whichever form of the system another system writes it.
  CHECK(sec::label_bits("http://terminology.hl7.org/CodeSystem/v3-ActCode", "ORCON") == sec::OriginatorControlled);
  CHECK(sec::label_bits("http://hl7.org/fhir/v3/ActCode", "ORCON") == sec::OriginatorControlled);
  CHECK(sec::label_bits("urn:oid:2.16.840.1.113883.5.4", "ORCON") == sec::OriginatorControlled);
}

TEST_CASE("Rules-file mistakes are reported with where they are", "[labels]") {
  auto bad_label = sec::LabelRules::load(R"({"valueSets":[{"name":"x","title":"t","labels":["HIVV"],
    "include":[{"system":"http://loinc.org","codes":["1-8"]}]}]})");
  REQUIRE_FALSE(bad_label);
  CHECK(bad_label.message().find("valueSets[0].labels") != std::string::npos);

  auto typo = sec::LabelRules::load(R"({"valueSets":[{"name":"x","title":"t","labels":["HIV"],
    "include":[{"system":"http://loinc.org","prefixs":["1"]}]}]})");
  REQUIRE_FALSE(typo);
  CHECK(typo.message().find("valueSets[0].include[0]: unknown member 'prefixs'") != std::string::npos);

  auto range = sec::LabelRules::load(R"({"valueSets":[{"name":"x","title":"t","labels":["PSY"],
    "include":[{"system":"http://hl7.org/fhir/sid/icd-10","ranges":[["F99","F20"]]}]}]})");
  REQUIRE_FALSE(range);
  CHECK(range.message().find("ranges") != std::string::npos);

  CHECK_FALSE(sec::LabelRules::load("{"));
  CHECK_FALSE(sec::LabelRules::load_file("/nonexistent/labeling-rules.json"));
  CHECK(shipped_rules().value_set_count() >= 5);
}

TEST_CASE("SUBSETTED is tagged once however many subsets are applied", "[labels]") {
  auto doc = parsed(observation("http://loinc.org", "39156-5"));
  carebridge::gateway::rest::mark_subsetted(*doc, core(), *doc->root());
  carebridge::gateway::rest::mark_subsetted(*doc, core(), *doc->root());
  int tags = 0;
  for (const model::Element* c = doc->root()->child("meta")->first_child; c; c = c->next) tags += c->name == "tag";
  CHECK(tags == 1);
}
