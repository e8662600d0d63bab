// Helpers the agency mapping tests share: a conversion's Bundle as JSON, a sample file's
// rows by column name.
#pragma once

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

#include "fhir/json/json_writer.h"
#include "mappings/agency/conversion.h"
#include "mappings/csv/table.h"
#include "support/test_support.h"

namespace carebridge::testing {

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
