// Reads SearchParameter resources (compact JSON) into the registry.
#include "fhir/search/registry.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <set>

#include "fhir/terminology/terminology.h"

namespace carebridge::fhir::search {
namespace {

bool supported_param_type(std::string_view type) {
  return type == "string" || type == "token" || type == "reference" || type == "date" || type == "number" ||
         type == "quantity" || type == "uri" || type == "composite";
}

std::string member_text(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
}

// The components of a composite SearchParameter, their types read from the parameters
// they name; empty when it is not one this server indexes (see SearchParam::components).
std::vector<SearchParam::Component> composite_components(const rapidjson::Value& doc,
                                                         const std::map<std::string, std::string>& type_by_url) {
  std::vector<SearchParam::Component> out;
  auto list = doc.FindMember("component");
  if (list == doc.MemberEnd() || !list->value.IsArray() || list->value.Size() != 2) return {};
  for (const auto& c : list->value.GetArray()) {
    if (!c.IsObject()) return {};
    auto type = type_by_url.find(member_text(c, "definition"));
    std::string expression = member_text(c, "expression");
    if (type == type_by_url.end() || type->second == "composite" || expression.empty()) return {};
    out.push_back({type->second, expression});
  }
  if (out[0].type != "token" && out[0].type != "reference") return {};
  return out;
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
    while (!head.empty() && (head.back() == ' ' || head.back() == ')')) head.remove_suffix(1);  // "Observation " of "Observation | ..."
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

// The top-level parts of a union expression, trimmed ("a | (b)" -> {"a", "(b)"}).
std::vector<std::string> union_parts(const std::string& expression) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  auto take = [&](size_t end) {
    auto a = expression.find_first_not_of(' ', start);
    auto b = expression.find_last_not_of(' ', end - 1);
    if (a != std::string::npos && a < end && b >= a) parts.push_back(expression.substr(a, b - a + 1));
  };
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (c == '|' && depth == 0) {
      take(i);
      start = i + 1;
    }
  }
  take(expression.size());
  return parts;
}

bool same_components(const SearchParam& a, const SearchParam& b) {
  if (a.components.size() != b.components.size()) return false;
  for (size_t i = 0; i < a.components.size(); ++i) {
    if (a.components[i].type != b.components[i].type || a.components[i].expression != b.components[i].expression) return false;
  }
  return true;
}

// Whether each path of a token expression ("Patient.gender", "(Encounter.status)") is a plain
// path to an element of type code; false for anything else (a function, a Coding).
bool names_code_elements(const fhir::definitions::Definitions& definitions, const std::string& expression) {
  bool any = false;
  for (size_t start = 0; start <= expression.size();) {
    size_t bar = std::min(expression.find('|', start), expression.size());
    std::string_view path = std::string_view(expression).substr(start, bar - start);
    start = bar + 1;
    while (!path.empty() && (path.front() == ' ' || path.front() == '(')) path.remove_prefix(1);
    while (!path.empty() && (path.back() == ' ' || path.back() == ')')) path.remove_suffix(1);
    if (path.find_first_of("() ") != std::string_view::npos) return false;
    const auto* structure = definitions.type(path.substr(0, path.find('.')));
    if (!structure) return false;
    uint32_t at = structure->find(path);  // a core resource's element ids are its paths
    if (at == fhir::definitions::kNoElement) return false;
    const auto& types = structure->elements[at].types;
    if (types.size() != 1 || types[0].code != "code") return false;
    any = true;
  }
  return any;
}

}  // namespace

bool SearchRegistry::is_resource_type(std::string_view type) const {
  return std::binary_search(types_.begin(), types_.end(), type);
}

struct SearchRegistry::LazyTerminology {
  explicit LazyTerminology(const fhir::definitions::Definitions& d) : definitions(d) {}  // clang 14 has no ( ) aggregate init
  const fhir::definitions::Definitions& definitions;
  std::once_flag once;
  std::unique_ptr<terminology::Terminology> terminology;
};

const terminology::Terminology& SearchRegistry::terminology() const {
  auto& lazy = *terminology_;
  std::call_once(lazy.once, [&] { lazy.terminology = std::make_unique<terminology::Terminology>(lazy.definitions); });
  return *lazy.terminology;
}

SearchRegistry::SearchRegistry(const fhir::definitions::Definitions& definitions)
    : terminology_(std::make_shared<LazyTerminology>(definitions)), types_(definitions.resource_types()) {
  auto search_parameters = definitions.resources("SearchParameter");
  std::map<std::string, std::string> type_by_url;  // for the components of composites
  for (const auto* resource : search_parameters) {
    rapidjson::Document doc;
    doc.Parse(resource->json.c_str(), resource->json.size());
    if (!doc.HasParseError() && doc.IsObject()) type_by_url.emplace(resource->url, member_text(doc, "type"));
  }
  for (const auto* resource : search_parameters) {
    rapidjson::Document doc;
    doc.Parse(resource->json.c_str(), resource->json.size());
    if (doc.HasParseError() || !doc.IsObject()) continue;
    SearchParam param;
    param.code = member_text(doc, "code");
    param.type = member_text(doc, "type");
    param.url = member_text(doc, "url");
    std::string expression = member_text(doc, "expression");
    // Of the special parameters, Location's `near` (a position, rows kept as latitude and longitude).
    bool near = param.type == "special" && param.code == "near";
    if (param.code.empty() || (!supported_param_type(param.type) && !near) || expression.empty()) continue;
    if (param.type == "composite" && (param.components = composite_components(doc, type_by_url)).empty()) continue;
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
        // A system search (no type, or several in _type) takes the parameters every resource has.
        if (base == "Resource") types.emplace_back(kAnyType);
      } else if (is_resource_type(base)) {
        types.push_back(base);
      }
      for (const auto& type : types) {
        SearchParam copy = param;
        copy.expression = expression_for(expression, type);
        if (copy.expression.empty()) continue;
        copy.code_elements = copy.type == "token" && names_code_elements(definitions, copy.expression);
        by_type_[type].emplace(copy.code, std::move(copy));
      }
    }
  }
  for (auto& [type, params] : by_type_) share_rows(params);
}

// Parameters whose values another parameter's rows already hold read those rows
// instead of writing their own: fewer rows for every write (an Observation had a
// third of its rows twice), the same answers.
void SearchRegistry::share_rows(std::map<std::string, SearchParam, std::less<>>& params) {
  // The same type and expression: the first code, in code order, indexes them.
  std::map<std::pair<std::string, std::string>, std::string> first;
  for (auto& [code, param] : params) {
    if (param.type == "composite") continue;  // composites of one expression differ in their components
    auto [it, added] = first.emplace(std::make_pair(param.type, param.expression), code);
    if (!added) param.indexed_as = it->second;
  }
  // X.where(resolve() is T): the rows of the parameter X, those referring to a T.
  constexpr std::string_view kResolveIs = ".where(resolve() is ";
  for (auto& [code, param] : params) {
    auto at = param.expression.rfind(kResolveIs);
    if (param.type != "reference" || !param.indexed_as.empty() || at == std::string::npos || param.expression.back() != ')' ||
        param.expression.find('|') != std::string::npos) {
      continue;
    }
    std::string base = param.expression.substr(0, at);
    std::string target = param.expression.substr(at + kResolveIs.size(), param.expression.size() - at - kResolveIs.size() - 1);
    auto it = first.find({"reference", base});
    if (it == first.end() || target.find_first_of(" ()") != std::string::npos) continue;
    param.indexed_as = it->second;
    param.only_type = target;
  }
  // A | B | ...: when other parameters' unions cover exactly these parts, their rows.
  auto parts_of = [](const std::string& expression) {
    std::set<std::string> parts;
    for (auto& part : union_parts(expression)) parts.insert(part);
    return parts;
  };
  for (auto& [code, param] : params) {
    auto wanted = parts_of(param.expression);
    if (!param.indexed_as.empty() || wanted.size() < 2) continue;
    std::vector<std::pair<size_t, std::string>> candidates;  // by size, largest first
    for (const auto& [other_code, other] : params) {
      if (other_code == code || other.type != param.type || !other.has_own_rows()) continue;
      if (!same_components(other, param)) continue;
      auto parts = parts_of(other.expression);
      if (parts.size() < wanted.size() && std::includes(wanted.begin(), wanted.end(), parts.begin(), parts.end())) {
        candidates.emplace_back(parts.size(), other_code);
      }
    }
    std::sort(candidates.begin(), candidates.end(), std::greater<>());
    std::set<std::string> covered;
    std::vector<std::string> members;
    for (const auto& [size, other_code] : candidates) {
      auto parts = parts_of(params.find(other_code)->second.expression);
      bool overlaps = false;
      for (const auto& p : parts) overlaps = overlaps || covered.count(p);
      if (overlaps) continue;
      covered.insert(parts.begin(), parts.end());
      members.push_back(other_code);
    }
    if (covered == wanted) param.union_of = std::move(members);
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

}  // namespace carebridge::fhir::search
