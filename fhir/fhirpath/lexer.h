// Tokens of FHIRPath text: identifiers (plain and `delimited`), strings with
// escapes, numbers, date/time literals, %variables, operators; comments skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace carebridge::fhir::fhirpath {

enum class TokenKind : uint8_t {
  Identifier,          // name or keyword
  DelimitedIdentifier, // `name` (text unescaped)
  String,              // 'text' (unescaped)
  Number,              // 12, 1.5
  DateTime,            // @2014-01-05T10:30 (text without '@')
  Time,                // @T10:30 (text without "@T")
  Variable,            // %name, %`name`, %'name' (text without '%')
  Dollar,              // $this, $index, $total (text without '$')
  Symbol,              // operators and punctuation
  End,
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;
  uint32_t position = 0;  // 1-based
};

// Splits `text` into tokens; false with `error` ("at 5: ...") when it cannot.
bool tokenize(std::string_view text, std::vector<Token>& tokens, std::string& error);

}  // namespace carebridge::fhir::fhirpath
