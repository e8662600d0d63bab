// References inside a Bundle entry, resolved the way the reference validator resolves
// them: an absolute reference by fullUrl; a relative one ("Patient/123") against the base
// of the referring entry's fullUrl (http://x/fhir/Observation/1 gives http://x/fhir/Patient/123;
// urn:uuid:a gives urn:uuid:123); a version by meta.versionId. Several matches are an error;
// a urn that matches nothing is a warning (it may be resolved elsewhere); an entry whose
// type and id match but whose fullUrl does not is pointed out. Lookups use the Bundle index.
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

size_t count_slashes(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += c == '/';
  return n;
}

// "Patient?identifier=x|1": a resource type and name=value parameters.
bool search_url(const definitions::Definitions& defs, std::string_view ref) {
  auto q = ref.find('?');
  if (q == std::string_view::npos) return false;
  const auto* sd = defs.type(ref.substr(0, q));
  if (!sd || !sd->is_resource()) return false;
  std::string_view query = ref.substr(q + 1);
  return !query.empty() && query.find('=') != std::string_view::npos;
}

// The base a relative reference is read against: the fullUrl without its last two path
// segments (http...), or without its last colon-separated part (urn:...).
std::string base_of(std::string_view full_url) {
  if (full_url.starts_with("urn")) {
    auto colon = full_url.rfind(':');
    return std::string(full_url.substr(0, colon + 1));
  }
  std::string_view trimmed = full_url;
  while (trimmed.ends_with('/')) trimmed.remove_suffix(1);
  auto last = trimmed.rfind('/');
  if (last == std::string_view::npos) return {};
  auto before = trimmed.rfind('/', last == 0 ? 0 : last - 1);
  return before == std::string_view::npos ? std::string{} : std::string(trimmed.substr(0, before + 1));
}

struct Target {
  std::string url;
  std::string version;
  std::string type;  // the type the reference names, when the match must have it
};

// Entries with the same type and id as an unresolved relative reference: likely meant.
void point_out_near_misses(Run& run, const BundleIndex& bundle, std::string_view ref, const Target& target,
                           const Element& at, const Path& ref_path) {
  auto slash = ref.find('/');
  if (slash == std::string_view::npos) return;
  auto end = ref.find('/', slash + 1);
  const auto* same = bundle.type_id(std::string(ref.substr(0, end)));
  if (!same) return;
  for (uint32_t i : *same) {
    const BundleEntry& e = bundle.entries[i];
    std::string why = e.full_url.empty() ? "it has no fullUrl"
                      : e.full_url != target.url
                          ? "its fullUrl '" + std::string(e.full_url) + "' is not the target URL '" + target.url + "'"
                          : "its version (meta.versionId '" + std::string(e.version) + "') is not '" + target.version + "'";
    run.report(Severity::Warning, "not-found",
               "entry " + std::to_string(i) + " matches the reference '" + std::string(ref) + "' by type and id, but " + why,
               at, ref_path);
  }
}

}  // namespace

const Element* resolve_in_bundle(Run& run, std::string_view ref, const Element& at, const Path& ref_path) {
  const BundleIndex& bundle = *run.frame.bundle;
  bool responses = bundle.type == "transaction-response" || bundle.type == "batch-response";
  bool transaction = bundle.type == "transaction" || bundle.type == "batch";
  std::string_view full_url = run.frame.full_url;
  bool absolute = ref.starts_with("http:") || ref.starts_with("urn:") || is_absolute_url(ref);
  if (full_url.empty() && run.frame.entry && !responses) {
    // Systems post transactions without fullUrls and let the server resolve: ingest tolerates it.
    run.report(run.tolerable(), "required",
               "the Bundle entry holding the reference '" + std::string(ref) + "' has no fullUrl, so it cannot be resolved",
               at, ref_path);
    if (!absolute) return nullptr;
  }
  Target target;
  if (absolute) {
    auto history = ref.find("/_history/");
    target.url = std::string(ref.substr(0, history));
    if (history != std::string_view::npos) target.version = std::string(ref.substr(history + 10));
  } else if (full_url.empty()) {
    return nullptr;
  } else if (size_t slashes = count_slashes(ref); slashes != 1 && slashes != 3) {
    if (!transaction || !search_url(run.defs, ref)) {
      run.report(Severity::Error, "invalid",
                 "the reference '" + std::string(ref) + "' is neither Type/id, Type/id/_history/version" +
                     (transaction ? " nor a search URL" : "") + ", so it cannot be resolved in the Bundle",
                 at, ref_path);
    }
    return nullptr;
  } else {
    std::string base = base_of(full_url);
    auto history = ref.find("/_history/");
    std::string_view type_id = ref.substr(0, history);
    if (history != std::string_view::npos) target.version = std::string(ref.substr(history + 10));
    if (history != std::string_view::npos || base.starts_with("urn")) target.type = std::string(type_id.substr(0, type_id.find('/')));
    target.url = base + std::string(base.starts_with("urn") && history == std::string_view::npos
                                         ? type_id.substr(type_id.find('/') + 1)
                                         : type_id);
  }
  const BundleEntry* match = nullptr;
  int matches = 0;
  if (const auto* found = bundle.full_url(target.url)) {
    for (uint32_t i : *found) {
      const BundleEntry& e = bundle.entries[i];
      if (e.full_url != target.url || !e.resource) continue;  // a versioned key, or no resource
      if (!target.version.empty() && e.version != target.version) continue;
      ++matches;
      match = &e;
    }
  }
  if (matches > 1) {
    run.report(Severity::Error, "invalid", "multiple entries of the Bundle match the reference '" + std::string(ref) + "'",
               at, ref_path);
  }
  if (match && !target.type.empty() && match->resource->type != target.type) {
    run.report(Severity::Error, "invalid",
               "the entry matching '" + std::string(ref) + "' is a " + std::string(match->resource->type) + ", not a " +
                   target.type,
               at, ref_path);
  }
  if (match) return match->resource;
  if (ref.starts_with("urn")) {
    run.report(Severity::Warning, "not-found",
               "the reference '" + std::string(ref) + "' is not the fullUrl of any entry in the Bundle", at, ref_path);
  } else if (!absolute) {
    point_out_near_misses(run, bundle, ref, target, at, ref_path);
  }
  return nullptr;
}

}  // namespace carebridge::fhir::validation
