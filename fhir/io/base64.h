// Base64 (RFC 4648), the standard and the URL-safe alphabet: FHIR base64Binary
// values, Binary resources in Bundles, FHIRPath encode() and decode().
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carebridge::fhir::io {

std::string base64_encode(const std::string& in, bool url = false);
// Either alphabet; stops at padding; nullopt on any other character.
std::optional<std::string> base64_decode(const std::string& in);
// Whether text is base64 as FHIR's base64Binary writes it: the standard alphabet in groups of
// four, "=" padding only at the end, whitespace anywhere ignored.
bool is_base64_text(std::string_view text);

}  // namespace carebridge::fhir::io
