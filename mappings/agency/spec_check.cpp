// A spec's mistakes, found when it is read rather than on the first file a volunteer
// uploads: resource types and paths FHIR does not have, columns no template can name,
// references to resources the spec does not build, identifier systems it does not name.
#include <algorithm>
#include <set>

#include "mappings/agency/spec.h"
#include "mappings/agency/template.h"

namespace carebridge::mappings::agency {

namespace {

using fhir::definitions::StructureDef;

// Why `path` ("name[0].given[]", "identifier[system=S].value") is not a path of `type`,
// or "" when it is one.
std::string path_problem(const fhir::definitions::Definitions& definitions, const std::string& type, std::string_view path) {
  const StructureDef* sd = definitions.type(type);
  uint32_t element = 0;
  std::string walked = type;
  while (!path.empty()) {
    size_t end = 0;
    while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
    std::string_view name = path.substr(0, end);
    bool indexed = end < path.size() && path[end] == '[';
    if (indexed) {
      size_t close = path.find(']', end);
      if (close == std::string_view::npos) return "a [ is never closed";
      end = close + 1;
    }
    if (name.empty() || (end < path.size() && path[end] != '.')) return "a path is names joined by dots, each with an optional [ ]";
    path.remove_prefix(std::min(path.size(), end + 1));
    const auto* child = sd->child(sd->shape_of(element), name);
    if (!child) return walked + " has no element \"" + std::string(name) + "\"";
    const auto& e = sd->elements[child->element];
    walked += "." + std::string(name);
    if (indexed && !e.repeats) return walked + " does not repeat, so it takes no [ ]";
    if (!indexed && e.repeats && !path.empty()) return walked + " repeats: say which one ([0], [] or [key=value])";
    if (!e.children.empty() || e.content_target != fhir::definitions::kNoElement) {
      element = child->element;  // a backbone element: its children are in this structure
      continue;
    }
    if (child->type >= e.types.size() || !e.types[child->type].structure) return walked + " has no type to go into";
    sd = e.types[child->type].structure;
    element = 0;
  }
  return {};
}

struct Checker {
  const Spec& spec;
  const fhir::definitions::Definitions& definitions;
  std::vector<Issue>& issues;

  void add(uint32_t line, const std::string& message) {
    issues.push_back(Issue{Severity::Error, "invalid", spec.where(line) + ": " + message, {}, {}});
  }

  void check_template(const TableSpec& table, const std::string& text, uint32_t line) {
    std::vector<TemplatePart> parts;
    std::string error;
    if (!parse_template(text, parts, error)) return add(line, "\"" + text + "\": " + error);
    for (const TemplatePart& p : parts) {
      if (p.kind == TemplatePart::Kind::Text || p.kind == TemplatePart::Kind::Agency) continue;
      if (p.kind == TemplatePart::Kind::IdentifierSystem) {
        if (!spec.systems.count(p.text)) add(line, "{system:" + p.text + "}: the spec names no identifier system \"" + p.text + "\"");
        continue;
      }
      const Column* c = table.column(p.text);
      if (!c) add(line, "{" + p.text + "}: table \"" + table.name + "\" has no column with the key \"" + p.text + "\"");
      else if ((p.kind == TemplatePart::Kind::Display || p.kind == TemplatePart::Kind::CodeSystem) && !c->codes)
        add(line, "{" + p.text + "|...}: the column has no codes to give a display or system");
    }
  }

  void check_value(const TableSpec& table, const std::set<std::string>& local_ids, const ValueSpec& v) {
    if (v.kind == ValueSpec::Kind::Template) return check_template(table, v.text, v.line);
    if (v.kind == ValueSpec::Kind::Object || v.kind == ValueSpec::Kind::Join)
      for (const auto& [path, member] : v.members) check_value(table, local_ids, member);
    if (v.kind != ValueSpec::Kind::Reference) return;
    ReferenceSpec r;
    if (!parse_reference(v.text, r)) return add(v.line, "\"" + v.text + "\" is neither @id nor @Type:system:{column}");
    if (!r.local.empty()) {
      if (!local_ids.count(r.local)) add(v.line, v.text + ": the table builds no resource called \"" + r.local + "\"");
      return;
    }
    const StructureDef* sd = definitions.type(r.type);
    if (!sd || !sd->is_resource()) add(v.line, v.text + ": \"" + r.type + "\" is not a FHIR resource type");
    if (!spec.systems.count(r.system)) add(v.line, v.text + ": the spec names no identifier system \"" + r.system + "\"");
    check_template(table, r.value, v.line);
  }

  void check_condition(const TableSpec& table, const Condition& c, uint32_t line) {
    if (!c.unknown.empty())
      add(c.line ? c.line : line, "a condition has \"" + c.unknown + "\", which is none of its keys (present, column, in, is, all, any, not)");
    if (c.line) line = c.line;
    for (const auto& key : c.present)
      if (!table.column(key)) add(line, "the condition names \"" + key + "\", which is not a column key of \"" + table.name + "\"");
    for (const auto& t : c.tests) {
      const Column* column = table.column(t.column);
      if (!column)
        add(line, "the condition names \"" + t.column + "\", which is not a column key of \"" + table.name + "\"");
      if (!t.is.empty() && t.is != "past" && t.is != "future" && t.is != "digest")
        add(line, "the condition on \"" + t.column + "\": is \"past\", \"future\" or \"digest\", not \"" + t.is + "\"");
      else if ((t.is == "past" || t.is == "future") && column && column->type != ValueType::Date)
        add(line, "the condition on \"" + t.column + "\": only a date column is past or future");
    }
    for (const Condition& each : c.all) check_condition(table, each, line);
    for (const Condition& each : c.any) check_condition(table, each, line);
    for (const Condition& each : c.none) check_condition(table, each, line);
  }

  // A table's checks and duplicates name its columns, and a check says why.
  void check_row_rules(const TableSpec& table) {
    for (const RowCheck& c : table.checks) {
      check_condition(table, c.when, c.line);
      if (c.when.empty()) add(c.line, "a check has no \"when\": it would refuse every row");
      if (!table.column(c.column)) add(c.line, "a check is told at \"" + c.column + "\", which is not a column key of \"" + table.name + "\"");
      if (c.reason.empty()) add(c.line, "a check has no reason: the agency must be told why its row is not taken");
    }
    for (const Duplicates& d : table.duplicates) {
      if (!table.column(d.key)) add(d.line, "duplicates: \"" + d.key + "\" is not a column key of \"" + table.name + "\"");
      for (const std::string& c : d.columns)
        if (!table.column(c)) add(d.line, "duplicates: \"" + c + "\" is not a column key of \"" + table.name + "\"");
    }
  }

  // What a deleted row deletes: records the table's rows build, by an identity, in a table
  // that skips rows (only a skipped row deletes).
  void check_deletes(const TableSpec& table, const std::set<std::string>& ids) {
    if (!table.deletes) return;
    const TableSpec::Deletes& d = *table.deletes;
    if (table.skip.empty()) add(d.line, "\"deletes\" in table \"" + table.name + "\", which has no \"skip\": only a skipped (deleted) row deletes");
    check_condition(table, d.when, d.line);
    if (d.resources.empty()) add(d.line, "\"deletes\" names no resource (\"resources\": [...] of the table's resource ids)");
    for (const std::string& id : d.resources)
      if (!ids.count(id)) add(d.line, "\"deletes\" names \"" + id + "\", which is not a resource of table \"" + table.name + "\"");
    for (const TableSpec::Dependent& dep : d.dependents) {
      if (!d.names(dep.of)) add(d.line, "a dependent is \"of\" \"" + dep.of + "\", which \"deletes\" does not name");
      const StructureDef* sd = definitions.type(dep.type);
      if (!sd || !sd->is_resource()) add(d.line, "a dependent's type \"" + dep.type + "\" is not a FHIR resource type");
      if (dep.search.empty()) add(d.line, "a dependent names no \"search\" parameter (the one that names the deleted record)");
      if (!spec.systems.count(dep.system)) add(d.line, "a dependent's system \"" + dep.system + "\" is not one of the spec's identifierSystems");
      if (!dep.then.empty() && dep.then != "trim") add(d.line, "a dependent's \"then\" is \"trim\" or left out (deleted), not \"" + dep.then + "\"");
      if (!dep.linked.empty() && !dep.linked.starts_with("http")) add(d.line, "a dependent's \"linked\" is an extension's url, not \"" + dep.linked + "\"");
      for (const ResourceSpec& r : table.resources)
        if (r.id == dep.of && !dep.by.empty())
          if (std::string problem = path_problem(definitions, r.type, dep.by + ".reference"); !problem.empty())
            add(d.line, "a dependent's \"by\" is an element of the deleted " + r.type + " that references another: " + problem);
    }
  }

  void check_assignment(const TableSpec& table, const std::set<std::string>& local_ids, const std::string& type,
                        const std::string& path, const ValueSpec& value) {
    if (std::string problem = path_problem(definitions, type, path); !problem.empty())
      add(value.line, "\"" + path + "\": " + problem);
    if (value.kind != ValueSpec::Kind::Object) return check_value(table, local_ids, value);
    for (const auto& [member_path, member] : value.members)
      check_assignment(table, local_ids, type, path + "." + member_path, member);
  }

  void check_resource(const TableSpec& table, const std::set<std::string>& local_ids, const ResourceSpec& r) {
    const StructureDef* sd = definitions.type(r.type);
    if (!sd || !sd->is_resource()) return add(r.line, "\"" + r.type + "\" is not a FHIR resource type");
    check_condition(table, r.when, r.line);
    if (r.identity_value.text.empty())
      add(r.line, r.type + " \"" + r.id + "\" has no identity: without one, the same file sent twice would make it twice");
    else
      check_value(table, local_ids, r.identity_value);
    if (!r.identity_system.empty() && !spec.systems.count(r.identity_system))
      add(r.line, "identity system \"" + r.identity_system + "\" is not one of the spec's identifierSystems");
    for (const Assignment& a : r.set) check_assignment(table, local_ids, r.type, a.path, a.value);
    check_merge(r);
    for (const SecurityLabel& label : r.security) {
      if (label.system.empty() || label.code.empty()) add(r.line, r.type + " \"" + r.id + "\": a security label needs a system and a code");
      check_condition(table, label.when, r.line);
    }
  }

  void check_merge(const ResourceSpec& r) {
    if (r.merge && !r.identity_is_id)
      add(r.line, r.type + " \"" + r.id + "\" is merged into its stored record, which it names by id: identity {\"id\": ...}");
    if (!r.transitions) return;
    const Transitions& t = *r.transitions;
    if (!r.merge) add(t.line, "transitions are for a resource merged into its stored record (\"update\": \"merge\")");
    if (std::string problem = path_problem(definitions, r.type, t.path); !problem.empty())
      add(t.line, "transitions \"" + t.path + "\": " + problem);
    bool set = std::any_of(r.set.begin(), r.set.end(), [&](const Assignment& a) { return a.path == t.path; });
    if (!set) add(t.line, "transitions \"" + t.path + "\": the resource sets no value there");
  }

  // A column from the stored record: of a resource of the table that is merged into its record,
  // or found by its identifier (a referral's Task, whose owner must stay; a plan, whose client must).
  void check_stored(const TableSpec& table, const Column& c) {
    auto r = std::find_if(table.resources.begin(), table.resources.end(),
                          [&](const ResourceSpec& each) { return each.id == c.stored->resource; });
    if (r == table.resources.end() || !(r->merge || !r->identity_is_id))
      return add(c.line, "\"" + c.name + "\" is stored in \"" + c.stored->resource +
                             "\", which is not a resource of the table merged into its stored record or found by its identifier");
    if (std::string problem = path_problem(definitions, r->type, c.stored->path); !problem.empty())
      add(c.line, "\"" + c.name + "\" is stored at \"" + c.stored->path + "\": " + problem);
    if (!c.stored->expect.empty()) check_template(table, c.stored->expect, c.line);
  }

  void check_table(const TableSpec& table) {
    std::set<std::string> keys, ids;
    for (const Column& c : table.columns)
      if (!keys.insert(c.key).second) add(c.line, "two columns have the key \"" + c.key + "\"");
    for (const Column& c : table.columns) {
      if (c.depends_on.empty()) continue;
      const Column* on = table.column(c.depends_on);
      if (!on || on->lookup) add(c.line, "\"" + c.name + "\" depends on \"" + c.depends_on + "\", which is not a column of the file");
      if (c.type != ValueType::Code) add(c.line, "\"" + c.name + "\" has dependsOn, which only a code column can have");
    }
    for (const Column& c : table.columns) {
      if (c.stored) check_stored(table, c);
      if (!c.same_as.empty() && !table.column(c.same_as))
        add(c.line, "\"" + c.name + "\" is the same as \"" + c.same_as + "\", which is not a column of the table");
      check_condition(table, c.hashed_when, c.line);
      check_condition(table, c.only_when, c.line);
      if (c.lookup) check_condition(table, c.lookup->stored_when, c.line);
      for (const auto& [key, what] : {std::pair{&c.not_after, "notAfter"}, std::pair{&c.not_before, "notBefore"}}) {
        if (key->empty()) continue;
        const Column* limit = table.column(*key);
        if (!limit) add(c.line, "\"" + c.name + "\" has " + what + " \"" + *key + "\", which is not a column of the table");
        if (c.type != ValueType::Date || (limit && limit->type != ValueType::Date))
          add(c.line, "\"" + c.name + "\" has " + what + ", which only a date column can have, naming a date column");
      }
      if (const StructureDef* sd = c.known.empty() ? nullptr : definitions.type(c.known); !c.known.empty() && (!sd || !sd->is_resource()))
        add(c.line, "\"" + c.name + "\" is known as a \"" + c.known + "\", which is not a FHIR resource type");
    }
    for (const ResourceSpec& r : table.resources)
      if (!r.id.empty() && !ids.insert(r.id).second) add(r.line, "two resources are called \"" + r.id + "\"");
    check_condition(table, table.skip, 0);
    check_deletes(table, ids);
    check_row_rules(table);
    for (const std::string* key : {&table.newest_key, &table.newest_by})
      if (!key->empty() && !table.column(*key)) add(0, "table \"" + table.name + "\": \"newest\" names \"" + *key + "\", which is not a column of it");
    if (const auto& one = table.one_per) {
      if (!table.column(one->key)) add(0, "table \"" + table.name + "\": \"onePer\" names \"" + one->key + "\", which is not a column of it");
      check_condition(table, one->when, 0);
      if (one->when.empty()) add(0, "table \"" + table.name + "\": \"onePer\" needs a \"when\": the rows of which one is wanted");
    }
    for (const ResourceSpec& r : table.resources) check_resource(table, ids, r);
  }
};

}  // namespace

void check_spec(const Spec& spec, const fhir::definitions::Definitions& definitions, std::vector<Issue>& issues) {
  Checker checker{spec, definitions, issues};
  if (!spec.rows.empty()) {
    std::string id = spec.rows.substr(0, spec.rows.find('.'));
    bool built = spec.tables.size() == 1 && std::any_of(spec.tables[0].resources.begin(), spec.tables[0].resources.end(),
                                                        [&](const ResourceSpec& r) { return r.id == id; });
    if (!built) checker.add(1, "\"rows\": \"" + spec.rows + "\" names no resource the spec's one table builds");
  }
  for (const TableSpec& table : spec.tables) checker.check_table(table);
}

}  // namespace carebridge::mappings::agency
