// Column names and places shared by the readers (see columns.h).
#include "mappings/csv/columns.h"

#include <cstdint>
#include <unordered_map>

namespace carebridge::mappings::csv {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Whether a sheet name can stand unquoted before the `!` of a reference, as Excel writes
// it: letters (any non-ASCII counts as one), digits, `_` and `.`, not starting with a digit.
bool plain_sheet_name(std::string_view sheet) {
  if (sheet.empty() || (sheet[0] >= '0' && sheet[0] <= '9')) return false;
  for (unsigned char c : sheet) {
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
    if (!letter && !(c >= '0' && c <= '9') && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

namespace {

constexpr std::string_view kNoBreakSpace = "\xC2\xA0";  // U+00A0, what a header copied from a web page or Word has

// The width of the space at `at` (a space, a tab or a no-break space), 0 when there is none.
size_t space_at(std::string_view text, size_t at) {
  if (at < text.size() && (text[at] == ' ' || text[at] == '\t')) return 1;
  return text.substr(at).starts_with(kNoBreakSpace) ? kNoBreakSpace.size() : 0;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (size_t width = space_at(text, 0)) text.remove_prefix(width);
  while (!text.empty()) {
    size_t width = text.ends_with(kNoBreakSpace) ? kNoBreakSpace.size() : space_at(text, text.size() - 1);
    if (width == 0) break;
    text.remove_suffix(width);
  }
  return text;
}

// Headers are the same whatever their case and the spaces (no-break ones too) or underscores
// between words: a report tool's "Entry Date" and a SQL view's ENTRY_DATE are EntryDate.
bool same_name(std::string_view a, std::string_view b) {
  auto separator = [](std::string_view s, size_t at) { return at < s.size() && s[at] == '_' ? 1 : space_at(s, at); };
  size_t i = 0, j = 0;
  while (true) {
    while (size_t width = separator(a, i)) i += width;
    while (size_t width = separator(b, j)) j += width;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (ascii_lower(a[i++]) != ascii_lower(b[j++])) return false;
  }
}

std::string quoted_name(std::string_view name) {
  constexpr size_t kMax = 60;
  if (name.size() <= kMax) return "\"" + std::string(name) + "\"";
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return "\"" + std::string(name.substr(0, cut)) + "…\"";
}

std::string column_letters(size_t column) {
  std::string letters;
  for (size_t n = column + 1; n > 0; n = (n - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  return letters;
}

std::string cell_reference(std::string_view sheet, size_t column, size_t row) {
  std::string out;
  if (plain_sheet_name(sheet)) {
    out = sheet;
  } else {  // 'Food bank'!A2, with a ' in the name doubled
    out = "'";
    for (char c : sheet) out += c == '\'' ? std::string("''") : std::string(1, c);
    out += "'";
  }
  return out + "!" + column_letters(column) + std::to_string(row);
}

std::string form_place(std::string_view name, size_t number, const std::string* field) {
  std::string out = name == "form" || name.empty() ? "form" : std::string(name) + ": form";
  if (number > 0) out += " " + std::to_string(number) + (field ? "," : "");
  if (field) out += " field " + quoted_name(*field);
  return out;
}

std::optional<HeaderProblem> find_header_problem(const std::vector<std::string>& names) {
  std::unordered_map<std::string, size_t> seen;  // lower-case name → its first column
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return HeaderProblem{i, std::nullopt};
    auto [at, fresh] = seen.emplace(lower(names[i]), i);
    if (!fresh) return HeaderProblem{i, at->second};
  }
  return std::nullopt;
}

std::string size_in_words(uint64_t bytes) {
  constexpr uint64_t kKb = 1024, kMb = kKb * 1024;
  if (bytes >= kMb && bytes % kMb == 0) return std::to_string(bytes / kMb) + " MB";
  if (bytes >= kKb && bytes % kKb == 0) return std::to_string(bytes / kKb) + " KB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace carebridge::mappings::csv
