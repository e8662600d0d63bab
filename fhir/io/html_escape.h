// Text for HTML: &, <, >, " and ' escaped, so that it is safe in element text and in quoted
// attribute values (the conformance report and the gateway's pages both write HTML).
#pragma once

#include <string>
#include <string_view>

namespace carebridge::fhir::io {

void append_html_escaped(std::string& out, std::string_view text);

}  // namespace carebridge::fhir::io
