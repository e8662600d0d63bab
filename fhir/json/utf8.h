// UTF-8 validation, fast on ASCII: JSON text is checked once up front so the
// parser can run without per-character validation.
#pragma once

#include <cstddef>
#include <string_view>

namespace carebridge::fhir::json {

// The offset of the first byte that is not part of well-formed UTF-8 (no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos when all of it is.
size_t find_invalid_utf8(std::string_view text);

// The characters (code points) of well-formed UTF-8: its bytes that do not continue one.
size_t count_code_points(std::string_view text);

}  // namespace carebridge::fhir::json
