// The labelling rules (LabelRules in labels.h): reading the rules file into lookup tables,
// and applying them to a resource being written.
//
// Tables: per code system, a hash map of exact codes and a vector of code ranges sorted
// by their low end. A Coding costs one hash lookup for its system, one for its code, and
// for systems with ranges (ICD-10) a binary search among the ranges of the code's first
// character. Nothing is allocated per Coding; reasons are built only for matches.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gateway/security/labels.h"
#include "fhir/io/shipped_path.h"

#ifndef CAREBRIDGE_LABELING_RULES_FILE
#define CAREBRIDGE_LABELING_RULES_FILE "gateway/security/labeling-rules.json"
#endif

namespace carebridge::gateway::security {
namespace fs = std::filesystem;
namespace model = fhir::model;
using fhir::definitions::StringMap;

namespace {

constexpr size_t kMaxRangeKey = 32;

struct ValueSetInfo {
  std::string name;
  std::string title;
  uint32_t labels = 0;
};

struct CodeHit {
  uint32_t labels = 0;
  uint32_t value_set = 0;  // the first value set listing the code
};

// Codes whose first low.size() characters (dots removed, upper case) lie in [low, high].
struct CodeRange {
  std::string low;
  std::string high;
  uint32_t labels = 0;
  uint32_t value_set = 0;
};

struct SystemRules {
  StringMap<CodeHit> codes;
  std::vector<CodeRange> ranges;  // sorted by low
};

// A drug (or other) name that a Coding's display or a CodeableConcept's text may give, in
// lower case: a medication named in words or under a code system the rules have no codes of.
struct NameRule {
  std::string name;
  uint32_t labels = 0;
  uint32_t value_set = 0;
};

// Whether `text` has `name` (lower case) at the start of a word, whatever its case.
bool names(std::string_view text, std::string_view name) {
  if (text.size() < name.size()) return false;
  for (size_t at = 0; at + name.size() <= text.size(); ++at) {
    if (at > 0 && std::isalpha(static_cast<unsigned char>(text[at - 1]))) continue;
    size_t i = 0;
    while (i < name.size() && std::tolower(static_cast<unsigned char>(text[at + i])) == name[i]) ++i;
    if (i == name.size()) return true;
  }
  return false;
}

struct SourceRule {
  std::string name;
  std::string system;
  std::string code;
  std::string reason;
  uint32_t labels = 0;
  bool confined = false;
};

// A code for range matching: dots dropped, ASCII upper case; false when too long.
bool range_key(std::string_view code, char (&out)[kMaxRangeKey], size_t& length) {
  length = 0;
  for (char c : code) {
    if (c == '.') continue;
    if (length == kMaxRangeKey) return false;
    out[length++] = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return length > 0;
}

std::string normalized(std::string_view code) {
  char key[kMaxRangeKey];
  size_t length = 0;
  return range_key(code, key, length) ? std::string(key, length) : std::string();
}

std::string label_list(uint32_t labels) {
  std::string out;
  for (uint32_t bit = 1; bit && bit <= labels; bit <<= 1) {
    if (!(labels & bit)) continue;
    if (!out.empty()) out += ", ";
    out += label_name(static_cast<Label>(bit));
  }
  return out;
}

std::string_view value_of(const model::Element& parent, std::string_view name) {
  const model::Element* child = parent.child(name);
  return child && child->has_value ? child->value : std::string_view();
}

}  // namespace

struct LabelRules::Tables {
  std::vector<ValueSetInfo> value_sets;
  StringMap<SystemRules> systems;
  std::vector<SourceRule> sources;
  std::vector<NameRule> names;

  const CodeHit* find(std::string_view system, std::string_view code, CodeHit& scratch) const;
  void collect(const model::Element& element, Outcome& out, std::vector<bool>& reported) const;
  void add_hit(const CodeHit& hit, const std::string& what, Outcome& out, std::vector<bool>& reported) const;
  // The name rule `text` (a display, a concept's text) matches, or null.
  const NameRule* named_in(std::string_view text) const {
    if (text.empty()) return nullptr;
    for (const NameRule& rule : names)
      if (security::names(text, rule.name)) return &rule;
    return nullptr;
  }
};

// `hit`'s labels, and the first reason of its value set.
void LabelRules::Tables::add_hit(const CodeHit& hit, const std::string& what, Outcome& out, std::vector<bool>& reported) const {
  out.labels |= hit.labels;
  if (reported.empty()) reported.resize(value_sets.size());
  if (reported[hit.value_set]) return;
  reported[hit.value_set] = true;
  const ValueSetInfo& vs = value_sets[hit.value_set];
  out.reasons.push_back(label_list(vs.labels) + ": " + what + ", in value set '" + vs.name + "' (" + vs.title + ")");
}

// The first rule matching (system, code), or null; `scratch` holds a range's hit.
const CodeHit* LabelRules::Tables::find(std::string_view system, std::string_view code, CodeHit& scratch) const {
  auto it = systems.find(system);
  if (it == systems.end()) return nullptr;
  const SystemRules& rules = it->second;
  if (auto exact = rules.codes.find(code); exact != rules.codes.end()) return &exact->second;
  if (rules.ranges.empty()) return nullptr;
  char key[kMaxRangeKey];
  size_t length = 0;
  if (!range_key(code, key, length)) return nullptr;
  auto first = std::lower_bound(rules.ranges.begin(), rules.ranges.end(), key[0],
                                [](const CodeRange& r, char c) { return r.low[0] < c; });
  for (auto r = first; r != rules.ranges.end() && r->low[0] == key[0]; ++r) {
    if (r->low.size() > length) continue;
    std::string_view head(key, r->low.size());
    if (head >= r->low && head <= r->high) {
      scratch = {r->labels, r->value_set};
      return &scratch;
    }
  }
  return nullptr;
}

namespace {

// A sensitivity carried as data (DocumentReference.securityLabel, the labels a Consent's
// provision names): the record is as sensitive as the label it names, with the confidentiality
// it implies, as the value sets give it.
void add_named_label(const model::Element& coding, LabelRules::Outcome& out) {
  uint32_t named = label_bits(value_of(coding, "system"), value_of(coding, "code")) & kSensitive;
  if (!named) return;
  if (named & ~(ConfidentialityR | ConfidentialityV)) named |= ConfidentialityR;
  if ((out.labels | named) == out.labels) return;
  out.labels |= named;
  out.reasons.push_back(label_list(named) + ": " + model::location(coding) + " is the security label " +
                        std::string(value_of(coding, "system")) + "|" + std::string(value_of(coding, "code")));
}

}  // namespace

// Every Coding below `element`, meta (of this and of contained resources) excepted.
void LabelRules::Tables::collect(const model::Element& element, Outcome& out, std::vector<bool>& reported) const {
  for (const model::Element* c = element.first_child; c; c = c->next) {
    if (element.is_resource() && c->name == "meta") continue;
    if (c->type == "Coding") {
      add_named_label(*c, out);
      CodeHit scratch;
      if (const CodeHit* hit = find(value_of(*c, "system"), value_of(*c, "code"), scratch))
        add_hit(*hit, model::location(*c) + " is " + std::string(value_of(*c, "system")) + "|" + std::string(value_of(*c, "code")), out,
                reported);
    }
    std::string_view words = c->type == "Coding" ? value_of(*c, "display") : c->type == "CodeableConcept" ? value_of(*c, "text") : "";
    if (const NameRule* rule = named_in(words))
      add_hit({rule->labels, rule->value_set}, model::location(*c) + " names " + rule->name, out, reported);
    if (c->first_child) collect(*c, out, reported);
  }
}

// ---------------------------------------------------------------------------------------
// Reading the rules file.

namespace {

using Json = rapidjson::Value;

struct Reader {
  std::vector<Issue> issues;

  void fail(const std::string& where, const std::string& message) {
    issues.push_back(Issue{Severity::Error, "invalid", "labeling rules: " + where + ": " + message, where, {}});
  }
  std::string_view string(const Json& object, const char* key, const std::string& where, bool required = true) {
    auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
      if (required) fail(where, std::string("'") + key + "' is missing");
      return {};
    }
    if (!it->value.IsString() || it->value.GetStringLength() == 0) {
      fail(where + "." + key, "must be a non-empty string");
      return {};
    }
    return {it->value.GetString(), it->value.GetStringLength()};
  }
  // The members of `object` must be among `allowed` ("note" is always allowed).
  void only(const Json& object, std::initializer_list<std::string_view> allowed, const std::string& where) {
    for (const auto& member : object.GetObject()) {
      std::string_view name(member.name.GetString(), member.name.GetStringLength());
      if (name != "note" && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        fail(where, "unknown member '" + std::string(name) + "'");
      }
    }
  }
  const Json* array(const Json& object, const char* key, const std::string& where) {
    auto it = object.FindMember(key);
    if (it == object.MemberEnd()) return nullptr;
    if (!it->value.IsArray()) {
      fail(where + "." + key, "must be an array");
      return nullptr;
    }
    return &it->value;
  }
  uint32_t labels(const Json& object, const std::string& where);
};

uint32_t Reader::labels(const Json& object, const std::string& where) {
  const Json* list = array(object, "labels", where);
  if (!list || list->Empty()) {
    fail(where, "'labels' must list at least one label");
    return 0;
  }
  uint32_t bits = 0;
  for (const auto& item : list->GetArray()) {
    std::string_view name = item.IsString() ? std::string_view(item.GetString(), item.GetStringLength()) : "";
    uint32_t bit = label_from_name(name);
    if (!bit || bit == NoRedisclosure) {
      fail(where + ".labels", "'" + std::string(name) + "' is not a label (R, V, ETH, HIV, PSY, SDV, STD, Part2)");
    }
    bits |= bit;
  }
  return bits;
}

void add_exact(Reader& reader, SystemRules& rules, const Json& codes, uint32_t labels, uint32_t vs,
               const std::string& where) {
  for (const auto& item : codes.GetArray()) {
    if (!item.IsString() || item.GetStringLength() == 0) {
      reader.fail(where, "codes must be non-empty strings");
      continue;
    }
    CodeHit& hit = rules.codes.try_emplace(std::string(item.GetString(), item.GetStringLength()), CodeHit{0, vs})
                       .first->second;
    hit.labels |= labels;
  }
}

void add_range(Reader& reader, SystemRules& rules, std::string_view low, std::string_view high, uint32_t labels,
               uint32_t vs, const std::string& where) {
  std::string lo = normalized(low), hi = normalized(high);
  if (lo.empty() || hi.size() != lo.size() || lo[0] != hi[0] || hi < lo) {
    reader.fail(where, "a range is two codes of one length starting with the same character, low first");
    return;
  }
  rules.ranges.push_back({std::move(lo), std::move(hi), labels, vs});
}

void read_include(Reader& reader, LabelRules::Tables& tables, const Json& include, uint32_t labels, uint32_t vs,
                  const std::string& where) {
  if (!include.IsObject()) return reader.fail(where, "must be an object");
  reader.only(include, {"system", "codes", "prefixes", "ranges", "names"}, where);
  if (const Json* names = reader.array(include, "names", where)) {  // any system's displays, any concept's text
    for (const auto& n : names->GetArray()) {
      std::string name = n.IsString() ? std::string(n.GetString(), n.GetStringLength()) : "";
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (name.size() < 4) reader.fail(where + ".names", "a name is a word of at least 4 letters");
      tables.names.push_back({std::move(name), labels, vs});
    }
    if (!include.HasMember("system")) return;
  }
  std::string_view system = reader.string(include, "system", where);
  SystemRules& rules = tables.systems[std::string(system)];
  if (const Json* codes = reader.array(include, "codes", where)) add_exact(reader, rules, *codes, labels, vs, where + ".codes");
  if (const Json* prefixes = reader.array(include, "prefixes", where)) {
    for (const auto& p : prefixes->GetArray()) {
      std::string_view text = p.IsString() ? std::string_view(p.GetString(), p.GetStringLength()) : "";
      add_range(reader, rules, text, text, labels, vs, where + ".prefixes");
    }
  }
  if (const Json* ranges = reader.array(include, "ranges", where)) {
    for (const auto& r : ranges->GetArray()) {
      bool pair = r.IsArray() && r.Size() == 2 && r[0].IsString() && r[1].IsString();
      add_range(reader, rules, pair ? r[0].GetString() : "", pair ? r[1].GetString() : "", labels, vs,
                where + ".ranges");
    }
  }
}

void read_value_set(Reader& reader, LabelRules::Tables& tables, const Json& item, const std::string& where) {
  if (!item.IsObject()) return reader.fail(where, "must be an object");
  reader.only(item, {"name", "title", "labels", "include"}, where);
  ValueSetInfo info{std::string(reader.string(item, "name", where)), std::string(reader.string(item, "title", where)),
                    reader.labels(item, where)};
  const uint32_t vs = static_cast<uint32_t>(tables.value_sets.size());
  tables.value_sets.push_back(info);
  const Json* include = reader.array(item, "include", where);
  if (!include || include->Empty()) return reader.fail(where, "'include' must list at least one code system");
  for (rapidjson::SizeType i = 0; i < include->Size(); ++i) {
    read_include(reader, tables, (*include)[i], info.labels, vs, where + ".include[" + std::to_string(i) + "]");
  }
}

void read_source(Reader& reader, LabelRules::Tables& tables, const Json& item, const std::string& where) {
  if (!item.IsObject()) return reader.fail(where, "must be an object");
  reader.only(item, {"name", "system", "code", "labels", "confined", "reason"}, where);
  SourceRule rule;
  rule.name = reader.string(item, "name", where);
  rule.system = reader.string(item, "system", where);
  rule.code = reader.string(item, "code", where);
  rule.reason = reader.string(item, "reason", where);
  rule.labels = reader.labels(item, where);
  if (auto it = item.FindMember("confined"); it != item.MemberEnd()) {
    if (!it->value.IsBool()) reader.fail(where + ".confined", "must be true or false");
    rule.confined = it->value.IsBool() && it->value.GetBool();
  }
  tables.sources.push_back(std::move(rule));
}

}  // namespace

LabelRules::LabelRules() : tables_(std::make_unique<Tables>()) {}
LabelRules::LabelRules(LabelRules&&) noexcept = default;
LabelRules& LabelRules::operator=(LabelRules&&) noexcept = default;
LabelRules::~LabelRules() = default;

Result<LabelRules> LabelRules::load(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    std::string why = doc.HasParseError() ? rapidjson::GetParseError_En(doc.GetParseError()) : "not a JSON object";
    return Result<LabelRules>::failure(
        "invalid", "labeling rules: not JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " + why);
  }
  Reader reader;
  LabelRules rules;
  reader.only(doc, {"about", "valueSets", "sources"}, "(top)");
  const Json* value_sets = reader.array(doc, "valueSets", "(top)");
  for (rapidjson::SizeType i = 0; value_sets && i < value_sets->Size(); ++i) {
    read_value_set(reader, *rules.tables_, (*value_sets)[i], "valueSets[" + std::to_string(i) + "]");
  }
  const Json* sources = reader.array(doc, "sources", "(top)");
  for (rapidjson::SizeType i = 0; sources && i < sources->Size(); ++i) {
    read_source(reader, *rules.tables_, (*sources)[i], "sources[" + std::to_string(i) + "]");
  }
  if (!reader.issues.empty()) return reader.issues;
  for (auto& [system, table] : rules.tables_->systems) {
    std::sort(table.ranges.begin(), table.ranges.end(),
              [](const CodeRange& a, const CodeRange& b) { return a.low < b.low; });
  }
  return rules;
}

Result<LabelRules> LabelRules::load_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<LabelRules>::failure("not-found", "labeling rules: cannot read '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  auto rules = load(text.str());
  for (auto& issue : rules.issues()) issue.message = path.string() + ": " + issue.message;
  return rules;
}

fs::path LabelRules::default_path() {
  return fhir::io::shipped_path("CAREBRIDGE_LABELING_RULES", {"labeling-rules.json", "../gateway/security/labeling-rules.json"},
                                CAREBRIDGE_LABELING_RULES_FILE);
}

LabelRules::Outcome LabelRules::apply(const model::Element& resource, const SourceFacts& source) const {
  Outcome out;
  std::vector<bool> reported;
  tables_->collect(resource, out, reported);
  for (const auto& [system, code] : source.organization_types) {
    for (const SourceRule& rule : tables_->sources) {
      if (rule.system != system || rule.code != code) continue;
      out.labels |= rule.labels;
      out.confined = out.confined || rule.confined;
      out.reasons.push_back(label_list(rule.labels) + (rule.confined ? ", confined" : "") +
                            ": the source organization is '" + rule.name + "' (" + system + "|" + code +
                            "): " + rule.reason);
    }
  }
  return out;
}

size_t LabelRules::value_set_count() const { return tables_->value_sets.size(); }

}  // namespace carebridge::gateway::security
