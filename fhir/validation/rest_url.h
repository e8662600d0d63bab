// What reads as a RESTful resource URL ("https://ehr.example.org/fhir/Patient/7",
// "Patient/7/_history/2"): the reference validator and the gateway's transactions resolve
// a Bundle's relative references against such a fullUrl (FHIR R4 bundle.html, "Resolving
// references in Bundles").
#pragma once

#include <string_view>

#include "fhir/definitions/definitions.h"

namespace carebridge::fhir::validation {

// urls.cpp: whether text is an absolute URI as the reference validator decides it: a
// lower-case scheme, a colon and something after it without spaces ("urn:uuid:...", "http://...").
bool is_absolute_url(std::string_view url);
// A RESTful resource URL as the reference validator recognises one: optionally
// http(s)://host/path/ (letters, digits, '-', '.', ':', '%', '$' in each segment), then
// Type/id and optionally /_history/version. Fills the parts it found.
struct RestUrl {
  std::string_view base;  // up to and including the '/' before Type ("" for a relative URL)
  std::string_view type, id, version;
};
bool match_rest_url(const definitions::Definitions& defs, std::string_view url, RestUrl* out = nullptr);

}  // namespace carebridge::fhir::validation
