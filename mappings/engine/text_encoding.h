// The character sets senders still use — single-byte (ISO 8859-1, ISO 8859-15, Windows-1252)
// and UTF-16 — decoded to UTF-8, the one encoding the rest of the gateway reads. Shared by the
// CSV reader (Excel's "CSV" is Windows-1252, its "Unicode Text" UTF-16) and the HL7 v2 reader
// (MSH-18).
#pragma once

#include <string>
#include <string_view>

namespace carebridge::mappings::engine {

enum class SingleByteCharset { Latin1, Latin9, Windows1252 };

// Appends a code point (up to U+10FFFF) as UTF-8.
void append_utf8(std::string& out, char32_t code);
// Appends `bytes`, each a character of `charset`, as UTF-8.
void append_decoded(std::string& out, std::string_view bytes, SingleByteCharset charset);
// Appends UTF-16 `bytes` (their byte order mark says which order; none: big-endian) as UTF-8,
// without the mark. False, with `out` as it was, when they are not UTF-16 (an odd length, a
// lone surrogate).
bool append_utf16(std::string& out, std::string_view bytes);

}  // namespace carebridge::mappings::engine
