#include "mappings/hl7v2/to_fhir.h"
#include "mappings/engine/ids.h"

#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "fhir/io/base64.h"
#include "mappings/hl7v2/datatypes.h"
#include "mappings/hl7v2/resource_passes.h"
#include "mappings/hl7v2/transaction.h"

namespace carebridge::mappings::hl7v2 {

using carebridge::Result;
using engine::Node;

namespace {

// One segment map applied to one segment, filling one resource.
struct Application {
  size_t segment;
  const SegmentMap* map;
  size_t made;
};

class Mapper : public DatatypeContext {
 public:
  Mapper(const Message& message, std::string_view raw, const MapSpec& spec, const MessageMap& map, const MapOptions& options)
      : message_(message), raw_(raw), spec_(spec), map_(map), options_(options), warnings_(message.notes()) {
    timezone = message_time_zone(message.value(message.segments().front(), 7), options.default_timezone);
    if (timezone.empty()) {
      timezone = "Z";
      warn("MSH[1]-7", "the message gives no time zone and none is configured (hl7v2_time_zone): "
                       "its times without one are read as UTC");
    }
    sender_ = sender_of(message, options.organization, options.id_secret);
    message_key_ = message_key(message, raw, options.organization, options.id_secret);
  }

  const MapSpec& spec() const override { return spec_; }
  void warn(const std::string& where, const std::string& what) override {
    std::string said = where + ": " + what;
    if (!warned_.insert(said).second) return;  // OBR-7 read for each of the order's results: said once
    warnings_.push_back({Severity::Warning, "value", std::move(said), {}, {}});
  }
  std::string shared_resource(const std::string& type, Node resource) override;
  std::optional<std::string> code_display(std::string_view system, std::string_view code) const override {
    if (!options_.code_display || system.empty()) return std::string();
    return options_.code_display(system, code);
  }

  MappedMessage run(const StructureItem* structure);

 private:
  void place(const StructureItem* structure);
  void make_resources();
  // The records an "into": "previous" map adds to (the nearest's, or with `every` the run's).
  std::vector<size_t> previous_targets(size_t segment, const SegmentMap& map) const;
  size_t target_for(size_t segment, const SegmentMap& map);
  size_t add_made(const std::string& type, const std::string& role, size_t segment, const SegmentMap* map);
  bool holds(const std::vector<Condition>& conditions, const Segment& segment, size_t index) const;
  // A condition's field as it compares it (a segment of the message in scope).
  std::string condition_value(const FieldRef& field, const Segment& segment, size_t index) const;
  bool has_required(const SegmentMap& map, size_t segment) const;
  std::string concatenated(const Rule& rule, size_t segment) const;
  const Segment* segment_in_scope(std::string_view name, size_t segment) const;
  void index_scopes();
  void apply(const Application& a);
  void apply_rule(const Rule& rule, size_t segment, size_t made);
  std::string reference_in_scope(const std::string& role, size_t segment) const;
  // The nearest resource with `role` around the segment that another segment made ("" when none).
  std::string other_in_scope(const std::string& role, size_t segment) const;
  static constexpr size_t kNone = static_cast<size_t>(-1);
  size_t instance_below(size_t inner, size_t outer) const;
  std::vector<std::string> collect_in_scope(const std::string& role, size_t segment) const;
  void add_message_resources();
  // Warns of segments the maps took no part of though they might have (unmapped_segments).
  void warn_unmapped();
  // The Medication a segment of the message made for the drug `resource` names by code, or "".
  std::string made_medication(const std::string& type, const Node& resource) const;
  void finish(Made& made);
  std::string key_text(const FieldRef& ref, size_t segment) const;
  // Records of a `distinct` map with the same identity as an earlier one get their
  // segment's set ID in their identifier (map_spec.h).
  void distinguish_repeats();
  // A child order's results (susceptibilities) to the result they are about (the isolate
  // OBR-26 names, in the order OBR-29 names): derivedFrom, and the parent's hasMember.
  void link_parent_results();

  const Message& message_;
  std::string_view raw_;
  const MapSpec& spec_;
  const MessageMap& map_;
  const MapOptions& options_;
  Grouping grouping_;
  std::vector<Made> made_;
  std::unordered_map<std::string, std::vector<size_t>> by_role_;
  // Resources by role and group, so that scope lookups do not scan every resource: the
  // last made in exactly that group, and all made in it or any group inside it.
  std::map<std::pair<std::string, size_t>, size_t> in_group_;
  std::map<std::pair<std::string, size_t>, std::vector<size_t>> in_scope_;
  std::map<std::pair<std::string, size_t>, size_t> made_by_;  // (role, segment) → the resource that segment made
  std::unordered_map<std::string_view, std::vector<size_t>> segments_named_;  // name → segment indexes
  std::unordered_map<std::string, size_t> shared_;  // shared resource key → made
  std::vector<Application> applications_;
  std::vector<Issue> warnings_;
  std::unordered_set<std::string> warned_;
  std::string sender_, message_key_;
};

void Mapper::place(const StructureItem* structure) {
  for (size_t i = 0; i < message_.segments().size(); ++i) segments_named_[message_.segments()[i].name].push_back(i);
  if (structure) {
    grouping_ = group_segments(message_, *structure);
    // A segment the structure requires and the message lacks (an MDM without TXA) is said
    // at its name, so the error a resource then makes (a document with no status) has its cause.
    // A PID the structure requires is an error (HL7 table 0357's 100): the message's records
    // would be no one's.
    for (const StructureItem& item : structure->items) {
      if (item.segment.empty() || item.optional || segments_named_.count(item.segment)) continue;
      if (item.segment == "PID")
        warnings_.push_back({Severity::Error, "structure", "PID: the message structure requires a PID segment; the message has "
                             "none, so its records would be no one's", {}, {}});
      else
        warn(item.segment, "the message structure requires a " + item.segment + " segment; the message has none");
    }
    return;
  }
  grouping_.parent = {0};
  grouping_.segment_group.assign(message_.segments().size(), 0);
  grouping_.expected.assign(message_.segments().size(), true);
}

std::string Mapper::condition_value(const FieldRef& field, const Segment& segment, size_t index) const {
  const Segment* at = field.segment == segment.name ? &segment : segment_in_scope(field.segment, index);
  if (!at) return {};
  std::string value = message_.value(*at, field.field, 1, std::max<size_t>(field.component, 1),
                                     std::max<size_t>(field.subcomponent, 1));
  // A whole field is compared by its code (the first component), but is empty only when no
  // component holds text: a give code sent as text alone (`^Potassium chloride 20 mEq`) is sent.
  if (value.empty() && field.component == 0) value = FieldValue{&message_, at, field.field, 1, 0}.joined(1, "^");
  return value;
}

bool Mapper::holds(const std::vector<Condition>& conditions, const Segment& segment, size_t index) const {
  for (const Condition& c : conditions) {
    std::string value = condition_value(c.field, segment, index);
    for (size_t i = 0; value.empty() && i < c.alternatives.size(); ++i) value = condition_value(c.alternatives[i], segment, index);
    bool listed = false;
    for (const std::string& v : c.values) listed = listed || v == value;
    if (listed == c.negated) return false;
  }
  return true;
}

// Whether the segment's group has the segments the map requires and none it is made without,
// looked up by name (a scan of every segment for each of a 1,000-OBX result's OBX was quadratic).
bool Mapper::has_required(const SegmentMap& map, size_t segment) const {
  if (map.requires_segments.empty() && map.without_segments.empty()) return true;
  size_t group = grouping_.segment_group[segment];
  auto named = [&](const std::string& name) -> const std::vector<size_t>* {
    auto it = segments_named_.find(name);
    return it == segments_named_.end() ? nullptr : &it->second;
  };
  // `without` looks out too: an OUL's SPM encloses the orders on its specimen.
  for (const std::string& name : map.without_segments)
    if (const auto* at = named(name))
      for (size_t i : *at)
        if (grouping_.within(grouping_.segment_group[i], group) || grouping_.within(group, grouping_.segment_group[i])) return false;
  if (map.requires_segments.empty()) return true;
  for (const std::string& name : map.requires_segments)
    if (const auto* at = named(name))
      for (size_t i : *at)
        if (grouping_.within(grouping_.segment_group[i], group)) return true;
  return false;
}

std::string Mapper::concatenated(const Rule& rule, size_t segment) const {
  const Segment& seg = message_.segments()[segment];
  std::string out;
  for (size_t part = 0; part < rule.concat.size(); ++part) {
    std::string text;
    for (const FieldRef& ref : rule.concat[part]) {
      const Segment* at = ref.segment == seg.name ? &seg : segment_in_scope(ref.segment, segment);
      if (at) text = message_.value(*at, ref.field, 1, std::max<size_t>(ref.component, 1), std::max<size_t>(ref.subcomponent, 1));
      if (!text.empty()) break;
    }
    if (part == 0 && text.empty()) return {};
    if (text.empty()) continue;
    if (!out.empty()) out += "-";
    out += text;
  }
  return out;
}

// The nearest segment named `name` before (or at) `segment` in its group or an enclosing one.
const Segment* Mapper::segment_in_scope(std::string_view name, size_t segment) const {
  auto named = segments_named_.find(name);
  if (named == segments_named_.end()) return nullptr;
  const auto& segments = message_.segments();
  const std::vector<size_t>& candidates = named->second;
  for (auto it = std::upper_bound(candidates.begin(), candidates.end(), segment); it != candidates.begin();) {
    size_t i = *--it;
    if (grouping_.within(grouping_.segment_group[segment], grouping_.segment_group[i])) return &segments[i];
    if (grouping_.within(grouping_.segment_group[i], grouping_.segment_group[segment])) return &segments[i];
  }
  return nullptr;
}

size_t Mapper::add_made(const std::string& type, const std::string& role, size_t segment, const SegmentMap* map) {
  Made m;
  m.type = type;
  m.role = role;
  m.group = grouping_.segment_group[segment];
  m.segment = segment;
  m.map = map;
  m.resource.set("resourceType", Node::string(type));
  const Segment& made_by = message_.segments()[segment];
  m.resource.source = Position{made_by.name, made_by.repetition}.to_string();  // what a missing element traces to
  m.write = map ? map->write : WriteMode::Put;
  m.merges = map && map->merges && m.write == WriteMode::Update && map->identity == "identifier";
  if (map && map->identity == "identifier" && map->write == WriteMode::Update)
    if (auto context = map_.context_writes.find(type); context != map_.context_writes.end()) {
      m.write = context->second;
      m.merges = m.write == WriteMode::Update;
    }
  made_.push_back(std::move(m));
  by_role_[role].push_back(made_.size() - 1);
  in_group_[{role, made_.back().group}] = made_.size() - 1;
  made_by_.emplace(std::pair{role, segment}, made_.size() - 1);
  return made_.size() - 1;
}

std::vector<size_t> Mapper::previous_targets(size_t segment, const SegmentMap& map) const {
  // The resources the nearest earlier segment of another name made (NTE after NTE: the
  // same), within the segment's own group: a note in a goal's group (PPR's GOL, which
  // makes nothing) is the goal's, never the problem's before it. With `every`, those of
  // the segments of that name just before it too (RXA, RXA, RXR).
  const auto& segments = message_.segments();
  const std::string& name = segments[segment].name;
  std::vector<size_t> out;
  size_t previous = SIZE_MAX;
  for (auto a = applications_.rbegin(); a != applications_.rend(); ++a) {
    if (a->segment == segment || (previous == SIZE_MAX && segments[a->segment].name == name)) continue;
    if (previous == SIZE_MAX) previous = a->segment;
    bool same_run = map.every && segments[a->segment].name == segments[previous].name;
    if (a->segment != previous && !same_run) break;
    if (!grouping_.within(grouping_.segment_group[a->segment], grouping_.segment_group[segment])) break;
    const std::string& before = segments[previous].name;
    if (!map.after.empty() && std::find(map.after.begin(), map.after.end(), before) == map.after.end()) break;
    bool wanted = std::find(map.previous_types.begin(), map.previous_types.end(), made_[a->made].type) !=
                  map.previous_types.end();
    if (wanted && std::find(out.begin(), out.end(), a->made) == out.end()) out.push_back(a->made);
  }
  if (map.every || out.size() < 2) return out;
  // Of the records the segment before made or added to, the one whose type `previous` lists
  // first: a note after a VXU's OBX is its Observation's, not the Immunization's the OBX
  // adds its funding to; after an OBR, the order's, not its specimen's.
  auto rank = [&](size_t made) {
    return std::find(map.previous_types.begin(), map.previous_types.end(), made_[made].type) -
           map.previous_types.begin();
  };
  return {*std::min_element(out.begin(), out.end(), [&](size_t a, size_t b) { return rank(a) < rank(b); })};
}

size_t Mapper::target_for(size_t segment, const SegmentMap& map) {
  static constexpr size_t none = SIZE_MAX;
  if (map.into == "previous") {
    std::vector<size_t> targets = previous_targets(segment, map);
    return targets.empty() ? none : targets.front();
  }
  if (!map.into.empty()) {
    for (size_t group = grouping_.segment_group[segment];; group = grouping_.parent[group]) {
      auto hit = in_group_.find({map.into, group});
      if (hit != in_group_.end()) return hit->second;
      if (group == 0) break;
    }
    if (!map.creates) return none;
  }
  return add_made(map.resource, map.role, segment, &map);
}

void Mapper::make_resources() {
  const auto& segments = message_.segments();
  for (size_t i = 0; i < segments.size(); ++i) {
    auto maps = map_.segments.find(segments[i].name);
    if (maps == map_.segments.end()) continue;
    for (const std::string& name : maps->second) {
      const SegmentMap* map = spec_.segment_map(name);
      if (!map) continue;
      if (!holds(map->when, segments[i], i) || !has_required(*map, i)) {
        if (!map->unmade.empty()) warn(Position{segments[i].name, segments[i].repetition}.to_string(), map->unmade);
        continue;
      }
      if (map->into == "previous" && map->every) {
        for (size_t target : previous_targets(i, *map)) applications_.push_back({i, map, target});
        continue;
      }
      size_t target = target_for(i, *map);
      if (target == SIZE_MAX) continue;
      applications_.push_back({i, map, target});
    }
  }
}

void Mapper::index_scopes() {
  for (size_t i = 0; i < made_.size(); ++i) {
    for (size_t group = made_[i].group;; group = grouping_.parent[group]) {
      in_scope_[{made_[i].role, group}].push_back(i);
      if (group == 0) break;
    }
  }
}

// The nearest resource with `role` around the segment: the one it made itself (a DG1's own
// Condition), else in its group, else in the groups enclosing it — but never one made in another instance of a group the segment is in (the
// specimen of the second ORDER_OBSERVATION is not the first one's).
std::string Mapper::reference_in_scope(const std::string& role, size_t segment) const {
  if (auto own = made_by_.find({role, segment}); own != made_by_.end()) return made_[own->second].full_url;
  size_t from = kNone;  // the instance just below `group` on the segment's path
  for (size_t group = grouping_.segment_group[segment];; from = group, group = grouping_.parent[group]) {
    if (auto hit = in_scope_.find({role, group}); hit != in_scope_.end()) {
      for (size_t index : hit->second) {
        size_t below = instance_below(made_[index].group, group);
        if (from == kNone || below == kNone || grouping_.group_of[below] != grouping_.group_of[from])
          return made_[index].full_url;
      }
    }
    if (group == 0) return {};
  }
}

std::string Mapper::other_in_scope(const std::string& role, size_t segment) const {
  auto own = made_by_.find({role, segment});
  for (size_t group = grouping_.segment_group[segment];; group = grouping_.parent[group]) {
    if (auto hit = in_scope_.find({role, group}); hit != in_scope_.end())
      for (size_t index : hit->second)
        if (own == made_by_.end() || index != own->second) return made_[index].full_url;
    if (group == 0) return {};
  }
}

// The instance directly inside `outer` on the way up from `inner`; kNone when `inner` is `outer`.
size_t Mapper::instance_below(size_t inner, size_t outer) const {
  if (inner == outer) return kNone;
  while (grouping_.parent[inner] != outer && inner != 0) inner = grouping_.parent[inner];
  return inner;
}

std::vector<std::string> Mapper::collect_in_scope(const std::string& role, size_t segment) const {
  std::vector<std::string> out;
  auto add = [&](size_t index) {
    if (made_[index].map && made_[index].map->name.rfind("MSH", 0) == 0) return;
    out.push_back(made_[index].full_url);
  };
  if (role == "*") {
    for (size_t i = 0; i < made_.size(); ++i)
      if (made_[i].type != "Provenance" && made_[i].type != "Binary") add(i);
    return out;
  }
  auto hit = in_scope_.find({role, grouping_.segment_group[segment]});
  if (hit != in_scope_.end())
    for (size_t index : hit->second) add(index);
  return out;
}

void Mapper::apply_rule(const Rule& rule, size_t segment, size_t index) {
  // Datatype maps may add resources (an XCN's Practitioner): made_ is indexed, not held.
  auto target = [&]() -> Node& { return made_[index].resource; };
  const Segment& seg = message_.segments()[segment];
  if (!holds(rule.when, seg, segment)) return;
  if (rule.if_absent && get_path(target(), rule.absent_path)) return;
  if (rule.value) {
    Node value = *rule.value;
    if (value.kind == Node::Kind::String && value.text == "$now") {
      std::time_t now = std::time(nullptr);
      std::tm utc{};
      gmtime_r(&now, &utc);
      char text[32];
      std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
      value.text = text;
    }
    set_path(target(), rule.to_path, shaped(rule, std::move(value)));
    return;
  }
  if (!rule.ref.empty()) {
    std::string url = rule.other ? other_in_scope(rule.ref, segment) : reference_in_scope(rule.ref, segment);
    if (url.empty() && rule.ref == "Patient" && !segments_named_.count("PID"))  // said where the cause is
      warn("PID", "the message has no PID segment, so names no patient: the " + made_[index].type + "'s " + rule.to +
                      " is left out");
    Node r;
    r.set("reference", Node::string(url));
    set_path(target(), rule.to_path, shaped(rule, std::move(r)));
    return;
  }
  if (!rule.concat.empty()) {
    set_path(target(), rule.to_path, Node::string(concatenated(rule, segment), message_.segments()[segment].name));
    return;
  }
  if (!rule.collect.empty()) {
    for (const std::string& url : collect_in_scope(rule.collect, segment)) {
      Node r;
      r.set("reference", Node::string(url));
      set_path(target(), rule.to_path, shaped(rule, std::move(r)));
    }
    return;
  }
  const Segment* source = rule.from->segment == seg.name ? &seg : segment_in_scope(rule.from->segment, segment);
  if (!source) return;
  if (message_.is_null(*source, rule.from->field)) {  // `""`: delete what the record has
    if (made_[index].merges) made_[index].cleared.push_back(merge_key(rule));
    return;
  }
  size_t repetitions = message_.repetitions(*source, rule.from->field);
  bool all = rule.to.find("[]") != std::string::npos && !rule.first_only;  // one item per repetition
  if (!all && repetitions > 1 && !keeps_every_repetition(rule, {&message_, source, rule.from->field, 1, rule.from->component})) {
    FieldValue second{&message_, source, rule.from->field, 2, rule.from->component};
    if (!second.empty())  // said, never silently dropped (two organisms in one OBX-5, a pager in XTN-12)
      warn(second.where(), "the field repeats " + std::to_string(repetitions) + " times; " + rule.to +
                               " takes one value, so only the first is kept");
  }
  constexpr size_t kMaxRepetitions = 1000;  // past any real use: each item is compared with those before it
  if (all && repetitions > kMaxRepetitions) {
    warn(FieldValue{&message_, source, rule.from->field, kMaxRepetitions + 1, rule.from->component}.where(),
         "the field repeats " + std::to_string(repetitions) + " times; only the first " + std::to_string(kMaxRepetitions) +
             " are kept");
    repetitions = kMaxRepetitions;
  }
  for (size_t rep = 1; rep <= std::max<size_t>(repetitions, 1) && (all || rep == 1); ++rep) {
    FieldValue v{&message_, source, rule.from->field, rep, rule.from->component};
    std::string suffix;
    Node value = rule.from->subcomponent  // a sub-component is text
                     ? Node::string(v.part(rule.from->subcomponent), v.where(rule.from->subcomponent))
                     : convert(rule, v, *this, suffix);
    if (value.empty()) continue;
    if (value.source.empty()) value.source = v.where();
    if (size_t x = rule.to.find("[x]"); x != std::string::npos) {
      std::string path = rule.to;
      set_path(target(), path.replace(x, 3, suffix), shaped(rule, std::move(value)));
    } else {
      set_path(target(), rule.to_path, shaped(rule, std::move(value)));
    }
  }
}

}  // namespace
}  // namespace carebridge::mappings::hl7v2

namespace carebridge::mappings::hl7v2 {

void Mapper::link_parent_results() {
  const auto& segments = message_.segments();
  std::vector<size_t> order_of(segments.size(), kNone);  // each segment's OBR, the nearest before it
  for (size_t i = 0, obr = kNone; i < segments.size(); ++i) {
    if (segments[i].name == "OBR") obr = i;
    order_of[i] = obr;
  }
  std::vector<std::pair<size_t, size_t>> results;  // (OBX segment, its Observation)
  for (const Application& a : applications_)  // the maps that made an OBX's Observation (not those that add to it)
    if (segments[a.segment].name == "OBX" && made_[a.made].type == "Observation" && made_[a.made].segment == a.segment &&
        a.map == made_[a.made].map)
      results.emplace_back(a.segment, a.made);
  for (size_t obr = 0; obr < segments.size(); ++obr) {
    if (segments[obr].name != "OBR") continue;
    std::string code = message_.value(segments[obr], 26, 1, 1, 1), sub_id = message_.value(segments[obr], 26, 1, 2);
    std::string filler = message_.value(segments[obr], 29, 1, 2, 1);
    if (code.empty()) continue;
    size_t parent = kNone;
    for (const auto& [obx, made] : results) {
      size_t its_order = order_of[obx];
      if (its_order == obr || message_.value(segments[obx], 3) != code || message_.value(segments[obx], 4) != sub_id) continue;
      if (!filler.empty() && its_order != kNone && message_.value(segments[its_order], 3) != filler) continue;
      parent = made;
    }
    if (parent == kNone) continue;
    for (const auto& [obx, made] : results) {
      if (order_of[obx] != obr) continue;
      Node to_parent, to_child;
      to_parent.set("reference", Node::string(made_[parent].full_url));
      to_child.set("reference", Node::string(made_[made].full_url));
      made_[made].resource.append("derivedFrom", std::move(to_parent));
      made_[parent].resource.append("hasMember", std::move(to_child));
    }
  }
}

void Mapper::distinguish_repeats() {
  std::unordered_set<std::string> seen;
  for (Made& made : made_) {
    if (!made.map || !made.map->distinct || made.map->identity.empty()) continue;
    std::string criteria = identity_criteria(made.resource, made.map->identity);
    if (criteria.empty() || seen.insert(made.type + "?" + criteria).second) continue;
    Node* ids = made.resource.member(made.map->identity);
    if (!ids->is_array()) continue;
    for (Node& id : ids->children) {
      Node* value = id.member("value");
      if (!value || value->text.empty()) continue;
      const Segment& segment = message_.segments()[made.segment];
      std::string set_id = message_.value(segment, 1);
      value->text += "-" + (set_id.empty() ? std::to_string(segment.repetition) : set_id);
      break;
    }
  }
}

// A drug named by its code (RXD-2, RXA-5) that a segment of the message made a Medication
// for (RXE-2, with its form and ingredients) is that Medication, not a second record of the
// same drug.
std::string Mapper::made_medication(const std::string& type, const Node& resource) const {
  const Node* code = resource.member("code");
  if (type != "Medication" || !code) return {};
  std::string wanted, its;
  write_json(*code, wanted);
  for (const Made& made : made_) {
    const Node* other = made.shared || made.type != type ? nullptr : made.resource.member("code");
    if (!other) continue;
    its.clear();
    write_json(*other, its);
    if (its == wanted) return made.full_url;
  }
  return {};
}

std::string Mapper::shared_resource(const std::string& type, Node resource) {
  if (std::string made = made_medication(type, resource); !made.empty()) return made;
  std::string criteria = identity_criteria(resource, "identifier");
  std::string content;
  if (criteria.empty()) write_json(resource, content);
  std::string key = type + "|" + (criteria.empty() ? content : criteria);
  auto hit = shared_.find(key);
  if (hit != shared_.end()) return made_[hit->second].full_url;
  Made m;
  m.type = m.role = type;
  m.shared = true;
  m.write = criteria.empty() ? WriteMode::Put : WriteMode::Create;
  std::string source = resource.source;
  m.resource.set("resourceType", Node::string(type));
  for (Node& child : resource.children) m.resource.children.push_back(std::move(child));
  m.resource.source = source;
  m.key = key;
  m.full_url = "urn:uuid:" + engine::name_uuid(key);
  made_.push_back(std::move(m));
  shared_.emplace(key, made_.size() - 1);
  return made_.back().full_url;
}

void Mapper::add_message_resources() {
  if (!options_.keep_message) return;
  Made m;
  m.type = m.role = "Binary";
  m.key = "Binary|" + message_key_;
  m.full_url = "urn:uuid:" + engine::name_uuid(m.key);
  m.resource.set("resourceType", Node::string("Binary"));
  m.resource.set("contentType", Node::string("x-application/hl7-v2+er7"));
  m.resource.set("data", Node::string(fhir::io::base64_encode(std::string(raw_))));
  made_.push_back(std::move(m));
  by_role_["Binary"].push_back(made_.size() - 1);
}

void Mapper::finish(Made& made) {
  prune(made.resource);
  std::string key = made.key;
  if (key.empty() && made.map) {
    std::string values;
    bool all = !made.map->key.empty();
    for (const KeyPart& part : made.map->key) {
      std::string v;
      for (size_t i = 0; i < part.alternatives.size() && v.empty(); ++i) v = key_text(part.alternatives[i], made.segment);
      all = all && (!v.empty() || part.optional);
      values += v + "|";
    }
    key = made.type + "|" + (all ? sender_ + "|" + values : message_key_ + "|" + std::to_string(made.segment) + "|" + made.map->name);
  }
  made.key = key;
}

// A key field's text: a component as sent, or a whole field's components joined
// ("^SULFA DRUGS": "SULFA DRUGS"), so a record sent as free text is the same record again.
std::string Mapper::key_text(const FieldRef& ref, size_t segment) const {
  const Segment& seg = message_.segments()[segment];
  const Segment* at = ref.segment == seg.name ? &seg : segment_in_scope(ref.segment, segment);
  if (!at) return {};
  if (ref.component == 0) return FieldValue{&message_, at, ref.field, 1, 0}.joined(1, "^");
  return message_.value(*at, ref.field, 1, ref.component, std::max<size_t>(ref.subcomponent, 1));
}

// A segment the structure has no place for is mapped where it appeared, when a map takes
// it there. A segment that only adds to the record the segment before it made (an NTE's
// note, an RXR's route) is not mapped when that one made none it adds to (a note after an
// ORC that made nothing, after a PID): both are said, never silently dropped.
void Mapper::warn_unmapped() {
  const auto& segments = message_.segments();
  std::vector<bool> applied(segments.size(), false);
  for (const Application& a : applications_) applied[a.segment] = true;
  for (size_t i = 1; i < segments.size(); ++i) {
    const std::string& name = segments[i].name;
    std::string where = Position{name, segments[i].repetition}.to_string();
    if (!grouping_.expected[i] && name[0] != 'Z') {
      warn(where, applied[i] ? "the segment is not part of the message structure; it was mapped where it appeared"
                             : "the segment is not part of the message structure, and no map takes it where it appeared: "
                               "it was not mapped");
      continue;
    }
    auto maps = map_.segments.find(name);
    if (applied[i] || maps == map_.segments.end() || maps->second.empty()) continue;
    bool adds_to_previous = true;
    for (const std::string& map : maps->second) {
      const SegmentMap* m = spec_.segment_map(map);
      adds_to_previous = adds_to_previous && m && m->into == "previous";
    }
    size_t before = i;
    while (before > 0 && segments[before].name == name) --before;  // NTE after NTE: the same
    if (adds_to_previous)
      warn(where, "the segment adds to the record the segment before it (" + segments[before].name +
                      ") made, and that one made none it adds to: it was not mapped");
  }
}

void Mapper::apply(const Application& a) {
  for (const Rule& rule : a.map->rules) apply_rule(rule, a.segment, a.made);
}

MappedMessage Mapper::run(const StructureItem* structure) {
  place(structure);
  add_message_resources();
  make_resources();
  warn_unmapped();
  for (Made& made : made_) {
    if (made.shared || !made.full_url.empty()) continue;
    finish(made);
    made.full_url = "urn:uuid:" + engine::name_uuid(made.key);
  }
  index_scopes();
  // The message's own maps (MSH: the Provenance of everything) go last.
  std::stable_partition(applications_.begin(), applications_.end(), [](const Application& a) { return a.segment != 0; });
  for (const Application& a : applications_) apply(a);
  for (const auto& [target, value] : map_.set) {
    size_t dot = target.find('.');
    for (Made& made : made_)
      if (made.type == target.substr(0, dot)) set_path(made.resource, target.substr(dot + 1), value);
  }
  link_parent_results();
  distinguish_repeats();
  for (Made& made : made_) {
    if (made.type == "DocumentReference") join_text_lines(made.resource);
    if (made.type == "Appointment") {
      end_from_duration(made.resource);
      if (const Node* start = made.resource.member("start"); start && !made.resource.member("end"))
        warn(start->source, "the appointment starts here but no end or duration is given (SCH-9/SCH-10, an AIS, AIG, AIL "
                            "or AIP's 7 and 8, TQ1-8): FHIR's Appointment needs both its start and its end");
    }
    if (made.type == "Observation") conform_vital_sign(made.resource, spec_);
    drop_repeats(made.resource);
    prune(made.resource);
  }
  MappedMessage out;
  make_transaction(made_, out, sender_uri(message_));
  out.warnings = std::move(warnings_);
  return out;
}

std::string MappedMessage::bundle_json() const {
  std::string json;
  write_json(tree, json);
  return json;
}

Result<MappedMessage> map_to_fhir(const Message& message, std::string_view raw, const MapSpec& spec, const MapOptions& options) {
  std::string code = message.message_code(), event = message.trigger_event();
  const MessageMap* map = spec.message(code, event);
  if (!map || message.segments().empty()) {
    return Result<MappedMessage>::failure("not-supported", "MSH[1]-9: the message type '" + code +
                                                               (event.empty() ? "" : "^" + event) + "' is not one this gateway maps to FHIR");
  }
  if (!map->refusal.empty())
    return Result<MappedMessage>::failure("not-supported", "MSH[1]-9: " + code + "^" + event + ": " + map->refusal);
  if (std::string misfiled = misfiled_event(code, event); !misfiled.empty())
    return Result<MappedMessage>::failure("structure", "MSH[1]-9.2: " + misfiled);
  const StructureItem* structure = spec.structure(code, event, message.structure());
  Mapper mapper(message, raw, spec, *map, options);
  MappedMessage out = mapper.run(structure);
  out.message_type = code + "^" + event;
  out.structure = spec.structure_name(code, event, message.structure());
  return out;
}

}  // namespace carebridge::mappings::hl7v2
