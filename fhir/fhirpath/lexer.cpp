// FHIRPath lexer.
#include "fhir/fhirpath/lexer.h"

namespace carebridge::fhir::fhirpath {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }

std::string at(size_t offset, std::string_view message) {
  return "at " + std::to_string(offset + 1) + ": " + std::string(message);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
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
      case 'u': {
        uint32_t cp = 0;
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
          cp = cp * 16 + static_cast<uint32_t>(v);
        }
        append_utf8(out, cp);
        break;
      }
      default:
        // Not a FHIRPath escape: kept as written, so regular expressions ('\d') work.
        out += '\\';
        out += e;
    }
  }
  error = at(start, quote == '`' ? "unterminated `identifier`" : "unterminated string");
  return false;
}

}  // namespace

bool tokenize(std::string_view text, std::vector<Token>& tokens, std::string& error) {
  size_t i = 0;
  while (true) {
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
    Token token;
    token.position = static_cast<uint32_t>(i + 1);
    if (i >= text.size()) {
      token.kind = TokenKind::End;
      tokens.push_back(std::move(token));
      return true;
    }
    char c = text[i];
    if (is_ident_start(c)) {
      size_t start = i;
      while (i < text.size() && is_ident(text[i])) ++i;
      token.kind = TokenKind::Identifier;
      token.text = std::string(text.substr(start, i - start));
    } else if (c == '`') {
      token.kind = TokenKind::DelimitedIdentifier;
      if (!read_quoted(text, i, token.text, error)) return false;
    } else if (c == '\'') {
      token.kind = TokenKind::String;
      if (!read_quoted(text, i, token.text, error)) return false;
    } else if (is_digit(c)) {
      size_t start = i;
      while (i < text.size() && is_digit(text[i])) ++i;
      if (i + 1 < text.size() && text[i] == '.' && is_digit(text[i + 1])) {
        ++i;
        while (i < text.size() && is_digit(text[i])) ++i;
      }
      token.kind = TokenKind::Number;
      token.text = std::string(text.substr(start, i - start));
      // A Long literal (1L) is an integer here.
      if (i < text.size() && text[i] == 'L' && token.text.find('.') == std::string::npos &&
          (i + 1 >= text.size() || !is_ident(text[i + 1]))) {
        ++i;
      }
    } else if (c == '@') {
      ++i;
      bool time = i < text.size() && text[i] == 'T';
      if (time) ++i;
      size_t start = i;
      while (i < text.size()) {
        char d = text[i];
        bool next_digit = i + 1 < text.size() && is_digit(text[i + 1]);
        if (is_digit(d) || d == 'T' || d == ':' || d == 'Z' || ((d == '-' || d == '+' || d == '.') && next_digit)) {
          ++i;
        } else {
          break;
        }
      }
      token.kind = time ? TokenKind::Time : TokenKind::DateTime;
      token.text = std::string(text.substr(start, i - start));
      if (token.text.empty()) {
        error = at(token.position - 1, "date or time expected after '@'");
        return false;
      }
    } else if (c == '%') {
      ++i;
      token.kind = TokenKind::Variable;
      if (i < text.size() && (text[i] == '`' || text[i] == '\'')) {
        if (!read_quoted(text, i, token.text, error)) return false;
      } else {
        size_t start = i;
        // %vs-name and %ext-name: dashes are allowed in the environment's names.
        auto dashed = [&] {
          std::string_view so_far = text.substr(start, i - start);
          return so_far.starts_with("vs") || so_far.starts_with("ext");
        };
        while (i < text.size() && (is_ident(text[i]) || (text[i] == '-' && dashed()))) ++i;
        token.text = std::string(text.substr(start, i - start));
        if (token.text.empty()) {
          error = at(token.position - 1, "variable name expected after '%'");
          return false;
        }
      }
    } else if (c == '$') {
      ++i;
      size_t start = i;
      while (i < text.size() && is_ident(text[i])) ++i;
      token.kind = TokenKind::Dollar;
      token.text = std::string(text.substr(start, i - start));
    } else {
      token.kind = TokenKind::Symbol;
      std::string_view two = text.substr(i, 2);
      if (two == "<=" || two == ">=" || two == "!=" || two == "!~") {
        token.text = std::string(two);
        i += 2;
      } else if (std::string_view(".,()[]{}+-*/&|<>=~").find(c) != std::string_view::npos) {
        token.text = std::string(1, c);
        ++i;
      } else {
        error = at(i, std::string("unexpected character '") + c + "'");
        return false;
      }
    }
    tokens.push_back(std::move(token));
  }
}

}  // namespace carebridge::fhir::fhirpath
