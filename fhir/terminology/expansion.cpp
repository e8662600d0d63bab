// Membership answers of an Expansion and the set algebra compose needs (union for
// includes, intersection inside one include, exclusion for excludes), each lenient
// where a side is open or could not be read: never "not in" for what might be in.
#include "fhir/terminology/expansion.h"

namespace carebridge::fhir::terminology {
namespace {

bool listed(const StringMap<StringSet>& map, std::string_view system, std::string_view code) {
  auto it = map.find(system);
  return it != map.end() && it->second.find(code) != it->second.end();
}

// In the known part: listed, or in an open system and not excluded from it.
bool member(const Expansion& e, std::string_view system, std::string_view code) {
  if (listed(e.codes, system, code)) return true;
  auto open = e.open_systems.find(system);
  return open != e.open_systems.end() && open->second.find(code) == open->second.end();
}

}  // namespace

Membership Expansion::contains(std::string_view system, std::string_view code) const {
  if (system.empty()) return bare_codes.find(code) != bare_codes.end() ? Membership::in : Membership::unknown;
  if (listed(codes, system, code)) return Membership::in;
  if (auto open = open_systems.find(system); open != open_systems.end()) {
    return open->second.find(code) == open->second.end() ? Membership::in : Membership::not_in;
  }
  return complete() ? Membership::not_in : Membership::unknown;
}

Membership Expansion::contains_code(std::string_view code) const {
  if (bare_codes.find(code) != bare_codes.end()) return Membership::in;
  return complete() ? Membership::not_in : Membership::unknown;
}

size_t Expansion::size() const {
  size_t n = 0;
  for (const auto& [system, set] : codes) n += set.size();
  return n;
}

void Expansion::add_all(const Expansion& other) {
  for (const auto& [system, set] : other.codes) codes[system].insert(set.begin(), set.end());
  for (const auto& entry : other.open_systems) {
    const auto& excluded = entry.second;  // named: lambdas capture no structured bindings in clang 14
    auto [it, added] = open_systems.try_emplace(entry.first, excluded);
    if (added) continue;
    // Open on both sides: excluded only where both exclude.
    std::erase_if(it->second, [&excluded](const std::string& code) { return !excluded.contains(code); });
  }
  unknown_part = unknown_part || other.unknown_part;
}

void Expansion::keep_common(const Expansion& other) {
  if (other.unknown_part) return;  // anything here might be in the other's unknown part
  if (unknown_part) {              // and anything there might be in ours
    codes = other.codes;
    open_systems = other.open_systems;
    unknown_part = false;
    return;
  }
  StringMap<StringSet> common;
  for (const auto& [system, set] : codes) {
    for (const auto& code : set) {
      if (member(other, system, code)) common[system].insert(code);
    }
  }
  for (const auto& [system, set] : other.codes) {
    for (const auto& code : set) {
      if (member(*this, system, code)) common[system].insert(code);
    }
  }
  StringMap<StringSet> open;
  for (const auto& [system, excluded] : open_systems) {
    auto theirs = other.open_systems.find(system);
    if (theirs == other.open_systems.end()) continue;
    auto& both = open[system] = excluded;
    both.insert(theirs->second.begin(), theirs->second.end());
  }
  codes = std::move(common);
  open_systems = std::move(open);
}

void Expansion::remove_all(const Expansion& other) {
  // What the other holds in open systems or unknown parts cannot be listed: nothing is removed for it.
  for (const auto& [system, set] : other.codes) {
    auto listed_here = codes.find(system);
    auto open = open_systems.find(system);
    for (const auto& code : set) {
      if (listed_here != codes.end()) listed_here->second.erase(code);
      if (open != open_systems.end()) open->second.insert(code);
    }
  }
}

void Expansion::finish() {
  std::erase_if(codes, [](const auto& entry) { return entry.second.empty(); });
  bare_codes.clear();
  for (const auto& [system, set] : codes) bare_codes.insert(set.begin(), set.end());
}

}  // namespace carebridge::fhir::terminology
