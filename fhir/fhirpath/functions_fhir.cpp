// Type functions (is as ofType type) and the FHIR additions: extension hasValue
// getValue resolve conformsTo htmlChecks, and the clock: now today timeOfDay
// (memberOf, subsumes, subsumedBy: functions_terminology.cpp).
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/types.h"
#include "fhir/xml/xhtml.h"

namespace carebridge::fhir::fhirpath {
namespace {

using model::Element;

bool fn_is(Call& c) {
  if (!c.ev.check_type_name(c.node)) return false;
  if (c.focus.size() > 1) return c.fail("is() needs a single input");
  c.ev.push_is(c.focus, c.node.type, c.out);
  return true;
}

bool fn_as(Call& c) {
  if (!c.ev.check_type_name(c.node) || !c.ev.check_single_cast(c.node, c.focus.size())) return false;
  for (const Item& item : c.focus) {
    if (casts_to_type(item, c.node.type, c.ev.definitions())) c.out.push_back(item);
  }
  return true;
}

bool fn_of_type(Call& c) {
  if (!c.ev.check_type_name(c.node)) return false;
  for (const Item& item : c.focus) {
    if (casts_to_type(item, c.node.type, c.ev.definitions())) c.out.push_back(item);
  }
  return true;
}

bool fn_type(Call& c) {
  for (const Item& item : c.focus) c.out.push_back(type_info(item));
  return true;
}

bool fn_extension(Call& c) {
  std::optional<Item> url;
  if (!c.single_arg(0, url)) return false;
  if (!url) return true;
  if (url->element || url->is_type_info || url->type != SystemType::String) {
    return c.fail("extension() needs a string url");
  }
  for (const Item& item : c.focus) {
    if (!item.element) continue;
    for (const Element* child : item.element->children()) {
      if (child->name != "extension") continue;
      const Element* u = child->child("url");
      if (u && u->value == url->text) append_element(c.out, *child);
    }
  }
  return true;
}

bool fn_has_value(Call& c) {
  bool has = c.focus.size() == 1 &&
             (c.focus.front().element ? c.focus.front().element->is_primitive() && c.focus.front().element->has_value
                                      : !c.focus.front().is_type_info);
  c.out.push_back(make_boolean(has));
  return true;
}

bool fn_get_value(Call& c) {
  if (c.focus.size() != 1) return true;
  const Item& item = c.focus.front();
  if (item.element && !item.element->is_primitive()) return true;
  if (auto v = system_value(item)) c.out.push_back(std::move(*v));
  return true;
}

const Element* enclosing_resource(const Element* e) {
  for (; e; e = e->parent) {
    if (e->is_resource()) return e;
  }
  return nullptr;
}

std::string_view resource_id(const Element& resource) {
  const Element* id = resource.child("id");
  return id && id->has_value ? id->value : std::string_view{};
}

// A resource node with a type and nothing else, one per resource type definition
// for the process (results may outlive the evaluation), for resolve_by_type.
const Element* type_stub(const definitions::Definitions& definitions, std::string_view reference) {
  if (size_t h = reference.find("/_history/"); h != std::string_view::npos) reference = reference.substr(0, h);
  size_t slash = reference.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return nullptr;
  size_t before = reference.rfind('/', slash - 1);
  std::string type(reference.substr(before == std::string_view::npos ? 0 : before + 1, slash - (before == std::string_view::npos ? 0 : before + 1)));
  const definitions::StructureDef* sd = definitions.type(type);
  if (!sd || !sd->is_resource()) return nullptr;
  // Keyed by the asking definitions' own StructureDefinition, with the type text
  // owned here: a stub never points into another (or a destroyed) Definitions.
  struct Stub {
    std::string type;
    Element element;
  };
  static std::mutex mutex;
  static std::map<const definitions::StructureDef*, std::unique_ptr<Stub>> stubs;
  std::lock_guard lock(mutex);
  auto& stub = stubs[sd];
  if (!stub) {
    stub = std::make_unique<Stub>();
    stub->type = type;
    stub->element.kind = model::NodeKind::Resource;
    stub->element.type = stub->type;
    stub->element.name = "resource";
  }
  stub->element.structure = sd;
  return &stub->element;
}

bool fn_resolve(Call& c) {
  for (const Item& item : c.focus) {
    std::string reference;
    const Element* from = item.element;
    if (item.element) {
      if (item.element->is_primitive()) {
        reference = std::string(item.element->value);
      } else if (const Element* r = item.element->child("reference"); r && r->has_value) {
        reference = std::string(r->value);
      } else {
        continue;
      }
    } else if (item.type == SystemType::String) {
      reference = item.text;
      from = c.ev.resource();
    }
    if (reference.empty() || !from) continue;
    if (reference.starts_with('#')) {
      // Contained: look in the resource that contains `from` (or its container).
      const Element* resource = enclosing_resource(from);
      while (resource && resource->name == "contained" && resource->parent) resource = enclosing_resource(resource->parent);
      if (!resource) continue;
      if (reference == "#") {
        append_element(c.out, *resource);
        continue;
      }
      for (const Element* child : resource->children()) {
        if (child->name == "contained" && resource_id(*child) == std::string_view(reference).substr(1)) {
          append_element(c.out, *child);
        }
      }
      continue;
    }
    if (const Element* target = c.ev.resolve_in_bundles(*from, reference)) {
      append_element(c.out, *target);
    } else if (c.ev.context().resolve_by_type) {
      if (const Element* stub = type_stub(c.ev.definitions(), reference)) append_element(c.out, *stub);
    }
  }
  return true;
}

bool fn_conforms_to(Call& c) {
  std::optional<Item> url;
  if (!c.single_arg(0, url)) return false;
  if (!url || c.focus.empty()) return true;
  const auto* sd = c.ev.definitions().structure(url->text);
  if (!sd) return c.fail("conformsTo(): unknown profile '" + url->text + "'");
  for (const Item& item : c.focus) {
    bool ok = false;
    if (item.element) {
      TypeSpecifier type{"FHIR", sd->type};
      ok = is_of_type(item, type, c.ev.definitions());
      if (ok && sd->derivation == definitions::Derivation::Constraint) {
        // A profile: as a validator finds it when there is one, else what the resource
        // claims in meta.profile.
        std::optional<bool> found;
        if (c.ev.context().conforms_to) found = c.ev.context().conforms_to(*item.element, url->text);
        ok = found.value_or(false);
        if (const Element* meta = found ? nullptr : item.element->child("meta")) {
          for (const Element* p : meta->children()) {
            if (p->name == "profile" && p->value == url->text) ok = true;
          }
        }
      }
    }
    c.out.push_back(make_boolean(ok));
  }
  return true;
}

// Whether each narrative div meets FHIR's rules on names (no script, form or event
// handler; an XHTML <div> root). Only xhtml is checked: anything else has no HTML to fail.
bool fn_html_checks(Call& c) {
  if (c.focus.empty()) return true;
  bool ok = true;
  for (const Item& item : c.focus) {
    const model::Element* e = item.element;
    if (e && e->type == "xhtml") ok = ok && e->has_value && xml::narrative_names_allowed(e->value);
  }
  c.out.push_back(make_boolean(ok));
  return true;
}

// The evaluation's clock in local time with its offset.
Temporal current(Call& c, Precision precision) {
  auto now = c.ev.now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&t, &local);
  Temporal r;
  r.year = local.tm_year + 1900;
  r.month = local.tm_mon + 1;
  r.day = local.tm_mday;
  r.hour = local.tm_hour;
  r.minute = local.tm_min;
  r.second = local.tm_sec;
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  r.nanosecond = static_cast<int>(millis) * 1'000'000;
  r.fraction_digits = 3;
  r.precision = precision;
  if (precision >= Precision::Hour) {
    r.has_time = true;
    r.has_zone = true;
    r.zone_minutes = static_cast<int>(local.tm_gmtoff / 60);
  }
  return r;
}

bool fn_now(Call& c) {
  c.out.push_back(make_temporal(current(c, Precision::Fraction)));
  return true;
}

bool fn_today(Call& c) {
  c.out.push_back(make_temporal(current(c, Precision::Day)));
  return true;
}

bool fn_time_of_day(Call& c) {
  Temporal t = current(c, Precision::Fraction);
  t.is_time = true;
  t.has_time = false;
  t.has_zone = false;
  c.out.push_back(make_temporal(t));
  return true;
}

constexpr FunctionSpec kTypeFunctions[] = {
    {"is", 1, 1, fn_is, true},
    {"as", 1, 1, fn_as, true},
    {"ofType", 1, 1, fn_of_type, true},
    {"type", 0, 0, fn_type},
};

constexpr FunctionSpec kFhirFunctions[] = {
    {"extension", 1, 1, fn_extension},   {"hasValue", 0, 0, fn_has_value},     {"getValue", 0, 0, fn_get_value},
    {"resolve", 0, 0, fn_resolve},       {"conformsTo", 1, 1, fn_conforms_to},
    {"htmlChecks", 0, 0, fn_html_checks}, {"htmlchecks", 0, 0, fn_html_checks}, {"now", 0, 0, fn_now},
    {"today", 0, 0, fn_today},           {"timeOfDay", 0, 0, fn_time_of_day},
};

}  // namespace

std::span<const FunctionSpec> type_functions() { return kTypeFunctions; }
std::span<const FunctionSpec> fhir_functions() { return kFhirFunctions; }

}  // namespace carebridge::fhir::fhirpath
