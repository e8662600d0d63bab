// The HMIS export written from HUD's CSV specifications, not from our samples
// (tests/data/hmis-independent/FY2024 and FY2026), and what the tests on it share: the
// export's files, their rows by column name, the Bundle's resources by identifier, and
// changes to a row as an exporter makes them.
#pragma once

#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agency_test_support.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "mappings/csv/table.h"
#include "support/test_support.h"

namespace carebridge::testing::hmis_export {

using namespace carebridge::mappings;


using carebridge::testing::kActCode;
using carebridge::testing::kConfidentiality;

inline const carebridge::fhir::validation::Validator& validator() { return carebridge::testing::agency_validator(); }

inline const agency::AgencyConverter& hmis() { return carebridge::testing::shipped_converter("hmis"); }

using Files = std::vector<std::pair<std::string, std::string>>;

inline Files export_files(const std::string& year) { return carebridge::testing::folder_files(fixture("hmis-independent/" + year)); }

// The rows of one file of the export, by column name (the CSV reader takes off the BOM).
inline std::vector<std::map<std::string, std::string>> rows_of(const Files& files, const std::string& name) {
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& [file, text] : files) {
    if (file != name) continue;
    auto table = csv::read_csv(text, name);
    REQUIRE(table.ok());
    for (const auto& row : table->rows) {
      auto& r = rows.emplace_back();
      for (size_t i = 0; i < table->columns.size() && i < row.values.size(); ++i) r[table->columns[i]] = row.values[i];
    }
  }
  REQUIRE(!rows.empty());
  return rows;
}

inline std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : ""; }

inline std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  v.Accept(writer);
  return out.GetString();
}

// The resources of one type by their agency identifier value.
inline std::map<std::string, const rapidjson::Value*> by_identifier(const rapidjson::Document& bundle, const std::string& type) {
  std::map<std::string, const rapidjson::Value*> out;
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    if (str(r["resourceType"]) != type || !r.HasMember("identifier")) continue;
    for (const auto& id : r["identifier"].GetArray())
      if (str(id["system"]).starts_with("urn:carebridge:agency:")) out[str(id["value"])] = &r;
  }
  return out;
}

inline bool has_label(const rapidjson::Value& r, const char* system, const char* code) {
  if (!r.HasMember("meta") || !r["meta"].HasMember("security")) return false;
  for (const auto& l : r["meta"]["security"].GetArray())
    if (str(l["system"]) == system && str(l["code"]) == code) return true;
  return false;
}

// The resource whose conditional-update URL ends with `end` (Observations are found so).
inline const rapidjson::Value* by_url(const rapidjson::Document& bundle, const std::string& end) {
  for (const auto& e : bundle["entry"].GetArray())
    if (str(e["request"]["url"]).ends_with(end)) return &e["resource"];
  return nullptr;
}

// Every Coding code below `v` outside meta, with its system.
inline void codings(const rapidjson::Value& v, std::vector<std::pair<std::string, std::string>>& out) {
  if (v.IsArray())
    for (const auto& item : v.GetArray()) codings(item, out);
  if (!v.IsObject()) return;
  if (v.HasMember("system") && v.HasMember("code") && v["code"].IsString()) out.emplace_back(str(v["system"]), str(v["code"]));
  for (const auto& m : v.GetObject())
    if (std::string(m.name.GetString()) != "meta") codings(m.value, out);
}



// `text` (one CSV file of the export) with `cells` (column, value) changed in the row whose
// first cell is `id` — or, with `new_id`, on a copy of that row added at the end under it.
// Cells are split at commas: the rows changed quote nothing before the cells they change.
inline std::string with_cells(const std::string& text, const std::string& id,
                       const std::vector<std::pair<std::string, std::string>>& changes, const std::string& new_id = "") {
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    size_t at = 0;
    for (size_t comma; (comma = line.find(',', at)) != std::string::npos; at = comma + 1) cells.push_back(line.substr(at, comma - at));
    cells.push_back(line.substr(at));
    return cells;
  };
  std::string header = text.substr(0, text.find('\n'));
  if (!header.empty() && header.back() == '\r') header.pop_back();
  auto names = split(header);
  size_t start = text.find("\n" + id + ",") + 1, end = text.find('\n', start);
  std::string line = text.substr(start, end - start);
  bool cr = !line.empty() && line.back() == '\r';
  if (cr) line.pop_back();
  auto cells = split(line);
  for (const auto& [column, value] : changes) {
    size_t index = std::find(names.begin(), names.end(), column) - names.begin();
    REQUIRE(index < cells.size());
    cells[index] = value;
  }
  if (!new_id.empty()) cells[0] = new_id;
  std::string changed;
  for (size_t i = 0; i < cells.size(); ++i) changed += (i ? "," : "") + cells[i];
  changed += cr ? "\r" : "";
  if (new_id.empty()) return text.substr(0, start) + changed + text.substr(end);
  return text + (text.ends_with("\n") ? "" : "\n") + changed + "\n";
}

inline std::string with_cell(const std::string& text, const std::string& id, const std::string& column, const std::string& value,
                      const std::string& new_id = "") {
  return with_cells(text, id, {{column, value}}, new_id);
}

// Another version of the record whose first cell is `id`, added at the end.
inline std::string with_version(const std::string& text, const std::string& id,
                         const std::vector<std::pair<std::string, std::string>>& changes) {
  return with_cells(text, id, changes, id);
}


}  // namespace carebridge::testing::hmis_export
