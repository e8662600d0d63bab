#include "mappings/agency/records.h"

#include <fstream>
#include <sstream>

#include "mappings/engine/ids.h"
#include "mappings/engine/node_json.h"

namespace carebridge::mappings::agency {

Result<BundleRecords> BundleRecords::from_json(std::string_view json) {
  auto bundle = engine::read_json(json);
  if (!bundle || bundle->text_of("resourceType") != "Bundle")
    return Result<BundleRecords>::failure("invalid", "the records are not a FHIR Bundle in JSON");
  BundleRecords records;
  const engine::Node* entries = bundle->member("entry");
  for (const engine::Node& entry : entries ? entries->children : std::vector<engine::Node>{}) {
    const engine::Node* resource = entry.member("resource");
    if (!resource || resource->text_of("resourceType").empty() || resource->text_of("id").empty()) continue;
    std::string json_text, type(resource->text_of("resourceType")), key = type + "/" + std::string(resource->text_of("id"));
    engine::write_json(*resource, json_text);
    records.resources_[key] = std::move(json_text);
    const engine::Node* identifiers = resource->member("identifier");
    for (const engine::Node& id : identifiers ? identifiers->children : std::vector<engine::Node>{})
      records.by_identifier_[type + "?identifier=" + engine::token_criteria(id.text_of("system"), id.text_of("value"))] = key;
  }
  return records;
}

Result<BundleRecords> BundleRecords::from_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Result<BundleRecords>::failure("not-found", file.string() + ": cannot be read");
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto records = from_json(bytes.str());
  if (!records) return Result<BundleRecords>::failure("invalid", file.string() + ": " + records.message());
  return records;
}

std::optional<std::string> BundleRecords::read(const std::string& type, const std::string& id) const {
  auto it = resources_.find(type + "/" + id);
  if (it == resources_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> BundleRecords::find(const std::string& conditional_reference) const {
  auto it = by_identifier_.find(conditional_reference);
  if (it == by_identifier_.end()) return std::nullopt;
  return resources_.at(it->second);
}

}  // namespace carebridge::mappings::agency
