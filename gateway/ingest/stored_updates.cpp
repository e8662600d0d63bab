// The records a transaction's conditional updates replace (see stored_updates.h).
#include "gateway/ingest/stored_updates.h"

#include <cstdlib>
#include <set>
#include <string>
#include <utility>

#include "gateway/rest/json_patch.h"
#include "gateway/rest/negotiation.h"
#include "gateway/rest/service.h"

namespace carebridge::gateway::ingest {

http::Response post_transaction(rest::FhirService& service, const rest::Caller& who, http::Request request,
                                const std::function<std::string()>& body, int attempts) {
  request.method = "POST";
  std::string prefer(request.header("Prefer")), host(request.header("Host"));
  request.headers = {{"Content-Type", "application/fhir+json"}, {"Accept", "application/fhir+json"}};
  if (!prefer.empty()) request.headers.emplace_back("Prefer", std::move(prefer));
  if (!host.empty()) request.headers.emplace_back("Host", std::move(host));  // the base of the response's fullUrls
  for (int attempt = 0;; ++attempt) {
    request.body = body();
    http::Response answer = service.handle_own(request, who, kIngestBodyBytes);
    if (answer.status != 412 || attempt + 1 >= attempts) return answer;
  }
}

std::vector<Refusal> refusals(const http::Response& response) {
  std::vector<Refusal> out;
  rapidjson::Document doc;
  doc.Parse(response.body.c_str());
  if (!doc.IsObject() || !doc.HasMember("issue") || !doc["issue"].IsArray()) return out;
  auto text_at = [](const rapidjson::Value& v, const char* name) {
    return v.IsObject() && v.HasMember(name) && v[name].IsString() ? std::string(v[name].GetString()) : std::string();
  };
  for (const auto& issue : doc["issue"].GetArray()) {
    Refusal r;
    r.message = text_at(issue, "diagnostics");
    if (r.message.empty() && issue.IsObject() && issue.HasMember("details")) r.message = text_at(issue["details"], "text");
    constexpr std::string_view kSeveral = "the criteria match more than one ";
    if (text_at(issue, "code") == "multiple-matches" && r.message.starts_with(kSeveral))
      r.message = "two or more stored " + r.message.substr(kSeveral.size()) + " records have its identifier, so which one it is "
                  "cannot be told (merge or delete the duplicates, then send again)";
    std::string where;
    if (issue.IsObject() && issue.HasMember("expression") && issue["expression"].IsArray() && !issue["expression"].Empty() &&
        issue["expression"][0].IsString())
      where = issue["expression"][0].GetString();
    if (where.starts_with("Bundle.entry[")) r.entry = std::strtoul(where.c_str() + 13, nullptr, 10);
    if (!r.message.empty()) out.push_back(std::move(r));
  }
  return out;
}

void with_stored_records(rapidjson::Document& bundle, rest::FhirService& service, const rest::Caller& who,
                         const std::function<bool(rapidjson::Value& entry, const rapidjson::Value& stored)>& visit) {
  if (!bundle.IsObject() || !bundle.HasMember("entry") || !bundle["entry"].IsArray()) return;
  for (auto& entry : bundle["entry"].GetArray()) {
    if (!entry.IsObject() || !entry.HasMember("request") || !entry.HasMember("resource")) continue;
    const auto& request = entry["request"];
    if (!request.HasMember("method") || !request.HasMember("url") || request["method"] != "PUT") continue;
    std::string url = request["url"].GetString();
    size_t query = url.find('?');
    if (query == std::string::npos) continue;
    rest::Issues issues;
    auto found = service.writes().match(who, url.substr(0, query), rest::parse_query(url.substr(query + 1)), 2, issues);
    rapidjson::Document stored;
    if (found.size() != 1 || found[0].deleted || !rest::parse_json_keeping_numbers(found[0].body, kIngestJsonDepth, stored)) continue;
    if (!visit(entry, stored)) continue;
    // A record the mapping built from a version it read stays pinned to that version: written
    // over a later one, it would undo that version's changes (a household's new member).
    if (entry["request"].HasMember("ifMatch")) continue;
    std::string etag = "W/\"" + std::to_string(found[0].version) + "\"";
    entry["request"].RemoveMember("ifMatch");
    entry["request"].AddMember("ifMatch", rapidjson::Value(etag.c_str(), bundle.GetAllocator()), bundle.GetAllocator());
  }
}

void keep_security_labels(rapidjson::Value& resource, const rapidjson::Value& stored,
                          rapidjson::Document::AllocatorType& allocator) {
  auto labels_of = [](const rapidjson::Value& r) -> const rapidjson::Value* {
    if (!r.IsObject() || !r.HasMember("meta") || !r["meta"].IsObject() || !r["meta"].HasMember("security")) return nullptr;
    const auto& security = r["meta"]["security"];
    return security.IsArray() ? &security : nullptr;
  };
  const rapidjson::Value* old_labels = labels_of(stored);
  if (!old_labels || old_labels->Empty() || !resource.IsObject()) return;
  auto key = [](const rapidjson::Value& coding) {
    auto text = [&](const char* name) {
      return coding.IsObject() && coding.HasMember(name) && coding[name].IsString() ? std::string(coding[name].GetString()) : std::string();
    };
    return text("system") + "|" + text("code");
  };
  if (!resource.HasMember("meta")) resource.AddMember("meta", rapidjson::Value(rapidjson::kObjectType), allocator);
  auto& meta = resource["meta"];
  if (!meta.HasMember("security")) meta.AddMember("security", rapidjson::Value(rapidjson::kArrayType), allocator);
  auto& labels = meta["security"];
  std::set<std::string> present;
  for (const auto& l : labels.GetArray()) present.insert(key(l));
  for (const auto& l : old_labels->GetArray())
    if (present.insert(key(l)).second) labels.PushBack(rapidjson::Value(l, allocator), allocator);
}

}  // namespace carebridge::gateway::ingest
