// The path extractor (see search_index.h): each SearchParameter expression is
// compiled once into unions of step lists; parts it cannot read are skipped.
#include <map>
#include <optional>

#include "fhir/model/element.h"
#include "fhir/search/index.h"

namespace carebridge::fhir::search {
namespace {

using fhir::model::Element;

struct Step {
  enum class Kind { Child, OfType, ResolveIs, WhereEquals, Extension, First };
  Kind kind = Kind::Child;
  std::string name;   // child name, type name, extension url, where's child name
  std::string value;  // where's value
};
using Path = std::vector<Step>;

std::string trim(std::string_view s) {
  auto a = s.find_first_not_of(' ');
  auto b = s.find_last_not_of(' ');
  return a == std::string_view::npos ? std::string() : std::string(s.substr(a, b - a + 1));
}

// Splits at `separator` outside parentheses and quotes.
std::vector<std::string> split_top(std::string_view text, char separator) {
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == separator && depth == 0) {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(text.substr(start)));
  return parts;
}

std::string unquote(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') return s.substr(1, s.size() - 2);
  return s;
}

bool compile_segment(const std::string& seg, Path& path) {
  auto open = seg.find('(');
  if (open == std::string::npos) {
    path.push_back({Step::Kind::Child, seg, {}});
    return true;
  }
  if (seg.back() != ')') return false;
  std::string fn = seg.substr(0, open);
  std::string arg = trim(seg.substr(open + 1, seg.size() - open - 2));
  if (fn == "as" || fn == "ofType") {
    path.push_back({Step::Kind::OfType, arg, {}});
  } else if (fn == "first" && arg.empty()) {
    path.push_back({Step::Kind::First, {}, {}});
  } else if (fn == "extension") {
    path.push_back({Step::Kind::Extension, unquote(arg), {}});
  } else if (fn == "where" && arg.starts_with("resolve() is ")) {
    path.push_back({Step::Kind::ResolveIs, trim(arg.substr(13)), {}});
  } else if (fn == "where") {
    auto eq = split_top(arg, '=');
    if (eq.size() != 2 || eq[0].find_first_of("().") != std::string::npos || eq[1].empty() || eq[1][0] != '\'')
      return false;
    path.push_back({Step::Kind::WhereEquals, eq[0], unquote(eq[1])});
  } else {
    return false;
  }
  return true;
}

// One union member: "Observation.subject.where(resolve() is Patient)", "(Observation.value as Quantity)".
std::optional<Path> compile_part(std::string part, const std::string& type) {
  while (part.size() >= 2 && part.front() == '(' && part.back() == ')') part = trim(part.substr(1, part.size() - 2));
  std::string as_type;
  if (auto as = part.rfind(" as "); as != std::string::npos && part.find('(', as) == std::string::npos) {
    as_type = trim(part.substr(as + 4));
    part = trim(part.substr(0, as));
  }
  auto segments = split_top(part, '.');
  if (segments.empty()) return std::nullopt;
  if (segments[0] != type && segments[0] != "Resource" && segments[0] != "DomainResource") return std::nullopt;
  Path path;
  for (size_t i = 1; i < segments.size(); ++i) {
    if (!compile_segment(segments[i], path)) return std::nullopt;
  }
  if (!as_type.empty()) path.push_back({Step::Kind::OfType, as_type, {}});
  return path;
}

// The elements `path` selects from `resource`, into `items` (`next` is scratch): both are
// the caller's, kept across the paths of a resource (a vector per step each time was a
// third of a create's index extraction).
void evaluate(const Path& path, const Element& resource, std::vector<const Element*>& items,
              std::vector<const Element*>& next) {
  items.assign(1, &resource);
  for (const Step& step : path) {
    next.clear();
    for (const Element* item : items) {
      switch (step.kind) {
        case Step::Kind::Child:
          // A choice by its base name (value) or, as US Core's expressions write it, its typed
          // name (valueDateTime).
          for (const Element* c : item->children()) {
            if (c->base_name() == step.name || c->name == step.name) next.push_back(c);
          }
          break;
        case Step::Kind::OfType:
          if (item->type == step.name) next.push_back(item);
          break;
        case Step::Kind::ResolveIs: {
          const Element* ref = item->child("reference");
          std::string_view v = ref && ref->has_value ? ref->value : std::string_view();
          if (reference_key(v).starts_with(step.name + "/")) next.push_back(item);
          break;
        }
        case Step::Kind::WhereEquals: {
          const Element* c = item->child(step.name);
          if (c && c->has_value && c->value == step.value) next.push_back(item);
          break;
        }
        case Step::Kind::Extension:
          for (const Element* c : item->children()) {
            const Element* url = c->base_name() == "extension" ? c->child("url") : nullptr;
            if (url && url->value == step.name) next.push_back(c);
          }
          break;
        case Step::Kind::First:
          if (next.empty()) next.push_back(item);
          break;
      }
    }
    items.swap(next);
    if (items.empty()) return;
  }
}

// Whether two elements hold the same value, deeply (FHIRPath's `=` on elements).
bool same_value(const Element& a, const Element& b) {
  if (a.base_name() != b.base_name() || a.has_value != b.has_value || a.value != b.value) return false;
  const Element* x = a.first_child;
  const Element* y = b.first_child;
  for (; x && y; x = x->next, y = y->next) {
    if (!same_value(*x, *y)) return false;
  }
  return !x && !y;
}

class PathExtractor final : public IndexExtractor {
 public:
  PathExtractor(const SearchRegistry& registry, const std::function<bool(const SearchParam&)>& include) {
    for (const auto& type : registry.types()) {
      auto& compiled = by_type_[type];
      for (const auto& [code, param] : registry.of(type)) {
        if ((include && !include(param)) || is_resource_column(code) || !param.has_own_rows()) continue;
        Compiled c{&param, {}};
        for (const auto& part : split_top(param.expression, '|')) {
          if (auto path = compile_part(part, type)) c.paths.push_back(std::move(*path));
        }
        if (!c.paths.empty()) compiled.push_back(std::move(c));
      }
    }
  }

  std::vector<IndexEntry> extract(const Element& resource) const override {
    std::vector<IndexEntry> out;
    auto it = by_type_.find(resource.type);
    if (it == by_type_.end()) return out;
    std::vector<const Element*> values, selected, scratch;
    for (const auto& c : it->second) {
      values.clear();
      for (const auto& path : c.paths) {
        evaluate(path, resource, selected, scratch);
        for (const Element* value : selected) {
          if (values.size() == kMaxIndexedValues) break;
          // A union (a | b) holds equal values once, as FHIRPath's does.
          bool repeated = false;
          for (size_t i = 0; i < values.size() && c.paths.size() > 1 && !repeated; ++i) repeated = same_value(*values[i], *value);
          if (repeated) continue;
          values.push_back(value);
          // The value of a choice element is the element itself ("valueQuantity").
          const Element* v = value;
          if (v->base_name() == "extension" && !c.param->type.empty()) {
            for (const Element* child : v->children()) {
              if (child->base_name() == "value") v = child;
            }
          }
          index_value(*c.param, *v, out);
        }
      }
    }
    return out;
  }

 private:
  struct Compiled {
    const SearchParam* param;
    std::vector<Path> paths;
  };
  std::map<std::string, std::vector<Compiled>, std::less<>> by_type_;
};

}  // namespace

bool path_reads_fully(const SearchParam& param, const std::string& type) {
  if (param.type == "composite") return false;  // its parts are FHIRPath from each node
  for (auto part : split_top(param.expression, '|')) {
    if (compile_part(part, type)) continue;
    // A part that starts at another resource type selects nothing from this one.
    while (part.size() >= 2 && part.front() == '(' && part.back() == ')') part = trim(part.substr(1, part.size() - 2));
    std::string head = split_top(part, '.')[0];
    bool other_type = !head.empty() && head[0] >= 'A' && head[0] <= 'Z' && head != type && head != "Resource" &&
                      head != "DomainResource" && head.find_first_of("( ") == std::string::npos;
    if (!other_type) return false;
  }
  return !param.expression.empty();
}

std::unique_ptr<IndexExtractor> make_path_extractor(const SearchRegistry& registry,
                                                    std::function<bool(const SearchParam&)> include) {
  return std::make_unique<PathExtractor>(registry, include);
}

}  // namespace carebridge::fhir::search
