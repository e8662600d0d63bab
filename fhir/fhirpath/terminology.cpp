// ValueSet expansion for memberOf().
#include "fhir/fhirpath/terminology.h"

#include <rapidjson/document.h>

namespace carebridge::fhir::fhirpath {
namespace {

std::string_view str(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

template <typename F>
void each(const rapidjson::Value& v, const char* name, F&& f) {
  if (!v.IsObject()) return;
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsArray()) return;
  for (const auto& item : it->value.GetArray()) f(item);
}

void add(std::unordered_set<std::string>& codes, std::unordered_set<std::string>& bare, std::string_view system,
         std::string_view code) {
  codes.insert(std::string(system) + "|" + std::string(code));
  bare.insert(std::string(code));
}

void add_concepts(const rapidjson::Value& parent, std::string_view system, std::unordered_set<std::string>& codes,
                  std::unordered_set<std::string>& bare, int depth) {
  if (depth > 64) return;
  each(parent, "concept", [&](const rapidjson::Value& c) {
    std::string_view code = str(c, "code");
    if (!code.empty()) add(codes, bare, system, code);
    add_concepts(c, system, codes, bare, depth + 1);
  });
}

void add_contains(const rapidjson::Value& parent, std::unordered_set<std::string>& codes,
                  std::unordered_set<std::string>& bare, int depth) {
  if (depth > 64) return;
  each(parent, "contains", [&](const rapidjson::Value& c) {
    std::string_view code = str(c, "code");
    if (!code.empty()) add(codes, bare, str(c, "system"), code);
    add_contains(c, codes, bare, depth + 1);
  });
}

}  // namespace

std::optional<bool> Terminology::contains(std::string_view value_set, std::string_view system,
                                          std::string_view code) const {
  auto e = expansion(value_set);
  if (!e) return std::nullopt;
  if (system.empty()) return e->bare.contains(std::string(code));
  return e->codes.contains(std::string(system) + "|" + std::string(code));
}

std::shared_ptr<const Terminology::Expansion> Terminology::expansion(std::string_view url) const {
  std::string key(url);
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  auto e = std::make_shared<Expansion>();
  std::shared_ptr<const Expansion> result;
  if (expand(url, *e, 0)) result = e;
  std::lock_guard lock(mutex_);
  cache_.emplace(key, result);
  return result;
}

bool Terminology::add_code_system(std::string_view url, Expansion& into) const {
  const auto* cs = definitions_.resource("CodeSystem", url);
  if (!cs) return false;
  rapidjson::Document json;
  json.Parse(cs->json.data(), cs->json.size());
  if (json.HasParseError()) return false;
  add_concepts(json, url, into.codes, into.bare, 0);
  return true;
}

bool Terminology::expand(std::string_view url, Expansion& into, int depth) const {
  if (depth > 16) return false;
  const auto* vs = definitions_.resource("ValueSet", url);
  if (!vs) {
    // A code system's implicit value set (CodeSystem.valueSet or the system URL itself).
    return add_code_system(url, into);
  }
  rapidjson::Document json;
  json.Parse(vs->json.data(), vs->json.size());
  if (json.HasParseError()) return false;
  auto expansion = json.FindMember("expansion");
  if (expansion != json.MemberEnd()) {
    add_contains(expansion->value, into.codes, into.bare, 0);
    return true;
  }
  auto compose = json.FindMember("compose");
  if (compose == json.MemberEnd()) return false;
  bool ok = true;
  each(compose->value, "include", [&](const rapidjson::Value& include) {
    std::string_view system = str(include, "system");
    bool listed = false;
    each(include, "concept", [&](const rapidjson::Value& c) {
      listed = true;
      std::string_view code = str(c, "code");
      if (!code.empty()) add(into.codes, into.bare, system, code);
    });
    if (!listed && !system.empty()) ok = add_code_system(system, into) && ok;
    each(include, "valueSet", [&](const rapidjson::Value& v) {
      if (v.IsString()) ok = expand(std::string_view(v.GetString(), v.GetStringLength()), into, depth + 1) && ok;
    });
  });
  each(compose->value, "exclude", [&](const rapidjson::Value& exclude) {
    std::string_view system = str(exclude, "system");
    each(exclude, "concept", [&](const rapidjson::Value& c) {
      std::string code(str(c, "code"));
      into.codes.erase(std::string(system) + "|" + code);
    });
  });
  return ok || !into.codes.empty();
}

}  // namespace carebridge::fhir::fhirpath
