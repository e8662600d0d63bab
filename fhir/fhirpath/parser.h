// Precedence-climbing parser from tokens to the node tree; function names and
// arities are checked here, so evaluation never meets an unknown function.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fhir/fhirpath/ast.h"

namespace carebridge::fhir::fhirpath {

// Parses `text`; null with `error` ("at 12: unknown function 'foo'") when invalid.
std::unique_ptr<Node> parse_expression(std::string_view text, std::string& error);

}  // namespace carebridge::fhir::fhirpath
