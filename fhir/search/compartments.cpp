// Compartments from CompartmentDefinitions (see compartments.h).
#include "fhir/search/compartments.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "fhir/terminology/json_fields.h"

namespace carebridge::fhir::search {

namespace json = fhir::terminology::json;

Compartments Compartments::load(const definitions::Definitions& definitions, const std::filesystem::path& folder,
                                const SearchRegistry& registry) {
  Compartments out;
  for (const auto* definition : definitions.resources("CompartmentDefinition")) out.add(definition->json, registry);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("compartmentdefinition-") || !name.ends_with(".json")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out.add(text.str(), registry);
  }
  return out;
}

bool Compartments::add(std::string_view text, const SearchRegistry& registry) {
  std::string buffer;
  rapidjson::Document doc;
  if (!json::parse(text, buffer, doc) || json::text(doc, "resourceType") != "CompartmentDefinition") return false;
  std::string compartment(json::text(doc, "code"));
  if (compartment.empty()) return false;
  if (auto url = json::text(doc, "url"); !url.empty()) {
    if (std::find(urls_.begin(), urls_.end(), url) != urls_.end()) return true;  // read already
    urls_.emplace_back(url);
  }
  auto& by_type = params_[compartment];
  json::each(doc, "resource", [&](const rapidjson::Value& resource) {
    std::string type(json::text(resource, "code"));
    json::each(resource, "param", [&](const rapidjson::Value& code) {
      if (!code.IsString()) return;
      const SearchParam* param = registry.find(type, code.GetString());
      if (!param || param->type != "reference") return;
      auto& codes = by_type[type];
      if (std::find(codes.begin(), codes.end(), param->index_code()) == codes.end()) codes.push_back(param->index_code());
    });
  });
  return true;
}

Clause Compartments::clause(std::string_view compartment, std::string_view id, std::string_view type) const {
  Clause out;
  out.param = "_compartment";
  auto found = params_.find(compartment);
  if (found == params_.end()) return out;
  auto params = found->second.find(type);
  if (params == found->second.end()) return out;
  ValueMatch member;
  member.kind = ValueMatch::Kind::Reference;
  if (id.empty()) {
    member.code_prefix = std::string(compartment) + "/";  // a reference to any of them
  } else {
    member.code = std::string(compartment) + "/" + std::string(id);
    member.text = member.code;
  }
  for (const std::string& code : params->second) {
    Clause one;
    one.param = code;
    one.any_of.push_back(member);
    out.either.push_back(std::move(one));
  }
  return out;
}

std::vector<std::string> Compartments::types(std::string_view compartment) const {
  std::vector<std::string> out;
  if (auto found = params_.find(compartment); found != params_.end())
    for (const auto& [type, codes] : found->second) out.push_back(type);
  return out;
}

Clause Compartments::clause(std::string_view compartment, std::string_view id, const std::vector<std::string>& types) const {
  Clause out;
  out.param = "_compartment";
  std::set<std::string> seen;
  for (const std::string& type : types)
    for (Clause& one : clause(compartment, id, type).either)
      if (seen.insert(one.param).second) out.either.push_back(std::move(one));
  if (id.empty() && std::find(types.begin(), types.end(), compartment) != types.end()) {
    Clause itself;  // every one of them is in its own compartment
    itself.param = "_type";
    ValueMatch type;
    type.code = std::string(compartment);
    itself.any_of.push_back(std::move(type));
    out.either.push_back(std::move(itself));
  }
  return out;
}

}  // namespace carebridge::fhir::search
