// UTF-8 validation, fast on ASCII: JSON text is checked once up front so the
// parser can run without per-character validation. Also reading and writing code
// points, for what counts characters rather than bytes (FHIRPath, regex filters).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace carebridge::fhir::json {

// The offset of the first byte that is not part of well-formed UTF-8 (no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos when all of it is.
size_t find_invalid_utf8(std::string_view text);

// The characters (code points) of well-formed UTF-8: its bytes that do not continue one.
size_t count_code_points(std::string_view text);

// The code point that starts at text[i], moving i past it. A byte that starts no
// well-formed sequence reads as a lone surrogate, U+DC80 + (byte - 0x80), which no
// text holds and append_utf8() writes back as that byte: text round-trips unchanged.
char32_t next_code_point(std::string_view text, size_t& i);
std::u32string decode_utf8(std::string_view text);
// Appends `code` as UTF-8 (a lone surrogate from next_code_point() as its byte).
void append_utf8(std::string& out, char32_t code);

}  // namespace carebridge::fhir::json
