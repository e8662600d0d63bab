// Rules of particular resource types that their definitions cannot express:
// CapabilityStatement search parameters agree with their definitions, a derived
// SearchParameter keeps its parent's bases and a composite one has components (its
// expression: search_expressions.cpp),
// Questionnaire enableWhen refers to an existing question outside the item it controls,
// a CodeSystem defines each code once, counts them right and declares its properties, and a ValueSet lists only real codes of the code
// systems we know, as does a ConceptMap. QuestionnaireResponse: questionnaire_responses.cpp;
// Measure and MeasureReport: measures.cpp.
#include <rapidjson/document.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "fhir/validation/measures.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

// A member of a conformance resource: its "type" string or "base" list.
std::vector<std::string> strings_of(const definitions::ConformanceResource& resource, const char* key) {
  std::vector<std::string> out;
  rapidjson::Document json;
  json.Parse(resource.json.data(), resource.json.size());
  if (json.HasParseError() || !json.IsObject()) return out;
  auto it = json.FindMember(key);
  if (it == json.MemberEnd()) return out;
  if (it->value.IsString()) out.emplace_back(it->value.GetString());
  if (it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (v.IsString()) out.emplace_back(v.GetString());
    }
  }
  return out;
}


void capability_statement(Run& run, const Element& cs, const Path& path) {
  each_named(cs, "rest", path, [&](const Element& rest, const Path& rp) {
    each_named(rest, "resource", rp, [&](const Element& resource, const Path& sp) {
      each_named(resource, "searchParam", sp, [&](const Element& param, const Path& pp) {
        std::string_view definition = value_of(child_named(param, "definition"));
        std::string_view type = value_of(child_named(param, "type"));
        if (definition.empty() || type.empty()) return;
        const auto* sp_def = run.defs.resource("SearchParameter", definition);
        if (!sp_def) return;
        auto types = strings_of(*sp_def, "type");
        if (!types.empty() && types[0] != type) {
          run.report(Severity::Error, "business-rule",
                     "type mismatch: the SearchParameter '" + std::string(definition) + "' has type " + types[0] +
                         ", but the type here is " + std::string(type),
                     param, pp);
        }
      });
    });
  });
}

void search_parameter(Run& run, const Element& sp, const Path& path) {
  if (value_of(child_named(sp, "type")) == "composite") {
    size_t components = 0;
    for (const Element* c : sp.children()) components += c->name == "component";
    if (components < 2) {
      run.report(Severity::Error, "business-rule",
                 "A search parameter of type composite must define two or more components (this one has " +
                     std::to_string(components) + ")",
                 sp, path);
    }
  }
  std::string_view derived = value_of(child_named(sp, "derivedFrom"));
  if (derived.empty()) return;
  const auto* parent = run.defs.resource("SearchParameter", derived);
  if (!parent) return;
  auto types = strings_of(*parent, "type");
  std::string_view type = value_of(child_named(sp, "type"));
  if (!types.empty() && !type.empty() && types[0] != type) {
    run.report(Severity::Error, "business-rule",
               "the SearchParameter this one is derived from (" + std::string(derived) + ") has type " + types[0] +
                   ", not " + std::string(type),
               sp, path);
  }
  auto bases = strings_of(*parent, "base");
  bool any_type = std::find(bases.begin(), bases.end(), "Resource") != bases.end();
  for (const Element* c : sp.children()) {
    if (c->name != "base" || !c->has_value || any_type) continue;
    if (std::find(bases.begin(), bases.end(), c->value) == bases.end()) {
      run.report(Severity::Error, "business-rule",
                 "the resource type " + std::string(c->value) +
                     " is not a base of the SearchParameter this one is derived from (" + std::string(derived) + ")",
                 sp, path);
    }
  }
}

void collect_items(const Element& node, std::unordered_map<std::string_view, const Element*>& items) {
  for (const Element* c : node.children()) {
    if (c->name != "item") continue;
    if (auto id = value_of(child_named(*c, "linkId")); !id.empty()) items.emplace(id, c);
    collect_items(*c, items);
  }
}

bool is_inside(const Element* item, const Element* ancestor) {
  for (const Element* e = item; e; e = e->parent) {
    if (e == ancestor) return true;
  }
  return false;
}

void questionnaire_items(Run& run, const Element& node, const Path& path,
                         const std::unordered_map<std::string_view, const Element*>& items) {
  each_named(node, "item", path, [&](const Element& item, const Path& ip) {
    each_named(item, "enableWhen", ip, [&](const Element& when, const Path& wp) {
      std::string_view question = value_of(child_named(when, "question"));
      if (question.empty()) return;
      auto it = items.find(question);
      if (it == items.end()) {
        run.report(Severity::Error, "business-rule",
                   "enableWhen refers to the question '" + std::string(question) + "', which the Questionnaire does not have",
                   when, wp);
      } else if (is_inside(it->second, &item)) {
        run.report(Severity::Error, "business-rule",
                   "an item's enableWhen cannot depend on a question inside that item ('" + std::string(question) + "')",
                   when, wp);
      }
    });
    questionnaire_items(run, item, ip, items);
  });
}

void collect_codes(const Element& node, const Path& path, std::unordered_map<std::string_view, int>& seen, Run& run) {
  each_named(node, "concept", path, [&](const Element& item, const Path& cp) {
    std::string_view code = value_of(child_named(item, "code"));
    if (!code.empty() && ++seen[code] == 2) {
      run.report(Severity::Error, "business-rule", "the code '" + std::string(code) + "' is defined more than once",
                 item, cp);
    }
    collect_codes(item, cp, seen, run);
  });
}

// The concept properties FHIR defines (http://hl7.org/fhir/concept-properties#code) and
// the type of each.
std::string_view known_property_type(std::string_view code) {
  static const std::unordered_map<std::string_view, std::string_view> types = {
      {"status", "code"},         {"inactive", "boolean"},        {"effectiveDate", "dateTime"},
      {"deprecationDate", "dateTime"}, {"retirementDate", "dateTime"}, {"notSelectable", "boolean"},
      {"parent", "code"},         {"child", "code"},              {"partOf", "code"},
      {"synonym", "code"},        {"comment", "string"},          {"itemWeight", "decimal"}};
  auto it = types.find(code);
  return it == types.end() ? std::string_view() : it->second;
}

int count_concepts(const Element& node) {
  int n = 0;
  for (const Element* c : node.children()) {
    if (c->name == "concept") n += 1 + count_concepts(*c);
  }
  return n;
}

// A property CodeSystem.property declares: its type, and whether its values are codes of this
// code system (FHIR's parent, child, partOf and synonym, named by their URIs).
struct DeclaredProperty {
  std::string_view type;
  bool names_code = false;
};
using DeclaredProperties = std::unordered_map<std::string_view, DeclaredProperty>;

// Each concept's properties are declared by the code system (a warning when not, as the
// reference validator has it since 2025), with the declared type, and a property that names a
// concept names one of this code system's codes; a designation with no use or language is the
// display, so it should say the same.
void check_concepts(Run& run, const Element& node, const Path& path, const DeclaredProperties& declared,
                    const std::unordered_map<std::string_view, int>& codes, bool has_language) {
  each_named(node, "concept", path, [&](const Element& item, const Path& cp) {
    each_named(item, "property", cp, [&](const Element& property, const Path& pp) {
      std::string_view code = value_of(child_named(property, "code"));
      if (code.empty()) return;
      auto it = declared.find(code);
      if (it == declared.end()) {
        run.report(Severity::Warning, "business-rule",
                   "the property '" + std::string(code) + "' is not declared in CodeSystem.property", property, pp);
        return;
      }
      const Element* value = property.child("value");
      if (value && !it->second.type.empty() && value->type != it->second.type) {
        run.report(Severity::Error, "business-rule",
                   "the property '" + std::string(code) + "' is declared as " + std::string(it->second.type) +
                       ", but its value is a " + std::string(value->type),
                   property, pp);
      } else if (value && it->second.names_code && value->type == "code" && !codes.contains(value->value)) {
        run.report(Severity::Error, "business-rule",
                   "the property '" + std::string(code) + "' names the code '" + std::string(value->value) +
                       "', which this code system does not define",
                   property, pp);
      }
    });
    std::string_view display = value_of(child_named(item, "display"));
    each_named(item, "designation", cp, [&](const Element& designation, const Path& dp) {
      if (child_named(designation, "use") || has_language || child_named(designation, "language")) return;
      std::string_view value = value_of(child_named(designation, "value"));
      if (!display.empty() && value != display) {
        run.report(Severity::Warning, "business-rule",
                   "the designation '" + std::string(value) + "' has no use or language, so it is the display, but the display is '" +
                       std::string(display) + "'",
                   designation, dp);
      }
    });
    check_concepts(run, item, cp, declared, codes, has_language);
  });
}

// A supplement says so both ways (supplements and content "supplement"), takes its case
// sensitivity and hierarchy from the system it supplements, and adds to that system's
// codes only, when that system is known.
void supplement(Run& run, const Element& cs, std::string_view content, const Path& path) {
  const Element* supplements = child_named(cs, "supplements");
  if (!supplements) {
    if (content == "supplement") {
      run.report(Severity::Error, "business-rule",
                 "a code system whose content is supplement must say what it supplements", cs, path);
    }
    return;
  }
  if (content != "supplement") {
    run.report(Severity::Error, "business-rule",
               "a code system that supplements another must have the content supplement", cs, path);
  }
  for (const char* inherited : {"caseSensitive", "hierarchyMeaning"}) {
    if (const Element* e = child_named(cs, inherited)) {
      run.report(Severity::Error, "business-rule",
                 std::string("a supplement cannot say ") + inherited + ": the supplemented code system does", *e,
                 Path{&path, inherited, -1});
    }
  }
  std::string_view system = value_of(supplements);
  system = system.substr(0, system.find('|'));
  const terminology::CodeSystem* known = run.state.terminology().code_system(system);
  if (!known || !known->complete()) return;
  each_named(cs, "concept", path, [&](const Element& item, const Path& cp) {
    std::string_view code = value_of(child_named(item, "code"));
    if (code.empty() || known->find(code) != terminology::CodeSystem::kNone) return;
    run.report(Severity::Error, "code-invalid",
               "the supplement adds to the code '" + std::string(code) + "', which is not a code of '" +
                   std::string(system) + "'",
               item, cp);
  });
}

// What the reference validator checks of a CodeSystem beyond its invariants: the count of a
// complete one, no concepts when its content is not-present, supplements, and its properties.
// One CodeSystem.property: its URI absolute and given once; a URI under FHIR's own space one of
// the concept properties FHIR defines (unless the code system is FHIR's, or the URI its own),
// with that property's code and type.
void declare_property(Run& run, const Element& property, const Path& pp, std::string_view url,
                      std::unordered_set<std::string_view>& uris, DeclaredProperty& declared) {
  constexpr std::string_view hl7_properties = "http://hl7.org/fhir/concept-properties#";
  std::string_view code = value_of(child_named(property, "code"));
  std::string_view uri = value_of(child_named(property, "uri"));
  std::string_view type = value_of(child_named(property, "type"));
  if (uri.empty()) return;
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || uri.find('/') < colon) {
    run.report(Severity::Error, "business-rule", "the property URI '" + std::string(uri) + "' must be absolute", property, pp);
    return;
  }
  if (!uris.insert(uri).second) {
    run.report(Severity::Error, "business-rule", "the property URI '" + std::string(uri) + "' is declared twice", property, pp);
  }
  if (uri.find("://hl7.org/fhir") == std::string_view::npos) return;
  std::string_view known = uri.starts_with(hl7_properties) ? uri.substr(hl7_properties.size()) : std::string_view();
  std::string_view known_type = known_property_type(known);
  if (known_type.empty()) {
    bool fhir_own = url.starts_with("http://hl7.org/fhir/") && url.substr(20).find('/') == std::string_view::npos;
    if (!fhir_own && (url.empty() || !uri.starts_with(url))) {
      run.report(Severity::Error, "business-rule",
                 "'" + std::string(uri) + "' is not one of the concept properties FHIR defines", property, pp);
    }
    return;
  }
  declared.names_code = known == "parent" || known == "child" || known == "partOf" || known == "synonym";
  if (!code.empty() && !known_property_type(code).empty() && code != known) {
    run.report(Severity::Error, "business-rule",
               "the property '" + std::string(code) + "' has the URI of the property '" + std::string(known) + "'", property, pp);
  }
  if (!type.empty() && type != known_type) {
    run.report(Severity::Error, "business-rule",
               "the property '" + std::string(uri) + "' has type " + std::string(known_type) + ", not " + std::string(type),
               property, pp);
  }
}

// CodeSystem.property, each code declared once.
DeclaredProperties declare_properties(Run& run, const Element& cs, const Path& path) {
  DeclaredProperties declared;
  std::unordered_set<std::string_view> uris;
  std::string_view url = value_of(child_named(cs, "url"));
  each_named(cs, "property", path, [&](const Element& property, const Path& pp) {
    std::string_view code = value_of(child_named(property, "code"));
    DeclaredProperty one{value_of(child_named(property, "type"))};
    declare_property(run, property, pp, url, uris, one);
    if (code.empty()) return;
    if (!declared.emplace(code, one).second) {
      run.report(Severity::Error, "business-rule", "the property code '" + std::string(code) + "' is declared twice", property, pp);
    }
  });
  return declared;
}

// CodeSystem.valueSet, when it names a value set we know, is "all the codes of this system":
// one include of this system, with no concepts, filters or value sets (CODESYSTEM_CS_VS_*).
void all_codes_value_set(Run& run, const Element& cs, const Path& path) {
  std::string_view vs_url = value_of(child_named(cs, "valueSet"));
  const auto* vs = vs_url.empty() ? nullptr : run.defs.resource("ValueSet", vs_url);
  if (!vs) return;
  rapidjson::Document json;
  json.Parse(vs->json.data(), vs->json.size());
  if (json.HasParseError() || !json.IsObject()) return;
  std::string url(value_of(child_named(cs, "url")));
  std::string problem;
  const auto compose = json.FindMember("compose");
  const rapidjson::Value* includes = nullptr;
  if (compose != json.MemberEnd() && compose->value.IsObject() && compose->value.HasMember("include")) {
    includes = &compose->value["include"];
  }
  if (!includes || !includes->IsArray() || includes->Size() != 1 || !(*includes)[0].IsObject()) {
    problem = "does not include exactly one code system";
  } else if (const auto& include = (*includes)[0];
             !include.HasMember("system") || !include["system"].IsString() || url != include["system"].GetString()) {
    problem = "includes another code system than " + url;
  } else if (include.HasMember("concept") || include.HasMember("filter") || include.HasMember("valueSet")) {
    problem = "lists concepts, filters or value sets rather than the whole code system";
  }
  if (!problem.empty()) {
    run.report(Severity::Error, "business-rule",
               "the value set " + std::string(vs_url) + " that CodeSystem.valueSet names " + problem, cs, path);
  }
}

void code_system(Run& run, const Element& cs, const Path& path) {
  std::unordered_map<std::string_view, int> seen;
  collect_codes(cs, path, seen, run);

  std::string_view content = value_of(child_named(cs, "content"));
  const Element* count = child_named(cs, "count");
  int concepts = count_concepts(cs);
  if (count && content == "complete" && count->has_value && count->value != std::to_string(concepts)) {
    run.report(Severity::Error, "invalid",
               "the code system is complete, but it has " + std::to_string(concepts) + " concepts, not the " +
                   std::string(count->value) + " its count says",
               *count, Path{&path, "count", -1});
  }
  if (content == "not-present" && concepts > 0) {
    run.report(Severity::Error, "invalid", "a code system whose content is not-present cannot list concepts", cs, path);
  }
  supplement(run, cs, content, path);
  all_codes_value_set(run, cs, path);

  DeclaredProperties declared = declare_properties(run, cs, path);
  check_concepts(run, cs, path, declared, seen, child_named(cs, "language") != nullptr);
}

// A value set's include names its code system by URL alone: absolute, and its version in
// include.version — "http://loinc.org|2.74" is refused even beside a version, and a bare
// trailing "|" is only warned of, as the reference validator has it.
bool include_system_named(Run& run, const Element& include, std::string_view system, const Path& path) {
  std::string quoted = "'" + std::string(system) + "'";
  if (system.find(':') == std::string_view::npos) {
    run.report(Severity::Error, "invalid", "the included code system " + quoted + " must be an absolute URI", include, path);
    return false;
  }
  auto bar = system.find('|');
  if (bar == std::string_view::npos) return true;
  if (bar + 1 == system.size()) {
    run.report(Severity::Warning, "invalid", "the included code system " + quoted + " ends with '|' but names no version",
               include, path);
    return false;
  }
  run.report(Severity::Error, "invalid",
             "the included code system " + quoted + " carries a version after '|': the URL goes in system, the version "
             "in include.version",
             include, path);
  return false;
}

// The URL of the code system whose identifier is this OID ("urn:oid:..."), or empty.
std::string code_system_with_oid(const definitions::Definitions& defs, std::string_view oid) {
  std::string quoted = "\"" + std::string(oid) + "\"";
  for (const auto* cs : defs.resources("CodeSystem")) {
    if (cs->json.find(quoted) == std::string::npos) continue;
    rapidjson::Document json;
    json.Parse(cs->json.data(), cs->json.size());
    if (json.HasParseError() || !json.IsObject() || !json.HasMember("identifier")) continue;
    const auto& ids = json["identifier"];
    auto names_oid = [&](const rapidjson::Value& id) {
      return id.IsObject() && id.HasMember("value") && id["value"].IsString() && oid == id["value"].GetString();
    };
    bool found = ids.IsArray() ? std::any_of(ids.Begin(), ids.End(), names_oid) : names_oid(ids);
    if (found) return cs->url;
  }
  return {};
}

// A security label given twice (the same system and code) in meta.security.
void duplicate_labels(Run& run, const Element& resource, const Path& path) {
  const Element* meta = child_named(resource, "meta");
  if (!meta) return;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  Path meta_path{&path, "meta", -1};
  each_named(*meta, "security", meta_path, [&](const Element& label, const Path& lp) {
    std::string_view system = value_of(child_named(label, "system")), code = value_of(child_named(label, "code"));
    if (code.empty() || seen.emplace(system, code).second) return;
    run.report(Severity::Error, "business-rule",
               "the security label " + std::string(system) + "#" + std::string(code) + " is given more than once", label, lp);
  });
}

// Codes a value set lists from a code system we know completely must be codes of it, and what
// include.system names must not be a value set.
void value_set(Run& run, const Element& vs, const Path& path) {
  each_composed_system(vs, path, [&](const Element& include, const Path& ip, std::string_view system) {
    if (!include_system_named(run, include, system, ip)) return;
    const terminology::CodeSystem* known = run.state.terminology().code_system(system);
    if (!known && system.starts_with("urn:oid:")) {
      if (std::string url = code_system_with_oid(run.defs, system); !url.empty()) {
        run.report(Severity::Error, "invalid",
                   "the included code system '" + std::string(system) + "' is the OID of " + url +
                       ": a value set includes a code system by its URL",
                   include, ip);
      }
      return;
    }
    // A value set's URL in include.system (VALUESET_INCLUDE_WRONG_VS): include.valueSet is for those.
    if (run.system_info(system).value_set_only) {
      run.report(Severity::Error, "invalid",
                 "the included code system '" + std::string(system) +
                     "' is a value set: a value set includes another with include.valueSet",
                 include, ip);
      return;
    }
    if (!known || !known->complete()) return;
    each_named(include, "concept", ip, [&](const Element& item, const Path& cp) {
      std::string_view code = value_of(child_named(item, "code"));
      if (!code.empty() && !known->index.contains(code)) {
        run.report(Severity::Error, "code-invalid",
                   "the code '" + std::string(code) + "' is not a code of the code system '" + std::string(system) + "'",
                   item, cp);
      }
    });
  });
}

// The type of the conformance resource a canonical URL names, when it is one we know.
std::string known_resource_type(const definitions::Definitions& defs, std::string_view url) {
  if (defs.structure(url)) return "StructureDefinition";
  for (const char* type : {"ValueSet", "CodeSystem", "ConceptMap", "NamingSystem", "SearchParameter", "OperationDefinition",
                           "CapabilityStatement", "Questionnaire", "ImplementationGuide", "CompartmentDefinition"}) {
    if (defs.resource(type, url)) return type;
  }
  return {};
}

// A ConceptMap's source and target (source[x], target[x]) are value sets: naming a code system
// or a profile there is refused (CONCEPTMAP_VS_NOT_A_VS); group.source/target name the code systems.
void concept_map_scopes(Run& run, const Element& cm, const Path& path) {
  for (const char* name : {"sourceUri", "sourceCanonical", "targetUri", "targetCanonical"}) {
    const Element* scope = child_named(cm, name);
    if (!scope || !scope->has_value) continue;
    std::string type = known_resource_type(run.defs, scope->value);
    if (type.empty() || type == "ValueSet") continue;
    run.report(Severity::Error, "invalid",
               "ConceptMap." + std::string(name) + " must name a ValueSet, but '" + std::string(scope->value) + "' is a " + type,
               *scope, Path{&path, name, -1});
  }
}

// The value set a ConceptMap's source[x] or target[x] names, when we hold it as a ValueSet.
std::string_view concept_map_scope(Run& run, const Element& cm, const char* uri, const char* canonical) {
  const Element* scope = child_named(cm, uri);
  if (!scope) scope = child_named(cm, canonical);
  if (!scope || !scope->has_value || !run.defs.resource("ValueSet", scope->value)) return {};
  return scope->value;
}

// A ConceptMap's source codes must be codes of the source code system when we know it
// completely, as the reference validator requires. It requires the same of target codes, but
// the R4 examples map 'unknown' to v3-AdministrativeGender's missing UNK, and those examples
// are kept valid here, so targets are not checked against their code system. A code of the
// system must also be in the value set source[x] / target[x] names (..._CODE_INVALID_VS).
void concept_map(Run& run, const Element& cm, const Path& path) {
  concept_map_scopes(run, cm, path);
  std::string_view source_vs = concept_map_scope(run, cm, "sourceUri", "sourceCanonical");
  std::string_view target_vs = concept_map_scope(run, cm, "targetUri", "targetCanonical");
  auto complete = [&](const Element& group, std::string_view name) -> const terminology::CodeSystem* {
    std::string_view system = value_of(child_named(group, name));
    if (system.empty()) return nullptr;
    const terminology::CodeSystem* known = run.state.terminology().code_system(system);
    return known && known->complete() ? known : nullptr;
  };
  auto outside = [&](std::string_view vs, const terminology::CodeSystem& system, const Element& code, const Path& cp) {
    if (vs.empty() || run.state.terminology().contains(vs, system.url, code.value) != terminology::Membership::not_in) return;
    run.report(Severity::Error, "code-invalid",
               "the code '" + std::string(code.value) + "' is not in the value set " + std::string(vs) + " the map is scoped to", code, cp);
  };
  each_named(cm, "group", path, [&](const Element& group, const Path& gp) {
    const terminology::CodeSystem* source = complete(group, "source");
    const terminology::CodeSystem* target = complete(group, "target");
    each_named(group, "element", gp, [&](const Element& element, const Path& ep) {
      const Element* code = child_named(element, "code");
      if (source && code && code->has_value) {
        Path cp{&ep, "code", -1};
        if (!source->index.contains(code->value)) {
          run.report(Severity::Error, "code-invalid",
                     "the code '" + std::string(code->value) + "' is not a code of the code system '" + source->url + "'", *code, cp);
        } else {
          outside(source_vs, *source, *code, cp);
        }
      }
      if (!target) return;
      each_named(element, "target", ep, [&](const Element& mapped, const Path& tp) {
        const Element* tcode = child_named(mapped, "code");
        if (tcode && tcode->has_value && target->index.contains(tcode->value)) outside(target_vs, *target, *tcode, Path{&tp, "code", -1});
      });
    });
  });
}

}  // namespace

void check_resource_rules(Run& run, const Element& resource, const Path& path) {
  duplicate_labels(run, resource, path);
  if (resource.type == "CapabilityStatement") capability_statement(run, resource, path);
  if (resource.type == "SearchParameter") {
    search_parameter(run, resource, path);
    check_search_expression(run, resource, path);
  }
  if (resource.type == "CodeSystem") code_system(run, resource, path);
  if (resource.type == "ValueSet") {
    value_set(run, resource, path);
    check_value_set_filters(run, resource, path);
  }
  if (resource.type == "ConceptMap") concept_map(run, resource, path);
  if (resource.type == "Measure") check_measure(run, resource, path);
  if (resource.type == "MeasureReport") check_measure_report(run, resource, path);
  if (resource.type == "StructureDefinition") {
    check_differential(run, resource, path);
    check_structure_definition(run, resource, path);
  }
  if (resource.type == "QuestionnaireResponse") check_questionnaire_response(run, resource, path);
  if (resource.type == "Questionnaire") {
    std::unordered_map<std::string_view, const Element*> items;
    collect_items(resource, items);
    questionnaire_items(run, resource, path, items);
  }
}

}  // namespace carebridge::fhir::validation
