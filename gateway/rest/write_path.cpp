// The write path (write_path.h): create, update and delete, plain and conditional
// (FHIR R4 http.html 3.1.0.4-3.1.0.7), planned against the current version and
// committed with that version as a precondition; a concurrent change makes the
// commit conflict and the write is planned again (or answers 412 under If-Match).
#include <algorithm>
#include <chrono>
#include <random>

#include "fhir/json/json_reader.h"
#include "fhir/json/json_writer.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/write_path.h"

#include "gateway/routing/subscription.h"
#include "gateway/security/disclosure.h"
#include "gateway/security/labels.h"

#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

// The stored records a listing record's labels are read from, at most (a Provenance of a
// Synthea Bundle names each of its hundreds of entries).
constexpr size_t kMaxListedReads = 10000;

using fhir::model::Severity;

}  // namespace

// A version 7 UUID (RFC 9562): the creation time in milliseconds comes first, so new
// ids sort after older ones and the store's indexes grow at their end instead of
// splitting pages at random places.
std::string new_resource_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  auto ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  uint64_t high = (ms << 16) | 0x7000 | (random() & 0x0fff);          // 48 bits time, version 7, 12 random
  uint64_t low = (random() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC variant, 62 random
  std::string id;
  id.reserve(36);
  for (int i = 60; i >= 0; i -= 4) {
    id += kHex[(high >> i) & 15];
    if (id.size() == 8 || id.size() == 13) id += '-';
  }
  id += '-';
  for (int i = 60; i >= 0; i -= 4) {
    id += kHex[(low >> i) & 15];
    if (id.size() == 23) id += '-';
  }
  return id;
}

bool has_error(const Issues& issues) {
  for (const auto& i : issues) {
    if (i.severity == Severity::Error || i.severity == Severity::Fatal) return true;
  }
  return false;
}

Issues write_outcome(const Result& result) {
  Issues issues = result.issues;
  if (issues.empty()) issues.push_back({Severity::Information, "informational", "done: " + result.location, {}, {}});
  return issues;
}

Result found_result(const store::ResourceRecord& r, unsigned status) {
  Result result;
  result.status = status;
  result.resource_json = r.body;
  result.location = r.type + "/" + r.id + "/_history/" + std::to_string(r.version);
  result.etag = "W/\"" + std::to_string(r.version) + "\"";
  result.last_modified_ms = r.updated_ms;
  return result;
}

// A Subscription belongs to the client that created it: its notifications go only where that
// client may read. An update by another client (an administrator) keeps the owner; nobody can
// take a Subscription over by writing its tag.
void WritePath::claim_subscription(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource,
                                   const store::ResourceRecord* current, int64_t version) {
  bool stored = current && !current->deleted && !current->body.empty();
  routing::StoredSubscription before = stored ? routing::stored_subscription(current->body) : routing::StoredSubscription{};
  std::string owner = stored ? before.owner : who ? who->client_id : std::string();
  if (!owner.empty()) set_tag(doc, definitions_, resource, routing::kOwnerTagSystem, owner);
  // One made under the id of a deleted one is a new subscription (its own events, numbered
  // from 1): the version it starts at is kept with it, and no client writes it.
  std::string started = stored ? before.started : version > 1 ? std::to_string(version) : "";
  bool tagged = false;
  if (const auto* meta = resource.child("meta"))
    for (const auto* tag = meta->first_child; tag; tag = tag->next)
      if (const auto* system = tag->base_name() == "tag" ? tag->child("system") : nullptr)
        tagged = tagged || (system->has_value && system->value == routing::kStartTagSystem);
  if (!started.empty() || tagged) set_tag(doc, definitions_, resource, routing::kStartTagSystem, started.empty() ? "1" : started);
  // The Backport IG (channels): "the server SHALL set initial status to requested" — only the
  // server, after a handshake, makes a subscription active (and error when delivery fails). A
  // client creates it requested or off; a client (a caller with a token: the gateway's own
  // status writes have none) asking for active or error on a stored one asks for a handshake.
  const fhir::model::Element* status = resource.child("status");
  bool server_owned = status && status->has_value && (status->value == "active" || status->value == "error");
  if (!server_owned) return;
  if (!stored || (who && before.status != status->value))
    set_primitive(doc, definitions_, resource, "status", "requested");
}

std::optional<store::Write> WritePath::make_write(const Caller& who, fhir::model::Document& doc,
                                                  fhir::model::Element& resource, const std::string& type,
                                                  const std::string& id, int64_t version, const char* method,
                                                  const store::ResourceRecord* current, Result& result) {
  int64_t now = now_ms();
  std::string instant = format_instant(now);
  const auto* access = options_.access;
  // A Subscription belongs to the client that created it: its notifications go only where that
  // client may read. An update by another client (an administrator setting it active again)
  // keeps the owner; nobody can take a Subscription over by writing its tag.
  if (type == "Subscription") claim_subscription(who, doc, resource, current, version);
  std::unordered_map<std::string, uint32_t> listed;
  add_listed_labels(doc, resource, listed);
  if (current && !current->deleted && !current->body.empty()) {
    // An update that says what the current version says changes nothing: no new version
    // (a message sent again, a sync that repeats itself).
    set_identity(doc, definitions_, resource, id, std::to_string(current->version), current->last_updated);
    security::Labelling labelling = access ? access->label(who.get(), doc, resource) : security::Labelling{};
    // ... unless what the gateway derives from it changed since (who may see it: a store
    // written by an older build, or other labelling rules), which a new version records.
    if (fhir::json::write(resource, {false}) == current->body &&
        (!access || (access->sees(who.get(), *current) && facts_unchanged(who, resource, id, labelling, *current)))) {
      result = found_result(*current, 200);
      return std::nullopt;
    }
  }
  set_identity(doc, definitions_, resource, id, std::to_string(version), instant);
  security::Labelling labelling = access ? access->label(who.get(), doc, resource) : security::Labelling{};
  store::Write w;
  w.record = {type, id, version, instant, now, false, method, fhir::json::write(resource, {false}), {}};
  w.expected_version = version - 1;
  w.index = extractor_.extract(resource);
  if (access) {
    auto facts = facts_of(who, resource, id, w.index, labelling, current);
    if (auto allowed = access->may_write(who.get(), facts, current, type == "Patient" ? std::string_view(id) : std::string_view()); !allowed) {
      result.status = 403;
      result.issues = allowed.issues();
      return std::nullopt;
    }
    // A Subscription names only patients its client may see: a care relationship does not
    // make a victim-service provider's confined client visible, nor her events heard. One that
    // does not exist is refused alike to an organization's client, so that the answer does not
    // tell which it is; the operator may subscribe to a patient not yet stored.
    bool restricted = who && !who->admin;
    for (const auto& p : type == "Subscription" ? facts.patients : std::vector<std::string>{})
      if (auto patient = store_.read("Patient", p);
          patient && !patient->deleted ? !sees(who, *patient) : restricted) {
        result = failure(403, "forbidden", "Patient/" + p + " is not a patient your organization cares for");
        return std::nullopt;
      }
    w.record.access = security::encode(facts);
  }
  result = found_result(w.record, version == 1 ? 201 : 200);
  return w;
}

uint32_t WritePath::label(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource) const {
  return options_.access ? options_.access->label(who.get(), doc, resource).labels : 0;
}

void WritePath::add_listed_labels(fhir::model::Document& doc, fhir::model::Element& resource,
                                  std::unordered_map<std::string, uint32_t>& listed) {
  if (!options_.access || !security::discloses(resource.type)) return;
  uint32_t labels = 0;
  std::vector<std::pair<std::string, std::string>> stored;  // (type, id) of listed records not in `listed`
  security::for_each_disclosed(resource, [&](std::string_view reference) {
    std::string key = fhir::search::reference_key(reference);
    if (auto hit = listed.find(key); hit != listed.end()) {
      labels |= hit->second;
    } else if (size_t slash = key.find('/'); slash != std::string::npos && stored.size() < kMaxListedReads) {
      listed.emplace(key, 0);  // read once: a missing record has no labels
      stored.emplace_back(key.substr(0, slash), key.substr(slash + 1));
    }
  });
  if (!stored.empty())
    for (const auto& record : store_.read_many(stored)) {
      uint32_t found = record.deleted ? 0 : security::FactsView(record.access).labels();
      listed[record.type + "/" + record.id] = found;
      labels |= found;
    }
  labels &= security::kSensitive;
  if (labels) security::add_labels(doc, definitions_, resource, labels);
}

std::optional<std::string> WritePath::patch_target(const Caller& who, const std::string& type, const Params& criteria,
                                                   const std::string& missing, Result& failure) {
  PlannedWrite p;
  auto found = conditional_match(who, type, criteria, missing, p);
  if (found && !found->empty()) return found->front().id;
  failure = found ? rest::failure(404, "not-found", "the criteria match no " + type) : std::move(p.result);
  return std::nullopt;
}

bool WritePath::facts_unchanged(const Caller& who, const fhir::model::Element& resource, const std::string& id,
                                const security::Labelling& labelling, const store::ResourceRecord& current) {
  auto facts = facts_of(who, resource, id, extractor_.extract(resource), labelling, &current);
  return security::encode(facts) == current.access;
}

security::AccessFacts WritePath::facts_of(const Caller& who, const fhir::model::Element& resource, const std::string& id,
                                          const std::vector<fhir::search::IndexEntry>& rows,
                                          const security::Labelling& labelling, const store::ResourceRecord* current) {
  auto facts = options_.access->facts(who.get(), resource, id, rows, labelling, current);
  if (resource.type == "Binary") follow_security_context(who, resource, facts);
  return facts;
}

void WritePath::follow_security_context(const Caller& who, const fhir::model::Element& binary,
                                        security::AccessFacts& facts) {
  const auto* context = binary.child("securityContext");
  const auto* reference = context ? context->child("reference") : nullptr;
  if (!reference) return;
  std::string key = fhir::search::reference_key(reference->value);  // "Type/id"
  size_t slash = key.find('/');
  if (slash == std::string::npos) return;
  auto record = store_.read(key.substr(0, slash), key.substr(slash + 1));
  bool visible = record && !record->deleted && sees(who, *record);
  security::FactsView named(visible ? std::string_view(record->access) : std::string_view());
  if (!named.valid()) return;
  auto inherited = named.facts();
  for (auto& p : inherited.patients)
    if (std::find(facts.patients.begin(), facts.patients.end(), p) == facts.patients.end()) facts.patients.push_back(std::move(p));
  facts.labels |= inherited.labels;
  facts.confined = facts.confined || inherited.confined;
  facts.shared = facts.shared && inherited.shared;
}

std::vector<store::ResourceRecord> WritePath::match(const Caller& who, const std::string& type, const Params& criteria,
                                                    size_t limit, Issues& issues, const std::unordered_set<std::string>* gone) {
  ParsedSearch parsed;
  if (!parse_search(registry_, type, criteria, options_.search_limits, true, parsed, issues)) return {};
  // Conditional interactions act on what their criteria select: criteria that select
  // nothing in particular (only _count, or parameters without values) would select every
  // resource of the type.
  if (parsed.query.clauses.empty()) {
    issues.push_back({Severity::Error, "required",
                      "the criteria have no search parameter with a value, so they would select every " + type, {}, {}});
    return {};
  }
  // Enough to be left with `limit` when every resource of the type the transaction deletes is
  // among them (counting all of them would fetch every deleted record for each search).
  size_t gone_of_type = 0;
  if (gone)
    for (const std::string& key : *gone) gone_of_type += key.size() > type.size() && key[type.size()] == '/' && key.starts_with(type);
  parsed.query.count = static_cast<uint32_t>(limit + gone_of_type);
  parsed.query.offset = 0;
  parsed.query.snapshot = 0;
  parsed.query.want_total = false;
  if (options_.access) parsed.query.visible = options_.access->visibility(who);
  auto found = store_.search(parsed.query);
  if (!found) {
    issues.insert(issues.end(), found.issues().begin(), found.issues().end());
    return {};
  }
  auto& page = found->page;
  if (gone && !gone->empty()) {
    std::erase_if(page, [&](const store::ResourceRecord& r) { return gone->count(r.type + "/" + r.id) > 0; });
    if (page.size() > limit) page.resize(limit);
  }
  return std::move(page);
}

bool WritePath::sees(const Caller& who, const store::ResourceRecord& record) const {
  return !options_.access || options_.access->sees(who.get(), record);
}

WritePath::WritePath(const fhir::definitions::Definitions& definitions, store::Store& store,
                     const fhir::search::SearchRegistry& registry, const fhir::search::IndexExtractor& extractor,
                     WriteOptions options)
    : definitions_(definitions), store_(store), registry_(registry), extractor_(extractor), options_(std::move(options)) {}

Issues WritePath::validate(const fhir::model::Element& resource, Policy policy,
                           const std::vector<std::string>& extra_profiles) const {
  if (!options_.validate) return {};
  std::vector<std::string> profiles = extra_profiles;
  if (auto it = options_.profiles.find(std::string(resource.type)); it != options_.profiles.end()) {
    profiles.insert(profiles.end(), it->second.begin(), it->second.end());
  }
  return options_.validate(resource, profiles, policy);
}

Issues WritePath::validate_write(const fhir::model::Element& resource) {
  Policy policy = policy_for(resource.type);
  Issues issues = validate(resource, policy);
  if (options_.observe) options_.observe(policy, resource.type, issues);
  return issues;
}

Policy WritePath::policy_for(std::string_view type) const {
  auto it = options_.policies.find(type);
  return it == options_.policies.end() ? options_.policy : it->second;
}

PlannedWrite WritePath::plan_create(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource,
                                              const std::string& type, const std::string& if_none_exist,
                                              const std::string& assigned_id, const Issues* validated) {
  PlannedWrite p;
  const auto& root = resource;
  if (root.type != type) {
    p.result = failure(400, "invalid", "the body is a " + std::string(root.type) + ", not a " + type);
    return p;
  }
  if (auto refused = settle_references(who, doc, resource)) {
    p.result = std::move(*refused);
    return p;
  }
  if (!if_none_exist.empty()) {
    Issues issues;
    auto matches = match(who, type, parse_query(if_none_exist), 2, issues);
    if (has_error(issues)) {
      p.result.status = 400;
      p.result.issues = std::move(issues);
      return p;
    }
    if (matches.size() == 1) {
      p.result = found_result(matches[0], 200);
      return p;
    }
    if (matches.size() > 1) {
      p.result = failure(412, "duplicate", "If-None-Exist matches more than one " + type);
      return p;
    }
  }
  // A create's id is the server's to give: the one the body carries is ignored (R4
  // http.html#create), so a sender's own record id that is no FHIR id refuses nothing.
  remove_children(resource, "id");
  Issues issues = validated ? *validated : validate_write(root);
  if (has_error(issues)) {
    p.result.status = 422;
    p.result.issues = std::move(issues);
    return p;
  }
  p.write = make_write(who, doc, resource, type, assigned_id.empty() ? new_resource_id() : assigned_id, 1, "POST",
                       nullptr, p.result);
  if (!p.write) return p;
  p.result.status = 201;
  p.result.issues = std::move(issues);  // warnings the policy accepted
  return p;
}

PlannedWrite WritePath::plan_update(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource,
                                              const std::string& type, const std::string& id,
                                              std::optional<int64_t> if_match, const store::ResourceRecord* known,
                                              const Issues* validated) {
  PlannedWrite p;
  const auto& root = resource;
  if (root.type != type) {
    p.result = failure(400, "invalid", "the body is a " + std::string(root.type) + ", not a " + type);
    return p;
  }
  std::string_view body_id = resource_id(root);
  if (body_id.empty()) {
    p.result = failure(400, "required", "an update needs the resource's id in the body");
    return p;
  }
  if (body_id != id) {
    p.result = failure(400, "invalid", "the id in the body (" + std::string(body_id) + ") is not the id in the URL (" + id + ")");
    return p;
  }
  if (auto refused = settle_references(who, doc, resource)) {
    p.result = std::move(*refused);
    return p;
  }
  Issues issues = validated ? *validated : validate_write(root);
  if (has_error(issues)) {
    p.result.status = 422;
    p.result.issues = std::move(issues);
    return p;
  }
  std::optional<store::ResourceRecord> read;
  if (!known) read = store_.read(type, id);
  const store::ResourceRecord* current = known ? known : read ? &*read : nullptr;
  // A deleted record keeps its last version's access facts: an organization that could not see it
  // may not write the next version (it would be written into the other organization's record).
  if (current && !sees(who, *current)) {
    p.result = failure(403, "forbidden", type + "/" + id + " is not a record your organization may change");
    return p;
  }
  int64_t version = current ? current->version : 0;
  if (if_match && *if_match != version) {
    p.result = failure(412, "conflict",
                       type + "/" + id + " is at version " + std::to_string(version) + ", not " + std::to_string(*if_match));
    return p;
  }
  p.write = make_write(who, doc, resource, type, id, version + 1, "PUT", current, p.result);
  if (!p.write) return p;
  p.result.status = current && !current->deleted ? 200 : 201;
  p.result.issues = std::move(issues);  // warnings the policy accepted
  return p;
}

std::optional<std::vector<store::ResourceRecord>> WritePath::conditional_match(const Caller& who, const std::string& type,
                                                                                const Params& criteria,
                                                                              const std::string& missing, PlannedWrite& p) {
  Params search;
  for (const auto& c : criteria) {
    if (c.first != "_format" && c.first != "_pretty") search.push_back(c);
  }
  if (search.empty()) {
    p.result = failure(400, "required", missing);
    return std::nullopt;
  }
  Issues issues;
  auto matches = match(who, type, search, 2, issues);
  if (has_error(issues)) {
    p.result.status = 400;
    p.result.issues = std::move(issues);
    return std::nullopt;
  }
  if (matches.size() > 1) {
    p.result = failure(412, "multiple-matches", "the criteria match more than one " + type);
    return std::nullopt;
  }
  return matches;
}

PlannedWrite WritePath::plan_conditional_update(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource,
                                                          const std::string& type, const Params& criteria,
                                                          std::optional<int64_t> if_match) {
  PlannedWrite p;
  auto found = conditional_match(who, type, criteria, "PUT on " + type + " needs search criteria (conditional update) or an id in the URL", p);
  if (!found) return p;
  auto& matches = *found;
  std::string_view body_id = resource_id(resource);
  if (matches.empty()) {
    if (!body_id.empty()) return plan_update(who, doc, resource, type, std::string(body_id), if_match);
    std::string id = new_resource_id();
    set_primitive(doc, definitions_, resource, "id", id);
    return plan_update(who, doc, resource, type, id, if_match);
  }
  if (!body_id.empty() && body_id != matches[0].id) {
    p.result = failure(400, "invalid", "the id in the body is not the id of the resource the criteria match");
    return p;
  }
  if (body_id.empty()) set_primitive(doc, definitions_, resource, "id", matches[0].id);
  return plan_update(who, doc, resource, type, matches[0].id, if_match);
}

PlannedWrite WritePath::plan_delete(const Caller& who, const std::string& type, const std::string& id,
                                              std::optional<int64_t> if_match) {
  PlannedWrite p;
  auto current = store_.read(type, id);
  if (current && !sees(who, *current)) current.reset();  // what the caller may not see is not there for it
  int64_t version = current ? current->version : 0;
  if (if_match && *if_match != version) {
    p.result = failure(412, "conflict",
                       type + "/" + id + " is at version " + std::to_string(version) + ", not " + std::to_string(*if_match));
    return p;
  }
  if (!current || current->deleted) {
    p.result.status = 204;  // deleting what is not there (for this caller) succeeds (idempotent)
    return p;
  }
  if (options_.access)
    if (auto allowed = options_.access->may_change(who.get(), *current); !allowed) {
      p.result = failure(403, "forbidden", allowed.message());
      return p;
    }
  int64_t now = now_ms();
  store::Write w;
  w.record = {type, id, version + 1, format_instant(now), now, true, "DELETE", "", current->access};
  w.expected_version = version;
  p.result.status = 204;
  p.result.etag = "W/\"" + std::to_string(version + 1) + "\"";
  p.result.location = type + "/" + id + "/_history/" + std::to_string(version + 1);
  p.write = std::move(w);
  return p;
}

PlannedWrite WritePath::plan_conditional_delete(const Caller& who, const std::string& type, const Params& criteria) {
  PlannedWrite p;
  auto found = conditional_match(who, type, criteria, "DELETE on " + type + " needs search criteria (conditional delete)", p);
  if (!found) return p;
  auto& matches = *found;
  if (matches.empty()) {
    p.result.status = 204;
    return p;
  }
  return plan_delete(who, type, matches[0].id, std::nullopt);
}

void WritePath::audit(std::vector<store::Write>& writes, const AuditNote& note) const {
  if (!options_.audit || writes.empty()) return;
  security::AuditRecord r;
  r.set_caller(note.who.get());
  r.address = note.address;
  const std::string& method = writes.front().record.method;
  r.action = writes.size() > 1 ? 'E' : method == "POST" ? 'C' : method == "DELETE" ? 'D' : 'U';
  r.subtype = writes.size() > 1 ? "transaction" : method == "POST" ? "create" : method == "DELETE" ? "delete" : "update";
  if (!note.subtype.empty()) {
    r.subtype = note.subtype;
    r.action = 'E';
  }
  for (const auto& w : writes) r.add_resource(w.record);
  r.time_ms = now_ms();
  // The record rides in the commit (the store's audit log): stored with the writes or not at all.
  writes.back().logs.emplace_back(security::AuditTrail::kLog, security::AuditTrail::log_record(r));
}

WritePath::Refreshed WritePath::refresh(const std::string& type, const std::string& id) {
  bool written = false;
  Result result = execute([&]() -> PlannedWrite {
    PlannedWrite p;
    auto current = store_.read(type, id);  // as it is now: a conflict plans again
    if (!current || current->deleted || current->body.empty()) return p;
    auto parsed = fhir::json::read(current->body, definitions_);
    if (!parsed.document || !parsed.document->root()) return p;
    p.write = make_write(nullptr, *parsed.document, *parsed.document->root(), current->type, current->id,
                         current->version + 1, "PUT", &*current, p.result);
    if (p.write) p.write->maintenance = true;
    written = p.write.has_value();
    return p;
  });
  if (result.status >= 300) return Refreshed::Failed;
  return written ? Refreshed::Written : Refreshed::Unchanged;
}

Result WritePath::execute(const std::function<PlannedWrite()>& plan, const AuditNote& note) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    PlannedWrite planned = plan();
    if (!planned.write) return planned.result;
    std::vector<store::Write> writes;
    writes.push_back(std::move(*planned.write));
    audit(writes, note);
    auto committed = store_.commit(std::move(writes));
    if (committed.ok()) return planned.result;
    if (!retry(committed, attempt)) return commit_failure(committed);
  }
  return commit_failure({store::CommitResult::Status::Conflict, {}, 0});
}

}  // namespace carebridge::gateway::rest
