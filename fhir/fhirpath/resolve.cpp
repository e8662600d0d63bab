// resolve() inside Bundles: a hash index of fullUrl and type/id per Bundle, built
// on first use within an evaluation (no scan per reference).
#include "fhir/fhirpath/evaluator.h"

namespace carebridge::fhir::fhirpath {
namespace {

using model::Element;

// "http://server/fhir/Patient/1/_history/2" -> "Patient/1".
std::string type_and_id(std::string_view url) {
  if (size_t h = url.find("/_history/"); h != std::string_view::npos) url = url.substr(0, h);
  size_t last = url.rfind('/');
  if (last == std::string_view::npos || last == 0) return {};
  size_t before = url.rfind('/', last - 1);
  std::string_view type = url.substr(before == std::string_view::npos ? 0 : before + 1);
  if (type.empty() || type[0] < 'A' || type[0] > 'Z') return {};
  return std::string(type);
}

}  // namespace

namespace {

bool is_absolute(std::string_view reference) {
  return reference.find("://") != std::string_view::npos || reference.starts_with("urn:");
}

std::string_view without_history(std::string_view reference) {
  size_t h = reference.find("/_history/");
  return h == std::string_view::npos ? reference : reference.substr(0, h);
}

// The RESTful base of an entry's fullUrl ("http://example.org/fhir" for
// "http://example.org/fhir/Observation/o1"); "" for a URN or no fullUrl.
std::string_view restful_base(const Element* full_url) {
  if (!full_url || !full_url->has_value) return {};
  std::string_view url = full_url->value;
  if (!url.starts_with("http://") && !url.starts_with("https://")) return {};
  std::string short_form = type_and_id(url);
  if (short_form.empty() || !url.ends_with(short_form)) return {};
  return url.substr(0, url.size() - short_form.size() - 1);
}

// The fullUrl of the entry of `bundle` that holds `from` (at any depth); null when none.
const Element* entry_full_url(const Element& from, const Element* bundle) {
  for (const Element* e = &from; e && e->parent; e = e->parent)
    if (e->name == "resource" && e->parent->name == "entry" && e->parent->parent == bundle) return e->parent->child("fullUrl");
  return nullptr;
}

}  // namespace

// R4 bundle.html, "Resolving references in Bundles": an absolute reference is the entry
// whose fullUrl it is; a relative one, in an entry whose fullUrl is a RESTful URL, is made
// absolute with that base (a record of another server with the same type and id is not it)
// or is an entry with no such fullUrl of that type and id; elsewhere, the entry of that type
// and id. The index keys: "=" fullUrl, "*" Type/id of any entry, "-" Type/id of an entry
// whose fullUrl is not RESTful.
const Element* Evaluator::resolve_in_bundles(const Element& from, std::string_view reference) {
  for (const Element* e = &from; e; e = e->parent) {
    if (!e->is_resource() || e->type != "Bundle") continue;
    auto [it, fresh] = bundles_.try_emplace(e);
    auto& index = it->second;
    if (fresh) {
      for (const Element* entry : e->children()) {
        if (entry->name != "entry") continue;
        const Element* resource = entry->child("resource");
        if (!resource) continue;
        const Element* full_url = entry->child("fullUrl");
        bool restful = !restful_base(full_url).empty();
        std::vector<std::string> keys;
        if (full_url && full_url->has_value) {
          index.emplace("=" + std::string(full_url->value), resource);
          if (auto short_form = type_and_id(full_url->value); !short_form.empty()) keys.push_back(short_form);
        }
        const Element* id = resource->child("id");
        if (id && id->has_value) keys.push_back(std::string(resource->type) + "/" + std::string(id->value));
        for (const std::string& key : keys) {
          index.emplace("*" + key, resource);
          if (!restful) index.emplace("-" + key, resource);
        }
      }
      spend(e->child_count);
    }
    std::string_view target = without_history(reference);
    auto find = [&](const std::string& key) -> const Element* {
      auto hit = index.find(key);
      return hit == index.end() ? nullptr : hit->second;
    };
    if (is_absolute(target)) {
      if (const Element* hit = find("=" + std::string(target))) return hit;
      continue;
    }
    std::string short_form = type_and_id(target);
    if (std::string_view base = restful_base(entry_full_url(from, e)); !base.empty()) {
      if (const Element* hit = find("=" + std::string(base) + "/" + std::string(target))) return hit;
      if (const Element* hit = short_form.empty() ? nullptr : find("-" + short_form)) return hit;
      continue;
    }
    if (const Element* hit = short_form.empty() ? nullptr : find("*" + short_form)) return hit;
  }
  return nullptr;
}

}  // namespace carebridge::fhir::fhirpath
