// The compose filters (filters.h) over a code system's concepts.
#include "fhir/terminology/filters.h"

#include <algorithm>
#include <string>

#include "fhir/terminology/regex.h"

namespace carebridge::fhir::terminology {
namespace {

bool is_code_property(std::string_view property) { return property == "concept" || property == "code"; }

// The values `property` has on concept `i`: the code itself, its display, its parents'
// or children's codes (the hierarchy, however it was given), or the property's values.
std::vector<std::string_view> values_of(const CodeSystem& cs, uint32_t i, std::string_view property) {
  const Concept& c = cs.concepts[i];
  std::vector<std::string_view> out;
  if (is_code_property(property)) {
    out.push_back(c.code);
    return out;
  }
  if (property == "display") {
    if (!c.displays.empty()) out.push_back(c.displays.front());
    return out;
  }
  if (property == "parent") {
    for (uint32_t p : c.parents) out.push_back(cs.concepts[p].code);
  } else if (property == "child") {
    for (uint32_t k : c.children) out.push_back(cs.concepts[k].code);
  }
  for (const auto& [name, value] : c.properties) {
    if (name == property) out.push_back(value);
  }
  return out;
}

// "a, b,c" -> {"a", "b", "c"}
std::vector<std::string_view> split_list(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

template <typename Test>
std::vector<bool> each_concept(const CodeSystem& cs, std::string_view property, Test&& test) {
  std::vector<bool> mask(cs.concepts.size(), false);
  for (uint32_t i = 0; i < cs.concepts.size(); ++i) mask[i] = test(values_of(cs, i, property));
  return mask;
}

std::optional<std::vector<bool>> hierarchy_filter(const CodeSystem& cs, std::string_view op, std::string_view value) {
  uint32_t at = cs.find(value);
  if (at == CodeSystem::kNone) {  // a code the system does not have: nothing is below or above it
    return std::vector<bool>(cs.concepts.size(), op == "is-not-a");
  }
  if (op == "is-a") return cs.descendants(at, true);
  if (op == "descendent-of") return cs.descendants(at, false);
  if (op == "generalizes") return cs.ancestors(at, true);
  auto mask = cs.descendants(at, true);  // is-not-a
  mask.flip();
  return mask;
}

}  // namespace

std::optional<std::vector<bool>> select_concepts(const CodeSystem& cs, std::string_view property, std::string_view op,
                                                 std::string_view value) {
  if (op == "is-a" || op == "descendent-of" || op == "is-not-a" || op == "generalizes") {
    if (!is_code_property(property)) return std::nullopt;
    return hierarchy_filter(cs, op, value);
  }
  auto any_of = [](const std::vector<std::string_view>& values, auto&& pred) {
    return std::any_of(values.begin(), values.end(), pred);
  };
  if (op == "=") {
    return each_concept(cs, property, [&](const auto& values) {
      return any_of(values, [&](std::string_view v) { return v == value; });
    });
  }
  if (op == "in" || op == "not-in") {
    auto list = split_list(value);
    bool in = op == "in";
    return each_concept(cs, property, [&](const auto& values) {
      bool found =
          any_of(values, [&](std::string_view v) { return std::find(list.begin(), list.end(), v) != list.end(); });
      return found == in;
    });
  }
  if (op == "exists") {
    if (value != "true" && value != "false") return std::nullopt;
    bool wanted = value == "true";
    return each_concept(cs, property, [&](const auto& values) { return !values.empty() == wanted; });
  }
  if (op == "regex") {
    auto regex = BoundedRegex::compile(value);
    if (!regex) return std::nullopt;
    return each_concept(cs, property, [&](const auto& values) {
      return any_of(values, [&](std::string_view v) { return regex->full_match(v); });
    });
  }
  return std::nullopt;
}

}  // namespace carebridge::fhir::terminology
