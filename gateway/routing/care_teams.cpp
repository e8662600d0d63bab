#include "gateway/routing/care_teams.h"

#include <rapidjson/document.h>

namespace carebridge::gateway::routing {

namespace {

using Json = rapidjson::Value;

std::string text(const Json& v, const char* name) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// The references in a member that holds a Reference or a list of them.
void references(const Json& resource, const char* name, std::vector<std::string>& out) {
  if (!resource.HasMember(name)) return;
  const Json& v = resource[name];
  if (v.IsArray()) {
    for (const Json& item : v.GetArray()) out.push_back(text(item, "reference"));
  } else {
    out.push_back(text(v, "reference"));
  }
}

bool in(std::string_view status, std::initializer_list<std::string_view> list) {
  for (auto s : list)
    if (status == s) return true;
  return false;
}

}  // namespace

bool CareTeams::relevant(std::string_view type) {
  return type == "CareTeam" || type == "CarePlan" || type == "ServiceRequest" || type == "Task";
}

std::vector<std::pair<std::string, std::string>> CareTeams::pairs_of(const store::ResourceRecord& record) {
  std::vector<std::pair<std::string, std::string>> out;
  if (record.deleted || !relevant(record.type)) return out;
  rapidjson::Document r;
  r.Parse(record.body.c_str());
  if (!r.IsObject()) return out;
  std::string status = text(r, "status");
  std::vector<std::string> patients, members;
  const std::string& t = record.type;
  if (t == "CareTeam" && (status.empty() || in(status, {"active", "proposed"}))) {
    references(r, "subject", patients);
    if (r.HasMember("participant") && r["participant"].IsArray())
      for (const Json& p : r["participant"].GetArray()) members.push_back(p.HasMember("member") ? text(p["member"], "reference") : "");
    references(r, "managingOrganization", members);
  } else if (t == "CarePlan" && in(status, {"active", "draft", "on-hold"})) {
    references(r, "subject", patients);
    references(r, "author", members);
    references(r, "contributor", members);
  } else if (t == "ServiceRequest" && in(status, {"active", "draft", "on-hold"})) {
    references(r, "subject", patients);
    references(r, "performer", members);
  } else if (t == "Task" && !in(status, {"completed", "cancelled", "rejected", "failed", "entered-in-error"})) {
    references(r, "for", patients);
    references(r, "owner", members);
  }
  for (const std::string& p : patients) {
    if (!p.starts_with("Patient/")) continue;
    for (const std::string& m : members)
      if (!m.empty()) out.emplace_back(m, p.substr(8));
  }
  return out;
}

void CareTeams::replace(const std::string& resource, std::vector<std::pair<std::string, std::string>> pairs) {
  auto& old = by_resource_[resource];
  for (const auto& p : old)
    if (--pairs_[p] <= 0) pairs_.erase(p);
  for (const auto& p : pairs) ++pairs_[p];
  if (pairs.empty()) by_resource_.erase(resource);
  else old = std::move(pairs);
}

void CareTeams::load(store::Store& store) {
  for (const char* type : {"CareTeam", "CarePlan", "ServiceRequest", "Task"})
    store.scan(type, true, [&](const store::ResourceRecord& r) { staged_.emplace_back(r.type + "/" + r.id, pairs_of(r)); });
  ended(true);
}

carebridge::Result<void> CareTeams::on_write(const store::WriteEvent& event, store::CommitLog&) {
  if (relevant(event.record.type)) staged_.emplace_back(event.record.type + "/" + event.record.id, pairs_of(event.record));
  return {};
}

void CareTeams::ended(bool committed) {
  if (committed && !staged_.empty()) {
    std::unique_lock lock(mutex_);
    for (auto& [resource, pairs] : staged_) replace(resource, std::move(pairs));
  }
  staged_.clear();
}

bool CareTeams::cares_for(std::string_view member, const std::vector<std::string>& patients) const {
  std::shared_lock lock(mutex_);
  for (const std::string& p : patients)
    if (pairs_.count({std::string(member), p})) return true;
  return false;
}

std::vector<std::string> patients_in(std::span<const fhir::search::IndexEntry> rows) {
  std::vector<std::string> out;
  for (const auto& e : rows) {
    if (e.param != "patient" && e.param != "subject" && e.param != "beneficiary" && e.param != "for") continue;
    if (e.code.starts_with("Patient/")) out.push_back(e.code.substr(8));
  }
  return out;
}

}  // namespace carebridge::gateway::routing
