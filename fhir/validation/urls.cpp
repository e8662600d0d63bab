// URL helpers shared by the passes: what counts as an absolute URI (fullUrl,
// canonical, extension url, narrative links) and which domains are examples.
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

bool is_example_url(std::string_view url) {
  for (std::string_view domain : {"example.org", "example.com", "example.net", "acme.com", "acme.org"}) {
    auto at = url.find(domain);
    if (at == std::string_view::npos) continue;
    size_t end = at + domain.size();
    if (end == url.size() || url[end] == '/') return true;
  }
  return url.starts_with("urn:oid:2.999.") || url.starts_with("urn:oid:1.3.6.1.4.1.32473.");
}

}  // namespace carebridge::fhir::validation
