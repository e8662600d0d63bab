// References: the format of Reference.reference, the referenced type against the
// element's target profiles, resolution of "#id" to contained resources and of
// references inside a Bundle (through its fullUrl index), and the contained rules
// (every contained resource is referenced: dom-3; no nesting: dom-2; dom-4, dom-5).
#include <cctype>

#include "fhir/model/resource_id.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    parts.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

struct Parsed {
  std::string_view type;      // resource type named by the reference, when it names one
  std::string_view type_id;   // "Patient/1" without version
  std::string_view version;
};

// Finds "Type/id(/_history/v)" at the end of a reference.
Parsed parse_tail(const definitions::Definitions& defs, std::string_view ref) {
  Parsed p;
  auto parts = split(ref);
  size_t n = parts.size();
  size_t at = n;
  if (n >= 4 && parts[n - 2] == "_history") {
    at = n - 4;
    p.version = parts[n - 1];
  } else if (n >= 2) {
    at = n - 2;
  }
  if (at >= n) return p;
  const auto* sd = defs.type(parts[at]);
  if (!sd || !sd->is_resource()) return p;
  p.type = parts[at];
  size_t begin = static_cast<size_t>(parts[at].data() - ref.data());
  size_t end = static_cast<size_t>(parts[at + 1].data() + parts[at + 1].size() - ref.data());
  p.type_id = ref.substr(begin, end - begin);
  return p;
}

std::string_view resource_id(const Element& resource) { return value_of(child_named(resource, "id")); }

const Element* find_contained(const Element& container, std::string_view id) {
  for (const Element* c : container.children()) {
    if (c->name == "contained" && resource_id(*c) == id) return c;
  }
  return nullptr;
}

std::string_view version_id(const Element& resource) {
  const Element* meta = child_named(resource, "meta");
  return meta ? value_of(child_named(*meta, "versionId")) : std::string_view{};
}

// In a document Bundle, the Composition's subject and section entries must be in the Bundle.
bool must_resolve_in_document(const BundleIndex& bundle, const Frame& frame, const Element& reference) {
  if (!frame.resource || frame.resource->type != "Composition" || frame.resource->name != "resource") return false;
  if (value_of(child_named(*bundle.bundle, "type")) != "document") return false;
  const Element* parent = reference.parent;
  if (reference.name == "subject" && parent == frame.resource) return true;
  return reference.name == "entry" && parent && parent->name == "section";
}

}  // namespace

// The referenced type against the element's target profiles.
static void check_target_type(Run& run, const Element& reference, std::string_view target_type, const Element& at,
                              const Path& ref_path);

void note_local_reference(Run& run, const Element& node, const Path& path) {
  if (!run.frame.referenced || node.value.empty() || node.value[0] != '#') return;
  if (node.type != "string" && node.type != "uri" && node.type != "canonical" && node.type != "url") return;
  if (node.value.size() == 1) {
    // "#": a contained resource pointing back at its container marks itself as used.
    if (run.frame.resource && run.frame.resource != run.frame.container) {
      run.frame.referenced->insert(std::string(resource_id(*run.frame.resource)));
    }
    return;
  }
  run.frame.referenced->insert(std::string(node.value.substr(1)));
  // A uri, url or canonical "#x" points into the resource: it must name something there.
  if (node.type == "string") return;
  if (run.link_targets(run.frame.container, node.value.substr(1), true, true) == 0) {
    // The reference validator errs for uri and url, and only warns for canonical.
    run.report(node.type == "canonical" ? Severity::Warning : Severity::Error, "not-found",
               "'" + std::string(node.value) + "' names nothing in the resource (no contained resource or element with id '" +
                   std::string(node.value.substr(1)) + "')",
               node, path);
  }
}

void check_reference(Run& run, const Element& reference, const Path& path) {
  const Element* ref_node = child_named(reference, "reference");
  std::string_view ref = value_of(ref_node);
  std::string_view target_type = value_of(child_named(reference, "type"));
  if (ref.empty()) {
    // A logical reference (identifier) may still say which type it refers to.
    if (!target_type.empty()) check_target_type(run, reference, target_type, reference, path);
    return;
  }
  const Element& at = *ref_node;
  Path ref_path{&path, "reference", -1};
  const Element* target = nullptr;
  if (ref[0] == '#') {
    if (ref.size() > 1 && run.frame.container) {
      target = find_contained(*run.frame.container, ref.substr(1));
      if (!target) {
        run.report(Severity::Error, "not-found",
                   "the reference '" + std::string(ref) + "' names no contained resource with id '" +
                       std::string(ref.substr(1)) + "'",
                   at, ref_path);
        return;
      }
    } else {
      target = run.frame.container;
    }
  } else if (ref.find('?') != std::string_view::npos) {
    return;  // a conditional reference, resolved by the server in a transaction
  } else {
    bool absolute = ref.find(':') != std::string_view::npos;
    Parsed parsed = parse_tail(run.defs, ref);
    if (!absolute && parsed.type.empty()) {
      auto parts = split(ref);
      if (parts.size() == 2 || (parts.size() == 4 && parts[2] == "_history")) {
        run.report(Severity::Error, "invalid", "'" + std::string(parts[0]) + "' in the reference '" + std::string(ref) +
                   "' is not a FHIR resource type", at, ref_path);
        return;
      }
    }
    if (!absolute && !parsed.type.empty() && !model::is_resource_id(split(parsed.type_id)[1])) {
      run.report(Severity::Warning, "invalid", "the reference '" + std::string(ref) + "' does not end in a valid id", at,
                 ref_path);
    }
    if (target_type.empty()) target_type = parsed.type;
    if (const BundleIndex* bundle = run.frame.bundle) {
      std::vector<const Element*> found;
      if (absolute) {
        auto it = bundle->by_full_url.find(ref);
        if (it != bundle->by_full_url.end()) found = it->second;
        if (found.empty() && (ref.starts_with("urn:uuid:") || ref.starts_with("urn:oid:"))) {
          run.report(Severity::Error, "not-found",
                     "the reference '" + std::string(ref) + "' is not the fullUrl of any entry in the Bundle", at, ref_path);
          return;
        }
      } else if (!parsed.type_id.empty()) {
        std::string_view base = run.frame.full_url;
        Parsed own = parse_tail(run.defs, base);
        if (!own.type_id.empty() && base.find("://") != std::string_view::npos) {
          std::string full(base.substr(0, static_cast<size_t>(own.type_id.data() - base.data())));
          full += parsed.type_id;
          auto it = bundle->by_full_url.find(full);
          if (it != bundle->by_full_url.end()) found = it->second;
        }
        if (found.empty()) {
          auto it = bundle->by_type_id.find(std::string(parsed.type_id));
          if (it != bundle->by_type_id.end()) found = it->second;
        }
      }
      bool history = value_of(child_named(*bundle->bundle, "type")) == "history";
      if (!parsed.version.empty() && !found.empty()) {
        const Element* match = nullptr;
        for (const Element* f : found) {
          if (version_id(*f) == parsed.version) match = f;
        }
        if (!match) {
          run.report(Severity::Error, "not-found",
                     "the Bundle holds '" + std::string(parsed.type_id) + "' but not its version '" +
                         std::string(parsed.version) + "'",
                     at, ref_path);
        }
        found.assign(match ? 1 : 0, match);
      }
      if (found.size() > 1 && !history) {
        run.report(Severity::Error, "invalid",
                   "the reference '" + std::string(ref) + "' matches " + std::to_string(found.size()) +
                       " entries of the Bundle",
                   at, ref_path);
      }
      if (!found.empty()) target = found.front();
      if (found.empty() && parsed.version.empty() && must_resolve_in_document(*bundle, run.frame, reference)) {
        run.report(Severity::Error, "not-found",
                   "cannot find '" + std::string(ref) + "' in the document Bundle: a document carries what its Composition "
                   "refers to",
                   at, ref_path);
      }
    }
  }
  if (target) target_type = target->type;
  check_target_type(run, reference, target_type, at, ref_path);
}

static void check_target_type(Run& run, const Element& reference, std::string_view target_type, const Element& at,
                              const Path& ref_path) {
  if (target_type.empty() || !reference.definition) return;
  std::vector<std::string_view> allowed;
  for (const auto& t : reference.definition->types) {
    if (t.code != "Reference") continue;
    for (const auto& profile : t.target_profiles) {
      const auto* sd = run.defs.structure(profile);
      if (!sd || sd->type == "Resource" || sd->type == "DomainResource") return;
      if (sd->type == target_type) return;
      allowed.push_back(sd->type);
    }
  }
  if (allowed.empty()) return;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  run.report(Severity::Error, "structure",
             "the reference points to a " + std::string(target_type) + ", but only " + list + " may be referenced here", at,
             ref_path);
}

void check_contained(Run& run, const Element& resource, const Path& path) {
  int index = 0;
  for (const Element* c : resource.children()) {
    if (c->name != "contained") continue;
    Path cpath{&path, "contained", index++};
    std::string_view id = resource_id(*c);
    if (id.empty()) {
      run.report(Severity::Error, "required", "a contained resource must have an id", *c, cpath);
    } else if (!run.frame.referenced || !run.frame.referenced->count(std::string(id))) {
      run.report(Severity::Error, "invariant",
                 "the contained resource '" + std::string(id) + "' is not referenced from the rest of the resource (dom-3)",
                 *c, cpath);
    }
    if (child_named(*c, "contained")) {
      run.report(Severity::Error, "invariant", "a contained resource cannot contain resources itself (dom-2)", *c, cpath);
    }
    if (const Element* meta = child_named(*c, "meta")) {
      if (child_named(*meta, "versionId") || child_named(*meta, "lastUpdated")) {
        run.report(Severity::Error, "invariant",
                   "a contained resource cannot have meta.versionId or meta.lastUpdated (dom-4)", *c, cpath);
      }
      if (child_named(*meta, "security")) {
        run.report(Severity::Error, "invariant", "a contained resource cannot have a security label (dom-5)", *c, cpath);
      }
    }
  }
}

}  // namespace carebridge::fhir::validation
