// The public v2 samples (../shared/corpus/hl7v2, with the Bundles one established
// converter makes): every message maps to a Bundle that validates strictly, and agrees in
// meaning with the converter's on the patient's identity, demographics and address lines,
// the procedures' status and the results' codes, values, units and statuses. Skipped when
// the corpus is not there.
#include <catch2/catch.hpp>

#include <filesystem>
#include <rapidjson/document.h>

#include "fhir/validation/validator.h"
#include "mappings/hl7v2/conversion.h"
#include "support/test_support.h"

using namespace carebridge::mappings::hl7v2;
using carebridge::testing::core;
using carebridge::testing::corpus;
using carebridge::testing::read_text;

namespace {

std::vector<const rapidjson::Value*> resources(const rapidjson::Document& bundle, const char* type) {
  std::vector<const rapidjson::Value*> out;
  for (const auto& e : bundle["entry"].GetArray())
    if (std::string(e["resource"]["resourceType"].GetString()) == type) out.push_back(&e["resource"]);
  return out;
}

std::string member(const rapidjson::Value& v, const char* name) {
  return v.IsObject() && v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

std::string code_of(const rapidjson::Value& r) {
  if (!r.HasMember("code") || !r["code"].HasMember("coding")) return "";
  return member(r["code"]["coding"][0], "code");
}

}  // namespace

TEST_CASE("the corpus v2 messages map to valid Bundles that agree with the expected ones", "[mappings][hl7v2][corpus]") {
  auto dir = corpus("hl7v2");
  if (dir.empty()) {
    WARN("corpus not present: skipped");
    return;
  }
  auto validator = carebridge::fhir::validation::Validator::with_invariants(core());
  auto spec = MapSpec::load_default();
  REQUIRE(spec.ok());
  Converter converter(core(), validator.get(), *spec);
  size_t messages = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".hl7") continue;
    ++messages;
    std::string name = entry.path().filename().string();
    Conversion c = converter.convert(read_text(entry.path()));
    INFO(name << ": " << c.first_error());
    REQUIRE(c.accepted());
    rapidjson::Document ours, expected;
    ours.Parse(c.mapped.bundle_json().c_str());
    auto expected_path = entry.path().parent_path() / (entry.path().stem().string() + "-expected.json");
    expected.Parse(read_text(expected_path).c_str());
    REQUIRE(expected.IsObject());
    // Valid as the validate command judges it, not only as the converter tolerates a sender's
    // codes: an assigning authority's local "1.23" (HD-3 not ISO) is no urn:oid: system.
    REQUIRE(c.bundle);
    auto strict = validator->validate(*c.bundle->root());
    std::string errors;
    for (const auto& issue : strict)
      if (issue.severity == carebridge::fhir::model::Severity::Error) errors += issue.expression + ": " + issue.message + "\n";
    CHECK(errors == "");
    // The visit's status as the converter gives it (the IG's PV1-2 map, the event's own).
    auto their_visits = resources(expected, "Encounter"), our_visits = resources(ours, "Encounter");
    if (!their_visits.empty() && !our_visits.empty())
      CHECK(member(*their_visits.front(), "status") == member(*our_visits.front(), "status"));

    auto their_patients = resources(expected, "Patient"), our_patients = resources(ours, "Patient");
    if (!their_patients.empty()) {
      REQUIRE_FALSE(our_patients.empty());
      const auto& a = *their_patients.front();
      const auto& b = *our_patients.front();
      CHECK(member(a, "birthDate") == member(b, "birthDate"));
      CHECK(member(a, "gender") == member(b, "gender"));
      if (a.HasMember("name")) CHECK(member(a["name"][0], "family") == member(b["name"][0], "family"));
      // Every line of the first address (the IG's XAD: SAD.1-3, XAD.2, XAD.19).
      if (a.HasMember("address") && a["address"][0].HasMember("line")) {
        REQUIRE(b.HasMember("address"));
        std::vector<std::string> theirs, mine;
        for (const auto& l : a["address"][0]["line"].GetArray()) theirs.push_back(l.GetString());
        if (b["address"][0].HasMember("line"))
          for (const auto& l : b["address"][0]["line"].GetArray()) mine.push_back(l.GetString());
        CHECK(mine == theirs);
      }
    }
    // A procedure (PR1) whose status the message does not say is "unknown", as the converter has it.
    for (const auto* mine : resources(ours, "Procedure")) CHECK(member(*mine, "status") == "unknown");
    // Every result the converter gives a numeric value, we give too, with the same value.
    for (const auto* theirs : resources(expected, "Observation")) {
      if (!theirs->HasMember("valueQuantity")) continue;
      bool found = false;
      for (const auto* mine : resources(ours, "Observation")) {
        if (code_of(*mine) != code_of(*theirs) || !mine->HasMember("valueQuantity")) continue;
        found = found || (*mine)["valueQuantity"]["value"].GetDouble() == (*theirs)["valueQuantity"]["value"].GetDouble();
      }
      INFO("Observation " << code_of(*theirs));
      CHECK(found);
    }
    CHECK(resources(ours, "Immunization").size() == resources(expected, "Immunization").size());
    CHECK(resources(ours, "Appointment").size() == resources(expected, "Appointment").size());
  }
  CHECK(messages >= 20);
}
