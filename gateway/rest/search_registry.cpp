// Reads SearchParameter resources (compact JSON) into the registry.
#include "gateway/rest/search_registry.h"

#include <rapidjson/document.h>

#include <algorithm>

namespace carebridge::gateway::rest {
namespace {

bool supported_param_type(std::string_view type) {
  return type == "string" || type == "token" || type == "reference" || type == "date" || type == "number" ||
         type == "quantity" || type == "uri";
}

// The part of a union expression that applies to `type` ("Patient.name | Person.name" -> "Patient.name").
std::string expression_for(const std::string& expression, const std::string& type) {
  std::string out;
  int depth = 0;
  size_t start = 0;
  auto take = [&](size_t end) {
    std::string part = expression.substr(start, end - start);
    auto first = part.find_first_not_of(" (");
    if (first == std::string::npos) return;
    std::string_view head = std::string_view(part).substr(first);
    bool applies = head.starts_with(type + ".") || head == type || head.starts_with("Resource.") ||
                   head.starts_with("DomainResource.") || head.starts_with("%resource");
    if (!applies) return;
    auto a = part.find_first_not_of(' '), b = part.find_last_not_of(' ');
    out += out.empty() ? "" : " | ";
    out += part.substr(a, b - a + 1);
  };
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == '|' && depth == 0) {
      take(i);
      start = i + 1;
    }
  }
  take(expression.size());
  return out;
}

}  // namespace

bool SearchRegistry::is_resource_type(std::string_view type) const {
  return std::binary_search(types_.begin(), types_.end(), type);
}

SearchRegistry::SearchRegistry(const fhir::definitions::Definitions& definitions)
    : types_(definitions.resource_types()) {
  for (const auto* resource : definitions.resources("SearchParameter")) {
    rapidjson::Document doc;
    doc.Parse(resource->json.c_str(), resource->json.size());
    if (doc.HasParseError() || !doc.IsObject()) continue;
    auto text = [&](const char* name) -> std::string {
      auto it = doc.FindMember(name);
      return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
    };
    SearchParam param;
    param.code = text("code");
    param.type = text("type");
    param.url = text("url");
    std::string expression = text("expression");
    if (param.code.empty() || !supported_param_type(param.type) || expression.empty()) continue;
    if (auto t = doc.FindMember("target"); t != doc.MemberEnd() && t->value.IsArray()) {
      for (const auto& v : t->value.GetArray()) {
        if (v.IsString()) param.targets.emplace_back(v.GetString());
      }
    }
    auto bases = doc.FindMember("base");
    if (bases == doc.MemberEnd() || !bases->value.IsArray()) continue;
    for (const auto& b : bases->value.GetArray()) {
      if (!b.IsString()) continue;
      std::string base = b.GetString();
      std::vector<std::string> types;
      if (base == "Resource" || base == "DomainResource") {
        types = types_;
      } else if (is_resource_type(base)) {
        types.push_back(base);
      }
      for (const auto& type : types) {
        SearchParam copy = param;
        copy.expression = expression_for(expression, type);
        if (copy.expression.empty()) continue;
        by_type_[type].emplace(copy.code, std::move(copy));
      }
    }
  }
  // Parameters indexing the same values share one set of rows (the first code, in
  // code order, indexes them).
  for (auto& [type, params] : by_type_) {
    std::map<std::pair<std::string, std::string>, std::string> first;
    for (auto& [code, param] : params) {
      auto [it, added] = first.emplace(std::make_pair(param.type, param.expression), code);
      if (!added) param.indexed_as = it->second;
    }
  }
}

const SearchParam* SearchRegistry::find(std::string_view type, std::string_view code) const {
  auto t = by_type_.find(type);
  if (t == by_type_.end()) return nullptr;
  auto p = t->second.find(code);
  return p == t->second.end() ? nullptr : &p->second;
}

const std::map<std::string, SearchParam, std::less<>>& SearchRegistry::of(std::string_view type) const {
  auto t = by_type_.find(type);
  return t == by_type_.end() ? empty_ : t->second;
}

}  // namespace carebridge::gateway::rest
