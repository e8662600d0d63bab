// Ids made from names: the same text always gives the same id, and different texts
// different ids (SHA-256, so two records never share an id by accident). A mapped record
// without a business identifier gets its id this way, so the same input sent twice lands
// on the same record.
#pragma once

#include <string>
#include <string_view>

namespace carebridge::mappings::engine {

// A UUID (RFC 9562 version 8, name-based) from the SHA-256 of `text`.
std::string name_uuid(std::string_view text);

// A token search value for a conditional request or reference ("SYSTEM|VALUE", or VALUE
// without a system): FHIR's search escapes (\ before , | $ \) so that a value holding a
// comma is one value, then percent-encoded for the URL.
std::string token_criteria(std::string_view system, std::string_view value);

}  // namespace carebridge::mappings::engine
