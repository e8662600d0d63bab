#include "gateway/routing/events.h"

#include <iostream>
#include <optional>
#include <rapidjson/document.h>

#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "fhir/search/matcher.h"

namespace carebridge::gateway::routing {

int64_t last_event_number(store::Store& store, const std::string& log, int64_t known) {
  int64_t last = known;
  while (true) {
    auto page = store.read_log(log, last, 1000);
    if (!page || page->empty()) return last;
    last = page->back().seq;
  }
}

std::string EventRecord::encode(const store::ResourceRecord& r) {
  std::string out = "{\"type\":";
  fhir::json::append_json_string(out, r.type);
  out += ",\"id\":";
  fhir::json::append_json_string(out, r.id);
  out += ",\"version\":" + std::to_string(r.version) + ",\"at\":" + std::to_string(r.updated_ms) +
         ",\"deleted\":" + (r.deleted ? "true" : "false") + ",\"access\":";
  fhir::json::append_json_string(out, r.access);
  return out + "}";
}

bool EventRecord::decode(std::string_view text, EventRecord& out) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (!doc.IsObject() || !doc.HasMember("type") || !doc["type"].IsString() || !doc.HasMember("id") || !doc["id"].IsString() ||
      !doc.HasMember("version") || !doc["version"].IsInt64())
    return false;
  out.type = doc["type"].GetString();
  out.id = doc["id"].GetString();
  out.version = doc["version"].GetInt64();
  out.at_ms = doc.HasMember("at") && doc["at"].IsInt64() ? doc["at"].GetInt64() : 0;
  out.deleted = doc.HasMember("deleted") && doc["deleted"].IsTrue();
  out.access = doc.HasMember("access") && doc["access"].IsString() ? doc["access"].GetString() : "";
  return true;
}

store::ResourceRecord EventRecord::as_record() const {
  store::ResourceRecord r;
  r.type = type;
  r.id = id;
  r.version = version;
  r.updated_ms = at_ms;
  r.deleted = deleted;
  r.access = access;
  return r;
}

namespace {

std::string status_of(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  return doc.IsObject() && doc.HasMember("status") && doc["status"].IsString() ? doc["status"].GetString() : "";
}

// Whether an update changed the resource's status (read from the previous version only now).
bool status_changed(const store::WriteEvent& event) { return status_of(event.record.body) != status_of(event.previous_body()); }

// Whether a subscription's criteria reach other resources (subject:Patient.name=x, patient.gender=x).
bool chains(const Subscription& s) {
  for (const Target& t : s.targets)
    for (const fhir::search::Clause& c : t.query.clauses)
      if (c.chain || !c.either.empty()) return true;
  return false;
}

}  // namespace

SubscriptionEvents::Referenced stored_references(store::Store& store, const fhir::definitions::Definitions& definitions,
                                                 const fhir::search::IndexExtractor& extractor) {
  return [&store, &definitions, &extractor](std::string_view reference) -> std::optional<SubscriptionEvents::Reached> {
    size_t slash = reference.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto record = store.read(std::string(reference.substr(0, slash)), std::string(reference.substr(slash + 1)));
    if (!record || record->deleted || record->body.empty()) return std::nullopt;
    auto parsed = fhir::io::read(record->body, definitions);
    if (!parsed.document || !parsed.document->root()) return std::nullopt;
    auto indexed = fhir::search::index_resource(extractor, *parsed.document->root());
    record->body.clear();
    return SubscriptionEvents::Reached{std::move(indexed), std::move(*record)};
  };
}

// The most records the chains of one write's criteria read from the store: a write naming
// thousands of records under a chained parameter (an Observation's performers) would read
// each inside the commit, holding every other write back. A chain through more does not match.
constexpr size_t kMaxChainReads = 64;

fhir::search::Resolver SubscriptionEvents::resolver(const std::string& owner, ReachedCache& reached) const {
  fhir::search::Resolver r;
  if (!referenced_) return r;
  r.resolve = [this, &owner, &reached](std::string_view reference) -> std::optional<fhir::search::IndexedView> {
    auto known = reached.find(reference);
    if (known == reached.end()) {
      if (reached.size() >= kMaxChainReads) return std::nullopt;
      auto written = staged_written_.find(reference);
      known = reached.emplace(std::string(reference), written != staged_written_.end() ? written->second : referenced_(reference)).first;
    }
    const std::optional<Reached>& found = known->second;
    if (!found || (authorize_ && !authorize_(owner, found->record))) return std::nullopt;
    return found->indexed.view();
  };
  return r;
}

SubscriptionEvents::SubscriptionEvents(const Topics& topics, const fhir::search::SearchRegistry& registry, Authorize authorize,
                                       const CareTeams* care_teams)
    : topics_(topics), registry_(registry), authorize_(std::move(authorize)), care_teams_(care_teams) {}

void SubscriptionEvents::load(store::Store& store) {
  store.scan("Subscription", true, [&](const store::ResourceRecord& r) {
    stage(r);
  });
  ended(true);
}

void SubscriptionEvents::stage(const store::ResourceRecord& record) {
  if (record.deleted) {
    staged_.emplace_back(record.id, nullptr);
    return;
  }
  auto read = read_subscription(record.body, topics_, registry_);
  if (!read) {
    // Stored but not deliverable (its status says error once delivery looks at it).
    std::cerr << "carebridge: Subscription/" << record.id << ": " << read.message() << std::endl;
    staged_.emplace_back(record.id, nullptr);
    return;
  }
  read->id = record.id;
  staged_.emplace_back(record.id, std::make_shared<const Subscription>(std::move(*read)));
}

void SubscriptionEvents::match(const store::WriteEvent& event, store::CommitLog& log) {
  const store::ResourceRecord& r = event.record;
  fhir::search::IndexedView view{r.type, r.id, r.updated_ms, event.index};
  std::shared_lock lock(mutex_);
  std::string encoded;
  std::optional<bool> changed;  // whether the status changed: read from the previous version once per write
  ReachedCache reached;  // what chains read, while this write is matched
  for (const SubscriptionIndex::Entry* entry : index_.candidates(r.type, event.index)) {
    const Subscription& s = **entry;
    if (s.status == "off" || s.ended(r.updated_ms)) continue;
    bool fired = false;
    fhir::search::Resolver references = chained_ ? resolver(s.owner, reached) : fhir::search::Resolver{};  // none needed else
    for (const Target& t : s.targets) {
      if (t.resource != r.type) continue;
      bool interaction = r.deleted ? t.del : event.previous_version == 0 ? t.create : t.update;
      if (!interaction) continue;
      if (t.status_change && !r.deleted && event.previous_version != 0 && !(changed ? *changed : *(changed = status_changed(event))))
        continue;
      if (r.deleted || fhir::search::matches(t.query, view, references)) fired = true;
      if (fired) break;
    }
    if (!fired) continue;
    if (!s.care_team_member.empty() && (!care_teams_ || !care_teams_->cares_for(s.care_team_member, patients_in(event.index))))
      continue;
    if (authorize_ && !authorize_(s.owner, r)) {
      ++staged_withheld_[s.id];
      store::ResourceRecord denied = r;
      denied.body.clear();
      staged_denials_.emplace_back(*entry, std::move(denied));
      continue;
    }
    if (max_backlog_ > 0 && delivered_) {
      auto known = staged_logged_.count(s.id) ? staged_logged_[s.id] : last_logged_.count(s.id) ? last_logged_.at(s.id) : 0;
      // Delivery is asked only when the backlog looks full by what it said last (kept off the writer's path).
      int64_t& delivered = delivered_seen_[s.id];
      if (known - delivered >= max_backlog_) delivered = delivered_(s.id);
      if (known - delivered >= max_backlog_) {
        if (std::find(staged_overflows_.begin(), staged_overflows_.end(), s.id) == staged_overflows_.end())
          staged_overflows_.push_back(s.id);
        continue;
      }
    }
    if (encoded.empty()) encoded = EventRecord::encode(r);
    int64_t seq = log.append(s.log(), encoded);
    staged_logged_[s.id] = seq;
    staged_recent_.emplace_back(s.id, store::LogRecord{seq, encoded});
    logged_ = true;
  }
}

carebridge::Result<void> SubscriptionEvents::on_write(const store::WriteEvent& event, store::CommitLog& log) {
  const store::ResourceRecord& r = event.record;
  if (chained_) {  // a later write of this transaction may chain to this one, not yet in the store
    auto& written = staged_written_[r.type + "/" + r.id];
    written.reset();
    if (!r.deleted) {
      store::ResourceRecord version = r;
      version.body.clear();
      written = Reached{{r.type, r.id, r.updated_ms, {event.index.begin(), event.index.end()}}, std::move(version)};
    }
  }
  if (event.record.type == "Subscription") stage(event.record);
  // Upkeep is no event a subscriber asked for, and the audit trail is routed to no one
  // (subscription.cpp, routed): each notification is audited, so it would feed itself.
  else if (!event.maintenance && event.record.type != "AuditEvent") match(event, log);
  return {};
}

void SubscriptionEvents::ended(bool committed) {
  bool changed = logged_ || !staged_.empty();
  std::vector<std::string> woken;  // empty when subscriptions changed: every one
  if (staged_.empty())
    for (const auto& [id, n] : staged_logged_) woken.push_back(id);
  if (committed && (!staged_.empty() || !staged_withheld_.empty())) {
    std::unique_lock lock(mutex_);
    for (auto& [id, subscription] : staged_) {
      by_id_.erase(id);
      if (subscription) {
        by_id_[id] = subscription;
      } else {  // deleted: one made again under its id starts afresh
        last_logged_.erase(id);
        withheld_.erase(id);
        delivered_seen_.erase(id);
      }
    }
    if (!staged_.empty()) {
      index_ = SubscriptionIndex();
      chained_ = false;
      for (const auto& [id, subscription] : by_id_) index_.add(subscription), chained_ = chained_ || chains(*subscription);
    }
    for (const auto& [id, n] : staged_withheld_) withheld_[id] += n;
  }
  if (committed && on_withheld_)
    for (const auto& [subscription, record] : staged_denials_) on_withheld_(*subscription, record);
  if (committed) {
    {
      std::unique_lock lock(mutex_);
      for (const auto& [id, n] : staged_logged_) last_logged_[id] = n;
    }
    remember(committed);
    if (overflowed_)
      for (const std::string& id : staged_overflows_) overflowed_(id, max_backlog_);
  }
  staged_logged_.clear();
  staged_written_.clear();
  staged_recent_.clear();
  staged_overflows_.clear();
  staged_denials_.clear();
  staged_.clear();
  staged_withheld_.clear();
  logged_ = false;
  if (committed && changed && notify_) notify_(woken);
}

void SubscriptionEvents::remember(bool committed) {
  if (!committed) return;
  std::lock_guard lock(recent_mutex_);
  for (auto& [id, record] : staged_recent_) {
    auto& kept = recent_[id];
    kept.push_back(std::move(record));
    if (kept.size() > kRecent) kept.pop_front();
  }
  for (const auto& [id, subscription] : staged_)
    if (!subscription) recent_.erase(id);
}

bool SubscriptionEvents::recent(const std::string& id, int64_t after, size_t limit, std::vector<store::LogRecord>& out) {
  std::lock_guard lock(recent_mutex_);
  auto it = recent_.find(id);
  if (it == recent_.end() || it->second.empty()) return false;
  auto& kept = it->second;
  while (!kept.empty() && kept.front().seq <= after) kept.pop_front();
  if (kept.empty()) return last_logged(id) <= after;  // all logged events are delivered
  if (kept.front().seq != after + 1) return false;      // some were never in memory or were forgotten
  for (size_t i = 0; i < kept.size() && out.size() < limit; ++i) out.push_back(kept[i]);
  return true;
}

int64_t SubscriptionEvents::last_logged(const std::string& id) const {
  std::shared_lock lock(mutex_);
  auto it = last_logged_.find(id);
  return it == last_logged_.end() ? 0 : it->second;
}

std::vector<std::shared_ptr<const Subscription>> SubscriptionEvents::subscriptions() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const Subscription>> out;
  for (const auto& [id, s] : by_id_) out.push_back(s);
  return out;
}

std::shared_ptr<const Subscription> SubscriptionEvents::find(const std::string& id) const {
  std::shared_lock lock(mutex_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

int64_t SubscriptionEvents::withheld(const std::string& id) const {
  std::shared_lock lock(mutex_);
  auto it = withheld_.find(id);
  return it == withheld_.end() ? 0 : it->second;
}

}  // namespace carebridge::gateway::routing
