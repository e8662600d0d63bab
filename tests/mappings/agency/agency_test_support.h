// Helpers the agency mapping tests share: a conversion's Bundle as JSON, a sample file's
// rows by column name.
#pragma once

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "mappings/csv/table.h"
#include "support/test_support.h"

namespace carebridge::testing {

// The security label systems the mappings' labels use.
inline constexpr const char* kConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
inline constexpr const char* kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

// The validator the agency tests share (invariants on).
inline const fhir::validation::Validator& agency_validator() {
  static auto v = fhir::validation::Validator::with_invariants(core());
  return *v;
}

// The converter of a shipped spec (mappings/specs/NAME/spec.json), read once per name.
inline const mappings::agency::AgencyConverter& shipped_converter(const std::string& name) {
  static std::map<std::string, std::unique_ptr<mappings::agency::AgencyConverter>> converters;
  auto& converter = converters[name];
  if (!converter) {
    auto spec = mappings::agency::load_spec(mappings::agency::default_specs_dir() / name / "spec.json", core());
    INFO((spec.ok() ? "" : spec.message()));
    REQUIRE(spec.ok());
    converter = std::make_unique<mappings::agency::AgencyConverter>(core(), &agency_validator(),
                                                                    std::make_shared<const mappings::agency::Spec>(*spec));
  }
  return *converter;
}

// The valid Bundle a conversion made, as the FHIR JSON writer prints it.
inline rapidjson::Document bundle_of(const mappings::agency::AgencyConversion& c) {
  REQUIRE(c.bundle);
  rapidjson::Document d;
  d.Parse(fhir::json::write(*c.bundle->root()).c_str());
  return d;
}

// The rows of a project sample CSV (samples/`relative`), each by column name.
inline std::vector<std::map<std::string, std::string>> sample_rows(const std::string& relative) {
  std::string name = relative.substr(relative.rfind('/') + 1);
  auto table = mappings::csv::read_csv(read_text(project_sample(relative)), name);
  REQUIRE(table.ok());
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& row : table->rows) {
    auto& r = rows.emplace_back();
    for (size_t i = 0; i < table->columns.size() && i < row.values.size(); ++i) r[table->columns[i]] = row.values[i];
  }
  return rows;
}

}  // namespace carebridge::testing
