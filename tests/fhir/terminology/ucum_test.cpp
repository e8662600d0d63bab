// UCUM codes: what the grammar takes (prefixes on metric atoms only, exponents, factors,
// parentheses, annotations, case), every unit LOINC combines from UCUM in the table set-up
// fetched, and what a validator says of a Quantity or a Coding that carries a bad code.
#include <catch2/catch.hpp>

#include <fstream>
#include <rapidjson/document.h>
#include <sstream>

#include "fhir/definitions/definitions.h"
#include "fhir/io/format.h"
#include "fhir/terminology/ucum.h"
#include "fhir/validation/validator.h"

namespace fhir = carebridge::fhir;
using fhir::terminology::Ucum;

namespace {

std::filesystem::path table_file() {
  return fhir::definitions::Definitions::default_dir() / "ucum" / "ucumDefs.min.json";
}

const Ucum& ucum() {
  static auto table = Ucum::load(table_file());
  REQUIRE(table);
  return *table;
}

// scripts/setup-definitions fetches the table with the core, and sets up without it (saying
// so) when npm cannot reach it: then there is nothing to test.
bool have_table() {
  if (std::filesystem::exists(table_file())) return true;
  WARN("no UCUM table in " << table_file().string() << ": skipped");
  return false;
}

}  // namespace

TEST_CASE("UCUM codes are read by the UCUM grammar", "[fhir][terminology][ucum]") {
  if (!have_table()) return;
  for (const char* valid : {"mg", "mg/dL", "mmol/L", "10*3/uL", "10*9/L", "mm[Hg]", "cm[H2O]", "kg/m2", "/min", "%",
                            "{beats}/min", "{score}", "1", "m2", "s-1", "kg.m/s2", "mL/min/{1.73_m2}", "ug/(24.h)",
                            "[in_i]", "[lb_av]", "Cel", "[degF]", "[IU]/L", "meq/L", "g/(kg.d)", "10*-3", "KiBy",
                            "/100{WBCs}", "mo", "a", "wk", "h", "[pH]", "nmol/mL/min", "B[10.nV]"}) {
    INFO(valid);
    CHECK(ucum().problem(valid).empty());
  }
  for (const char* invalid : {"", "mmHg", "mcg", "KG", "kgs", "cc", "sec", "hr", "bpm", "IU", "drop", "ea", "mg/",
                              "/", "mg//dL", "(mg/dL", "mg)", "kg m", "µg", "k[in_i]", "mg{x", "{a}{b}", "mg.{x}y", "Ki",
                              "73m2", "10*3{x}{y}"}) {
    INFO(invalid);
    CHECK(!ucum().problem(invalid).empty());
  }
  CHECK(ucum().problem("mmHg").find("'mmHg' is not a UCUM unit") != std::string::npos);
  std::string deep(200, '(');
  deep += "m" + std::string(200, ')');
  CHECK(!ucum().problem(deep).empty());  // bounded, not a stack overflow
}

TEST_CASE("every unit LOINC combines from UCUM in the table is a valid UCUM code", "[fhir][terminology][ucum]") {
  if (!have_table()) return;
  std::ifstream in(table_file());
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document table;
  table.Parse(text.str().c_str());
  REQUIRE(table.IsObject());
  size_t checked = 0;
  for (const auto& row : table["units"]["data"].GetArray()) {
    if (std::string_view(row[18].GetString()) == "UCUM") continue;  // atoms; the rest are expressions
    std::string code = row[2].GetString();
    code.erase(code.find_last_not_of(' ') + 1);  // two rows of the table end with a space
    INFO(code);
    CHECK(ucum().problem(code).empty());
    ++checked;
  }
  CHECK(checked > 400);
}

TEST_CASE("a bad UCUM code is an error in a Coding and a warning in a Quantity", "[fhir][validation][ucum]") {
  if (!have_table()) return;
  static auto defs = fhir::definitions::Definitions::load_core(fhir::definitions::Definitions::default_dir());
  fhir::validation::Validator validator(*defs, nullptr);
  auto issues_of = [&](const std::string& json) {
    auto parsed = fhir::io::read(json, *defs);
    REQUIRE(parsed.document);
    return validator.validate(*parsed.document->root(), {});
  };
  auto observation = [](const std::string& value) {
    return R"({"resourceType":"Observation","status":"final","code":{"text":"dose"},)" + value + "}";
  };
  auto has = [](const std::vector<fhir::model::Issue>& issues, fhir::model::Severity severity, const std::string& text) {
    for (const auto& i : issues)
      if (i.severity == severity && i.message.find(text) != std::string::npos) return true;
    return false;
  };
  auto quantity = issues_of(observation(R"("valueQuantity":{"value":5,"system":"http://unitsofmeasure.org","code":"mcg"})"));
  CHECK(has(quantity, fhir::model::Severity::Warning, "'mcg' is not a valid UCUM code"));
  CHECK(!fhir::validation::has_errors(quantity));
  auto good = issues_of(observation(R"("valueQuantity":{"value":5,"system":"http://unitsofmeasure.org","code":"ug"})"));
  CHECK(!has(good, fhir::model::Severity::Warning, "UCUM"));
  auto coding = issues_of(observation(
      R"("valueCodeableConcept":{"coding":[{"system":"http://unitsofmeasure.org","code":"mmHg"}]})"));
  CHECK(has(coding, fhir::model::Severity::Error, "'mmHg' is not a valid UCUM code"));
}
