// URL helpers shared by the passes: what counts as an absolute URI (fullUrl,
// canonical, extension url, narrative links) and what reads as a RESTful resource URL.
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

bool is_absolute_url(std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size()) return false;
  std::string_view scheme = url.substr(0, colon);
  if (scheme[0] < 'a' || scheme[0] > 'z') return false;
  for (char c : scheme) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return url.substr(colon + 1).find(' ') == std::string_view::npos;
}

namespace {

bool id_like(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool path_segment(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '\\' ||
              c == '.' || c == ':' || c == '%' || c == '$';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool match_rest_url(const definitions::Definitions& defs, std::string_view url, RestUrl* out) {
  std::string_view rest = url;
  size_t scheme = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
  rest.remove_prefix(scheme);
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = rest.find('/', start);
    parts.push_back(rest.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  size_t tail = parts.size() >= 4 && parts[parts.size() - 2] == "_history" ? 4 : 2;
  if (parts.size() < tail || (scheme == 0 && parts.size() != tail)) return false;
  size_t at = parts.size() - tail;
  for (size_t i = 0; i < at; ++i) {
    if (!path_segment(parts[i])) return false;
  }
  const auto* sd = defs.type(parts[at]);
  if (!sd || !sd->is_resource() || !id_like(parts[at + 1])) return false;
  if (tail == 4 && !id_like(parts[at + 3])) return false;
  if (out) {
    out->base = url.substr(0, static_cast<size_t>(parts[at].data() - url.data()));
    out->type = parts[at];
    out->id = parts[at + 1];
    out->version = tail == 4 ? parts[at + 3] : std::string_view{};
  }
  return true;
}

}  // namespace carebridge::fhir::validation
