// The AuditEvents of what the REST API answers: reads, searches, history, $validate
// and every refusal or failure. Successful writes are audited in their own commit
// (WritePath::audit), so they are not recorded again here.
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

// The restful-interaction code of a request, and the AuditEvent action it takes.
std::pair<std::string, char> interaction_of(const std::string& method, const std::vector<std::string>& s) {
  bool get = method == "GET" || method == "HEAD";
  if (s.empty()) return get ? std::pair{"search-system", 'R'} : std::pair{"batch", 'E'};
  if (s[0] == "_history") return {"history-system", 'R'};
  if (s[0] == "_search") return {"search-system", 'R'};
  if (s.size() == 1) {
    if (get) return {"search-type", 'R'};
    if (method == "POST") return {"create", 'C'};
    return {method == "DELETE" ? "delete" : "update", method == "DELETE" ? 'D' : 'U'};
  }
  const std::string& second = s[1];
  if (second == "_search") return {"search-type", 'R'};
  if (second == "_history") return {"history-type", 'R'};
  if (second == "$validate" || (s.size() > 2 && s[2].rfind('$', 0) == 0)) return {"operation", 'E'};
  if (s.size() >= 3 && s[2] == "_history") return {s.size() == 4 ? "vread" : "history-instance", 'R'};
  if (get) return {"read", 'R'};
  if (method == "DELETE") return {"delete", 'D'};
  return {method == "PATCH" ? "patch" : "update", 'U'};
}

}  // namespace

void FhirService::audit_answer(const Call& call, unsigned status) {
  if (!options_.audit) return;
  const auto& s = call.segments;
  if (!s.empty() && s[0] == "metadata") return;
  const std::string& method = call.request.method;
  auto [subtype, action] = interaction_of(method, s);
  bool reading = action == 'R' || subtype == "operation";
  if (status < 400 && !reading) return;  // a write: its commit holds its AuditEvent
  security::AuditRecord record = std::move(call.disclosed);
  call.disclosed = {};
  record.set_caller(call.who.get());
  record.subtype = subtype;
  record.action = action;
  record.outcome = status < 400 ? 0 : status < 500 ? 4 : 8;
  if (status >= 400) record.outcome_text = std::to_string(status) + " " + method + " " + call.target.path;
  record.address = std::string(http::remote_host(call.request.remote));
  if (subtype.rfind("search", 0) == 0) record.queries = {call.target.query.empty() ? call.request.body : call.target.query};
  if (record.entities.empty() && s.size() >= 2 && s[1][0] != '_' && s[1][0] != '$') record.entities.push_back(s[0] + "/" + s[1]);
  options_.audit->record(std::move(record));
}

}  // namespace carebridge::gateway::rest
