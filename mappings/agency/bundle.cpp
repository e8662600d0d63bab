// The transaction Bundle of one map call (builder.h): the records rows not taken would have
// made and the rows that refer to them, references by identity made fullUrls or conditional
// references, and each built resource as a conditional update (or create) entry.
#include "mappings/agency/builder.h"

#include <algorithm>

#include "mappings/engine/ids.h"
#include "mappings/engine/node_json.h"

namespace carebridge::mappings::agency::building {

namespace {

// The record a list item names: its own reference, or its first member's (a Group member's
// entity, a characteristic's valueReference).
std::string reference_of(const Node& item) {
  if (item.is_object() && item.member("reference")) return std::string(item.text_of("reference"));
  for (const Node& member : item.children)
    if (member.is_object() && member.member("reference")) return std::string(member.text_of("reference"));
  return {};
}

// A list item's element id ("enrollment-42" on a household member), or "".
std::string_view element_id(const Node& item) {
  return item.is_object() ? item.text_of("id") : std::string_view();
}

// What a trim takes out of a record's lists: the items naming a deleted record, and those
// with one of the element ids.
struct Gone {
  const std::set<std::string>& records;
  const std::set<std::string>& items;
  bool operator()(const Node& item) const {
    std::string_view id = element_id(item);
    return (!id.empty() && items.count(std::string(id))) || records.count(reference_of(item));
  }
};

// Takes out of every list below `node` the items that are `gone`, and the lists left empty;
// false when every list that held such an item is left empty (nothing else was listed).
bool drop_items(Node& node, const Gone& gone, size_t& trimmed, size_t& emptied) {
  if (node.is_value()) return true;
  if (node.is_array()) {
    size_t before = node.children.size();
    std::erase_if(node.children, gone);
    trimmed += node.children.size() != before;
    emptied += node.children.size() != before && node.children.empty();
  }
  for (Node& child : node.children) drop_items(child, gone, trimmed, emptied);
  if (node.is_object()) std::erase_if(node.children, [](const Node& c) { return c.is_array() && c.children.empty(); });
  return trimmed == 0 || emptied < trimmed;
}

bool drop_items(Node& node, const Gone& gone) {
  size_t trimmed = 0, emptied = 0;
  return drop_items(node, gone, trimmed, emptied);
}

// Whether one of the resource's extensions with this url names the record ("EpisodeOfCare/7").
bool links_to(const Node& resource, const std::string& url, const std::string& record) {
  const Node* extensions = resource.member("extension");
  if (!extensions) return false;
  for (const Node& extension : extensions->children) {
    const Node* value = extension.text_of("url") == url ? extension.member("valueReference") : nullptr;
    if (value && value->text_of("reference") == record) return true;
  }
  return false;
}

// Whether a list item names a record as the server stores it ("Patient/7"), not as an upload
// writes it (a fullUrl or a conditional reference).
bool as_stored(const std::string& reference) {
  return !reference.starts_with("urn:") && reference.find('?') == std::string::npos;
}

}  // namespace

// The records a row not taken would have made (those its values name).
void Builder::withhold(const CompiledTable& compiled, const Row& row) {
  for (const CompiledResource& r : compiled.resources) {
    if (!meets(r.spec->when, row)) continue;
    std::string identity = r.identity.kind == ValueSpec::Kind::Literal ? r.identity.text : expand(r.identity.parts, row, nullptr);
    // A record stored already (a delta's exit of an enrollment an earlier export brought) is
    // there for the rows that refer to it, whatever this row does.
    std::string key = identity.empty() ? std::string() : key_of(r, identity);
    if (!key.empty() && !row.stand_ins.count(key)) withheld_.try_emplace(key, row.ref());
  }
}

// The stored records a deleted row's resources are, when the table deletes them
// (TableSpec::deletes): found by identity as the sender may see them; none offline.
void Builder::note_deleted(const CompiledTable& compiled, const Row& row) {
  const auto& deletes = compiled.spec->deletes;
  if (!records_ || !deletes || !meets(deletes->when, row)) return;
  for (const CompiledResource& r : compiled.resources) {
    if (!deletes->names(r.spec->id)) continue;
    if (r.spec->extend) {  // the record stays; the items the row added to it go
      note_trimmed_items(r, row);
      continue;
    }
    std::string identity = r.identity.kind == ValueSpec::Kind::Literal ? r.identity.text : expand(r.identity.parts, row, nullptr);
    const StoredRecord* stored = identity.empty() ? nullptr : record_of(r, row);
    std::string_view id = stored ? stored->resource.text_of("id") : std::string_view();
    if (id.empty()) continue;
    // A record that stays (the sender may not delete it) keeps what hangs off it too.
    if (note_deletion(key_of(r, identity), r.spec->type, id, row.ref()))
      note_dependents(*deletes, r.spec->id, r.spec->type + "/" + std::string(id), stored->resource, row.ref());
  }
}

// A deleted row's "extend" resource (a household the enrollment added its client to): the
// items the row would add to its lists that have an element id (set by the spec, as
// "enrollment-{enrollment_id}") leave the stored record; the record goes when nothing else
// is listed in the lists they leave.
void Builder::note_trimmed_items(const CompiledResource& compiled, const Row& row) {
  std::set<std::string> ids;
  for (const CompiledValue::Member& member : compiled.set) {
    if (!member.path.ends_with("[]") || member.value.kind != ValueSpec::Kind::Object) continue;
    for (const CompiledValue::Member& part : member.value.members) {
      if (part.path != "id") continue;
      std::string id = part.value.kind == ValueSpec::Kind::Literal ? part.value.text : expand(part.value.parts, row, nullptr);
      if (!id.empty()) ids.insert(std::move(id));
    }
  }
  std::string identity = expand(compiled.identity.parts, row, nullptr);
  const StoredRecord* stored = ids.empty() || identity.empty() ? nullptr : record_of(compiled, row);
  std::string_view id = stored ? stored->resource.text_of("id") : std::string_view();
  if (id.empty()) return;
  Trim& trim = trims_[key_of(compiled, identity)];
  if (trim.record.empty()) trim = Trim{compiled.spec->type + "/" + std::string(id), *stored, {}, row.ref(), {}};
  trim.gone_items.merge(ids);
}

// A taken row's resource it does not build (`"otherwise": "delete"`): the stored record with
// its identity is deleted, unless the upload builds it after all (another resource of the
// row, or another row).
void Builder::note_withdrawn(const CompiledResource& compiled, const Row& row) {
  if (!compiled.spec->otherwise_delete || !records_ || context(row.ref())) return;
  std::string identity = expand(compiled.identity.parts, row, nullptr);
  const StoredRecord* stored = identity.empty() ? nullptr : record_of(compiled, row);
  std::string_view id = stored ? stored->resource.text_of("id") : std::string_view();
  if (!id.empty()) note_deletion(key_of(compiled, identity), compiled.spec->type, id, row.ref());
}

bool Builder::note_deletion(const std::string& key, const std::string& type, std::string_view id, const RowRef& row) {
  if (records_->may_delete(type).value_or(true)) {
    deleted_.try_emplace(key, type + "/" + std::string(id), row);
    return true;
  }
  ++kept_deleted_[type];
  return false;
}

// The stored records that hang off one a deleted row deletes (TableSpec::Deletes::dependents),
// found by a search as the sender may see them: those the format made (an identifier in the
// dependent's system), kept by that identifier, so a record the upload builds again stays.
void Builder::note_dependents(const TableSpec::Deletes& deletes, const std::string& of, const std::string& record,
                              const Node& deleted, const RowRef& row) {
  for (const TableSpec::Dependent& d : deletes.dependents) {
    if (d.of != of) continue;
    std::string url = system(d.system);
    const Node* by = d.by.empty() ? nullptr : engine::get_path(deleted, d.by + ".reference");
    if (!d.by.empty() && (!by || !by->is_value() || by->text.find('/') == std::string::npos)) continue;
    std::string query = d.type + "?" + d.search + "=" + (by ? by->text : record) + "&identifier=" +
                        engine::token_criteria(url, "") + "&_count=1000";
    std::vector<Node> found;
    if (!search_all(query, found)) {
      out_.warnings.push_back(row.first + " row " + std::to_string(row.second) + ": the stored " + d.type +
                              " records of the deleted " + record + " could not all be found, so some stay; send the deletion again");
    }
    for (const Node& entry : found) {
      const Node* resource = entry.member("resource");
      const Node* identifiers = resource ? resource->member("identifier") : nullptr;
      if (!identifiers || resource->text_of("resourceType") != d.type || resource->text_of("id").empty()) continue;
      if (!d.linked.empty() && !links_to(*resource, d.linked, record)) continue;
      for (const Node& identifier : identifiers->children) {
        if (identifier.text_of("system") != url || identifier.text_of("value").empty()) continue;
        std::string key = d.type + "|" + url + "|" + std::string(identifier.text_of("value"));
        if (d.then != "trim") {
          note_deletion(key, d.type, resource->text_of("id"), row);
          continue;
        }
        trim_of(key, *resource, row).gone.insert(record);
      }
    }
  }
}

// Every entry of a search of the stored records, page after page: false when a page could
// not be read, or more pages than kMaxPages remain (the ones found are kept).
bool Builder::search_all(const std::string& query, std::vector<Node>& entries) const {
  constexpr size_t kMaxPages = 100;
  for (size_t page = 0; page < kMaxPages; ++page) {
    auto found = records_->search(query + (entries.empty() ? "" : "&_offset=" + std::to_string(entries.size())));
    auto bundle = found ? engine::read_json(*found) : std::nullopt;
    if (!bundle) return false;
    Node* items = bundle->member("entry");
    if (!items || items->children.empty()) return true;
    for (Node& entry : items->children) entries.push_back(std::move(entry));
    bool more = false;
    if (const Node* links = bundle->member("link"))
      for (const Node& link : links->children) more = more || link.text_of("relation") == "next";
    if (!more) return true;
  }
  return false;
}

// A DELETE entry for each stored record a deleted row deletes, unless the upload builds it
// again (a later row of another table gives it anew).
void Builder::add_deletions(Node& entries) {
  for (auto& [key, deletion] : deleted_) {
    if (by_key_.count(key)) continue;
    Node& entry = entries.children.emplace_back();
    Node& request = entry["request"];
    request.set("method", Node::string("DELETE"));
    request.set("url", Node::string(deletion.first));
    ++out_.deleted[deletion.first.substr(0, deletion.first.find('/'))];
    out_.entry_rows.push_back({deletion.second});
  }
  deleted_.clear();
}

// The rows that refer to a record only a row not taken would have made (a client whose
// birth date is no date): stored, the reference would match nothing and fail the whole
// upload, so these rows are not taken either (MappedExport::dangling).
void Builder::note_dangling() {
  std::set<RowRef> told;
  for (const auto& [key, row] : to_withheld_) {
    if (by_key_.count(key) || !told.insert(row).second) continue;  // another row made it after all, or said
    const RowRef& parent = withheld_.at(key);
    out_.dangling.push_back({row, row.first + " row " + std::to_string(row.second),
                             "it refers to the record of " + parent.first + " row " + std::to_string(parent.second) +
                                 ", which was not taken (see that row's reason)"});
  }
}

void Builder::resolve_pending(Node& node) const {
  if (node.is_value()) {
    if (!node.text.starts_with(kPending)) return;
    size_t end = node.text.find(kPendingEnd);
    auto built = by_key_.find(node.text.substr(1, end - 1));
    bool written = built != by_key_.end() && !only_context(built_[built->second]);  // else stored by an earlier part
    node.text = written ? built_[built->second].full_url : node.text.substr(end + 1);
    return;
  }
  for (Node& child : node.children) resolve_pending(child);
}

// "Type/id" of the stored record a reference names: itself when it is one, the stored record
// of the upload's entry it names by fullUrl (found by that entry's identifier), else "".
std::string Builder::stored_reference(const std::string& reference, const std::map<std::string, size_t>& by_full_url) {
  auto entry = by_full_url.find(reference);
  if (entry == by_full_url.end() && reference.starts_with("urn:")) return std::string();
  // A conditional reference to a record the upload does not send (a delta's known client) is
  // the stored record it names: the stored list names it by id.
  const std::string& url = entry == by_full_url.end() ? reference : built_[entry->second].request_url;
  size_t query = url.find('?');
  if (query == std::string::npos) return url;  // Type/id
  const StoredRecord* stored = stored_record(url);
  std::string_view id = stored ? stored->resource.text_of("id") : std::string_view();
  return id.empty() ? (entry == by_full_url.end() ? reference : std::string()) : url.substr(0, query) + "/" + std::string(id);
}

// In every list of an extended record, an item this upload writes replaces the one the stored
// record holds for the same thing, in its place, so the stored order stays and a month's
// sheet that lists a member already there changes nothing. An item with an element id (a
// household member as "enrollment-42") is the stored item with that id: a corrected entry
// date replaces the membership, a second enrollment adds one. An item without one (or whose
// id the record does not hold yet, stored before ids were given) is a stored item without an
// id naming the same record, matched in order, one for one: a client in a household twice
// keeps both memberships, and two items of the same upload are never one.
void Builder::drop_repeated_items(Node& node, const std::map<std::string, size_t>& by_full_url) {
  if (node.is_value()) return;
  for (Node& child : node.children) drop_repeated_items(child, by_full_url);
  if (!node.is_array() || node.children.size() < 2) return;
  std::map<std::string, size_t, std::less<>> stored_ids;   // element id → the stored item
  std::map<std::string, std::vector<size_t>> stored_items;  // record → the stored items naming it, without an id
  std::map<std::string, size_t> replaced;                   // record → how many of those were replaced
  std::vector<bool> repeated(node.children.size());
  for (size_t i = 0; i < node.children.size(); ++i) {
    std::string_view id = element_id(node.children[i]);
    std::string reference = reference_of(node.children[i]);
    std::string record = stored_reference(reference, by_full_url);
    if (as_stored(reference)) {
      if (!id.empty()) stored_ids.emplace(id, i);
      else if (!record.empty()) stored_items[record].push_back(i);
      continue;
    }
    size_t slot = node.children.size();
    if (auto same = id.empty() ? stored_ids.end() : stored_ids.find(id); same != stored_ids.end()) {
      slot = same->second;
    } else if (!record.empty()) {
      const std::vector<size_t>& slots = stored_items[record];
      size_t& used = replaced[record];
      if (used < slots.size()) slot = slots[used++];
    }
    if (slot == node.children.size()) continue;  // a new item: kept where it is
    node.children[slot] = std::move(node.children[i]);
    repeated[i] = true;
  }
  size_t i = 0;
  std::erase_if(node.children, [&](const Node&) { return repeated[i++]; });
}

// Items with an element id that a record gains in this upload, and that another stored record
// of its type and system holds (ResourceSpec::items_move_by): an enrollment whose HouseholdID
// a delta corrects leaves the household it was in. The other records are found by a search
// by the item's stored record (Group?member=Patient/7), once per record, and trimmed.
void Builder::note_moved_items(const std::map<std::string, size_t>& by_full_url) {
  std::map<std::string, std::vector<Node>> found;  // "Patient/7" → the stored records naming it
  for (size_t i = 0; i < built_.size(); ++i) {
    Built& b = built_[i];
    const ResourceSpec* spec = b.maker ? b.maker->spec : nullptr;
    if (!spec || spec->items_move_by.empty()) continue;
    std::string url = system(spec->identity_system);
    std::vector<std::pair<std::string, std::string>> gained;  // element id, "Patient/7"
    std::set<std::string, std::less<>> held;
    for (const Node& list : b.resource.children) {
      if (!list.is_array()) continue;
      for (const Node& item : list.children) {
        std::string reference = reference_of(item);
        if (std::string_view id = element_id(item); !id.empty() && as_stored(reference)) held.emplace(id);
        else if (!id.empty()) gained.emplace_back(id, stored_reference(reference, by_full_url));
      }
    }
    for (const auto& [id, record] : gained) {
      if (held.count(id) || record.empty() || record.find('/') == std::string::npos) continue;
      auto [at, added] = found.try_emplace(record);
      if (added && !search_all(spec->type + "?" + spec->items_move_by + "=" + record + "&identifier=" +
                                   engine::token_criteria(url, "") + "&_count=1000",
                               at->second))
        out_.warnings.push_back("the stored records naming " + record + " could not all be read, so an item moved may stay in one");
      for (const Node& entry : at->second) trim_moved(entry, url, id, i);
    }
  }
}

// The stored record `entry` found holds the item `id` that built_[here] now has: it leaves it.
void Builder::trim_moved(const Node& entry, const std::string& url, const std::string& id, size_t here) {
  const Node* resource = entry.member("resource");
  const Node* identifiers = resource ? resource->member("identifier") : nullptr;
  if (!identifiers) return;
  std::string key;
  for (const Node& identifier : identifiers->children)
    if (identifier.text_of("system") == url && !identifier.text_of("value").empty())
      key = std::string(resource->text_of("resourceType")) + "|" + url + "|" + std::string(identifier.text_of("value"));
  auto built = by_key_.find(key);
  if (key.empty() || (built != by_key_.end() && built->second == here)) return;
  bool holds = false;
  for (const Node& list : resource->children)
    if (list.is_array())
      for (const Node& item : list.children) holds = holds || element_id(item) == id;
  if (!holds) return;
  trim_of(key, *resource, built_[here].rows.front()).gone_items.insert(id);
}

// The trim of the stored record `resource` (found by a search), begun at its first asking.
Builder::Trim& Builder::trim_of(const std::string& key, const Node& resource, const RowRef& row) {
  Trim& trim = trims_[key];
  if (trim.record.empty()) {
    const Node* version = engine::get_path(resource, "meta.versionId");
    trim = Trim{std::string(resource.text_of("resourceType")) + "/" + std::string(resource.text_of("id")),
                StoredRecord{resource, version && version->is_value() ? version->text : std::string()}, {}, row, {}};
  }
  return trim;
}

// Stored records a deletion trims (TableSpec::Dependent "then": "trim"): without the list
// items that name a deleted record — this upload's own version of it, when it extends it —
// and deleted when the lists that named one are left empty (a household of no one).
void Builder::add_trims() {
  for (auto& [key, trim] : trims_) {
    if (auto built = by_key_.find(key); built != by_key_.end()) {
      if (built_[built->second].extended) drop_items(built_[built->second].resource, Gone{trim.gone, trim.gone_items});
      continue;
    }
    std::string type = trim.record.substr(0, trim.record.find('/'));
    Node resource = std::move(trim.stored.resource);
    if (!drop_items(resource, Gone{trim.gone, trim.gone_items})) {
      note_deletion(key, type, std::string_view(trim.record).substr(type.size() + 1), trim.row);
      continue;
    }
    // The server's own members go; the labels stay (a trimmed household of a victim-service
    // provider's client went back with no meta at all, and out to anyone caring for another member).
    if (Node* meta = resource.member("meta")) {
      meta->remove("versionId");
      meta->remove("lastUpdated");
      if (meta->empty()) resource.remove("meta");
    }
    Built& b = built_.emplace_back();
    b.type = type;
    b.full_url = b.local_url = "urn:uuid:" + engine::name_uuid(spec_.name + "|" + agency_ + "|" + key);
    b.request_url = trim.record;
    if (!trim.stored.version.empty()) b.if_match = "W/\"" + trim.stored.version + "\"";
    b.resource = std::move(resource);
    b.rows.push_back(trim.row);
  }
  trims_.clear();
}

void Builder::make_bundle() {
  note_dangling();
  if (!kept_deleted_.empty()) {  // said once: the rows are many, the reason one
    out_.warnings.push_back("records deleted in your system stay stored here (" + counts_in_words(kept_deleted_) +
                            "): this sender's access does not allow deleting them; ask the gateway's administrator");
    kept_deleted_.clear();
  }
  unresolved_.judge([&](const std::string& key) { return by_key_.count(key) != 0; },
                    [&](const std::string& key) -> const RowRef* {
                      auto it = withheld_.find(key);
                      return it == withheld_.end() ? nullptr : &it->second;
                    },
                    records_, out_);
  if (built_.empty() && deleted_.empty()) return;
  Node& bundle = out_.tree;
  bundle.set("resourceType", Node::string("Bundle"));
  bundle.set("type", Node::string("transaction"));
  Node& entries = bundle["entry"];
  entries.kind = Node::Kind::Array;
  entries.children.reserve(built_.size());
  for (Built& b : built_) {  // all resolved before any fullUrl is moved into the Bundle
    if (b.pending && unresolved_.any_missing()) unresolved_.drop_missing(b.resource);
    if (b.pending) resolve_pending(b.resource);
  }
  bool moves = records_ && std::any_of(built_.begin(), built_.end(), [](const Built& b) {
    return b.maker && !b.maker->spec->items_move_by.empty();
  });
  if (moves || std::any_of(built_.begin(), built_.end(), [](const Built& b) { return b.extended; })) {
    std::map<std::string, size_t> by_full_url;
    for (size_t i = 0; i < built_.size(); ++i) by_full_url.emplace(built_[i].full_url, i);
    if (moves) note_moved_items(by_full_url);
    for (Built& b : built_)
      if (b.extended) drop_repeated_items(b.resource, by_full_url);
  }
  add_trims();
  for (Built& b : built_) {
    if (only_context(b)) continue;  // the part that stores it wrote it
    Node& entry = entries.children.emplace_back();
    entry.set("fullUrl", Node::string(std::move(b.full_url)));
    entry.set("resource", std::move(b.resource));
    Node& request = entry["request"];
    if (b.maker && b.maker->spec->create_only) {  // a conditional create: a stored record stays as it is
      size_t query = b.request_url.find('?');
      request.set("method", Node::string("POST"));
      request.set("url", Node::string(b.request_url.substr(0, query)));
      request.set("ifNoneExist", Node::string(b.request_url.substr(query + 1)));
    } else {
      request.set("method", Node::string("PUT"));
      request.set("url", Node::string(std::move(b.request_url)));
      request.set("ifMatch", Node::string(std::move(b.if_match)));
    }
    ++out_.resources[b.type];
    out_.entry_rows.push_back(std::move(b.rows));
  }
  built_.clear();
  add_deletions(entries);
}

}  // namespace carebridge::mappings::agency::building
