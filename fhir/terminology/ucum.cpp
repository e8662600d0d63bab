#include "fhir/terminology/ucum.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

namespace carebridge::fhir::terminology {

namespace {

constexpr int kMaxDepth = 16;  // parentheses nested deeper are no unit anyone writes

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The index of each column named in the table's "config" list (a name, or [name, alias]).
int column(const rapidjson::Value& config, std::string_view name) {
  for (rapidjson::SizeType i = 0; i < config.Size(); ++i) {
    const auto& c = config[i];
    const auto& n = c.IsArray() && !c.Empty() ? c[0] : c;
    if (n.IsString() && name == n.GetString()) return static_cast<int>(i);
  }
  return -1;
}

bool flag(const rapidjson::Value& row, int at) { return at >= 0 && row[at].IsBool() && row[at].GetBool(); }

// Where the component that starts at `from` ends: at a '.' or '/' outside brackets,
// braces and parentheses (or the end).
size_t component_end(std::string_view text, size_t from) {
  int parens = 0, square = 0;
  bool brace = false;
  for (size_t i = from; i < text.size(); ++i) {
    char c = text[i];
    if (brace) {
      brace = c != '}';
    } else if (c == '{') {
      brace = true;
    } else if (c == '[') {
      ++square;
    } else if (c == ']') {
      --square;
    } else if (c == '(') {
      ++parens;
    } else if (c == ')') {
      --parens;
    } else if ((c == '.' || c == '/') && parens == 0 && square == 0) {
      return i;
    }
  }
  return text.size();
}

}  // namespace

std::unique_ptr<Ucum> Ucum::from_json(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("units") || !doc.HasMember("prefixes")) return nullptr;
  const auto& units = doc["units"];
  const auto& prefixes = doc["prefixes"];
  if (!units.HasMember("config") || !units.HasMember("data") || !prefixes.HasMember("data")) return nullptr;
  int code = column(units["config"], "csCode_"), base = column(units["config"], "isBase_");
  int metric = column(units["config"], "isMetric_"), source = column(units["config"], "source_");
  if (code < 0 || source < 0 || !units["data"].IsArray() || !prefixes["data"].IsArray()) return nullptr;
  auto ucum = std::make_unique<Ucum>();
  for (const auto& row : units["data"].GetArray()) {
    if (!row.IsArray() || static_cast<int>(row.Size()) <= std::max(code, source) || !row[code].IsString()) continue;
    // The table also lists LOINC's combinations ("mg/dL"): those are expressions, not atoms.
    if (!row[source].IsString() || std::string_view(row[source].GetString()) != "UCUM") continue;
    ucum->atoms_[row[code].GetString()] = flag(row, base) || flag(row, metric);  // base units take prefixes too
  }
  for (const auto& row : prefixes["data"].GetArray()) {
    if (!row.IsArray() || row.Empty() || !row[0].IsString()) continue;
    ucum->prefixes_.emplace_back(row[0].GetString());
  }
  if (ucum->atoms_.empty() || ucum->prefixes_.empty()) return nullptr;
  return ucum;
}

std::unique_ptr<Ucum> Ucum::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return nullptr;
  std::stringstream text;
  text << in.rdbuf();
  return from_json(text.str());
}

// An atom, or a prefix and an atom that takes one ("mg", "dL", "mm[Hg]").
bool Ucum::simple_unit(std::string_view text) const {
  if (atoms_.find(text) != atoms_.end()) return true;
  for (const std::string& p : prefixes_) {
    if (text.size() <= p.size() || !text.starts_with(p)) continue;
    auto atom = atoms_.find(text.substr(p.size()));
    if (atom != atoms_.end() && atom->second) return true;
  }
  return false;
}

// A simple unit with an optional exponent ("m2", "s-1", "10*3"); each way of reading the
// trailing digits as the exponent is tried (no atom ends with a digit, but "10*" starts with them).
bool Ucum::annotatable(std::string_view text) const {
  size_t digits = text.size();
  while (digits > 0 && text[digits - 1] >= '0' && text[digits - 1] <= '9') --digits;
  size_t signed_at = digits > 0 && (text[digits - 1] == '+' || text[digits - 1] == '-') ? digits - 1 : digits;
  if (digits < text.size() && signed_at < digits && signed_at > 0 && simple_unit(text.substr(0, signed_at))) return true;
  for (size_t at = text.size(); at >= digits && at > 0; --at) {
    if (simple_unit(text.substr(0, at))) return true;
  }
  return false;
}

// "" when `text` is a term: components joined by '.' and '/', a leading '/' allowed.
std::string Ucum::term(std::string_view text, int depth) const {
  if (depth > kMaxDepth) return "the parentheses are nested too deeply";
  if (text.starts_with('/')) text.remove_prefix(1);
  if (text.empty()) return "a unit is missing";
  for (size_t at = 0; at <= text.size();) {
    size_t end = component_end(text, at);
    std::string_view c = text.substr(at, end - at);
    if (c.empty()) return "a unit is missing before or after '" + std::string(1, text[std::min(end, text.size() - 1)]) + "'";
    if (c.front() == '(') {
      if (c.back() != ')') return "'" + std::string(c) + "' has no closing parenthesis where it should end";
      if (std::string why = term(c.substr(1, c.size() - 2), depth + 1); !why.empty()) return why;
    } else {
      std::string_view unit = c;
      if (size_t brace = c.find('{'); brace != std::string_view::npos) {
        std::string_view note = c.substr(brace);
        if (note.back() != '}' || note.find_first_of("{}", 1) != note.size() - 1)
          return "the annotation in '" + std::string(c) + "' must be one {...} at the end of its unit";
        unit = c.substr(0, brace);
      }
      if (!unit.empty() && !all_digits(unit) && !annotatable(unit)) return "'" + std::string(unit) + "' is not a UCUM unit";
    }
    at = end + 1;
  }
  return {};
}

std::string Ucum::problem(std::string_view code) const {
  if (code.empty()) return "the code is empty";
  // Outside {annotations}, UCUM codes are printable ASCII without spaces.
  bool brace = false;
  for (char c : code) {
    auto u = static_cast<unsigned char>(c);
    if (c == '{') brace = true;
    if (c == '}') brace = false;
    if (u > 126 || u < 32 || (u == 32 && !brace)) return "'" + std::string(code) + "' has a character UCUM does not use (a space, or not ASCII)";
  }
  if (std::string why = term(code, 0); !why.empty()) return "'" + std::string(code) + "' is not a valid UCUM code: " + why;
  return {};
}

}  // namespace carebridge::fhir::terminology
