// Base64 (RFC 4648), the standard and the URL-safe alphabet: FHIR base64Binary
// values, Binary resources in Bundles, FHIRPath encode() and decode().
#pragma once

#include <optional>
#include <string>

namespace carebridge::fhir::io {

std::string base64_encode(const std::string& in, bool url = false);
// Either alphabet; stops at padding; nullopt on any other character.
std::optional<std::string> base64_decode(const std::string& in);

}  // namespace carebridge::fhir::io
