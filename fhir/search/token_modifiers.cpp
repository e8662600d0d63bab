// Token modifiers into the tokens they stand for (see token_modifiers.h).
#include "fhir/search/token_modifiers.h"

#include <algorithm>
#include <optional>

namespace carebridge::fhir::search {

namespace {

using terminology::CodeSystem;
using terminology::Expansion;

ValueMatch token(std::string_view system, std::string_view code) {
  ValueMatch m;
  m.kind = ValueMatch::Kind::Token;
  m.any_system = false;
  m.system = std::string(system);
  m.code = std::string(code);
  return m;
}

std::string shown(std::string_view text) {
  constexpr size_t kShown = 200;
  return "'" + std::string(text.substr(0, kShown)) + (text.size() > kShown ? "...'" : "'");
}

bool too_many(size_t count, size_t max_codes, std::string_view what, CodeSetError& error) {
  if (count <= max_codes) return false;
  error = {std::string(what) + " stands for " + std::to_string(count) + " codes; this server searches at most " +
               std::to_string(max_codes) + " at once",
           "too-costly"};
  return true;
}

// :in / :not-in: every code the value set lists, when it lists all of its members.
bool value_set_codes(const terminology::Terminology& terminology, std::string_view url, size_t max_codes,
                     std::vector<ValueMatch>& out, CodeSetError& error, const StoredCanonicals& stored) {
  const Expansion* expansion = terminology.expansion(url);
  std::optional<Expansion> of_stored;  // a ValueSet a client wrote, expanded for this search
  if (!expansion && stored) {
    if (auto json = stored("ValueSet", url)) {
      if (auto expanded = terminology.expand(*json)) expansion = &of_stored.emplace(std::move(*expanded));
    }
  }
  if (!expansion) {
    error = {"the value set " + shown(url) + " is not known to this server (give its canonical URL)", "not-found"};
    return false;
  }
  if (!expansion->complete()) {
    std::string why = "part of it is not known here";
    if (!expansion->open_systems.empty()) {
      why = "it takes codes of " + shown(expansion->open_systems.begin()->first) +
            " this server cannot list (a filter, or a code system it does not have in full)";
    }
    error = {"the value set " + shown(url) + " cannot be expanded here: " + why, "processing"};
    return false;
  }
  if (too_many(expansion->size(), max_codes, "the value set " + shown(url), error)) return false;
  // Elements of type code (Patient.gender) are indexed without a system: the value set's
  // codes match them as codes without a system too.
  for (const auto& code : expansion->bare_codes) out.push_back(token("", code));
  for (const auto& [system, codes] : expansion->codes) {
    if (system.empty()) continue;
    for (const auto& code : codes) out.push_back(token(system, code));
  }
  // The same order whatever the hash tables' order: the SQL and its plan stay the same.
  std::sort(out.begin(), out.end(),
            [](const ValueMatch& a, const ValueMatch& b) { return std::tie(a.system, a.code) < std::tie(b.system, b.code); });
  return true;
}

// :below / :above: the code and every code under (above) it in a code system held in full.
bool hierarchy_codes(const terminology::Terminology& terminology, std::string_view modifier, std::string_view value,
                     size_t max_codes, std::vector<ValueMatch>& out, CodeSetError& error, const StoredCanonicals& stored) {
  auto bar = value.find('|');
  if (bar == std::string_view::npos || bar == 0 || bar + 1 == value.size()) {
    error = {":" + std::string(modifier) + " on a token needs system|code, not " + shown(value)};
    return false;
  }
  std::string_view system = value.substr(0, bar), code = value.substr(bar + 1);
  const CodeSystem* code_system = terminology.code_system(system);
  std::optional<CodeSystem> of_stored;  // a CodeSystem a client wrote, read for this search
  if (!code_system && stored) {
    if (auto json = stored("CodeSystem", system)) {
      if (auto read = terminology::read_code_system(*json); read.ok()) code_system = &of_stored.emplace(std::move(read).value());
    }
  }
  if (!code_system || !code_system->complete()) {
    error = {"the code system " + shown(system) + " is not held in full by this server, so :" + std::string(modifier) +
                 " cannot be answered",
             "processing"};
    return false;
  }
  uint32_t index = code_system->find(code);
  if (index == CodeSystem::kNone) return true;  // not a code of the system: nothing is below or above it
  auto marked = modifier == "below" ? code_system->descendants(index, true) : code_system->ancestors(index, true);
  if (too_many(static_cast<size_t>(std::count(marked.begin(), marked.end(), true)), max_codes,
               ":" + std::string(modifier) + " " + shown(value), error)) {
    return false;
  }
  for (size_t i = 0; i < marked.size(); ++i) {
    if (!marked[i]) continue;
    out.push_back(token(system, code_system->concepts[i].code));
    out.push_back(token("", code_system->concepts[i].code));  // an element of type code has no system
  }
  return true;
}

}  // namespace

bool names_code_set(std::string_view modifier) {
  return modifier == "in" || modifier == "not-in" || modifier == "below" || modifier == "above";
}

bool expand_code_set(const terminology::Terminology& terminology, std::string_view modifier, std::string_view value,
                     size_t max_codes, std::vector<ValueMatch>& out, CodeSetError& error, const StoredCanonicals& stored) {
  if (modifier == "in" || modifier == "not-in") return value_set_codes(terminology, value, max_codes, out, error, stored);
  return hierarchy_codes(terminology, modifier, value, max_codes, out, error, stored);
}

std::string of_type_code(std::string_view type_code, std::string_view value) {
  std::string code(type_code);
  code += '|';
  code += value;
  return code;
}

bool of_type_match(const std::vector<std::string>& parts, ValueMatch& out, std::string& error) {
  if (parts.size() != 3 || parts[1].empty() || parts[2].empty()) {
    error = ":of-type takes system|code|value (the identifier's type as a token, then its value)";
    return false;
  }
  out = token(parts[0], of_type_code(parts[1], parts[2]));
  return true;
}

}  // namespace carebridge::fhir::search
