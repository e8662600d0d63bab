// The write log's records: compact JSON, one per version (see write_log.h).
#include "gateway/store/write_log.h"

#include <rapidjson/document.h>

#include "fhir/json/json_writer.h"

namespace carebridge::gateway::store {
namespace {

std::string interaction_of(const ResourceRecord& r) {
  if (r.deleted) return "delete";
  return r.version == 1 ? "create" : "update";
}

void member(std::string& out, const char* name, std::string_view value) {
  out += out.size() > 1 ? ",\"" : "\"";
  out += name;
  out += "\":";
  fhir::json::append_json_string(out, value);
}

}  // namespace

Result<void> WriteLog::on_write(const WriteEvent& event, CommitLog& log) {
  const ResourceRecord& r = event.record;
  // The audit trail is its own append-only record of the writes logged here: logging
  // its events too would double every write's log and notify about the trail itself.
  if (r.type == "AuditEvent") return {};
  std::string record = "{";
  member(record, "type", r.type);
  member(record, "id", r.id);
  record += ",\"version\":" + std::to_string(r.version);
  member(record, "interaction", interaction_of(r));
  member(record, "time", r.last_updated);
  record += "}";
  log.append(kWriteLog, record);
  return {};
}

Result<std::vector<WriteLogEntry>> read_write_log(Store& store, int64_t after, size_t limit) {
  auto records = store.read_log(kWriteLog, after, limit);
  if (!records) return records.issues();
  std::vector<WriteLogEntry> out;
  out.reserve(records->size());
  for (const auto& r : *records) {
    rapidjson::Document doc;
    doc.Parse(r.record.data(), r.record.size());
    if (doc.HasParseError() || !doc.IsObject()) continue;
    auto text = [&](const char* name) {
      auto it = doc.FindMember(name);
      return it != doc.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
    };
    WriteLogEntry e{r.seq, text("type"), text("id"), 0, text("interaction"), text("time")};
    if (auto v = doc.FindMember("version"); v != doc.MemberEnd() && v->value.IsInt64()) e.version = v->value.GetInt64();
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace carebridge::gateway::store
