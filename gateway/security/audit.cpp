#include "gateway/security/audit.h"

#include "fhir/json/json_reader.h"
#include "fhir/json/json_writer.h"
#include "fhir/time/fhir_time.h"
#include "gateway/security/access_facts.h"
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_set>
#include <tuple>

namespace carebridge::gateway::security {
namespace {

constexpr size_t kGroup = 256;  // events stored per commit at most
constexpr std::chrono::milliseconds kGather{20};

using fhir::json::append_json_string;

// base64Binary (standard alphabet, padded), as AuditEvent.entity.query is.
std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

// Successful reads (or searches) of one caller from one address, queued together, become
// one event listing every resource it was shown (each once) and every query (at most
// kMaxEntities): the trail keeps who saw what and when without one stored event per request.
std::vector<AuditRecord> coalesce(std::vector<AuditRecord> group) {
  struct Open {
    size_t at;                                 // the event in `out`
    std::unordered_set<std::string> listed;    // its entities and patients
  };
  std::vector<AuditRecord> out;
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, Open> open;
  auto add_new = [](std::vector<std::string>& into, std::vector<std::string>& from, Open& o) {
    for (auto& e : from) {
      if (o.listed.insert(e).second) into.push_back(std::move(e));
    }
  };
  for (auto& r : group) {
    if (r.action != 'R' || r.outcome != 0) {
      out.push_back(std::move(r));
      continue;
    }
    auto key = std::make_tuple(r.client, r.organization, r.subtype, r.purpose, r.address);
    auto it = open.find(key);
    if (it != open.end()) {
      auto& into = out[it->second.at];
      if (into.entities.size() + r.entities.size() <= AuditTrail::kMaxEntities &&
          into.queries.size() + r.queries.size() <= AuditTrail::kMaxEntities) {
        add_new(into.entities, r.entities, it->second);
        add_new(into.patients, r.patients, it->second);
        into.queries.insert(into.queries.end(), r.queries.begin(), r.queries.end());
        continue;
      }
    }
    Open fresh{out.size(), {}};
    for (const auto& e : r.entities) fresh.listed.insert(e);
    for (const auto& p : r.patients) fresh.listed.insert(p);
    open[key] = std::move(fresh);
    out.push_back(std::move(r));
  }
  return out;
}

void coding(std::string& out, std::string_view system, std::string_view code) {
  out += "{\"system\":";
  append_json_string(out, system);
  out += ",\"code\":";
  append_json_string(out, code);
  out += '}';
}

// An entity by its reference alone (its type and role are optional in R4, and an event
// of a busy caller lists hundreds: each coding would be two more index rows).
void reference_entity(std::string& out, std::string_view reference) {
  out += "{\"what\":{\"reference\":";
  append_json_string(out, reference);
  out += "}}";
}

void agents(std::string& out, const AuditRecord& r) {
  out += ",\"agent\":[{\"type\":{\"coding\":[";
  coding(out, "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP");
  out += "]},\"who\":{\"identifier\":{\"system\":\"urn:carebridge:client\",\"value\":";
  append_json_string(out, r.client.empty() ? "anonymous" : r.client);
  out += "}},\"altId\":";
  append_json_string(out, r.client.empty() ? "anonymous" : r.client);
  out += ",\"requestor\":true";
  if (!r.address.empty()) {
    out += ",\"network\":{\"address\":";
    append_json_string(out, r.address);
    out += ",\"type\":\"2\"}";
  }
  out += '}';
  if (!r.organization.empty()) {
    out += ",{\"who\":{\"reference\":";
    append_json_string(out, "Organization/" + r.organization);
    out += "},\"requestor\":false}";
  }
  out += ']';
}

void entities(std::string& out, const AuditRecord& r) {
  out += ",\"entity\":[";
  bool first = true;
  auto comma = [&] { out += first ? "" : ","; first = false; };
  for (const auto& e : r.entities) {
    comma();
    reference_entity(out, e);
  }
  for (const auto& p : r.patients) {
    std::string patient = "Patient/" + p;
    if (std::find(r.entities.begin(), r.entities.end(), patient) != r.entities.end()) continue;  // listed already
    comma();
    reference_entity(out, patient);
  }
  for (const auto& query : r.queries) {
    comma();
    out += "{\"type\":";
    coding(out, "http://terminology.hl7.org/CodeSystem/audit-entity-type", "2");
    out += ",\"role\":";
    coding(out, "http://terminology.hl7.org/CodeSystem/object-role", "24");  // query
    out += ",\"query\":";
    append_json_string(out, base64(query));
    out += '}';
  }
  out += ']';
}

}  // namespace

void AuditRecord::set_caller(const Principal* who) {
  if (!who) return;
  client = who->client_id;
  organization = who->organization;
  purpose = who->purpose;
}

void AuditRecord::add_resource(const store::ResourceRecord& resource) {
  if (entities.size() >= AuditTrail::kMaxEntities) {
    ++more;
    return;
  }
  entities.push_back(resource.type + "/" + resource.id);
  FactsView facts(resource.access);
  facts.any_patient([this](std::string_view p) {
    if (patients.size() < AuditTrail::kMaxEntities && std::find(patients.begin(), patients.end(), p) == patients.end())
      patients.emplace_back(p);
    return false;
  });
}

AuditTrail::AuditTrail(store::Store& store, const fhir::definitions::Definitions& definitions,
                       const fhir::search::IndexExtractor& extractor, std::function<std::string()> new_id)
    : store_(store), definitions_(definitions), extractor_(extractor), new_id_(std::move(new_id)),
      thread_([this] { run(); }) {}

AuditTrail::~AuditTrail() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string AuditTrail::event_json(const AuditRecord& r, const std::string& id, const std::string& instant) const {
  std::string out = "{\"resourceType\":\"AuditEvent\",\"id\":";
  append_json_string(out, id);
  out += ",\"meta\":{\"versionId\":\"1\",\"lastUpdated\":";
  append_json_string(out, instant);
  out += "},\"type\":";
  coding(out, "http://terminology.hl7.org/CodeSystem/audit-event-type", "rest");
  out += ",\"subtype\":[";
  coding(out, "http://hl7.org/fhir/restful-interaction", r.subtype);
  out += "],\"action\":\"";
  out += r.action;
  out += "\",\"recorded\":";
  append_json_string(out, instant);
  out += ",\"outcome\":\"" + std::to_string(r.outcome) + "\"";
  std::string description = r.outcome_text;
  if (r.more) description += (description.empty() ? "" : "; ") + std::to_string(r.more) + " more resources";
  if (!description.empty()) {
    out += ",\"outcomeDesc\":";
    append_json_string(out, description);
  }
  out += ",\"purposeOfEvent\":[{\"coding\":[";
  coding(out, "http://terminology.hl7.org/CodeSystem/v3-ActReason", r.purpose);
  out += "]}]";
  agents(out, r);
  out += ",\"source\":{\"site\":\"carebridge\",\"observer\":{\"display\":\"Carebridge gateway\"},\"type\":[";
  coding(out, "http://terminology.hl7.org/CodeSystem/security-source-type", "4");
  out += "]}";
  if (!r.entities.empty() || !r.patients.empty() || !r.queries.empty()) entities(out, r);
  out += '}';
  return out;
}

store::Write AuditTrail::event_write(const AuditRecord& record) const {
  int64_t now = record.time_ms ? record.time_ms : fhir::time::now_ms();
  std::string instant = fhir::time::format_instant(now);
  std::string id = new_id_();
  store::Write w;
  w.record = {"AuditEvent", id, 1, instant, now, false, "POST", event_json(record, id, instant), {}};
  w.expected_version = 0;
  auto parsed = fhir::json::read(w.record.body, definitions_);
  if (parsed.document && parsed.document->root()) w.index = extractor_.extract(*parsed.document->root());
  AccessFacts facts;
  facts.confined = true;  // administrators only (the access policy), never anyone's by ownership
  facts.patients = record.patients;
  w.record.access = encode(facts);
  return w;
}

void AuditTrail::record(AuditRecord record) {
  if (!record.time_ms) record.time_ms = fhir::time::now_ms();
  bool wake;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(record));
    wake = queue_.size() == 1 || queue_.size() == kGroup;  // the first wakes the writer, a full group ends its wait
  }
  if (wake) wake_.notify_one();
}

void AuditTrail::flush() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return queue_.empty() && in_flight_ == 0; });
}

void AuditTrail::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    // Gathers for a moment, so that a busy server stores one grouped event per caller
    // and one commit per moment instead of one per request.
    wake_.wait_for(lock, kGather, [this] { return stopping_ || queue_.size() >= kGroup; });
    std::vector<AuditRecord> group;
    while (!queue_.empty() && group.size() < kGroup) {
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    in_flight_ = group.size();
    lock.unlock();
    std::vector<store::Write> writes;
    writes.reserve(group.size());
    for (const auto& r : coalesce(std::move(group))) writes.push_back(event_write(r));
    store_.commit(std::move(writes));  // one commit per group; a failed one is lost only with the store itself
    lock.lock();
    in_flight_ = 0;
    if (queue_.empty()) drained_.notify_all();
  }
}

}  // namespace carebridge::gateway::security
