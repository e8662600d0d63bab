#include "mappings/hl7v2/map_spec.h"
#include "fhir/io/shipped_path.h"

#include "mappings/hl7v2/datatypes.h"
#include "mappings/hl7v2/digits.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifndef CAREBRIDGE_HL7V2_MAPS_DIR
#define CAREBRIDGE_HL7V2_MAPS_DIR "mappings/hl7v2/maps"
#endif

namespace carebridge::mappings::hl7v2 {

namespace fs = std::filesystem;
using carebridge::Result;
using Json = rapidjson::Value;

std::optional<FieldRef> parse_field_ref(std::string_view text) {
  FieldRef ref;
  size_t dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  ref.segment = std::string(text.substr(0, dash));
  text.remove_prefix(dash + 1);
  size_t* targets[] = {&ref.field, &ref.component, &ref.subcomponent};
  for (size_t* target : targets) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *target);
    if (ec != std::errc() || *target == 0) return std::nullopt;
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    if (text.empty()) return ref;
    if (text.front() != '.') return std::nullopt;
    text.remove_prefix(1);
  }
  return std::nullopt;
}

struct SpecReader {
  MapSpec& spec;
  std::string file;
  std::vector<Issue> issues;

  void error(const std::string& where, const std::string& what) {
    issues.push_back({Severity::Error, "invalid", file + ": " + where + ": " + what, {}, {}});
  }

  static std::string text(const Json& value, const char* name) {
    if (!value.IsObject()) return {};
    auto it = value.FindMember(name);
    return it != value.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                           : std::string();
  }

  static engine::Node node(const Json& value) {
    if (value.IsString()) return engine::Node::string(value.GetString());
    if (value.IsBool()) return engine::Node::boolean(value.GetBool());
    if (value.IsNumber()) {
      return engine::Node::number(value.IsInt64() ? std::to_string(value.GetInt64()) : std::to_string(value.GetDouble()));
    }
    engine::Node n;
    if (value.IsArray()) {
      n.kind = engine::Node::Kind::Array;
      for (const Json& item : value.GetArray()) n.children.push_back(node(item));
    } else if (value.IsObject()) {
      for (const auto& m : value.GetObject()) {
        engine::Node child = node(m.value);
        child.name = m.name.GetString();
        n.children.push_back(std::move(child));
      }
    }
    return n;
  }

  std::optional<FieldRef> field(const std::string& where, const std::string& ref) {
    auto parsed = parse_field_ref(ref);
    if (!parsed) error(where, "'" + ref + "' is not a field like PID-3 or OBX-5.1");
    return parsed;
  }
  // "OBR-3.1|ORC-3.1": the fields in order of preference.
  std::vector<FieldRef> alternatives(const std::string& where, std::string_view text) {
    std::vector<FieldRef> out;
    while (!text.empty()) {
      size_t bar = text.find('|');
      if (auto ref = field(where, std::string(text.substr(0, bar)))) out.push_back(*ref);
      text.remove_prefix(bar == std::string_view::npos ? text.size() : bar + 1);
    }
    return out;
  }


  std::vector<Condition> conditions(const std::string& where, const Json& value, bool negated) {
    std::vector<Condition> out;
    if (!value.IsObject()) return out;
    for (const auto& m : value.GetObject()) {
      auto refs = alternatives(where, m.name.GetString());
      if (refs.empty()) continue;
      Condition c{refs.front(), {}, negated, {refs.begin() + 1, refs.end()}};
      if (m.value.IsArray()) {
        for (const Json& v : m.value.GetArray())
          if (v.IsString()) c.values.emplace_back(v.GetString());
      } else if (m.value.IsString()) {
        c.values.emplace_back(m.value.GetString());
      } else if (std::string table = text(m.value, "table"); !table.empty()) {  // the codes a table lists
        auto listed = spec.vocabularies_.find(table);  // vocabulary.json is read before the segment maps
        if (listed == spec.vocabularies_.end()) error(where, "no vocabulary table '" + table + "'");
        else for (const auto& entry : listed->second.entries) c.values.push_back(entry.first);
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  Rule rule(const std::string& where, const Json& value) {
    Rule r;
    r.to = text(value, "to");
    r.to_path = engine::Path(r.to);
    r.as = text(value, "as");
    r.table = text(value, "table");
    r.ref = text(value, "ref");
    r.other = value.HasMember("other") && value["other"].IsTrue();
    r.collect = text(value, "collect");
    if (std::string from = text(value, "from"); !from.empty()) r.from = field(where, from);
    if (std::string unit = text(value, "unit"); !unit.empty()) r.unit = field(where, unit);
    if (std::string type_of = text(value, "type_from"); !type_of.empty()) r.type_of = field(where, type_of);
    if (std::string high = text(value, "high"); !high.empty()) r.high = field(where, high);
    if (value.HasMember("value")) r.value = node(value["value"]);
    r.member = text(value, "member");
    if (value.HasMember("with")) r.with = node(value["with"]);
    if (value.HasMember("concat") && value["concat"].IsArray()) {
      for (const Json& part : value["concat"].GetArray()) {
        r.concat.push_back(alternatives(where, part.IsString() ? part.GetString() : ""));
      }
    }
    if (value.HasMember("when")) r.when = conditions(where, value["when"], false);
    if (value.HasMember("unless")) {
      auto negated = conditions(where, value["unless"], true);
      r.when.insert(r.when.end(), negated.begin(), negated.end());
    }
    // "if_absent": true is a default for `to`; a path names another element whose absence it
    // waits for (a dispense names its order by number only when no MedicationRequest of the
    // message is it).
    bool absent_named = value.HasMember("if_absent") && value["if_absent"].IsString();
    r.if_absent = absent_named || (value.HasMember("if_absent") && value["if_absent"].IsTrue());
    r.absent_path = engine::Path(absent_named ? value["if_absent"].GetString() : r.to);
    r.first_only = value.HasMember("first") && value["first"].IsTrue();
    if (r.to.empty()) error(where, "a rule has no \"to\"");
    if (!r.from && !r.value && r.ref.empty() && r.collect.empty() && r.concat.empty())
      error(where, "a rule to '" + r.to + "' has no \"from\", \"value\", \"ref\" or \"collect\"");
    return r;
  }

  static WriteMode write_mode(const std::string& text) {
    if (text == "create") return WriteMode::Create;
    if (text == "put") return WriteMode::Put;
    return WriteMode::Update;
  }

  void segment_maps(const Json& root) {
    for (const auto& m : root.GetObject()) {
      if (m.name.GetString()[0] == '_' || !m.value.IsObject()) continue;
      SegmentMap map;
      map.name = m.name.GetString();
      const Json& v = m.value;
      map.resource = text(v, "resource");
      map.role = text(v, "role");
      if (map.role.empty()) map.role = map.resource;
      map.into = text(v, "into");
      map.identity = text(v, "identity");
      map.write = write_mode(text(v, "write"));
      map.distinct = v.HasMember("distinct") && v["distinct"].IsTrue();
      map.merges = v.HasMember("merge") && v["merge"].IsTrue();
      map.creates = !(v.HasMember("create") && v["create"].IsFalse());
      map.every = v.HasMember("every") && v["every"].IsTrue();
      if (v.HasMember("previous") && v["previous"].IsArray())
        for (const Json& t : v["previous"].GetArray()) map.previous_types.emplace_back(t.GetString());
      if (v.HasMember("after") && v["after"].IsArray())
        for (const Json& t : v["after"].GetArray()) map.after.emplace_back(t.GetString());
      if (v.HasMember("requires") && v["requires"].IsArray())
        for (const Json& t : v["requires"].GetArray()) map.requires_segments.emplace_back(t.GetString());
      if (v.HasMember("unmade") && v["unmade"].IsString()) map.unmade = v["unmade"].GetString();
      if (v.HasMember("without") && v["without"].IsArray())
        for (const Json& t : v["without"].GetArray()) map.without_segments.emplace_back(t.GetString());
      if (v.HasMember("key") && v["key"].IsArray())
        for (const Json& k : v["key"].GetArray()) {
          std::string_view text = k.IsString() ? k.GetString() : "";
          KeyPart part;
          part.optional = text.ends_with('?');
          if (part.optional) text.remove_suffix(1);
          part.alternatives = alternatives(map.name, text);
          map.key.push_back(std::move(part));
        }
      if (v.HasMember("when")) map.when = conditions(map.name, v["when"], false);
      if (v.HasMember("unless")) {
        auto negated = conditions(map.name, v["unless"], true);
        map.when.insert(map.when.end(), negated.begin(), negated.end());
      }
      if (map.resource.empty() && map.into != "previous") error(map.name, "no \"resource\"");
      if (v.HasMember("rules") && v["rules"].IsArray())
        for (const Json& r : v["rules"].GetArray())
          if (r.IsObject()) map.rules.push_back(rule(map.name, r));
      spec.segment_maps_[map.name] = std::move(map);
    }
  }

  void vocabularies(const Json& root) {
    for (const auto& m : root.GetObject()) {
      if (m.name.GetString()[0] == '_' || !m.value.IsObject()) continue;
      Vocabulary vocabulary;
      vocabulary.system = text(m.value, "system");
      auto entry = [&](const Json& e) {
        if (e.IsString()) return VocabularyEntry{e.GetString(), vocabulary.system, {}};
        VocabularyEntry out{text(e, "code"), text(e, "system"), text(e, "display")};
        if (out.system.empty()) out.system = vocabulary.system;
        return out;
      };
      if (m.value.HasMember("map") && m.value["map"].IsObject())
        for (const auto& c : m.value["map"].GetObject()) vocabulary.entries[c.name.GetString()] = entry(c.value);
      if (m.value.HasMember("default")) vocabulary.fallback = entry(m.value["default"]);
      vocabulary.closed = m.value.HasMember("closed") && m.value["closed"].IsTrue();
      spec.vocabularies_[m.name.GetString()] = std::move(vocabulary);
    }
  }

  void structures(const Json& root) {
    if (root.HasMember("structures") && root["structures"].IsObject()) {
      for (const auto& m : root["structures"].GetObject()) {
        auto parsed = parse_structure(m.value.IsString() ? m.value.GetString() : "");
        if (!parsed) error(m.name.GetString(), parsed.message());
        else spec.structures_[m.name.GetString()] = std::move(*parsed);
      }
    }
    if (root.HasMember("events") && root["events"].IsObject())
      for (const auto& m : root["events"].GetObject())
        if (m.value.IsString()) spec.events_[m.name.GetString()] = m.value.GetString();
  }

  // Reads one message map's entries over `base`.
  MessageMap message_map(const Json& value, MessageMap base) {
    if (value.HasMember("segments") && value["segments"].IsObject()) {
      for (const auto& s : value["segments"].GetObject()) {
        std::vector<std::string> names;
        if (s.value.IsArray())
          for (const Json& n : s.value.GetArray()) names.emplace_back(n.GetString());
        base.segments[s.name.GetString()] = std::move(names);
      }
    }
    for (const auto& [name, type] : {std::pair{"patient", "Patient"}, std::pair{"encounter", "Encounter"}})
      if (std::string w = text(value, name); !w.empty()) base.context_writes[type] = write_mode(w);
    if (value.HasMember("set") && value["set"].IsObject())
      for (const auto& s : value["set"].GetObject()) base.set.emplace_back(s.name.GetString(), node(s.value));
    if (value.HasMember("merge")) base.merge = value["merge"].IsTrue();
    if (std::string why = text(value, "refuse"); !why.empty()) base.refusal = why;
    return base;
  }

  void messages(const Json& root) {
    MessageMap defaults;
    if (root.HasMember("default") && root["default"].IsObject()) defaults = message_map(root["default"], {});
    for (const auto& m : root.GetObject()) {
      std::string name = m.name.GetString();
      if (m.value.IsObject() && name != "default" && name.front() != '_') message(root, name, defaults, 0);
    }
  }

  // The map of message `name` ("ADT", "ADT^A40"), read once: its entries over the map it is
  // `like` ("OUL": {"like": "ORU"}), else an event's over its message code's ("ADT^A40" over
  // "ADT"), else over the defaults.
  const MessageMap* message(const Json& root, const std::string& name, const MessageMap& defaults, int depth) {
    if (auto done = spec.messages_.find(name); done != spec.messages_.end()) return &done->second;
    auto value = root.FindMember(name.c_str());
    if (value == root.MemberEnd() || !value->value.IsObject()) return nullptr;
    if (depth > 8) {
      error("messages.json " + name, "\"like\" goes round in a circle");
      return nullptr;
    }
    const MessageMap* base = nullptr;
    if (std::string like = text(value->value, "like"); !like.empty()) {
      base = message(root, like, defaults, depth + 1);
      if (!base) error("messages.json " + name, "\"like\" names no message map '" + like + "'");
    } else if (name.find('^') != std::string::npos) {
      base = message(root, name.substr(0, name.find('^')), defaults, depth + 1);
    }
    return &(spec.messages_[name] = message_map(value->value, base ? *base : defaults));
  }

  void check_references() {
    for (const auto& [name, message] : spec.messages_)
      for (const auto& [segment, maps] : message.segments)
        for (const std::string& map : maps)
          if (!spec.segment_maps_.count(map)) error("messages.json " + name + " " + segment, "no segment map '" + map + "'");
    for (const auto& [name, map] : spec.segment_maps_)
      for (const Rule& r : map.rules)
      {
        if (!r.table.empty() && !spec.vocabularies_.count(r.table)) error(name, "no vocabulary table '" + r.table + "'");
        if (r.from && !known_datatype_map(r.as)) error(name, "no datatype map '" + r.as + "' (rule to '" + r.to + "')");
      }
    for (const auto& [event, structure] : spec.events_)
      if (!spec.structures_.count(structure)) error("structures.json " + event, "no structure '" + structure + "'");
  }
};

namespace {

bool read_json(const fs::path& path, rapidjson::Document& document, std::vector<Issue>& issues) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    issues.push_back({Severity::Error, "not-found", "HL7 v2 maps: cannot read '" + path.string() + "'", {}, {}});
    return false;
  }
  std::string content = text.str();
  document.Parse(content.c_str(), content.size());
  if (document.HasParseError() || !document.IsObject()) {
    issues.push_back({Severity::Error, "invalid",
                      path.string() + ": not a JSON object (" + rapidjson::GetParseError_En(document.GetParseError()) +
                          " at offset " + std::to_string(document.GetErrorOffset()) + ")",
                      {}, {}});
    return false;
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<const MapSpec>> MapSpec::load(const std::string& dir) {
  auto spec = std::make_shared<MapSpec>();
  SpecReader reader{*spec, {}, {}};
  const std::pair<const char*, void (SpecReader::*)(const Json&)> files[] = {
      {"structures.json", &SpecReader::structures},
      {"vocabulary.json", &SpecReader::vocabularies},
      {"segments.json", &SpecReader::segment_maps},
      {"messages.json", &SpecReader::messages},
  };
  for (const auto& [file, read] : files) {
    rapidjson::Document document;
    reader.file = file;
    if (read_json(fs::path(dir) / file, document, reader.issues)) (reader.*read)(document);
  }
  reader.file = dir;
  if (reader.issues.empty()) reader.check_references();
  if (!reader.issues.empty()) return reader.issues;
  return std::shared_ptr<const MapSpec>(std::move(spec));
}

std::string MapSpec::default_dir() {
  return fhir::io::shipped_path("CAREBRIDGE_HL7V2_MAPS", {"hl7v2-maps", "../mappings/hl7v2/maps"}, CAREBRIDGE_HL7V2_MAPS_DIR,
                                [](const fs::path& dir) { return fs::exists(dir / "messages.json"); })
      .string();
}

Result<std::shared_ptr<const MapSpec>> MapSpec::load_default() { return load(default_dir()); }

std::string MapSpec::structure_name(std::string_view code, std::string_view event, std::string_view declared) const {
  if (!declared.empty() && structures_.count(declared)) return std::string(declared);
  auto it = events_.find(std::string(code) + "^" + std::string(event));
  if (it != events_.end()) return it->second;
  std::string own = std::string(code) + "_" + std::string(event);
  return structures_.count(own) ? own : std::string();
}

const StructureItem* MapSpec::structure(std::string_view code, std::string_view event, std::string_view declared) const {
  auto it = structures_.find(structure_name(code, event, declared));
  return it == structures_.end() ? nullptr : &it->second;
}

const MessageMap* MapSpec::message(std::string_view code, std::string_view event) const {
  auto it = messages_.find(std::string(code) + "^" + std::string(event));
  if (it == messages_.end()) it = messages_.find(code);
  return it == messages_.end() ? nullptr : &it->second;
}

std::string misfiled_event(std::string_view code, std::string_view event) {
  bool adt_event = event.size() == 3 && event[0] == 'A' && std::isdigit(static_cast<unsigned char>(event[1])) &&
                   std::isdigit(static_cast<unsigned char>(event[2]));
  if (code != "ADT" || event.empty() || adt_event) return {};
  return "'" + std::string(event) + "' is not an ADT trigger event (A01 to A62)";
}

const SegmentMap* MapSpec::segment_map(std::string_view name) const {
  auto it = segment_maps_.find(name);
  return it == segment_maps_.end() ? nullptr : &it->second;
}

const VocabularyEntry* Vocabulary::listed(std::string_view code) const {
  if (auto it = entries.find(code); it != entries.end()) return &it->second;
  auto same = [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b)); };
  for (const auto& [key, entry] : entries)
    if (key.size() == code.size() && std::equal(key.begin(), key.end(), code.begin(), same)) return &entry;
  return nullptr;
}

const Vocabulary* MapSpec::vocabulary(std::string_view name) const {
  auto it = vocabularies_.find(name);
  return it == vocabularies_.end() ? nullptr : &it->second;
}

std::string MapSpec::field_for(std::string_view resource_type, std::string_view element) const {
  std::string found;
  for (const auto& [name, map] : segment_maps_) {
    if (map.resource != resource_type) continue;
    for (const Rule& rule : map.rules) {
      std::string_view to = rule.to;
      bool fills = to.starts_with(element) && (to.size() == element.size() || to[element.size()] == '.' ||
                                                to[element.size()] == '[');
      if (!fills || !rule.from) continue;
      std::string segment = rule.from->segment.empty() ? name.substr(0, name.find('[')) : rule.from->segment;
      std::string field = segment + "-" + std::to_string(rule.from->field);
      if (!found.empty() && found != field) return {};
      found = field;
    }
  }
  return found;
}

std::string MapSpec::coding_system(std::string_view v2_name) const {
  if (v2_name.empty()) return {};
  if (const Vocabulary* systems = vocabulary("coding-systems"))
    if (const VocabularyEntry* e = systems->listed(v2_name)) return e->code;
  if (v2_name.size() == 7 && v2_name.substr(0, 3) == "HL7") return "http://terminology.hl7.org/CodeSystem/v2-" + std::string(v2_name.substr(3));
  if (v2_name.find("://") != std::string_view::npos || v2_name.substr(0, 4) == "urn:") return std::string(v2_name);
  if (is_oid(v2_name)) return "urn:oid:" + std::string(v2_name);
  return {};
}

}  // namespace carebridge::mappings::hl7v2
