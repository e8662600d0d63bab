// Terminology from the loaded definitions: CodeSystems reduced to their codes and
// hierarchy, and ValueSets expanded locally (whole systems, concept lists, is-a and
// property filters, included value sets, excludes). Each is built once and cached;
// anything that cannot be expanded here (external systems such as SNOMED CT) makes
// the expansion "open" for that system so no false error is raised.
#include <rapidjson/document.h>

#include <functional>

#include "fhir/validation/state.h"

namespace carebridge::fhir::validation {
namespace {

std::string_view str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return {};
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

template <typename F>
void each(const rapidjson::Value& obj, const char* key, F&& f) {
  if (!obj.IsObject()) return;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsArray()) return;
  for (const auto& v : it->value.GetArray()) f(v);
}

void read_concepts(const rapidjson::Value& owner, const std::string& parent, CodeSystemInfo& cs) {
  each(owner, "concept", [&](const rapidjson::Value& c) {
    std::string code(str(c, "code"));
    if (code.empty()) return;
    if (!cs.parent.count(code)) {
      cs.parent.emplace(code, parent);
      cs.codes.push_back(code);
    }
    if (!parent.empty()) cs.children[parent].push_back(code);
    auto& displays = cs.displays[code];
    if (auto d = str(c, "display"); !d.empty()) displays.emplace_back(d);
    each(c, "designation", [&](const rapidjson::Value& d) {
      if (auto v = str(d, "value"); !v.empty()) displays.emplace_back(v);
    });
    each(c, "property", [&](const rapidjson::Value& p) {
      std::string_view value;
      for (const char* key : {"valueCode", "valueString", "valueBoolean"}) {
        auto it = p.FindMember(key);
        if (it == p.MemberEnd()) continue;
        if (it->value.IsString()) value = {it->value.GetString(), it->value.GetStringLength()};
        if (it->value.IsBool()) value = it->value.GetBool() ? "true" : "false";
      }
      std::string name(str(p, "code"));
      cs.properties[code][name] = std::string(value);
      if ((name == "parent" || name == "subsumedBy") && !value.empty()) cs.children[std::string(value)].push_back(code);
    });
    read_concepts(c, code, cs);
  });
}

void add_descendants(const CodeSystemInfo& cs, const std::string& code, bool self, Expansion& out,
                     std::unordered_set<std::string>& seen) {
  if (!seen.insert(code).second) return;
  if (self) {
    out.codes.insert(cs.url + "|" + code);
    out.bare_codes.insert(code);
  }
  auto it = cs.children.find(code);
  if (it == cs.children.end()) return;
  for (const auto& c : it->second) add_descendants(cs, c, true, out, seen);
}

// Displays cut at a fixed length show as many codes whose display is exactly the
// longest one's length (v3-TribalEntityUS: 185 of 568 at 50): that length, else 0.
size_t abridged_length(const CodeSystemInfo& cs) {
  size_t longest = 0, at_longest = 0;
  for (const auto& [code, displays] : cs.displays) {
    if (displays.empty()) continue;
    size_t n = displays.front().size();
    if (n > longest) {
      longest = n;
      at_longest = 0;
    }
    if (n == longest) ++at_longest;
  }
  return longest >= 20 && at_longest >= 5 ? longest : 0;
}

}  // namespace

bool Expansion::contains(std::string_view system, std::string_view code) const {
  if (open_systems.count(std::string(system))) return true;
  std::string key(system);
  key += '|';
  key += code;
  return codes.count(key) > 0;
}

std::unique_ptr<CodeSystemInfo> ValidatorState::load_code_system(std::string_view url) {
  const auto* resource = defs.resource("CodeSystem", url);
  if (!resource) return nullptr;
  // In situ on a copy: RapidJSON's fast path (no per-string allocation, SIMD scans).
  std::string text = resource->json;
  rapidjson::Document json;
  json.ParseInsitu(text.data());
  if (json.HasParseError() || !json.IsObject()) return nullptr;
  auto cs = std::make_unique<CodeSystemInfo>();
  cs->url = std::string(url);
  cs->complete = str(json, "content") == "complete";
  auto sensitive = json.FindMember("caseSensitive");
  cs->case_sensitive = sensitive == json.MemberEnd() || !sensitive->value.IsBool() || sensitive->value.GetBool();
  read_concepts(json, "", *cs);
  if (cs->codes.empty()) cs->complete = false;
  cs->abridged_at = abridged_length(*cs);
  return cs;
}

const CodeSystemInfo* ValidatorState::code_system(std::string_view url) {
  std::lock_guard lock(mutex_);
  std::string key(url);
  auto it = code_systems_.find(key);
  if (it == code_systems_.end()) it = code_systems_.emplace(key, load_code_system(url)).first;
  return it->second.get();
}

const Expansion* ValidatorState::expansion(std::string_view url) {
  std::lock_guard lock(mutex_);
  std::string key(url);
  auto it = expansions_.find(key);
  if (it != expansions_.end()) return it->second.get();
  if (!expanding_.insert(key).second) return nullptr;  // a cycle of includes
  auto expanded = expand(url);
  expanding_.erase(key);
  return expansions_.emplace(key, std::move(expanded)).first->second.get();
}

std::unique_ptr<Expansion> ValidatorState::expand(std::string_view url) {
  const auto* resource = defs.resource("ValueSet", url);
  if (!resource) return nullptr;
  // In situ on a copy: RapidJSON's fast path (no per-string allocation, SIMD scans).
  std::string text = resource->json;
  rapidjson::Document json;
  json.ParseInsitu(text.data());
  if (json.HasParseError() || !json.IsObject()) return nullptr;
  auto out = std::make_unique<Expansion>();
  out->name = std::string(str(json, "name"));
  auto add = [&](std::string_view system, std::string_view code) {
    out->codes.insert(std::string(system) + "|" + std::string(code));
    out->bare_codes.insert(std::string(code));
  };
  auto include = [&](const rapidjson::Value& inc) {
    std::string system(str(inc, "system"));
    each(inc, "valueSet", [&](const rapidjson::Value& v) {
      if (!v.IsString()) return;
      const Expansion* nested = expansion(v.GetString());
      if (!nested) {
        out->complete = false;
        return;
      }
      out->codes.insert(nested->codes.begin(), nested->codes.end());
      out->bare_codes.insert(nested->bare_codes.begin(), nested->bare_codes.end());
      out->open_systems.insert(nested->open_systems.begin(), nested->open_systems.end());
      if (!nested->complete) out->complete = false;
    });
    if (system.empty()) return;
    bool listed = false;
    each(inc, "concept", [&](const rapidjson::Value& c) {
      listed = true;
      add(system, str(c, "code"));
    });
    if (listed) return;
    const CodeSystemInfo* cs = code_system(system);
    bool filtered = false;
    bool understood = cs && cs->complete;
    each(inc, "filter", [&](const rapidjson::Value& f) {
      filtered = true;
      std::string_view op = str(f, "op"), property = str(f, "property");
      std::string value(str(f, "value"));
      if (!understood) return;
      std::unordered_set<std::string> seen;
      if ((op == "is-a" || op == "descendent-of") && (property == "concept" || property == "code")) {
        add_descendants(*cs, value, op == "is-a", *out, seen);
      } else if (op == "=") {
        for (const auto& code : cs->codes) {
          auto p = cs->properties.find(code);
          if (p == cs->properties.end()) continue;
          auto q = p->second.find(std::string(property));
          if (q != p->second.end() && q->second == value) add(system, code);
        }
      } else {
        understood = false;
      }
    });
    if (!understood) {
      out->open_systems.insert(system);
      out->complete = false;
      return;
    }
    if (!filtered) {
      for (const auto& code : cs->codes) add(system, code);
    }
  };
  auto expansion_member = json.FindMember("expansion");
  if (expansion_member != json.MemberEnd()) {
    std::function<void(const rapidjson::Value&)> contains = [&](const rapidjson::Value& holder) {
      each(holder, "contains", [&](const rapidjson::Value& c) {
        if (!str(c, "code").empty()) add(str(c, "system"), str(c, "code"));
        contains(c);
      });
    };
    contains(expansion_member->value);
    return out;
  }
  auto compose = json.FindMember("compose");
  if (compose == json.MemberEnd()) {
    out->complete = false;
    return out;
  }
  each(compose->value, "include", include);
  bool excluded = false;
  each(compose->value, "exclude", [&](const rapidjson::Value& exc) {
    std::string system(str(exc, "system"));
    each(exc, "concept", [&](const rapidjson::Value& c) {
      excluded = out->codes.erase(system + "|" + std::string(str(c, "code"))) > 0 || excluded;
    });
  });
  if (excluded) {  // the bare codes are what remains, whatever its system
    out->bare_codes.clear();
    for (const auto& code : out->codes) out->bare_codes.insert(code.substr(code.find('|') + 1));
  }
  return out;
}

}  // namespace carebridge::fhir::validation
