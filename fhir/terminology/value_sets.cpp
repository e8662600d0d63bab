// ValueSet expansion (value_sets.h). compose: the includes are united, then the
// excludes removed. One include (or exclude) is the intersection of its parts: the
// system part (a concept list, the filters, all ANDed, or the whole system) and each
// value set it names, as the specification reads ValueSet.compose.include.valueSet.
// A system not loaded completely, or a filter not evaluated here, is open.
#include "fhir/terminology/value_sets.h"

#include <charconv>

#include "fhir/terminology/filters.h"
#include "fhir/terminology/json_fields.h"

namespace carebridge::fhir::terminology {
namespace {

constexpr int kMaxNesting = 64;

// ValueSet.expansion.contains, nested (nested deeper than the limit: an unknown part).
void read_contains(const rapidjson::Value& holder, Expansion& out, int depth) {
  if (depth > kMaxNesting) {
    out.unknown_part = true;
    return;
  }
  json::each(holder, "contains", [&](const rapidjson::Value& c) {
    std::string_view code = json::text(c, "code");
    if (!code.empty()) out.codes[std::string(json::text(c, "system"))].emplace(code);
    read_contains(c, out, depth + 1);
  });
}

size_t number(std::string_view text) {
  size_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

// A stored expansion; one page of a larger one (fewer codes than its total, or an
// offset) says nothing about the codes not on the page.
Expansion stored_expansion(const rapidjson::Value& expansion) {
  Expansion out;
  read_contains(expansion, out, 0);
  size_t total = number(json::text(expansion, "total"));
  if (total > out.size() || number(json::text(expansion, "offset")) > 0) out.unknown_part = true;
  return out;
}

class ComposeReader {
 public:
  // active_only: compose.inactive is false.
  ComposeReader(const ExpansionSources& sources, bool active_only) : sources_(sources), active_only_(active_only) {}

  // One include or exclude: the intersection of its system part and its value sets.
  Expansion part(const rapidjson::Value& include) {
    Expansion result;
    bool first = true;
    auto intersect = [&](const Expansion& p) {
      if (first) {
        result = p;
        first = false;
      } else {
        result.keep_common(p);
      }
    };
    std::string_view system = json::text(include, "system");
    if (!system.empty()) intersect(system_part(system, json::text(include, "version"), include));
    json::each(include, "valueSet", [&](const rapidjson::Value& v) {
      if (!v.IsString()) return;
      const Expansion* nested = sources_.value_set({v.GetString(), v.GetStringLength()});
      if (nested) {
        intersect(*nested);
      } else {
        Expansion unknown;
        unknown.unknown_part = true;
        intersect(unknown);
      }
    });
    return result;
  }

 private:
  const ExpansionSources& sources_;
  bool active_only_;

  // The codes an include takes from `system` (at `version` when it names one).
  Expansion system_part(std::string_view system, std::string_view version, const rapidjson::Value& include) {
    Expansion out;
    bool listed = false;
    const CodeSystem* cs = sources_.code_system(version.empty() ? std::string(system) : std::string(system) + "|" + std::string(version));
    json::each(include, "concept", [&](const rapidjson::Value& c) {
      listed = true;
      auto code = json::text(c, "code");
      if (code.empty()) return;
      if (active_only_ && cs) {
        if (const Concept* known = cs->concept_of(code); known && known->inactive()) return;
      }
      out.codes[std::string(system)].emplace(code);
    });
    if (listed) return out;
    if (!cs || !cs->complete()) {
      out.open_systems[std::string(system)];
      return out;
    }
    std::vector<bool> selected(cs->concepts.size(), true);
    bool understood = true;
    json::each(include, "filter", [&](const rapidjson::Value& f) {
      if (!understood) return;
      auto mask = select_concepts(*cs, json::text(f, "property"), json::text(f, "op"), json::text(f, "value"));
      if (!mask) {
        understood = false;
        return;
      }
      for (size_t i = 0; i < selected.size(); ++i) selected[i] = selected[i] && (*mask)[i];
    });
    if (!understood) {
      out.open_systems[std::string(system)];
      return out;
    }
    auto& codes = out.codes[std::string(system)];
    for (size_t i = 0; i < selected.size(); ++i) {
      if (selected[i] && !(active_only_ && cs->concepts[i].inactive())) codes.insert(cs->concepts[i].code);
    }
    return out;
  }
};

}  // namespace

Result<Expansion> expand_value_set(std::string_view json_text, const ExpansionSources& sources) {
  std::string buffer;
  rapidjson::Document doc;
  if (!json::parse(json_text, buffer, doc) || json::text(doc, "resourceType") != "ValueSet") {
    return Result<Expansion>::failure("invalid", "not a ValueSet resource in JSON");
  }
  Expansion out;
  if (auto stored = doc.FindMember("expansion"); stored != doc.MemberEnd()) {
    out = stored_expansion(stored->value);
  } else if (auto compose = doc.FindMember("compose"); compose != doc.MemberEnd()) {
    ComposeReader reader(sources, json::text(compose->value, "inactive") == "false");
    json::each(compose->value, "include", [&](const rapidjson::Value& inc) { out.add_all(reader.part(inc)); });
    json::each(compose->value, "exclude", [&](const rapidjson::Value& exc) { out.remove_all(reader.part(exc)); });
  } else {
    out.unknown_part = true;  // neither: nothing can be said
  }
  out.url = std::string(json::text(doc, "url"));
  out.version = std::string(json::text(doc, "version"));
  out.name = std::string(json::text(doc, "name"));
  out.finish();
  return out;
}

Expansion whole_code_system(const CodeSystem& cs) {
  Expansion out;
  out.url = cs.url;
  out.version = cs.version;
  out.name = cs.name;
  if (cs.complete()) {
    auto& codes = out.codes[cs.url];
    for (const Concept& c : cs.concepts) codes.insert(c.code);
  } else {
    out.open_systems[cs.url];
  }
  out.finish();
  return out;
}

}  // namespace carebridge::fhir::terminology
