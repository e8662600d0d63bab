// Where each request is answered (the handler runs on an I/O thread, which must
// not block): reads by id there at once; creates, updates and deletes by id are
// planned (parsed, validated, indexed) there too when their body is small, then
// committed with their group without a thread waiting, and rendered on the I/O
// thread once durable; everything else (searches, transactions, conditional
// interactions, large bodies) on the worker pool, answered by dispatch().
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {

using fhir::model::Severity;

struct FhirService::AsyncWrite {
  AsyncWrite(std::shared_ptr<const http::Request> r, Caller who, const FhirService& service, http::Responder reply)
      : request(std::move(r)), call(service.make_call(*request, std::move(who))), responder(std::move(reply)) {}

  std::shared_ptr<const http::Request> request;
  Call call;  // refers to *request
  http::Responder responder;
  std::unique_ptr<fhir::model::Document> doc;
  std::function<Planned()> plan;
  int attempts = 0;
};

namespace {
// Bodies up to this size are validated on the I/O thread: well under a millisecond.
constexpr size_t kInlineBodyBytes = 64 * 1024;
}  // namespace

void FhirService::handle(std::shared_ptr<const http::Request> request, Caller who, http::Responder responder) {
  if (auto binary = binary_resource_request(*request)) request = std::make_shared<const http::Request>(std::move(*binary));
  auto write = std::make_shared<AsyncWrite>(std::move(request), std::move(who), *this, std::move(responder));
  bool small = write->request->body.size() <= kInlineBodyBytes;
  if (write->call.negotiation.acceptable && is_async_write(write->call)) {
    if (small) return start_write(write);
    return write->responder.defer([this, write] { start_write(write); });
  }
  if (is_read_by_id(write->call)) {
    auto response = std::make_shared<http::Response>(answer(write->call));
    return write->responder.reply([response] { return std::move(*response); });
  }
  write->responder.defer([this, write] {
    auto turn = large_requests_.enter(write->request->body.size());
    auto response = std::make_shared<http::Response>(
        turn ? answer(write->call)
             : outcome(write->call, 503, {{Severity::Error, "transient",
                                           "other large requests are being answered; send this one again shortly", {}, {}}}));
    if (!turn) response->set_header("Retry-After", "5");
    write->responder.reply([response] { return std::move(*response); });
  });
}

void FhirService::start_write(const std::shared_ptr<AsyncWrite>& w) {
  if (prepare_async_write(*w)) return commit_then_reply(w);
  auto response = std::make_shared<http::Response>(answer(w->call));  // the body's errors
  w->responder.reply([response] { return std::move(*response); });
}

bool FhirService::is_read_by_id(const Call& call) const {
  const std::string& method = call.request.method;
  const auto& s = call.segments;
  if ((method != "GET" && method != "HEAD") || s.size() < 2 || !registry_.is_resource_type(s[0]) || !valid_id(s[1])) return false;
  return s.size() == 2 || (s.size() == 4 && s[2] == "_history");
}

bool FhirService::is_async_write(const Call& call) const {
  const http::Request& request = call.request;
  if (request.method != "POST" && request.method != "PUT" && request.method != "DELETE") return false;
  const auto& s = call.segments;
  if (s.empty() || !registry_.is_resource_type(s[0])) return false;
  for (const auto& [name, value] : call.target.params) {
    if (name != "_format" && name != "_pretty") return false;  // conditional criteria
  }
  if (s.size() == 1) return request.method == "POST" && request.header("If-None-Exist").empty();
  return s.size() == 2 && request.method != "POST" && valid_id(s[1]) &&
         (request.header("If-Match").empty() || parse_etag(request.header("If-Match")));
}

bool FhirService::prepare_async_write(AsyncWrite& w) {
  const auto& s = w.call.segments;
  const std::string& method = w.request->method;
  auto interaction = method == "POST" ? security::Interaction::Create
                     : method == "PUT" ? security::Interaction::Update : security::Interaction::Delete;
  if (refused(w.call, interaction, s[0])) return false;  // dispatch() answers with the refusal
  if (method != "DELETE") {
    unsigned status = 0;
    Issues issues;
    w.doc = parse_body(w.call, status, issues);
    if (!w.doc) return false;  // dispatch() answers with the parse errors
  }
  const std::string& type = s[0];
  if (s.size() == 1) {
    w.plan = [this, &w, type] { return writes_.plan_create(w.call.who, *w.doc, *w.doc->root(), type, ""); };
    return true;
  }
  const std::string& id = s[1];
  auto if_match = w.request->header("If-Match");
  std::optional<int64_t> version = if_match.empty() ? std::nullopt : parse_etag(if_match);
  if (method == "PUT") {
    w.plan = [this, &w, type, id, version] { return writes_.plan_update(w.call.who, *w.doc, *w.doc->root(), type, id, version); };
  } else {
    w.plan = [this, &w, type, id, version] { return writes_.plan_delete(w.call.who, type, id, version); };
  }
  return true;
}

void FhirService::commit_then_reply(const std::shared_ptr<AsyncWrite>& w) {
  try {
    plan_and_commit(w);
  } catch (const std::exception& e) {
    reply_failure(w, e.what());
  }
}

void FhirService::reply_failure(const std::shared_ptr<AsyncWrite>& w, const std::string& what) {
  try {
    w->responder.reply([this, w, what] {
      return outcome(w->call, 500, {{Severity::Fatal, "exception", "internal error: " + what, {}, {}}});
    });
  } catch (const std::exception&) {  // out of memory even for this: the client is left waiting
  }
}

void FhirService::plan_and_commit(const std::shared_ptr<AsyncWrite>& w) {
  Planned planned = w->plan();
  if (!planned.write) {
    audit_answer(w->call, planned.result.status);
    auto response = std::make_shared<http::Response>(render(w->call, planned.result));
    return w->responder.reply([response] { return std::move(*response); });
  }
  std::vector<store::Write> writes;
  writes.push_back(std::move(*planned.write));
  writes_.audit(writes, {w->call.who, w->call.request.remote});
  // Runs on the store's thread: only hands the rest over, and never throws there.
  store_.commit_async(std::move(writes), [this, w, result = std::move(planned.result)](store::CommitResult c) mutable {
    try {
      if (retry(c, w->attempts++)) {
        return w->responder.defer([this, w] { commit_then_reply(w); });  // planned again against the new state
      }
      Result final = c.ok() ? std::move(result) : commit_failure(c);
      w->responder.reply([this, w, final = std::move(final)] { return render(w->call, final); });
    } catch (const std::exception& e) {
      reply_failure(w, e.what());
    }
  });
}

}  // namespace carebridge::gateway::rest
