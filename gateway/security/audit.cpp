#include "gateway/security/audit.h"

#include "fhir/json/json_reader.h"
#include "fhir/json/json_writer.h"
#include "fhir/time/fhir_time.h"
#include "gateway/security/access_facts.h"
#include <openssl/evp.h>
#include <pthread.h>

#include <algorithm>
#include <fstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <chrono>
#include <map>
#include <unordered_set>
#include <tuple>

namespace carebridge::gateway::security {
namespace {

constexpr size_t kGroup = 256;  // events that end the gathering wait (and log records read at once)
// Events stored per commit at most: when many wait, one commit takes many (a commit waits
// for the disk, so the trail keeps pace with requests only by storing more per commit).
constexpr size_t kMaxGroup = AuditTrail::kMaxQueued / 4;
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

// Successful interactions of one kind by one caller from one address, gathered together,
// become one event listing every resource read or written (each once) and every query (at
// most kMaxEntities): the trail keeps who did what and when without one stored event per request.
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
    if (r.outcome != 0) {  // a refusal or failure keeps its own event, with its reason
      out.push_back(std::move(r));
      continue;
    }
    auto key = std::make_tuple(r.client, r.organization, r.subtype + r.action, r.purpose, r.address);
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

std::string AuditTrail::log_record(const AuditRecord& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&](const char* name, std::string_view value) {
    w.Key(name);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  auto list = [&](const char* name, const std::vector<std::string>& values) {
    w.Key(name);
    w.StartArray();
    for (const auto& v : values) w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
  };
  w.StartObject();
  string("action", std::string_view(&r.action, 1));
  string("subtype", r.subtype);
  string("client", r.client);
  string("organization", r.organization);
  string("purpose", r.purpose);
  string("address", r.address);
  list("entities", r.entities);
  list("patients", r.patients);
  w.Key("time");
  w.Int64(r.time_ms);
  w.Key("more");
  w.Uint64(r.more);
  w.EndObject();
  return buffer.GetString();
}

std::optional<AuditRecord> AuditTrail::from_log_record(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  AuditRecord r;
  auto string = [&](const char* name) {
    auto it = d.FindMember(name);
    return it != d.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
  };
  auto list = [&](const char* name, std::vector<std::string>& out) {
    auto it = d.FindMember(name);
    if (it == d.MemberEnd() || !it->value.IsArray()) return;
    for (const auto& v : it->value.GetArray()) {
      if (v.IsString()) out.emplace_back(v.GetString());
    }
  };
  std::string action = string("action");
  r.action = action.empty() ? 'E' : action[0];
  r.subtype = string("subtype");
  r.client = string("client");
  r.organization = string("organization");
  r.purpose = string("purpose");
  r.address = string("address");
  list("entities", r.entities);
  list("patients", r.patients);
  if (d.HasMember("time") && d["time"].IsInt64()) r.time_ms = d["time"].GetInt64();
  if (d.HasMember("more") && d["more"].IsUint64()) r.more = d["more"].GetUint64();
  return r;
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
  room_.notify_all();
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

void AuditTrail::record(AuditRecord record) { enqueue(std::move(record), true); }

void AuditTrail::record_without_waiting(AuditRecord record) { enqueue(std::move(record), false); }

void AuditTrail::enqueue(AuditRecord record, bool may_wait) {
  if (!record.time_ms) record.time_ms = fhir::time::now_ms();
  bool wake;
  {
    std::unique_lock lock(mutex_);
    if (may_wait) room_.wait(lock, [this] { return stopping_ || queue_.size() < kMaxQueued; });
    queue_.push_back(std::move(record));
    wake = queue_.size() == 1 || queue_.size() == kGroup;  // the first wakes the writer, a full group ends its wait
  }
  if (wake) wake_.notify_one();
}

void AuditTrail::flush() {
  std::unique_lock lock(mutex_);
  if (!following_ && queue_.empty() && in_flight_ == 0) return;
  uint64_t after = passes_;
  wake_.notify_one();
  drained_.wait(lock, [&] { return passes_ > after + (following_ ? 1 : 0) && caught_up_ && in_flight_ == 0; });
}

void AuditTrail::run() {
  pthread_setname_np(pthread_self(), "cb-audit");  // as top and perf show it
  std::unique_lock lock(mutex_);
  for (;;) {
    if (following_) {
      wake_.wait_for(lock, kGather, [this] { return stopping_ || queue_.size() >= kGroup; });
    } else {
      wake_.wait(lock, [this] { return stopping_ || following_ || !queue_.empty(); });
      // Gathers for a moment, so that a busy server stores one grouped event per caller
      // and one commit per moment instead of one per request.
      wake_.wait_for(lock, kGather, [this] { return stopping_ || queue_.size() >= kGroup; });
    }
    std::vector<AuditRecord> group;
    while (!queue_.empty() && group.size() < kMaxGroup) {
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    bool stop = stopping_ && queue_.empty();
    in_flight_ = group.size();
    lock.unlock();
    if (!group.empty()) room_.notify_all();
    int64_t last_seq = 0;
    bool more = false;
    if (following_) {
      for (auto& r : next_from_log(last_seq, more)) group.push_back(std::move(r));
    }
    if (!group.empty()) {
      std::vector<store::Write> writes;
      writes.reserve(group.size());
      for (const auto& r : coalesce(std::move(group))) writes.push_back(event_write(r));
      auto stored = store_.commit(std::move(writes));  // one commit per group
      if (stored.ok() && last_seq) save_cursor(last_seq);
    }
    lock.lock();
    in_flight_ = 0;
    ++passes_;
    caught_up_ = queue_.empty() && !more;
    drained_.notify_all();
    if (stop && !more) return;
  }
}

std::vector<AuditRecord> AuditTrail::next_from_log(int64_t& last_seq, bool& more) {
  std::vector<AuditRecord> out;
  auto records = store_.read_log(kLog, cursor_, kGroup);
  if (!records) return out;
  more = records->size() == kGroup;
  for (const auto& r : *records) {
    last_seq = r.seq;
    if (auto parsed = from_log_record(r.record)) out.push_back(std::move(*parsed));
  }
  return out;
}

void AuditTrail::save_cursor(int64_t seq) {
  cursor_ = seq;
  if (cursor_file_.empty()) return;
  auto temporary = cursor_file_;
  temporary += ".tmp";
  { std::ofstream(temporary, std::ios::trunc) << seq << "\n"; }
  std::error_code ignored;
  std::filesystem::rename(temporary, cursor_file_, ignored);
}

void AuditTrail::follow_log(std::filesystem::path cursor_file) {
  std::lock_guard lock(mutex_);
  cursor_file_ = std::move(cursor_file);
  std::ifstream in(cursor_file_);
  int64_t seq = 0;
  if (in >> seq && seq > 0) cursor_ = seq;
  following_ = true;
  wake_.notify_one();
}

}  // namespace carebridge::gateway::security
