// FHIRPath lexer.
#include "fhir/fhirpath/lexer.h"

#include "fhir/json/utf8.h"

namespace carebridge::fhir::fhirpath {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }

std::string at(size_t offset, std::string_view message) {
  return "at " + std::to_string(offset + 1) + ": " + std::string(message);
}

// The four hexadecimal digits of a \u escape from text[i]; i ends after them.
bool read_code_unit(std::string_view text, size_t& i, char32_t& code, std::string& error) {
  code = 0;
  for (int k = 0; k < 4; ++k, ++i) {
    if (i >= text.size()) {
      error = at(i, "incomplete \\u escape");
      return false;
    }
    char h = text[i];
    int v = is_digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
    if (v < 0) {
      error = at(i, "bad hexadecimal digit in \\u escape");
      return false;
    }
    code = code * 16 + static_cast<char32_t>(v);
  }
  return true;
}

// The character of a \u escape whose digits start at text[i], appended as UTF-8; a
// character beyond U+FFFF is written as a surrogate pair, as in JSON.
bool read_unicode_escape(std::string_view text, size_t& i, std::string& out, std::string& error) {
  char32_t code = 0;
  if (!read_code_unit(text, i, code, error)) return false;
  if (code >= 0xD800 && code <= 0xDBFF && text.substr(i, 2) == "\\u") {
    size_t low_at = i + 2;
    char32_t low = 0;
    if (!read_code_unit(text, low_at, low, error)) return false;
    if (low >= 0xDC00 && low <= 0xDFFF) {
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
      i = low_at;
    }
  }
  if (code >= 0xD800 && code <= 0xDFFF) {
    error = at(i - 6, "\\u escape of half a surrogate pair");
    return false;
  }
  json::append_utf8(out, code);
  return true;
}

// Reads a quoted run starting at text[i] == quote; i ends after the closing quote.
bool read_quoted(std::string_view text, size_t& i, std::string& out, std::string& error) {
  char quote = text[i];
  size_t start = i++;
  while (i < text.size()) {
    char c = text[i];
    if (c == quote) {
      ++i;
      return true;
    }
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) break;
    char e = text[i + 1];
    i += 2;
    switch (e) {
      case '\'': case '"': case '`': case '\\': case '/': out += e; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u':
        if (!read_unicode_escape(text, i, out, error)) return false;
        break;
      default:
        // The grammar has no other escape (N1 ESC); a regular expression's \d is written '\\d'.
        error = at(i - 2, std::string("unknown escape") +
                              (static_cast<unsigned char>(e) < 0x80 ? " '\\" + std::string(1, e) + "'" : "") +
                              " in a string (a backslash itself is written '\\\\')");
        return false;
    }
  }
  error = at(start, quote == '`' ? "unterminated `identifier`" : "unterminated string");
  return false;
}

// Skips whitespace and // and /* */ comments from i; false with `error` on an unterminated comment.
bool skip_space(std::string_view text, size_t& i, std::string& error) {
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) {
        error = at(i, "unterminated comment");
        return false;
      }
      i = end + 2;
    } else {
      break;
    }
  }
  return true;
}

// The run of characters from i that `keep` accepts; i ends after it.
template <typename Keep>
std::string take_while(std::string_view text, size_t& i, Keep keep) {
  size_t start = i;
  while (i < text.size() && keep(i)) ++i;
  return std::string(text.substr(start, i - start));
}

// 12, 1.5, 1L (a Long literal is an integer here).
void read_number(std::string_view text, size_t& i, Token& token) {
  size_t start = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i + 1 < text.size() && text[i] == '.' && is_digit(text[i + 1])) {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
  }
  token.kind = TokenKind::Number;
  token.text = std::string(text.substr(start, i - start));
  if (i < text.size() && text[i] == 'L' && token.text.find('.') == std::string::npos &&
      (i + 1 >= text.size() || !is_ident(text[i + 1]))) {
    ++i;
  }
}

// @2014-01-05T10:30:00.000+01:00 or @T10:30 from text[i] == '@'; the text is checked by the parser.
bool read_date_time(std::string_view text, size_t& i, Token& token, std::string& error) {
  ++i;
  bool time = i < text.size() && text[i] == 'T';
  if (time) ++i;
  token.kind = time ? TokenKind::Time : TokenKind::DateTime;
  token.text = take_while(text, i, [&](size_t k) {
    char d = text[k];
    bool next_digit = k + 1 < text.size() && is_digit(text[k + 1]);
    return is_digit(d) || d == 'T' || d == ':' || d == 'Z' || ((d == '-' || d == '+' || d == '.') && next_digit);
  });
  if (token.text.empty()) {
    error = at(token.position - 1, "date or time expected after '@'");
    return false;
  }
  return true;
}

// %name, %`name` or %'name' from text[i] == '%'.
bool read_variable(std::string_view text, size_t& i, Token& token, std::string& error) {
  ++i;
  token.kind = TokenKind::Variable;
  if (i < text.size() && (text[i] == '`' || text[i] == '\'')) return read_quoted(text, i, token.text, error);
  size_t start = i;
  // %vs-name and %ext-name: dashes are allowed in the environment's names.
  auto dashed = [&] {
    std::string_view so_far = text.substr(start, i - start);
    return so_far.starts_with("vs") || so_far.starts_with("ext");
  };
  token.text = take_while(text, i, [&](size_t k) { return is_ident(text[k]) || (text[k] == '-' && dashed()); });
  if (token.text.empty()) {
    error = at(token.position - 1, "variable name expected after '%'");
    return false;
  }
  return true;
}

// An operator or punctuation: the two-character ones first.
bool read_symbol(std::string_view text, size_t& i, Token& token, std::string& error) {
  token.kind = TokenKind::Symbol;
  std::string_view two = text.substr(i, 2);
  if (two == "<=" || two == ">=" || two == "!=" || two == "!~") {
    token.text = std::string(two);
    i += 2;
    return true;
  }
  char c = text[i];
  if (std::string_view(".,()[]{}+-*/&|<>=~").find(c) == std::string_view::npos) {
    error = at(i, std::string("unexpected character '") + c + "'");
    return false;
  }
  token.text = std::string(1, c);
  ++i;
  return true;
}

// One token starting at text[i] (not whitespace, not the end), chosen by its first character.
bool read_token(std::string_view text, size_t& i, Token& token, std::string& error) {
  char c = text[i];
  if (is_ident_start(c)) {
    token.kind = TokenKind::Identifier;
    token.text = take_while(text, i, [&](size_t k) { return is_ident(text[k]); });
    return true;
  }
  if (c == '`' || c == '\'') {
    token.kind = c == '`' ? TokenKind::DelimitedIdentifier : TokenKind::String;
    return read_quoted(text, i, token.text, error);
  }
  if (is_digit(c)) {
    read_number(text, i, token);
    return true;
  }
  if (c == '@') return read_date_time(text, i, token, error);
  if (c == '%') return read_variable(text, i, token, error);
  if (c == '$') {
    ++i;
    token.kind = TokenKind::Dollar;
    token.text = take_while(text, i, [&](size_t k) { return is_ident(text[k]); });
    return true;
  }
  return read_symbol(text, i, token, error);
}

}  // namespace

bool tokenize(std::string_view text, std::vector<Token>& tokens, std::string& error) {
  size_t i = 0;
  while (true) {
    if (!skip_space(text, i, error)) return false;
    Token token;
    token.position = static_cast<uint32_t>(i + 1);
    if (i >= text.size()) {
      token.kind = TokenKind::End;
      tokens.push_back(std::move(token));
      return true;
    }
    if (!read_token(text, i, token, error)) return false;
    tokens.push_back(std::move(token));
  }
}

}  // namespace carebridge::fhir::fhirpath
