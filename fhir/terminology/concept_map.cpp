// Reading a ConceptMap resource (concept_map.h); the translation itself, which may
// follow other maps, is in terminology.cpp where maps are looked up.
#include "fhir/terminology/concept_map.h"

#include "fhir/terminology/json_fields.h"

namespace carebridge::fhir::terminology {
namespace {

std::vector<MapDependency> dependencies(const rapidjson::Value& target, const char* key) {
  std::vector<MapDependency> out;
  json::each(target, key, [&](const rapidjson::Value& d) {
    out.push_back({std::string(json::text(d, "property")), std::string(json::text(d, "system")),
                   std::string(json::text(d, "value")), std::string(json::text(d, "display"))});
  });
  return out;
}

ConceptMap::Element read_element(const rapidjson::Value& e) {
  ConceptMap::Element element{std::string(json::text(e, "code")), std::string(json::text(e, "display")), {}};
  json::each(e, "target", [&](const rapidjson::Value& t) {
    element.targets.push_back({std::string(json::text(t, "code")), std::string(json::text(t, "display")),
                               std::string(json::text(t, "equivalence")), std::string(json::text(t, "comment")),
                               dependencies(t, "dependsOn"), dependencies(t, "product")});
  });
  return element;
}

void read_unmapped(const rapidjson::Value& g, ConceptMap::Group& group) {
  auto it = g.FindMember("unmapped");
  if (it == g.MemberEnd()) return;
  std::string_view mode = json::text(it->value, "mode");
  group.unmapped = mode == "provided"    ? ConceptMap::Unmapped::provided
                   : mode == "fixed"     ? ConceptMap::Unmapped::fixed
                   : mode == "other-map" ? ConceptMap::Unmapped::other_map
                                         : ConceptMap::Unmapped::none;
  group.unmapped_code = std::string(json::text(it->value, "code"));
  group.unmapped_display = std::string(json::text(it->value, "display"));
  group.unmapped_url = std::string(json::text(it->value, "url"));
}

}  // namespace

Result<ConceptMap> read_concept_map(std::string_view json_text) {
  std::string buffer;
  rapidjson::Document doc;
  if (!json::parse(json_text, buffer, doc) || json::text(doc, "resourceType") != "ConceptMap") {
    return Result<ConceptMap>::failure("invalid", "not a ConceptMap resource in JSON");
  }
  ConceptMap map;
  map.url = std::string(json::text(doc, "url"));
  map.version = std::string(json::text(doc, "version"));
  map.name = std::string(json::text(doc, "name"));
  json::each(doc, "group", [&](const rapidjson::Value& g) {
    ConceptMap::Group group;
    group.source = std::string(json::without_version(json::text(g, "source")));
    group.target = std::string(json::without_version(json::text(g, "target")));
    json::each(g, "element", [&](const rapidjson::Value& e) {
      auto element = read_element(e);
      if (element.code.empty()) return;
      group.by_code[element.code].push_back(static_cast<uint32_t>(group.elements.size()));
      group.elements.push_back(std::move(element));
    });
    read_unmapped(g, group);
    map.groups.push_back(std::move(group));
  });
  return map;
}

namespace {

std::string inverse(const std::string& equivalence) {
  if (equivalence == "wider") return "narrower";
  if (equivalence == "narrower") return "wider";
  if (equivalence == "subsumes") return "specializes";
  if (equivalence == "specializes") return "subsumes";
  return equivalence;
}

}  // namespace

ConceptMap reversed(const ConceptMap& map) {
  ConceptMap out;
  out.url = map.url;
  out.version = map.version;
  out.name = map.name;
  for (const auto& group : map.groups) {
    ConceptMap::Group back;
    back.source = group.target;
    back.target = group.source;
    for (const auto& element : group.elements) {
      for (const auto& t : element.targets) {
        if (t.code.empty()) continue;
        auto& at = back.by_code[t.code];
        at.push_back(static_cast<uint32_t>(back.elements.size()));
        back.elements.push_back({t.code, t.display, {{element.code, element.display, inverse(t.equivalence), t.comment, t.product, t.depends_on}}});
      }
    }
    out.groups.push_back(std::move(back));
  }
  return out;
}

}  // namespace carebridge::fhir::terminology
