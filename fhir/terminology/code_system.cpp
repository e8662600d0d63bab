// Reading a CodeSystem resource into the reduced form (code_system.h): concepts
// with their displays, designations and properties, the hierarchy from nesting and
// from the parent / subsumedBy / child properties, and the abridged-display length.
#include "fhir/terminology/code_system.h"

#include <algorithm>
#include <cctype>

#include "fhir/terminology/json_fields.h"

namespace carebridge::fhir::terminology {
namespace {

constexpr int kMaxNesting = 64;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Lower case with runs of whitespace as one space: whether two displays differ only in whitespace.
std::string normalized(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Content content_of(std::string_view text) {
  if (text == "complete") return Content::complete;
  if (text == "fragment") return Content::fragment;
  if (text == "example") return Content::example;
  if (text == "supplement") return Content::supplement;
  return Content::not_present;
}

// A property's value as text: valueCode, valueString, valueBoolean, valueInteger,
// valueDecimal, valueDateTime, or the code of valueCoding; `key` is the member it was in.
std::string_view property_value(const rapidjson::Value& p, const char*& key) {
  for (const char* k :
       {"valueCode", "valueString", "valueBoolean", "valueInteger", "valueDecimal", "valueDateTime"}) {
    key = k;
    if (auto v = json::text(p, k); !v.empty()) return v;
  }
  key = "valueCoding";
  auto coding = p.FindMember("valueCoding");
  return coding == p.MemberEnd() ? std::string_view{} : json::text(coding->value, "code");
}

Designation designation_of(const rapidjson::Value& d) {
  Designation out{std::string(json::text(d, "language")), {}, {}, {}, std::string(json::text(d, "value"))};
  if (auto use = d.FindMember("use"); use != d.MemberEnd()) {
    out.use_system = json::text(use->value, "system");
    out.use_code = json::text(use->value, "code");
    out.use_display = json::text(use->value, "display");
  }
  return out;
}

// A link of the hierarchy by code, resolved once every concept is read.
struct Link {
  std::string parent, child;
};

void read_concept(const rapidjson::Value& c, const std::string& parent, CodeSystem& cs, std::vector<Link>& links,
                  int depth);

void read_concepts(const rapidjson::Value& owner, const std::string& parent, CodeSystem& cs, std::vector<Link>& links,
                   int depth) {
  if (depth > kMaxNesting) return;
  json::each(owner, "concept", [&](const rapidjson::Value& c) { read_concept(c, parent, cs, links, depth); });
}

void read_concept(const rapidjson::Value& c, const std::string& parent, CodeSystem& cs, std::vector<Link>& links,
                  int depth) {
  std::string code(json::text(c, "code"));
  if (code.empty()) return;
  auto [at, added] = cs.index.try_emplace(code, static_cast<uint32_t>(cs.concepts.size()));
  if (added) cs.concepts.push_back(Concept{code, {}, {}, {}, {}, {}, false});
  Concept& entry = cs.concepts[at->second];
  if (!parent.empty()) links.push_back({parent, code});
  if (auto d = json::text(c, "display"); !d.empty() && !entry.has_display) {
    entry.displays.emplace(entry.displays.begin(), d);
    entry.has_display = true;
  }
  json::each(c, "designation", [&](const rapidjson::Value& d) {
    if (auto v = json::text(d, "value"); !v.empty()) {
      entry.displays.emplace_back(v);
      entry.designations.push_back(designation_of(d));
    }
  });
  json::each(c, "property", [&](const rapidjson::Value& p) {
    std::string name(json::text(p, "code"));
    const char* key = nullptr;
    std::string value(property_value(p, key));
    if (!value.empty()) cs.property_types.try_emplace(name, key);
    if ((name == "parent" || name == "subsumedBy") && !value.empty()) links.push_back({value, code});
    if (name == "child" && !value.empty()) links.push_back({code, value});
    entry.properties.emplace_back(std::move(name), std::move(value));
  });
  read_concepts(c, code, cs, links, depth + 1);
}

void add_unique(std::vector<uint32_t>& list, uint32_t value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

void resolve_links(CodeSystem& cs, const std::vector<Link>& links) {
  for (const Link& link : links) {
    auto parent = cs.index.find(link.parent);
    auto child = cs.index.find(link.child);
    if (parent == cs.index.end() || child == cs.index.end() || parent->second == child->second) continue;
    add_unique(cs.concepts[parent->second].children, child->second);
    add_unique(cs.concepts[child->second].parents, parent->second);
  }
}

// Displays cut at a fixed length show as many codes whose display is exactly the
// longest one's length (v3-TribalEntityUS: 185 of 568 at 50): that length, else 0.
size_t abridged_length(const CodeSystem& cs) {
  size_t longest = 0, at_longest = 0;
  for (const Concept& c : cs.concepts) {
    if (c.displays.empty()) continue;
    size_t n = c.displays.front().size();
    if (n > longest) {
      longest = n;
      at_longest = 0;
    }
    if (n == longest) ++at_longest;
  }
  return longest >= 20 && at_longest >= 5 ? longest : 0;
}

// Marks everything reachable from `start` along `next` (children or parents).
std::vector<bool> reach(const CodeSystem& cs, uint32_t start, bool self, std::vector<uint32_t> Concept::*next) {
  std::vector<bool> seen(cs.concepts.size(), false);
  if (start >= cs.concepts.size()) return seen;
  std::vector<uint32_t> stack{start};
  seen[start] = true;
  while (!stack.empty()) {
    uint32_t at = stack.back();
    stack.pop_back();
    for (uint32_t n : cs.concepts[at].*next) {
      if (!seen[n]) {
        seen[n] = true;
        stack.push_back(n);
      }
    }
  }
  if (!self) seen[start] = false;
  return seen;
}

}  // namespace

bool Concept::inactive() const {
  for (const auto& [name, value] : properties) {
    if ((name == "status" && (value == "inactive" || value == "retired")) || (name == "inactive" && value == "true")) {
      return true;
    }
  }
  return false;
}

bool Concept::abstract() const {
  for (const auto& [name, value] : properties)
    if (name == "notSelectable" && value == "true") return true;
  return false;
}

uint32_t CodeSystem::find(std::string_view code) const {
  if (auto it = index.find(code); it != index.end()) return it->second;
  if (!case_sensitive) {
    if (auto it = folded.find(lower(code)); it != folded.end()) return it->second;
  }
  return kNone;
}

const Concept* CodeSystem::concept_of(std::string_view code) const {
  uint32_t at = find(code);
  return at == kNone ? nullptr : &concepts[at];
}

std::vector<bool> CodeSystem::descendants(uint32_t code, bool self) const {
  return reach(*this, code, self, &Concept::children);
}

std::vector<bool> CodeSystem::ancestors(uint32_t code, bool self) const {
  return reach(*this, code, self, &Concept::parents);
}

Result<CodeSystem> read_code_system(std::string_view json_text) {
  std::string buffer;
  rapidjson::Document doc;
  if (!json::parse(json_text, buffer, doc) || json::text(doc, "resourceType") != "CodeSystem") {
    return Result<CodeSystem>::failure("invalid", "not a CodeSystem resource in JSON");
  }
  CodeSystem cs;
  cs.url = std::string(json::text(doc, "url"));
  cs.version = std::string(json::text(doc, "version"));
  cs.name = std::string(json::text(doc, "name"));
  cs.content = content_of(json::text(doc, "content"));
  cs.case_sensitive = json::text(doc, "caseSensitive") != "false";
  std::vector<Link> links;
  read_concepts(doc, "", cs, links, 0);
  resolve_links(cs, links);
  if (!cs.case_sensitive) {
    for (uint32_t i = 0; i < cs.concepts.size(); ++i) cs.folded.try_emplace(lower(cs.concepts[i].code), i);
  }
  cs.abridged_at = abridged_length(cs);
  return cs;
}

DisplayMatch compare_display(const CodeSystem& cs, const Concept& found, std::string_view display) {
  if (display.empty() || found.displays.empty()) return DisplayMatch::same;
  std::string wanted = lower(display);
  bool whitespace_only = false;
  for (const auto& d : found.displays) {
    if (lower(d) == wanted) return DisplayMatch::same;
    whitespace_only = whitespace_only || normalized(d) == normalized(display);
  }
  if (whitespace_only) return DisplayMatch::whitespace;
  // A display that the known one begins, or any display of a code whose known display is as
  // long as the cut, may well be right.
  const std::string& known = found.displays.front();
  if (cs.abridged_at && (known.size() >= cs.abridged_at || normalized(display).starts_with(normalized(known))))
    return DisplayMatch::cut_short;
  return DisplayMatch::wrong;
}

}  // namespace carebridge::fhir::terminology
