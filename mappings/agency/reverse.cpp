#include "mappings/agency/reverse.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "mappings/agency/template.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::agency {

namespace {

using Json = rapidjson::Value;

struct Resource {
  const Json* json = nullptr;
  std::string type, key, full_url;  // key: "Type/id"
};

// Every value at `path` (the spec's syntax) under `from`: "[]" and "[2]" are every item (a
// list's empty items were left out when it was written, so positions move), "[system=S]"
// the items whose `system` is S.
void select(const Json& from, std::string_view path, std::vector<const Json*>& out) {
  if (path.empty()) return out.push_back(&from);
  size_t end = 0;
  while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
  std::string name(path.substr(0, end));
  std::string_view selector;
  bool listed = end < path.size() && path[end] == '[';
  if (listed) {
    size_t close = path.find(']', end);
    if (close == std::string_view::npos) return;
    selector = path.substr(end + 1, close - end - 1);
    end = close + 1;
  }
  std::string_view rest = end < path.size() ? path.substr(end + 1) : std::string_view();
  if (!from.IsObject() || !from.HasMember(name.c_str())) return;
  const Json& child = from[name.c_str()];
  if (!listed || !child.IsArray()) return select(child, rest, out);
  size_t eq = selector.find('=');
  for (rapidjson::SizeType i = 0; i < child.Size(); ++i) {
    const Json& item = child[i];
    if (eq != std::string_view::npos) {
      std::string key(selector.substr(0, eq));
      if (!item.IsObject() || !item.HasMember(key.c_str()) || !item[key.c_str()].IsString() ||
          item[key.c_str()].GetString() != selector.substr(eq + 1))
        continue;
    }
    select(item, rest, out);
  }
}

std::string text_of(const Json& v) {
  if (v.IsString()) return v.GetString();
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (!v.IsNumber()) return {};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

// Where the spec writes a column as a lone {key}, and where one resource refers to another.
struct Source {
  std::string id, path, key;
  std::string prefix, suffix;  // text around the value ("Organization/{partner}")
};
struct Edge {
  std::string from, path, to;  // `from` refers to `to` at path (its .reference)
};
struct Graph {
  std::vector<Source> sources;
  std::vector<Edge> edges;
  std::map<std::string, std::string> types;    // the spec's resource id → its type
  std::map<std::string, std::string> systems;  // the spec's resource id → its identity's system URL
  std::map<std::string, std::string> same;     // a resource id → the first with the same type and identity
  std::multimap<std::string, std::pair<std::string, std::string>> literals;  // resource id → (path, constant)
};

// Whether a value is constant throughout (an object of constants is always set).
bool constant(const ValueSpec& v) {
  if (v.kind == ValueSpec::Kind::Object)
    return std::all_of(v.members.begin(), v.members.end(), [](const auto& m) { return constant(m.value); });
  return v.kind == ValueSpec::Kind::Literal || v.kind == ValueSpec::Kind::Boolean || v.kind == ValueSpec::Kind::Number;
}

// `inside`: within an object that is set only when its values from the row are there, so
// its constants say nothing of whether a resource is the one.
void walk(const std::string& id, const std::string& path, const ValueSpec& v, Graph& g, bool inside = false) {
  if (v.kind == ValueSpec::Kind::Object) {
    bool conditional = inside || !constant(v);
    for (const auto& [member, value] : v.members) walk(id, path + "." + member, value, g, conditional);
    return;
  }
  std::vector<TemplatePart> parts;
  std::string error;
  ReferenceSpec reference;
  if (v.kind == ValueSpec::Kind::Literal && !inside) g.literals.emplace(id, std::pair{path, v.text});
  if (v.kind == ValueSpec::Kind::Template && parse_template(v.text, parts, error)) {
    // One column's value, maybe with constant text around it: readable back.
    size_t values = 0, at = 0;
    for (size_t i = 0; i < parts.size(); ++i)
      if (parts[i].kind != TemplatePart::Kind::Text) ++values, at = i;
    if (values == 1 && parts[at].kind == TemplatePart::Kind::Value) {
      Source source{id, path, parts[at].text, "", ""};
      for (size_t i = 0; i < parts.size(); ++i) (i < at ? source.prefix : source.suffix) += i == at ? "" : parts[i].text;
      g.sources.push_back(std::move(source));
    }
  }
  if (v.kind == ValueSpec::Kind::Reference && parse_reference(v.text, reference) && !reference.local.empty())
    g.edges.push_back({id, path, reference.local});
}

Graph graph_of(const TableSpec& table, const std::map<std::string, std::string>& systems) {
  Graph g;
  std::map<std::string, std::string> first_by_identity;
  for (const ResourceSpec& r : table.resources) {
    g.types[r.id] = r.type;
    auto system = systems.find(r.identity_system);
    g.systems[r.id] = system == systems.end() ? "" : system->second;
    auto [it, added] = first_by_identity.try_emplace(r.type + "|" + r.identity_system + "|" + r.identity_value.text, r.id);
    if (!added) g.same[r.id] = it->second;
    std::vector<TemplatePart> parts;
    std::string error;
    if (!g.systems[r.id].empty() && parse_template(r.identity_value.text, parts, error) && parts.size() == 1 &&
        parts[0].kind == TemplatePart::Kind::Value)
      g.sources.push_back({r.id, "identifier[system=" + g.systems[r.id] + "].value", parts[0].text, "", ""});
    for (const Assignment& a : r.set) walk(r.id, a.path, a.value, g);
  }
  return g;
}

// The resources of a Bundle (or the one resource), by "Type/id" and by fullUrl.
struct Resources {
  std::vector<Resource> all;
  std::unordered_map<std::string, const Resource*> by_key;
  std::unordered_map<const Json*, const Resource*> by_json;

  explicit Resources(const Json& fhir) {
    auto add = [&](const Json& r, std::string full_url) {
      if (!r.IsObject() || !r.HasMember("resourceType") || !r["resourceType"].IsString()) return;
      Resource res{&r, r["resourceType"].GetString(), "", std::move(full_url)};
      if (r.HasMember("id") && r["id"].IsString()) res.key = res.type + "/" + r["id"].GetString();
      all.push_back(std::move(res));
    };
    if (fhir.IsObject() && fhir.HasMember("resourceType") && fhir["resourceType"] == "Bundle" && fhir.HasMember("entry") &&
        fhir["entry"].IsArray()) {
      for (const auto& e : fhir["entry"].GetArray())
        if (e.IsObject() && e.HasMember("resource"))
          add(e["resource"], e.HasMember("fullUrl") && e["fullUrl"].IsString() ? e["fullUrl"].GetString() : "");
    } else {
      add(fhir, "");
    }
    for (const Resource& r : all) {
      if (!r.key.empty()) by_key[r.key] = &r;
      if (!r.full_url.empty()) by_key[r.full_url] = &r;
      by_json[r.json] = &r;
    }
  }
  const Resource* find(const std::string& reference) const {
    auto it = by_key.find(reference);
    return it == by_key.end() ? nullptr : it->second;
  }
};

// One row: the resources of the spec it reaches, and the list item it is about (if any).
struct RowContext {
  const Graph& graph;
  const Resources& resources;
  std::string row_id, list;  // "plan", "activity[]"
  const Json* item = nullptr;
  std::map<std::string, const Resource*> known;

  // The JSON a spec path of resource `id` is read from, and the path within it.
  const Json* base(const std::string& id, std::string& path) const {
    if (id == row_id && item && path.starts_with(list + ".")) {
      path = path.substr(list.size() + 1);
      return item;
    }
    auto it = known.find(id);
    return it == known.end() || !it->second ? nullptr : it->second->json;
  }

  bool refers_to(const Resource& from, const std::string& path, const Resource& to) const {
    std::vector<const Json*> refs;
    select(*from.json, path + ".reference", refs);
    for (const Json* r : refs)
      if (r->IsString() && ((!to.full_url.empty() && to.full_url == r->GetString()) || to.key == r->GetString())) return true;
    return false;
  }

  // Whether `candidate` could be the spec's resource `id` of this row: it says what the spec
  // always writes there, and refers to each resource of the row the spec makes it refer to.
  bool fits(const Resource& candidate, const std::string& id) const {
    if (candidate.type != graph.types.at(id)) return false;
    auto [first, last] = graph.literals.equal_range(id);
    for (auto it = first; it != last; ++it) {
      std::vector<const Json*> at;
      select(*candidate.json, it->second.first, at);
      bool has = false;
      for (const Json* v : at) has = has || text_of(*v) == it->second.second;
      if (!has) return false;
    }
    for (const Edge& e : graph.edges)
      if (e.from == id && known.count(e.to) && known.at(e.to) && !refers_to(candidate, e.path, *known.at(e.to))) return false;
    return true;
  }

  bool follow(const Edge& e) {
    if (known.count(e.from) && !known.count(e.to)) {
      std::string path = e.path;
      const Json* from = base(e.from, path);
      std::vector<const Json*> refs;
      if (from) select(*from, path + ".reference", refs);
      for (const Json* r : refs)
        if (const Resource* to = r->IsString() ? resources.find(r->GetString()) : nullptr) return known[e.to] = to, true;
    }
    if (known.count(e.to) && !known.count(e.from) && e.from != row_id) {
      for (const Resource& candidate : resources.all)
        if (fits(candidate, e.from)) return known[e.from] = &candidate, true;
    }
    return false;
  }

  bool item_level(const Edge& e) const { return item && e.from == row_id && e.path.starts_with(list + "."); }

  void resolve() {
    for (const Edge& e : graph.edges)  // the row's own item's references first: they are the row's
      if (item_level(e)) follow(e);
    for (bool changed = true; changed;) {
      changed = false;
      for (const Edge& e : graph.edges) changed = follow(e) || changed;
      for (const auto& [id, first] : graph.same)
        if (!known.count(id) && known.count(first)) known[id] = known[first], changed = true;
    }
  }
};

// A column's value in the agency's words: its codes back to the agency's own, yes or no.
std::string agency_value(const Column& column, const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    std::string word = v;
    if (column.codes)
      if (auto it = column.codes->written.find(v); it != column.codes->written.end()) word = it->second;
    if (column.type == ValueType::Boolean) word = v == "true" ? "Yes" : v == "false" ? "No" : v;
    out += (out.empty() ? "" : column.split.empty() ? "; " : column.split) + word;
    if (column.split.empty()) break;  // one value per column unless it is a split one
  }
  return out;
}

// A path without its list positions: "category[1].coding[0].code" → "category[].coding[].code".
std::string positionless(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    out += path[i];
    if (path[i] != '[') continue;
    size_t close = path.find(']', i);
    if (close != std::string::npos && path.find_first_not_of("0123456789", i + 1) == close) i = close - 1;
  }
  return out;
}

// Whether `value`, read at the source's path, is a constant the spec writes in another item
// of the same list: a referral's fixed SNOMED category beside the need's (category[0] and
// [1], which select() cannot tell apart), never the column's value.
bool constant_elsewhere(const Graph& graph, const Source& source, const std::string& value) {
  auto [first, last] = graph.literals.equal_range(source.id);
  for (auto it = first; it != last; ++it)
    if (it->second.second == value && it->second.first != source.path &&
        positionless(it->second.first) == positionless(source.path))
      return true;
  return false;
}

// A column no resource holds but whose one value makes a resource of the row (a referral's
// "Consent on File": Yes makes the Consent): that value when the row has the resource.
std::vector<std::string> said_by_presence(const TableSpec& table, const Column& column, const RowContext& row) {
  for (const ResourceSpec& r : table.resources) {
    const Condition& when = r.when;
    bool one_value = when.tests.size() == 1 && when.present.empty() && when.all.empty() && when.any.empty() &&
                     when.none.empty() && when.tests[0].column == column.key && when.tests[0].in.size() == 1;
    auto made = row.known.find(r.id);
    if (one_value && made != row.known.end() && made->second) return {when.tests[0].in[0]};
  }
  return {};
}

std::vector<std::string> row_values(const TableSpec& table, RowContext& row) {
  // The row's own item's values first: a plan-wide value is not a step's.
  std::vector<const Source*> sources;
  for (bool own : {true, false})
    for (const Source& s : row.graph.sources)
      if ((row.item && s.id == row.row_id && s.path.starts_with(row.list + ".")) == own) sources.push_back(&s);
  std::vector<std::string> values;
  for (const Column& column : table.columns) {
    if (column.lookup || column.stored) continue;
    std::vector<std::string> found;
    for (const Source* source : sources) {
      const Source& s = *source;
      if (s.key != column.key) continue;
      std::string path = s.path;
      const Json* base = row.base(s.id, path);
      std::vector<const Json*> at;
      if (base) select(*base, path, at);
      for (const Json* v : at) {
        std::string t = text_of(*v);
        if (t.size() < s.prefix.size() + s.suffix.size() || !t.starts_with(s.prefix) || !t.ends_with(s.suffix)) continue;
        t = t.substr(s.prefix.size(), t.size() - s.prefix.size() - s.suffix.size());
        if (!t.empty() && !constant_elsewhere(row.graph, s, t)) found.push_back(t);
      }
      if (!found.empty() || (row.item && base == row.item)) break;  // the row's own item says it, even empty
    }
    if (found.empty()) found = said_by_presence(table, column, row);
    values.push_back(agency_value(column, found));
  }
  return values;
}

}  // namespace

Result<std::string> render_csv(const Spec& spec, const rapidjson::Value& fhir, const std::string& agency) {
  if (spec.rows.empty() || spec.tables.size() != 1)
    return Result<std::string>::failure("not-supported", "the mapping \"" + spec.name + "\" does not say what a row is, so FHIR cannot be written back in its format");
  const TableSpec& table = spec.tables.front();
  std::map<std::string, std::string> systems;
  for (auto [name, url] : spec.systems) {
    for (size_t at = url.find("{agency}"); at != std::string::npos; at = url.find("{agency}", at + agency.size()))
      url.replace(at, 8, agency);
    systems[name] = url;
  }
  Graph graph = graph_of(table, systems);
  Resources resources(fhir);
  std::string row_id = spec.rows.substr(0, spec.rows.find('.'));
  std::string list = spec.rows.find('.') == std::string::npos ? "" : spec.rows.substr(spec.rows.find('.') + 1);
  if (!graph.types.count(row_id)) return Result<std::string>::failure("invalid", "the spec's rows name no resource \"" + row_id + "\"");
  std::vector<std::vector<std::string>> rows;
  for (const Resource& r : resources.all) {
    if (r.type != graph.types[row_id]) continue;
    std::vector<const Json*> mine;
    if (!graph.systems[row_id].empty()) select(*r.json, "identifier[system=" + graph.systems[row_id] + "].value", mine);
    if (!graph.systems[row_id].empty() && mine.empty()) continue;  // not one of the agency's
    std::vector<const Json*> items;
    if (list.empty()) items.push_back(nullptr);
    else select(*r.json, list, items);
    for (const Json* item : items) {
      RowContext row{graph, resources, row_id, list, item, {{row_id, &r}}};
      row.resolve();
      rows.push_back(row_values(table, row));
    }
  }
  std::vector<std::string> header;
  for (const Column& c : table.columns)  // a stored column is the stored record's, not the file's
    if (!c.lookup && !c.stored) header.push_back(c.name);
  return csv::write_csv(header, rows);
}

}  // namespace carebridge::mappings::agency
