#include "mappings/agency/mapper.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "fhir/model/resource_id.h"
#include "mappings/agency/builder.h"
#include "mappings/agency/compiled.h"
#include "mappings/agency/conditions.h"
#include "mappings/agency/lookup.h"
#include "mappings/agency/parts.h"
#include "mappings/agency/row_rules.h"
#include "mappings/agency/template.h"
#include "mappings/agency/unresolved.h"
#include "mappings/agency/values.h"
#include "mappings/csv/columns.h"
#include "mappings/engine/ids.h"
#include "mappings/engine/node_json.h"

namespace carebridge::mappings::agency {

namespace building {

namespace {

using engine::Node;

// A gathering join's text (several schedules' descriptions): what the element holds, then
// the row's text after the separator, unless the element holds that text already.
Node gathered(const Node& resource, const engine::Path& path, Node value, const std::string& separator) {
  const Node* held = engine::get_path(resource, path);
  if (value.empty() || !held || !held->is_value() || held->text.empty()) return value;
  if ((separator + held->text + separator).find(separator + value.text + separator) != std::string::npos) return *held;
  value.text = held->text + separator + value.text;
  return value;
}

// A required column the file does not have, in its words: a form's field, or a sheet's column.
RowProblem missing_column(const csv::Table& table, const std::string& name) {
  if (table.source != csv::Table::Source::Form)
    return {{table.name, 0}, table.name, "the file has no column \"" + name + "\", which must be there"};
  if (table.rows.size() > 1) return {{table.name, 0}, table.name, "no form has the field \"" + name + "\", which must be there"};
  return {{table.name, 0}, csv::form_place(table.name, 0, &name), "\"" + name + "\" is required and is empty"};
}

}  // namespace

std::optional<std::vector<size_t>> Builder::bind_columns(const TableSpec& spec, const csv::Table& table) {
  std::vector<size_t> bound = input_columns(spec.columns, table);
  std::vector<bool> used(table.columns.size(), false);
  bool complete = true;
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const Column& c = spec.columns[i];
    if (bound[i] != kAbsent) {
      used[bound[i]] = true;
    } else if (c.required && !c.lookup && !c.stored) {
      out_.rejected.push_back(missing_column(table, c.name));
      complete = false;
    }
  }
  for (size_t i = 0; i < table.columns.size(); ++i)
    if (!used[i])
      out_.warnings.push_back(table.name + (table.source == csv::Table::Source::Form ? ": the field \"" : ": the column \"") +
                              table.columns[i] + "\" is not one the mapping reads");
  if (!complete) return std::nullopt;
  return bound;
}

// The row's values: its cells, read as their columns say, then its lookups, in order.
bool Builder::read_row(Row& row) {
  const std::vector<Column>& columns = row.spec.columns;
  row.values.resize(columns.size());
  // A misread row (more values than columns) is read for the records it names, and rejected.
  if (const std::string& problem = row.table.rows[row.index].problem; !problem.empty()) {
    row.problems.push_back({row.ref(), row.table.name + " row " + std::to_string(row.ref().second), problem});
    for (size_t c = 0; c < columns.size(); ++c)
      if (!columns[c].lookup) row.values[c] = read_value(columns[c], row.raw(c), {});
    return false;
  }
  bool ok = true;
  for (size_t c = 0; c < columns.size(); ++c) {
    std::string depends = columns[c].depends_on.empty() ? std::string() : row.raw(row.column_of(columns[c].depends_on));
    if (!columns[c].lookup) row.values[c] = read_value(columns[c], row.raw(c), depends);
  }
  for (size_t c = 0; c < columns.size(); ++c)
    if (const auto& lookup = columns[c].lookup)
      row.values[c] = lookups_.find(*lookup, lookup->whole_table() ? std::string() : row.values[lookup->by_index].value);
  std::vector<bool> stood_in(columns.size());  // a stored record stands for the rows a lookup found missing
  for (size_t c = 0; c < columns.size(); ++c) {
    // Only a lookup that found nothing can be stood for: most find their row, and are not asked again.
    const auto& lookup = columns[c].lookup;
    if (!lookup || (!row.values[c].value.empty() && row.values[c].value != lookup->absent)) continue;
    const StoredRecord* record = stands_in(columns[c], row);
    if ((stood_in[c] = record != nullptr) && (!lookup->stored_value.empty() || !lookup->stored_path.empty())) {
      const Node* at = lookup->stored_path.empty() ? nullptr : engine::get_path(record->resource, lookup->stored_path);
      row.values[c] = {};
      row.values[c].value = !lookup->stored_path.empty() ? (at && at->is_value() ? at->text : std::string()) : lookup->stored_value;
    }
  }
  for (size_t c = 0; c < columns.size(); ++c)
    if (const auto& stored = columns[c].stored) row.values[c] = stored_value(*stored, row);
  for (const auto& [c, why] : leave_out_unasked(row.spec, row.values))  // an answer HMIS asks only of a survivor
    out_.warnings.push_back(row.where(c) + ": \"" + row.raw(c) + "\" is left out: " + why);
  for (const auto& [c, why] : dates_out_of_order(row.spec, row.values))  // after the export's end
    out_.warnings.push_back(row.where(c) + ": " + why);
  // A digest where the export may hold one reads as no value, and no problem or warning is said.
  for (size_t c = 0; c < columns.size(); ++c)
    if ((!row.values[c].ok || !row.values[c].warning.empty()) && !columns[c].hashed_when.empty() && meets(columns[c].hashed_when, row))
      row.values[c] = {};
  std::set<std::pair<size_t, size_t>> unfound;  // (table, by) of required lookups found wanting: said once
  for (size_t c = 0; c < columns.size(); ++c) {
    const Column& column = columns[c];
    // A looked-up value's warning was given at its own row already.
    if (!row.values[c].warning.empty() && !column.lookup) out_.warnings.push_back(row.where(c) + ": " + row.values[c].warning);
    if (!row.values[c].ok) {
      row.problems.push_back({row.ref(), row.where(c), row.values[c].problem});
      ok = false;
    } else if (std::string other = differing(row, c); !other.empty()) {
      row.problems.push_back({row.ref(), row.where(c), other});
      ok = false;
    } else if (column.required && row.values[c].value.empty() && !stood_in[c]) {
      ok = false;
      // A lookup that found nothing is told at the cell it looked with (the exit's EnrollmentID),
      // once for all the lookups that found nothing with it there.
      size_t cell = column.lookup && !column.lookup->whole_table() ? column.lookup->by_index : c;
      if (column.lookup && !unfound.emplace(column.lookup->table_index, cell).second) continue;
      row.problems.push_back({row.ref(), row.where(cell), required_problem(column, row)});
    } else if (std::string untaken = untaken_problem(column, row); !untaken.empty()) {
      row.problems.push_back({row.ref(), row.where(column.lookup->by_index), untaken});
      ok = false;
    }
  }
  return ok;
}

// The stored record that stands for the row a lookup found missing from the export (an
// earlier export's enrollment, for a delta's exit), noted in the row; null when none does.
const StoredRecord* Builder::stands_in(const Column& column, Row& row) {
  if (!column.lookup || column.lookup->stored_type.empty() || column.lookup->whole_table()) return nullptr;
  const Lookup& l = *column.lookup;
  const std::string& by = row.values[l.by_index].value;
  if (by.empty() || !lookups_.rows(l, by).empty()) return nullptr;  // a row there, not taken, is not stood for
  if (!l.stored_when.empty() && !meets(l.stored_when, row)) return nullptr;
  std::string url = system(l.stored_system);
  const StoredRecord* record = stored_record(l.stored_type + "?identifier=" + engine::token_criteria(url, by));
  if (!record) return nullptr;
  // Several lookups may find the same record missing: what any of them lets it do, it does.
  Row::StandIn& in = row.stand_ins[l.stored_type + "|" + url + "|" + by];
  in.record = record;
  in.labels = in.labels || l.stored_labels;
  in.extends = in.extends || l.stored_extends;
  return record;
}

const StoredRecord* Builder::stored_record(const std::string& conditional_reference) {
  if (!records_) return nullptr;
  auto [it, added] = stored_.try_emplace(conditional_reference);
  if (!added) return it->second ? &*it->second : nullptr;
  auto json = records_->find(conditional_reference);
  auto resource = json ? engine::read_json(*json) : std::nullopt;
  if (!resource || conditional_reference.find(std::string(resource->text_of("resourceType")) + "?") != 0) return nullptr;
  const Node* version = engine::get_path(*resource, "meta.versionId");
  it->second = StoredRecord{std::move(*resource), version && version->is_value() ? version->text : std::string()};
  return &*it->second;
}

const StoredRecord* Builder::record_of(const CompiledResource& compiled, const Row& row) {
  std::string id = expand(compiled.identity.parts, row, nullptr);
  std::string url = compiled.spec->identity_is_id ? std::string() : system(compiled.system);
  if (!url.empty())  // a record kept by its identifier (a referral's Task): found by it, as the caller may see it
    return id.empty() ? nullptr : stored_record(compiled.spec->type + "?identifier=" + engine::token_criteria(url, id));
  if (!fhir::model::is_resource_id(id) || !records_) return nullptr;  // never a read of a path made from a cell
  auto [it, added] = stored_.try_emplace(compiled.spec->type + "/" + id);
  if (!added) return it->second ? &*it->second : nullptr;
  auto json = records_->read(compiled.spec->type, id);
  auto resource = json ? engine::read_json(*json) : std::nullopt;
  if (!resource || resource->text_of("resourceType") != compiled.spec->type) return nullptr;
  const Node* version = engine::get_path(*resource, "meta.versionId");
  it->second = StoredRecord{std::move(*resource), version && version->is_value() ? version->text : std::string()};
  return &*it->second;
}

ReadValue Builder::stored_value(const Stored& stored, const Row& row) {
  ReadValue v;
  for (const CompiledResource& r : row.compiled.resources) {
    if (r.spec->id != stored.resource) continue;
    const StoredRecord* record = record_of(r, row);
    const Node* at = record ? engine::get_path(record->resource, stored.path) : nullptr;
    if (at && at->is_value()) v.value = at->text;
  }
  return v;
}

// Where a value comes from in the row: the cell of the first column it names.
std::string Builder::where_of(const CompiledValue& value, const Row& row) const {
  for (const TemplatePart& p : value.parts)
    if (p.kind != TemplatePart::Kind::Text && p.kind != TemplatePart::Kind::IdentifierSystem &&
        p.kind != TemplatePart::Kind::Agency)
      if (p.column != kAbsent) return row.where(p.column);
  return row.table.name + " row " + std::to_string(row.table.rows[row.index].line);
}

// Whether the records the row changes are there, and the row moves them only as allowed.
bool Builder::admits(const Row& row) {
  bool ok = true;
  for (const CompiledResource& r : row.compiled.resources) {
    if (!r.spec->merge && meets(r.spec->when, row) && expects_stored(r, row)) {
      // A record the row does not change but must agree with once stored (a referral's Task
      // stays with the organization it was sent to): new, it has nothing to agree with.
      const StoredRecord* record = record_of(r, row);
      if (record && !admits_stored(r, row)) ok = false;
      continue;
    }
    if (!r.spec->merge || !meets(r.spec->when, row)) continue;
    std::string id = expand(r.identity.parts, row, nullptr);
    const StoredRecord* record = record_of(r, row);
    if (!id.empty() && !fhir::model::is_resource_id(id)) {
      out_.rejected.push_back({row.ref(), where_of(r.identity, row),
                               "\"" + id + "\" is not a record id (letters, digits, - and . only, at most 64)"});
      ok = false;
    } else if (!id.empty() && !record) {
      out_.rejected.push_back({row.ref(), where_of(r.identity, row),
                               "there is no " + r.spec->type + " \"" + id + "\" here, or it is not your organization's to change"});
      ok = false;
    } else if (record && (!admits_stored(r, row) || !admits_transition(r, row, *record))) {
      ok = false;
    }
  }
  return ok;
}

// Whether a column of the row's table expects a stored value of this resource.
bool Builder::expects_stored(const CompiledResource& compiled, const Row& row) const {
  return std::any_of(row.spec.columns.begin(), row.spec.columns.end(), [&](const Column& column) {
    return column.stored && column.stored->resource == compiled.spec->id && !column.stored->expect.empty();
  });
}

// The record's stored values that must be what the spec expects (the Task is addressed to the sender).
bool Builder::admits_stored(const CompiledResource& compiled, const Row& row) {
  const std::vector<Column>& columns = row.spec.columns;
  for (size_t c = 0; c < columns.size(); ++c) {
    const auto& stored = columns[c].stored;
    if (!stored || stored->resource != compiled.spec->id || stored->expect.empty()) continue;
    const std::vector<TemplatePart>& expect = row.compiled.expects[c];
    // Mapped for no organization (offline, or the open development server): no sender to compare with.
    bool names_sender = std::any_of(expect.begin(), expect.end(), [](const TemplatePart& p) { return p.kind == TemplatePart::Kind::Agency; });
    if (names_sender && agency_ == "local") continue;
    std::string want = expand(expect, row, nullptr);
    // A record found by its identifier that says nothing there (stored before the spec wrote
    // it) contradicts nothing; a merged record must say it.
    if (row.values[c].value == want || (row.values[c].value.empty() && !compiled.spec->merge)) continue;
    // The cell the expectation reads (the receiving organization), else the record's own.
    auto cell = std::find_if(expect.begin(), expect.end(), [](const TemplatePart& p) { return p.column != kAbsent; });
    out_.rejected.push_back({row.ref(), cell != expect.end() ? row.where(cell->column) : where_of(compiled.identity, row),
                             !stored->refusal.empty() ? stored->refusal
                                                      : "the " + compiled.spec->type + "'s " + stored->path + " is \"" +
                                                            row.values[c].value + "\", not \"" + want + "\""});
    return false;
  }
  return true;
}

bool Builder::admits_transition(const CompiledResource& compiled, const Row& row, const StoredRecord& record) {
  if (!compiled.spec->transitions) return true;
  const Transitions& t = *compiled.spec->transitions;
  for (const auto& [path, unused, value] : compiled.set) {
    if (path != t.path) continue;
    std::string to = value_node(value, row).text;
    // Where the record is now: as an earlier row of this file left it, else as stored.
    auto built = by_key_.find(key_of(compiled, expand(compiled.identity.parts, row, nullptr)));
    const Node* now = engine::get_path(built != by_key_.end() ? built_[built->second].resource : record.resource, t.path);
    std::string from = now && now->is_value() ? now->text : std::string();
    if (to.empty() || from.empty() || t.allows(from, to)) return true;
    out_.rejected.push_back({row.ref(), where_of(value, row),
                             compiled.spec->type + " \"" + std::string(record.resource.text_of("id")) + "\" is \"" + from +
                                 "\" and cannot become \"" + to + "\" (after \"" + from + "\" comes " + t.following(from) + ")"});
    return false;
  }
  return true;
}

bool Builder::meets(const Condition& condition, const Row& row) const { return agency::meets(condition, row.spec, row.values); }

// A template's text for a row: "" when every column it names is empty.
std::string Builder::expand(const std::vector<TemplatePart>& parts, const Row& row, std::string* source) const {
  std::string out;
  bool any = false, placeholders = false;
  for (const TemplatePart& p : parts) {
    if (p.kind == TemplatePart::Kind::Text) {
      out += p.text;
      continue;
    }
    if (p.kind == TemplatePart::Kind::IdentifierSystem) {
      out += system(p.text);
      continue;
    }
    if (p.kind == TemplatePart::Kind::Agency) {
      out += agency_;
      continue;
    }
    placeholders = true;
    size_t c = p.column;
    if (c == kAbsent) continue;
    const ReadValue& v = row.values[c];
    bool as_written = p.kind == TemplatePart::Kind::Raw || p.kind == TemplatePart::Kind::Days;
    std::string text = as_written ? (v.value.empty() ? "" : row.raw(c)) : v.value;
    if (p.kind == TemplatePart::Kind::Days) text = days_in_words(text);
    if (p.kind == TemplatePart::Kind::Display) text = v.display;
    if (p.kind == TemplatePart::Kind::CodeSystem) text = v.system;
    if (trace_ && !v.value.empty() && source && source->empty()) {
      *source = row.where(c);
      out_.source_rows.try_emplace(*source, row.ref());
    }
    any = any || !v.value.empty();
    out += text;
  }
  return placeholders && !any ? std::string() : out;
}

Node Builder::value_node(const CompiledValue& value, const Row& row) const {
  switch (value.kind) {
    case ValueSpec::Kind::Literal:
    case ValueSpec::Kind::Boolean:
    case ValueSpec::Kind::Number: return constant_value(value);
    case ValueSpec::Kind::Template: {
      std::string source, text = expand(value.parts, row, &source);
      // One placeholder of a number or yes/no column: written as a JSON number or boolean.
      if (value.parts.size() == 1 && value.parts[0].kind == TemplatePart::Kind::Value && !text.empty()) {
        size_t c = value.parts[0].column;
        ValueType type = c == kAbsent ? ValueType::String : row.spec.columns[c].type;
        if (type == ValueType::Integer || type == ValueType::Decimal) return Node::number(text, source);
        if (type == ValueType::Boolean) return Node::boolean(text == "true", source);
      }
      return Node::string(text, source);
    }
    case ValueSpec::Kind::Object: {
      // Set when a member from the row has a value (or when every member is a constant).
      Node object = Node::object();
      bool from_row = false, valued = false;
      for (const CompiledValue::Member& member : value.members) {
        Node node = value_node(member.value, row);
        bool sourced = from_row_values(member.value);
        from_row = from_row || sourced;
        valued = valued || (sourced && !node.empty());
        set_values(object, member, std::move(node));
      }
      if (from_row && !valued) return Node::object();
      return object;  // moved, not copied
    }
    case ValueSpec::Kind::Join: {
      std::string joined, source;
      for (const CompiledValue::Member& part : value.members) {
        Node node = value_node(part.value, row);
        if (node.empty() || !node.is_value()) continue;
        if (source.empty()) source = node.source;
        joined += (joined.empty() ? "" : value.text) + node.text;
      }
      return Node::string(joined, source);
    }
    case ValueSpec::Kind::Reference: break;
  }
  Node reference = Node::object();
  const ReferenceSpec& r = value.reference;
  if (!r.local.empty()) {
    auto it = row.local_urls.find(r.local);
    if (it != row.local_urls.end()) reference.set("reference", Node::string(it->second));
    return reference;
  }
  std::string source, identity = expand(value.parts, row, &source);
  if (identity.empty()) return reference;
  std::string url = system(r.system), key = r.type + "|" + url + "|" + identity;
  if (withheld_.count(key)) to_withheld_.emplace_back(key, row.ref());
  // Built from this export (in any row, earlier or later): its fullUrl, filled in when the
  // Bundle is written; else the stored record with that identifier.
  std::string conditional = r.type + "?identifier=" + engine::token_criteria(url, identity);
  size_t cell = kAbsent;
  for (const TemplatePart& p : value.parts)
    if (cell == kAbsent && p.column != kAbsent) cell = row.input_column[p.column];
  unresolved_.add(key, conditional, row.table, row.index, cell, building_ && building_->unresolved_left_out);
  reference.set("reference", Node::string(kPending + key + kPendingEnd + conditional, source));
  return reference;
}

std::string Builder::key_of(const CompiledResource& compiled, const std::string& identity) const {
  const std::string& type = compiled.spec->type;
  return compiled.spec->identity_is_id ? type + "|=|" + identity : type + "|" + system(compiled.system) + "|" + identity;
}

Built& Builder::resource_for(const CompiledResource& compiled, const std::string& identity, const Row& row) {
  const std::string& type = compiled.spec->type;
  std::string url = system(compiled.system), key = key_of(compiled, identity);
  auto [it, added] = by_key_.try_emplace(key, built_.size());
  if (!added) return built_[it->second];
  Built& b = built_.emplace_back();
  b.type = type;
  // The agency is in the name: two agencies' record 1001 are two records.
  std::string id = engine::name_uuid(spec_.name + "|" + agency_ + "|" + key);
  b.full_url = b.local_url = "urn:uuid:" + id;
  // The row's base: the record merged into (admits() found it), the stored record the export
  // does not send, or the stored record a resource extends when there is one.
  auto stand_in = row.stand_ins.find(key);
  const StoredRecord* stored = compiled.spec->merge || compiled.spec->extend ? record_of(compiled, row)
                               : stand_in != row.stand_ins.end() && stand_in->second.extends ? stand_in->second.record
                                                                                              : nullptr;
  if (stored) {
    b.resource = stored->resource;
    if (Node* meta = b.resource.member("meta")) {
      meta->remove("versionId");
      meta->remove("lastUpdated");
    }
    if (!compiled.spec->merge) b.resource.remove("id");  // updated by its identifier, as the export's own would be
    if (!stored->version.empty()) b.if_match = "W/\"" + stored->version + "\"";
    b.extended = compiled.spec->extend;
  }
  b.resource.set("resourceType", Node::string(type));
  if (compiled.spec->identity_is_id || url.empty()) {  // an id: given, or made so that the same rows give the same record
    if (compiled.spec->identity_is_id) id = identity;
    b.resource.set("id", Node::string(id));
    b.request_url = b.local_url = type + "/" + id;
  } else {
    b.request_url = type + "?identifier=" + engine::token_criteria(url, identity);
    auto path = identifier_paths_.find(url);
    if (path == identifier_paths_.end())
      path = identifier_paths_.emplace(url, engine::Path("identifier[system=" + url + "].value")).first;
    engine::set_path(b.resource, path->second, Node::string(identity));
  }
  return b;
}

// The resource's security labels whose conditions the row meets, and those of the stored
// records standing for rows the export does not send (each once): a delta's service within
// an enrollment stored at a victim service provider is the provider's as the enrollment is.
void Builder::add_labels(const ResourceSpec& spec, const Row& row, Built& built) const {
  static const engine::Path kSecurity("meta.security[]");
  for (const auto& [key, stand_in] : row.stand_ins)
    if (const Node* labels = stand_in.labels ? engine::get_path(stand_in.record->resource, "meta.security") : nullptr)
      for (const Node& label : labels->children) engine::set_path(built.resource, kSecurity, Node(label));
  for (const SecurityLabel& l : spec.security) {
    if (!meets(l.when, row)) continue;
    Node label = Node::object();
    label.set("system", Node::string(l.system));
    label.set("code", Node::string(l.code));
    engine::set_path(built.resource, kSecurity, std::move(label));
  }
}

void Builder::build(const CompiledResource& compiled, Row& row) {
  if (!meets(compiled.spec->when, row)) return note_withdrawn(compiled, row);
  building_ = compiled.spec;
  std::string source, identity = expand(compiled.identity.parts, row, &source);
  if (compiled.identity.kind == ValueSpec::Kind::Literal) identity = compiled.identity.text;
  if (identity.empty()) return;
  Built& b = resource_for(compiled, identity, row);
  if (b.rows.empty() || b.rows.back() != row.ref()) b.rows.push_back(row.ref());
  if (!compiled.spec->id.empty()) row.local_urls[compiled.spec->id] = b.local_url;
  add_labels(*compiled.spec, row, b);
  b.pending = b.pending || compiled.pending;
  // Built by other specs too (a Patient from two files): their values may share an element
  // with the constants, so these are set one by one, as the spec says, not whole.
  b.mixed = b.mixed || (b.maker && b.maker != &compiled);
  b.maker = &compiled;
  // What a conditional spec set (a goal's status a row gives) is a fact: a later row's unconditional constant leaves it.
  bool conditional = !compiled.spec->when.empty();
  for (const CompiledValue::Member& member : compiled.constants)
    if (b.mixed && (conditional || !b.decided.count(member.path))) set_values(b.resource, member, constant_value(member.value));
  if (!b.mixed)
    for (const Node& member : compiled.prototype.children) b.resource.set(member.name, Node(member));
  if (conditional)
    for (const auto* list : {&compiled.constants, &compiled.set})
      for (const CompiledValue::Member& member : *list) b.decided.insert(member.path);
  for (const CompiledValue::Member& member : compiled.set) {
    Node node = value_node(member.value, row);
    if (member.value.gather) node = gathered(b.resource, member.steps, std::move(node), member.value.text);
    set_values(b.resource, member, std::move(node));
  }
}

// The table's spec with its date columns read day first when the file's dates show they are
// written so (a European export's 15/08/2011), said once; none when they do not.
std::optional<TableSpec> Builder::spec_as_written(const TableSpec& spec, const csv::Table& table,
                                                  const std::vector<size_t>& input_column) {
  std::string shown = day_first_date(spec.columns, table, input_column);
  if (shown.empty()) return std::nullopt;
  TableSpec day_first = spec;
  for (Column& c : day_first.columns)
    if (c.type == ValueType::Date && c.format.empty() && !c.lookup) c.format = "DMY";
  out_.warnings.push_back(table.name + ": dates such as \"" + shown + "\" are written day first, so every date of the file is "
                          "read as day/month/year (09/04/1979 is 9 April 1979)");
  return day_first;
}

bool Builder::in_part(const RowRef& row) const { return !part_ || part_->rows.count(row) || part_->context.count(row); }
bool Builder::context(const RowRef& row) const { return part_ && part_->context.count(row); }
bool Builder::only_context(const Built& built) const {
  return part_ && !built.rows.empty() && std::all_of(built.rows.begin(), built.rows.end(), [&](const RowRef& r) { return context(r); });
}

// Rows read only for the records they make (Part::context) are not counted, skipped or rejected:
// the part that stores their records does so.
void Builder::map_table(const CompiledTable& compiled, const csv::Table& table, const std::set<RowRef>& excluded) {
  auto bound = bind_columns(*compiled.spec, table);
  for (const auto& r : table.rows) {
    if (!in_part({table.name, r.line}) || context({table.name, r.line})) continue;
    ++out_.rows;
    if (!bound) out_.rejected_rows.insert({table.name, r.line});
  }
  if (!bound) return;
  std::optional<TableSpec> day_first = spec_as_written(*compiled.spec, table, *bound);
  const TableSpec& spec = day_first ? *day_first : *compiled.spec;
  const std::vector<bool>& older = lookups_.superseded(*compiled.spec, table);
  OnePerKey one_per(*compiled.spec);  // a household's head, among the rows taken
  DuplicateRows duplicates(*compiled.spec);
  for (size_t i = 0; i < table.rows.size(); ++i) {
    RowRef ref{table.name, table.rows[i].line};
    if (!in_part(ref)) continue;
    bool read_only = context(ref);
    if (older[i]) {  // a later version of the record is in the table: it alone is read
      out_.skipped += read_only ? 0 : 1;
      out_.warnings.push_back(table.name + " row " + std::to_string(table.rows[i].line) + ": an older version (by " +
                              compiled.spec->column(compiled.spec->newest_by)->name + ") of a record another row gives too; the latest is taken");
      continue;
    }
    Row row{table, i, compiled, spec, *bound, {}, {}, {}, {}};
    bool readable = read_row(row);
    // A row the spec skips (a deleted record) makes nothing, so what it lacks does not matter:
    // a delta export's deleted exit whose enrollment it does not send is no error. A misread
    // row (more values than columns) cannot be judged so: it is rejected.
    bool misread = !table.rows[i].problem.empty();
    bool deleted = !misread && !compiled.spec->skip.empty() && meets(compiled.spec->skip, row);
    if (deleted || (!misread && checked(row, RowCheck::Then::Skip))) {
      out_.skipped += read_only ? 0 : 1;
      if (deleted && !read_only) note_deleted(compiled, row);
      continue;
    }
    bool taken = false;
    if (excluded.count(row.ref()) || (part_ && part_->excluded.count(row.ref()))) {
      if (!read_only) out_.rejected_rows.insert(row.ref());  // its reasons were given by the pass that excluded it
    } else if (!readable) {
      if (!read_only) out_.rejected.insert(out_.rejected.end(), row.problems.begin(), row.problems.end());
      if (!read_only) out_.rejected_rows.insert(row.ref());
    } else if (checked(row, RowCheck::Then::Refuse) || !known(row) || !admits(row) || !unique(duplicates, row)) {
      if (!read_only) out_.rejected_rows.insert(row.ref());
    } else {
      taken = true;
      checked(row, RowCheck::Then::Warn);
    }
    if (!taken) {
      withhold(compiled, row);
      continue;
    }
    one_per.add(row.values, row.ref().second);
    for (const CompiledResource& r : compiled.resources) build(r, row);
  }
  for (std::string& said : one_per.said(table.name)) out_.warnings.push_back(std::move(said));
}

// Whether one of the table's checks of this kind holds for the row (those that skip it or
// refuse it; those that warn are told and the row taken), said at the check's cell.
bool Builder::checked(const Row& row, RowCheck::Then then) {
  for (const RowCheck& check : row.spec.checks) {
    if (check.then != then || !meets(check.when, row)) continue;
    size_t c = row.column_of(check.column);
    std::string where = c == kAbsent ? row.table.name + " row " + std::to_string(row.ref().second) : row.where(c);
    if (then == RowCheck::Then::Refuse) out_.rejected.push_back({row.ref(), where, check.reason});
    else out_.warnings.push_back(where + ": " + check.reason);
    if (then != RowCheck::Then::Warn) return true;
  }
  return false;
}

// Whether the row gives no record an earlier row gave with other values (row_rules.h).
bool Builder::unique(DuplicateRows& duplicates, const Row& row) {
  auto verdict = duplicates.check(row.values, [&](size_t c) { return row.raw(c); }, [&](size_t c) { return row.where(c); }, row.ref());
  out_.warnings.insert(out_.warnings.end(), verdict.warnings.begin(), verdict.warnings.end());
  out_.rejected.insert(out_.rejected.end(), verdict.refused.begin(), verdict.refused.end());
  return verdict.refused.empty();
}

// Whether every record the row names by id (Column::known) is one the gateway knows (row_rules.h).
bool Builder::known(const Row& row) {
  auto unknown = unknown_records(row.spec, row.values, [&](size_t c) { return row.where(c); }, row.ref(), records_);
  out_.rejected.insert(out_.rejected.end(), unknown.begin(), unknown.end());
  return unknown.empty();
}

}  // namespace building

using building::Builder;

struct Mapper::Compiled {
  std::vector<CompiledTable> tables;
};

Mapper::Mapper(std::shared_ptr<const Spec> spec) : spec_(std::move(spec)), compiled_(std::make_unique<Compiled>()) {
  for (const TableSpec& t : spec_->tables) compiled_->tables.push_back(compile_table(t));
}

Mapper::~Mapper() = default;

std::string Mapper::unread(std::string_view table) const {
  return std::string(table) + ": the mapping \"" + spec_->name + "\" reads no such file";
}

// The sheets of a workbook that hold none of the columns their table reads (a "Read me" tab,
// a pivot, a list of choices) while another sheet holds some: the rows are on that one, and
// the extra tab is an ordinary part of an Excel template, not a file missing its columns.
std::vector<bool> Mapper::sheets_without_rows(const std::vector<csv::Table>& tables) const {
  std::vector<bool> without(tables.size(), false);
  bool some_with = false;
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableSpec* spec = spec_->table_for(tables[i].name);
    if (tables[i].source != csv::Table::Source::Sheet || !spec) continue;
    without[i] = std::none_of(spec->columns.begin(), spec->columns.end(), [&](const Column& c) {
      return !c.stored && column_in(c, tables[i]) != std::string::npos;
    });
    some_with = some_with || !without[i];
  }
  if (!some_with) std::fill(without.begin(), without.end(), false);  // alone, a sheet says what it lacks
  return without;
}

MappedExport Mapper::map(const std::vector<csv::Table>& tables, const std::set<RowRef>& excluded, const std::string& agency,
                         bool trace, const Records* records, const Part* part) const {
  MappedExport out;
  Builder builder(*spec_, tables, agency, trace, records, out, part);
  std::vector<bool> read = sheets_without_rows(tables);
  for (size_t i = 0; i < tables.size(); ++i)
    if (read[i]) out.warnings.push_back(tables[i].name + ": the sheet has none of the columns the mapping reads, so it is passed over");
  for (const CompiledTable& ct : compiled_->tables)  // in the spec's order: what others refer to comes first
    for (size_t i = 0; i < tables.size(); ++i) {
      if (read[i] || spec_->table_for(tables[i].name) != ct.spec) continue;
      read[i] = true;
      builder.map_table(ct, tables[i], excluded);
    }
  for (size_t i = 0; i < tables.size(); ++i)
    if (!read[i]) out.warnings.push_back(unread(tables[i].name));
  for (std::string& said : unsent_warnings(*spec_, tables)) out.warnings.push_back(std::move(said));
  if (spec_->whole_file && !out.rejected.empty()) return out;  // one bad row rejects the file
  builder.make_bundle();
  if (trace && out.built()) engine::write_json(out.tree, out.bundle, &out.sources, "Bundle");
  return out;
}

}  // namespace carebridge::mappings::agency
