// Search result Bundles (type searchset), as the reference validator judges them: every
// entry carries a resource; matches and includes have ids; a match has a type the search
// (its self link) asked for; an outcome is an OperationOutcome. When no entry says its
// search mode, missing ids and unexpected types are only warnings.
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

// The resource types a search URL asks for: its last path segment, or its _type parameter.
std::vector<std::string> searched_types(const definitions::Definitions& defs, std::string_view url) {
  std::vector<std::string> types;
  std::string_view head = url.substr(0, url.find('?'));
  std::string_view last = head.substr(head.rfind('/') == std::string_view::npos ? 0 : head.rfind('/') + 1);
  if (const auto* sd = defs.type(last); sd && sd->is_resource()) {
    types.emplace_back(last);
    return types;
  }
  auto query = url.find('?');
  if (query == std::string_view::npos) return types;
  std::string_view params = url.substr(query + 1);
  for (size_t start = 0; start <= params.size();) {
    size_t amp = params.find('&', start);
    std::string_view param = params.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (param.starts_with("_type=")) {
      param.remove_prefix(6);
      for (size_t s = 0; s <= param.size();) {
        size_t comma = param.find(',', s);
        types.emplace_back(param.substr(s, comma == std::string_view::npos ? std::string_view::npos : comma - s));
        if (comma == std::string_view::npos) break;
        s = comma + 1;
      }
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return types;
}

std::string_view search_mode(const Element& entry) {
  const Element* search = child_named(entry, "search");
  return search ? value_of(child_named(*search, "mode")) : std::string_view{};
}

bool listed(const std::vector<std::string>& types, std::string_view type) {
  for (const auto& t : types) {
    if (t == type) return true;
  }
  return false;
}

// An entry that says its mode.
void check_moded(Run& run, const Element& resource, std::string_view mode, const std::vector<std::string>& types,
                 const Path& rpath) {
  bool has_id = !value_of(child_named(resource, "id")).empty();
  if ((mode == "match" || mode == "include") && !has_id) {
    run.report(Severity::Error, "required", "search results must have ids (search mode " + std::string(mode) + ")",
               resource, rpath);
  }
  if (mode == "match" && !types.empty() && !listed(types, resource.type)) {
    run.report(Severity::Error, "invalid",
               "a " + std::string(resource.type) + " is not a resource type the search asked for (" + types.front() + ")",
               resource, rpath);
  }
  if (mode == "outcome" && resource.type != "OperationOutcome") {
    run.report(Severity::Error, "invalid", "a search entry with mode outcome must be an OperationOutcome", resource, rpath);
  }
}

// An entry that does not say its mode: only warnings.
void check_unmoded(Run& run, const Element& resource, const std::vector<std::string>& types, const Path& rpath) {
  if (resource.type == "OperationOutcome") return;
  if (!types.empty() && !listed(types, resource.type)) {
    run.report(Severity::Warning, "invalid",
               "a " + std::string(resource.type) + " is not a resource type the search asked for, and the entry has no search mode",
               resource, rpath);
    return;
  }
  if (value_of(child_named(resource, "id")).empty()) {
    run.report(Severity::Warning, "invalid", "search results should have ids", resource, rpath);
  }
}

}  // namespace

void check_search_results(Run& run, const Element& bundle, const BundleIndex& index, const Path& path) {
  std::string_view self;
  for (const Element* link : bundle.children()) {
    if (link->name == "link" && value_of(child_named(*link, "relation")) == "self") {
      self = value_of(child_named(*link, "url"));
      break;
    }
  }
  if (self.empty()) run.report(Severity::Warning, "invalid", "a search result Bundle should have a self link", bundle, path);
  std::vector<std::string> types = searched_types(run.defs, self);
  for (size_t i = 0; i < index.entries.size(); ++i) {
    const BundleEntry& e = index.entries[i];
    Path epath{&path, "entry", static_cast<int>(i)};
    if (!e.resource) {
      run.report(Severity::Error, "required", "a search result entry must have a resource", *e.entry, epath);
      continue;
    }
    Path rpath{&epath, "resource", -1};
    std::string_view mode = search_mode(*e.entry);
    if (mode.empty()) {
      check_unmoded(run, *e.resource, types, rpath);
    } else {
      check_moded(run, *e.resource, mode, types, rpath);
    }
  }
}

}  // namespace carebridge::fhir::validation
