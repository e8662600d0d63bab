#include "mappings/agency/spec.h"
#include "fhir/io/shipped_path.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory_resource>
#include <set>
#include <sstream>

#include "fhir/json/json_tree.h"
#include "mappings/agency/lookup.h"

namespace carebridge::mappings::agency {

namespace {

using fhir::json::JsonKind;
using fhir::json::JsonNode;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string text(const JsonNode* node, std::string_view name) {
  const JsonNode* m = node ? node->member(name) : nullptr;
  return m && m->kind == JsonKind::String ? std::string(m->text) : std::string();
}

bool flag(const JsonNode* node, std::string_view name) {
  const JsonNode* m = node ? node->member(name) : nullptr;
  return m && m->kind == JsonKind::Boolean && m->text == "true";
}

std::vector<std::string> strings(const JsonNode* node, std::string_view name) {
  std::vector<std::string> out;
  const JsonNode* m = node ? node->member(name) : nullptr;
  if (m && m->kind == JsonKind::String) out.emplace_back(m->text);
  if (m && m->is_array())
    for (const JsonNode* i = m->first; i; i = i->next)
      if (i->kind == JsonKind::String || i->kind == JsonKind::Number) out.emplace_back(i->text);
  return out;
}

// Collects a spec's mistakes, each with its line.
struct Problems {
  const Spec& spec;
  std::vector<Issue> issues;
  void add(uint32_t line, const std::string& message) {
    issues.push_back(Issue{Severity::Error, "invalid", spec.where(line) + ": " + message, {}, {}});
  }
};

const std::map<std::string, ValueType, std::less<>>& value_types() {
  static const std::map<std::string, ValueType, std::less<>> types = {
      {"string", ValueType::String}, {"integer", ValueType::Integer}, {"decimal", ValueType::Decimal},
      {"boolean", ValueType::Boolean}, {"date", ValueType::Date}, {"dateTime", ValueType::DateTime},
      {"code", ValueType::Code}, {"phone", ValueType::Phone}, {"zip", ValueType::Zip}, {"email", ValueType::Email}, {"time", ValueType::Time},
      {"ssn", ValueType::Ssn}, {"id", ValueType::Id}, {"resource-id", ValueType::ResourceId}};
  return types;
}

// A ConceptMap element's targets into `map`: the first target that depends on nothing, and
// each target that depends on another column's value (its first dependsOn).
void read_targets(const rapidjson::Value& element, const std::string& system, CodeMap& map) {
  std::string code = lower(element["code"].GetString());
  for (const auto& target : element["target"].GetArray()) {
    if (!target.HasMember("code") || !target["code"].IsString()) continue;
    CodeMap::Target t{system, target["code"].GetString(), ""};
    if (target.HasMember("display") && target["display"].IsString()) t.display = target["display"].GetString();
    std::string key = code;
    if (target.HasMember("dependsOn") && target["dependsOn"].IsArray() && !target["dependsOn"].Empty() &&
        target["dependsOn"][0].HasMember("value") && target["dependsOn"][0]["value"].IsString())
      key = lower(target["dependsOn"][0]["value"].GetString()) + "|" + code;
    map.note_written(t.code, element["code"].GetString());
    map.targets.try_emplace(key, std::move(t));
  }
}

// A ConceptMap (FHIR R4 JSON) as a code map: every group's elements, each to its targets
// in the group's target system.
std::shared_ptr<CodeMap> read_concept_map(const std::filesystem::path& file, std::string& error) {
  std::ifstream in(file);
  if (!in) {
    error = "the ConceptMap " + file.filename().string() + " is not beside the spec";
    return nullptr;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(buffer.str().c_str());
  if (!doc.IsObject() || !doc.HasMember("resourceType") || std::string(doc["resourceType"].GetString()) != "ConceptMap" ||
      !doc.HasMember("group") || !doc["group"].IsArray()) {
    error = file.filename().string() + " is not a ConceptMap with groups";
    return nullptr;
  }
  auto map = std::make_shared<CodeMap>();
  for (const auto& group : doc["group"].GetArray()) {
    std::string system = group.HasMember("target") && group["target"].IsString() ? group["target"].GetString() : "";
    if (!group.HasMember("element") || !group["element"].IsArray()) continue;
    for (const auto& element : group["element"].GetArray())
      if (element.HasMember("code") && element["code"].IsString() && element.HasMember("target") && element["target"].IsArray())
        read_targets(element, system, *map);
  }
  return map;
}

// A column's allowed values: `values` ({"agency code": "FHIR code"} or a list) with an
// optional `system`, or `conceptMap` (a file beside the spec).
std::shared_ptr<const CodeMap> read_codes(const JsonNode* column, const Spec& spec, Problems& problems) {
  if (std::string file = text(column, "conceptMap"); !file.empty()) {
    std::string error;
    auto map = read_concept_map(spec.file.parent_path() / file, error);
    if (!map) problems.add(column->position.line, error);
    return map;
  }
  const JsonNode* values = column->member("values");
  if (!values) return nullptr;
  auto map = std::make_shared<CodeMap>();
  std::string system = text(column, "system");
  for (const JsonNode* v = values->first; v; v = v->next) {
    if (values->is_object() && v->kind == JsonKind::String) {
      map->targets[lower(v->key)] = {system, std::string(v->text), ""};
      map->note_written(std::string(v->text), std::string(v->key));
    } else if (values->is_array() && v->kind == JsonKind::String) {
      map->targets[lower(v->text)] = {system, std::string(v->text), ""};
      map->note_written(std::string(v->text), std::string(v->text));
    } else if (values->is_object() && v->is_object()) {  // {"code": C, "display": D}
      map->targets[lower(v->key)] = {system, text(v, "code"), text(v, "display")};
      map->note_written(text(v, "code"), std::string(v->key));
    }
  }
  return map;
}

Condition read_condition(const JsonNode* node);

Column read_column(const JsonNode* node, const Spec& spec, Problems& problems) {
  Column c;
  c.line = node->position.line;
  c.name = text(node, "name");
  c.key = text(node, "key").empty() ? c.name : text(node, "key");
  c.aliases = strings(node, "aliases");
  c.required = flag(node, "required");
  c.missing = strings(node, "missing");
  c.missing.insert(c.missing.end(), spec.empty.begin(), spec.empty.end());
  c.help = text(node, "help");
  c.format = text(node, "format");
  c.past = flag(node, "past");
  c.not_after = text(node, "notAfter");
  c.not_before = text(node, "notBefore");
  bool offset = c.format.size() == 6 && (c.format[0] == '+' || c.format[0] == '-') && c.format[3] == ':';
  if (!c.format.empty() && c.format != "MDY" && c.format != "DMY" && c.format != "Z" && !offset)
    problems.add(c.line, "column \"" + c.name + "\": format is MDY or DMY (dates) or an offset such as -05:00 (date-times), not \"" +
                             c.format + "\"");
  std::string unknown = text(node, "unknown");
  c.unknown_left_out = unknown == "leave out";
  if (!unknown.empty() && !c.unknown_left_out)
    problems.add(c.line, "column \"" + c.name + "\": unknown is \"leave out\" (or not given: the row is rejected), not \"" +
                             unknown + "\"");
  c.depends_on = text(node, "dependsOn");
  c.same_as = text(node, "sameAs");
  c.hashed_when = read_condition(node->member("hashedWhen"));
  c.only_when = read_condition(node->member("onlyWhen"));
  if (const JsonNode* only = node->member("onlyWhen")) c.only_when_text = text(only, "said");
  c.split = text(node, "split");
  c.fallback = text(node, "default");
  c.known = text(node, "known");
  if (const JsonNode* range = node->member("range"); range && range->is_array() && range->count == 2 &&
      range->first->kind == JsonKind::Number && range->first->next->kind == JsonKind::Number)
    c.range = std::pair{std::stod(std::string(range->first->text)), std::stod(std::string(range->first->next->text))};
  else if (range)
    problems.add(range->position.line, "column \"" + c.name + "\": range is [lowest, highest], two numbers");
  std::string type = text(node, "type").empty() ? "string" : text(node, "type");
  auto known = value_types().find(type);
  if (known == value_types().end()) problems.add(c.line, "column \"" + c.name + "\" has the unknown type \"" + type + "\"");
  else c.type = known->second;
  c.codes = read_codes(node, spec, problems);
  if (const JsonNode* lookup = node->member("lookup"); lookup && lookup->is_object()) {
    c.lookup = Lookup{text(lookup, "table"), text(lookup, "key"), text(lookup, "by"), text(lookup, "column"), {}, {}};
    for (const auto& v : strings(lookup, "prefer")) c.lookup->prefer.push_back(lower(v));
    c.lookup->absent = text(lookup, "absent");
    c.lookup->taken = flag(lookup, "taken");
    c.lookup->live = flag(lookup, "live");
    c.lookup->only_row = flag(lookup, "onlyRow");
    if (const JsonNode* unsent = lookup->member("unsent"); unsent && unsent->kind == JsonKind::String)
      c.lookup->unsent = std::string(unsent->text);
    if (const JsonNode* stored = lookup->member("orStored"); stored && stored->is_object()) {
      c.lookup->stored_type = text(stored, "type");
      c.lookup->stored_system = text(stored, "system");
      c.lookup->stored_labels = !stored->member("labels") || flag(stored, "labels");
      c.lookup->stored_value = text(stored, "value");
      c.lookup->stored_path = text(stored, "path");
      if (!c.lookup->stored_value.empty() && !c.lookup->stored_path.empty())
        problems.add(stored->position.line, "column \"" + c.name + "\": orStored reads a \"value\" or the record's \"path\", not both");
      c.lookup->stored_extends = flag(stored, "extends");
      c.lookup->stored_when = read_condition(stored->member("when"));
      if (c.lookup->stored_type.empty() || !spec.systems.count(c.lookup->stored_system))
        problems.add(stored->position.line, "column \"" + c.name + "\": orStored names a type and one of the spec's identifierSystems");
    }
  }
  if (const JsonNode* stored = node->member("stored"); stored && stored->is_object())
    c.stored = Stored{text(stored, "resource"), text(stored, "path"), text(stored, "expect"), text(stored, "refusal")};
  if (c.name.empty()) problems.add(c.line, "a column has no name");
  if (c.type == ValueType::Code && !c.codes && !c.lookup && !c.stored) problems.add(c.line, "code column \"" + c.name + "\" has no values or conceptMap");
  return c;
}

ValueSpec read_value(const JsonNode* node) {
  ValueSpec v;
  v.line = node->position.line;
  v.text = std::string(node->text);
  if (const JsonNode* parts = node->is_object() ? node->member("join") : nullptr; parts && parts->is_array()) {
    v.kind = ValueSpec::Kind::Join;
    v.text = text(node, "separator");
    v.gather = flag(node, "gather");
    for (const JsonNode* p = parts->first; p; p = p->next) v.members.push_back({std::string(), read_value(p)});
  } else if (node->is_object()) {
    v.kind = ValueSpec::Kind::Object;
    for (const JsonNode* m = node->first; m; m = m->next) {
      if (!m->is_array()) {
        v.members.push_back({std::string(m->key), read_value(m)});
        continue;
      }
      // Several values for one path, as at the top of "set" ("daysOfWeek[]": ["mon", "tue"]).
      for (const JsonNode* item = m->first; item; item = item->next) v.members.push_back({std::string(m->key), read_value(item)});
    }
  } else if (node->kind == JsonKind::Boolean) v.kind = ValueSpec::Kind::Boolean;
  else if (node->kind == JsonKind::Number) v.kind = ValueSpec::Kind::Number;
  else if (v.text.starts_with("@")) v.kind = ValueSpec::Kind::Reference;
  else if (v.text.find('{') != std::string::npos) v.kind = ValueSpec::Kind::Template;
  else v.kind = ValueSpec::Kind::Literal;
  return v;
}

Condition::Test read_test(const JsonNode* node) {
  Condition::Test t{text(node, "column"), {}, text(node, "is")};
  for (const auto& v : strings(node, "in")) t.in.push_back(lower(v));
  return t;
}

// {"present": [...], "column": C, "in": [...]}, {"all": [{...}, ...]} (each must hold) or
// {"any": [{...}, ...]} (one must hold).
Condition read_condition(const JsonNode* node) {
  Condition c;
  if (!node) return c;
  c.line = node->position.line;
  for (const JsonNode* m = node->is_object() ? node->first : nullptr; m && c.unknown.empty(); m = m->next)
    if (!std::set<std::string_view>{"present", "column", "in", "is", "all", "any", "not", "said"}.count(m->key)) c.unknown = std::string(m->key);
  c.present = strings(node, "present");
  if (!text(node, "column").empty()) c.tests.push_back(read_test(node));
  if (const JsonNode* all = node->member("all"); all && all->is_array())
    for (const JsonNode* t = all->first; t; t = t->next) c.all.push_back(read_condition(t));
  if (const JsonNode* any = node->member("any"); any && any->is_array())
    for (const JsonNode* t = any->first; t; t = t->next) c.any.push_back(read_condition(t));
  if (const JsonNode* none = node->member("not"); none && none->is_object()) c.none.push_back(read_condition(none));
  else if (none && none->is_array())
    for (const JsonNode* t = none->first; t; t = t->next) c.none.push_back(read_condition(t));
  return c;
}

Transitions read_transitions(const JsonNode* node) {
  Transitions t;
  t.line = node->position.line;
  t.path = text(node, "path");
  if (const JsonNode* next = node->member("allowed"); next && next->is_object())
    for (const JsonNode* from = next->first; from; from = from->next) t.next[std::string(from->key)] = strings(next, from->key);
  return t;
}

ResourceSpec read_resource(const JsonNode* node, Problems& problems) {
  ResourceSpec r;
  r.line = node->position.line;
  r.id = text(node, "id");
  r.type = text(node, "type");
  r.when = read_condition(node->member("when"));
  if (const JsonNode* identity = node->member("identity")) {
    r.identity_system = text(identity, "system");
    if (const JsonNode* value = identity->member("value")) r.identity_value = read_value(value);
    if (const JsonNode* id = identity->member("id")) {
      r.identity_value = read_value(id);
      r.identity_is_id = true;
    }
  }
  std::string update = text(node, "update");
  r.merge = update == "merge";
  r.create_only = update == "create";
  r.extend = update == "extend";
  if (!update.empty() && update != "merge" && update != "replace" && update != "create" && update != "extend")
    problems.add(r.line, "update is \"merge\" (change the stored record), \"replace\", \"create\" (only when no record has "
                         "its identity) or \"extend\" (add to the stored record, if any), not \"" + update + "\"");
  if (r.create_only && r.identity_system.empty())
    problems.add(r.line, "update \"create\" needs an identity with a system: the record is created when no record has that identifier");
  r.items_move_by = text(node, "itemsMoveBy");
  if (!r.items_move_by.empty() && (!r.extend || r.identity_system.empty()))
    problems.add(r.line, "itemsMoveBy is for a resource written with update \"extend\" and an identity with a system");
  std::string otherwise = text(node, "otherwise");
  r.otherwise_delete = otherwise == "delete";
  if (!otherwise.empty() && (!r.otherwise_delete || r.identity_system.empty() || r.extend || r.merge))
    problems.add(r.line, "otherwise is \"delete\" (a taken row that does not meet \"when\" deletes the stored record), "
                         "for a resource kept by an identity with a system and replaced, not \"" + otherwise + "\"");
  if (const JsonNode* transitions = node->member("transitions"); transitions && transitions->is_object())
    r.transitions = read_transitions(transitions);
  if (const JsonNode* set = node->member("set"); set && set->is_object())
    for (const JsonNode* a = set->first; a; a = a->next) {
      if (!a->is_array()) r.set.push_back({std::string(a->key), read_value(a)});
      else  // several values for one path ("extension[]": [...]), each set in turn
        for (const JsonNode* item = a->first; item; item = item->next) r.set.push_back({std::string(a->key), read_value(item)});
    }
  if (const JsonNode* security = node->member("security"); security && security->is_array())
    for (const JsonNode* s = security->first; s; s = s->next)
      r.security.push_back({text(s, "system"), text(s, "code"), read_condition(s->member("when"))});
  r.confined = flag(node, "confined");
  std::string unresolved = text(node, "unresolved");
  r.unresolved_left_out = unresolved == "leave out";
  if (!unresolved.empty() && !r.unresolved_left_out)
    problems.add(r.line, "unresolved is \"leave out\" (or not given: the row is refused), not \"" + unresolved + "\"");
  return r;
}

// A table's "checks" (rows refused or skipped, and why) and "duplicates" (rows that give one record).
void read_row_rules(const JsonNode* node, TableSpec& t, Problems& problems) {
  if (const JsonNode* checks = node->member("checks"); checks && checks->is_array())
    for (const JsonNode* c = checks->first; c; c = c->next) {
      std::string then = text(c, "then");
      RowCheck::Then kind = then == "skip" ? RowCheck::Then::Skip : then == "warn" ? RowCheck::Then::Warn : RowCheck::Then::Refuse;
      t.checks.push_back({read_condition(c->member("when")), text(c, "column"), text(c, "reason"), kind, c->position.line});
      if (!then.empty() && then != "skip" && then != "refuse" && then != "warn")
        problems.add(c->position.line, "a check's then is \"refuse\" (the default), \"skip\" or \"warn\", not \"" + then + "\"");
    }
  if (const JsonNode* duplicates = node->member("duplicates"); duplicates && duplicates->is_array())
    for (const JsonNode* d = duplicates->first; d; d = d->next) {
      std::string conflict = text(d, "conflict");
      t.duplicates.push_back({text(d, "key"), strings(d, "columns"), conflict == "warn", d->position.line});
      if (!conflict.empty() && conflict != "warn" && conflict != "refuse")
        problems.add(d->position.line, "a duplicate's conflict is \"refuse\" (the default) or \"warn\", not \"" + conflict + "\"");
    }
}

TableSpec read_table(const JsonNode* node, const Spec& spec, Problems& problems) {
  TableSpec t;
  t.name = text(node, "name");
  t.files = strings(node, "files");
  if (const JsonNode* columns = node->member("columns"); columns && columns->is_array())
    for (const JsonNode* c = columns->first; c; c = c->next) t.columns.push_back(read_column(c, spec, problems));
  for (Column& c : t.columns)
    if (const Column* on = c.depends_on.empty() ? nullptr : t.column(c.depends_on)) c.depends_on_name = on->name;
  t.skip = read_condition(node->member("skip"));
  t.unsent = text(node, "unsent");
  if (const JsonNode* deletes = node->member("deletes"); deletes && deletes->is_object()) {
    t.deletes = TableSpec::Deletes{read_condition(deletes->member("when")), strings(deletes, "resources"), deletes->position.line, {}};
    if (const JsonNode* dependents = deletes->member("dependents"); dependents && dependents->is_array())
      for (const JsonNode* d = dependents->first; d; d = d->next)
        t.deletes->dependents.push_back({text(d, "of"), text(d, "type"), text(d, "search"), text(d, "system"), text(d, "then"),
                                           text(d, "by"), text(d, "linked")});
  }
  if (const JsonNode* newest = node->member("newest"); newest && newest->is_object()) {
    t.newest_key = text(newest, "key");
    t.newest_by = text(newest, "by");
  }
  if (const JsonNode* one = node->member("onePer"); one && one->is_object())
    t.one_per = TableSpec::OnePer{text(one, "key"), text(one, "said"), read_condition(one->member("when"))};
  read_row_rules(node, t, problems);
  if (const JsonNode* resources = node->member("resources"); resources && resources->is_array())
    for (const JsonNode* r = resources->first; r; r = r->next) t.resources.push_back(read_resource(r, problems));
  return t;
}

}  // namespace

const CodeMap::Target* CodeMap::translate(std::string_view value, std::string_view depends) const {
  auto it = targets.find(depends.empty() ? lower(value) : lower(depends) + "|" + lower(value));
  if (it == targets.end() && !depends.empty()) it = targets.find(lower(value));
  return it == targets.end() ? nullptr : &it->second;
}

bool TableSpec::Deletes::names(const std::string& resource) const {
  return std::find(resources.begin(), resources.end(), resource) != resources.end();
}

bool Transitions::allows(const std::string& from, const std::string& to) const {
  if (from == to) return true;
  std::set<std::string> seen{from};
  std::vector<std::string> frontier{from};
  while (!frontier.empty()) {
    std::string at = std::move(frontier.back());
    frontier.pop_back();
    auto it = next.find(at);
    if (it == next.end()) continue;
    for (const std::string& n : it->second) {
      if (n == to) return true;
      if (seen.insert(n).second) frontier.push_back(n);
    }
  }
  return false;
}

std::string Transitions::following(const std::string& from) const {
  auto it = next.find(from);
  if (it == next.end() || it->second.empty()) return "nothing";
  std::string out;
  for (size_t i = 0; i < it->second.size(); ++i)
    out += (i == 0 ? "" : i + 1 == it->second.size() ? " or " : ", ") + it->second[i];
  return out;
}

const Column* TableSpec::column(std::string_view key) const {
  for (const Column& c : columns)
    if (c.key == key) return &c;
  return nullptr;
}

const TableSpec* Spec::table_for(std::string_view file_name) const {
  std::string wanted = lower(file_name);
  for (const TableSpec& t : tables)
    for (const std::string& f : t.files)
      if (lower(f) == wanted) return &t;
  return tables.size() == 1 ? &tables.front() : nullptr;
}

// "hmis/spec.json line 41": every spec is a spec.json, so its folder says which.
std::string Spec::where(uint32_t line) const {
  return (file.parent_path().filename() / file.filename()).string() + " line " + std::to_string(line);
}

void check_spec(const Spec& spec, const fhir::definitions::Definitions& definitions, std::vector<Issue>& issues);

Result<Spec> load_spec(const std::filesystem::path& file, const fhir::definitions::Definitions& definitions) {
  std::ifstream in(file);
  if (!in) return Result<Spec>::failure("not-found", file.string() + ": cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string content = buffer.str();
  std::pmr::monotonic_buffer_resource nodes, strings_memory;
  auto parsed = fhir::json::parse_json(content, nodes, strings_memory);
  Spec spec;
  spec.file = file;
  if (!parsed.root || !parsed.root->is_object())
    return Result<Spec>::failure("invalid", (file.parent_path().filename() / file.filename()).string() + ": " +
                                                (parsed.error.empty() ? "not a JSON object" : parsed.error));
  const JsonNode* root = parsed.root;
  spec.name = text(root, "name");
  spec.title = text(root, "title");
  spec.description = text(root, "description");
  std::string on_error = text(root, "onError");
  spec.whole_file = on_error == "file";
  spec.rows = text(root, "rows");
  spec.empty = strings(root, "empty");
  if (const JsonNode* systems = root->member("identifierSystems"); systems && systems->is_object())
    for (const JsonNode* s = systems->first; s; s = s->next) spec.systems[std::string(s->key)] = std::string(s->text);
  Problems problems{spec, {}};
  if (const JsonNode* tables = root->member("tables"); tables && tables->is_array())
    for (const JsonNode* t = tables->first; t; t = t->next) spec.tables.push_back(read_table(t, spec, problems));
  else
    spec.tables.push_back(read_table(root, spec, problems));  // one table: its columns and resources at the top
  if (spec.name.empty()) problems.add(root->position.line, "the spec has no name");
  if (!on_error.empty() && on_error != "row" && on_error != "file")
    problems.add(root->position.line, "onError is \"row\" or \"file\", not \"" + on_error + "\"");
  resolve_lookups(spec, problems.issues);
  check_spec(spec, definitions, problems.issues);
  if (!problems.issues.empty()) return Result<Spec>(std::move(problems.issues));
  return spec;
}

std::filesystem::path default_specs_dir() {
  // Like the other shipped data: $CAREBRIDGE_SPECS, an installed copy, the source tree.
  return fhir::io::shipped_path("CAREBRIDGE_SPECS", {"specs", "../mappings/specs"}, CAREBRIDGE_SPECS_DIR,
                                [](const std::filesystem::path& dir) { return std::filesystem::is_directory(dir); });
}

Result<std::vector<std::shared_ptr<const Spec>>> load_specs(const std::filesystem::path& dir,
                                                            const fhir::definitions::Definitions& definitions) {
  std::vector<std::shared_ptr<const Spec>> specs;
  std::vector<Issue> issues;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "spec.json")) files.push_back(entry.path() / "spec.json");
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto spec = load_spec(file, definitions);
    if (!spec) issues.insert(issues.end(), spec.issues().begin(), spec.issues().end());
    else specs.push_back(std::make_shared<const Spec>(std::move(*spec)));
  }
  if (!issues.empty()) return Result<std::vector<std::shared_ptr<const Spec>>>(std::move(issues));
  return specs;
}

}  // namespace carebridge::mappings::agency
